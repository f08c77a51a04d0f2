//! Transaction bytes from the API or gossip: the stateless checks and signature
//! verification must refuse anything malformed without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuquan_proto::{tx, verify};

fuzz_target!(|data: &[u8]| {
    let chain = tx::ChainRef {
        id: "shuquan-devnet".into(),
        genesis_hash: shuquan_proto::Hash32([1; 32]),
    };
    if let Ok(t) = tx::decode_tx(data, &chain, tx::DEFAULT_MAX_TX_BYTES) {
        let _ = verify::verify_tx(&t);
        let _ = verify::verify_txs(&[&t]);
    }
});
