//! Block and proposal bytes (Raft log entries, snapshots' rows, block headers served to
//! auditors): decoding and hashing never panic.
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
    let _ = pb::Applied::decode(data);
    let _ = pb::TxRecord::decode(data);
});
