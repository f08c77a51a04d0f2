//! Block and proposal bytes (Raft log entries, snapshots' rows, block headers and
//! certificates served to auditors): decoding, hashing and certificate checks never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use shuquan_proto::{block, pb};

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = pb::BlockHeader::decode(data) {
        let _ = block::block_hash(&h);
    }
    if let Ok(p) = pb::Proposal::decode(data) {
        let _ = p.txs.len();
    }
    if let Ok(r) = pb::Receipt::decode(data) {
        let _ = block::results_root(&[r]);
    }
    if let Ok(c) = pb::Certificate::decode(data) {
        // Checked against a genesis whose members are the certificate's own signers.
        let genesis = pb::Genesis {
            chain_id: "fuzz".into(),
            members: c
                .signatures
                .iter()
                .map(|s| pb::Member {
                    node_key: s.node_key.clone(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let hash = shuquan_proto::Hash32::from_slice(&c.block_hash).unwrap_or_default();
        let _ = shuquan_proto::cert::verify_certificate(&genesis, c.height, &hash, &c);
    }
    let _ = pb::Applied::decode(data);
    let _ = pb::TxRecord::decode(data);
});
