//! JSON bodies the API reads (`{"tx": "<hex>"}`) and the JSON views clients and auditors
//! read back: parsing never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuquan_proto::views;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Some(Ok(raw)) = v.get("tx").and_then(|t| t.as_str()).map(|t| hex::decode(t.trim())) {
            let chain = shuquan_proto::tx::ChainRef {
                id: "shuquan-devnet".into(),
                genesis_hash: shuquan_proto::Hash32([1; 32]),
                hash: Default::default(),
            };
            let _ = shuquan_proto::tx::decode_tx(
                &raw,
                &chain,
                shuquan_proto::tx::DEFAULT_MAX_TX_BYTES,
            );
        }
    }
    let _ = serde_json::from_slice::<views::InclusionProofView>(data).map(|p| p.verify());
    let _ = serde_json::from_slice::<views::BlockView>(data);
    let _ = serde_json::from_slice::<views::StatusView>(data);
});
