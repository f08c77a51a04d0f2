//! Blocks: the hash of a header, and the roots a header commits to (transaction ids and
//! receipts).

use prost::Message;

use crate::hash::{domain, tagged, Hash32};
use crate::merkle;
use crate::pb;

/// `H("block", encoded header)`.
pub fn block_hash(header: &pb::BlockHeader) -> Hash32 {
    tagged(domain::BLOCK, &[&header.encode_to_vec()])
}

/// The Merkle root of a block's transaction ids, in block order.
pub fn tx_root(tx_ids: &[Hash32]) -> Hash32 {
    merkle::root(&tx_ids.iter().map(|h| h.0).collect::<Vec<_>>())
}

/// The leaf of a receipt in the results root: `H("receipt", encoded receipt)`.
pub fn receipt_hash(receipt: &pb::Receipt) -> Hash32 {
    tagged(domain::RECEIPT, &[&receipt.encode_to_vec()])
}

/// The Merkle root of a block's receipts, in block order.
pub fn results_root(receipts: &[pb::Receipt]) -> Hash32 {
    merkle::root(
        &receipts
            .iter()
            .map(|r| receipt_hash(r).0)
            .collect::<Vec<_>>(),
    )
}
