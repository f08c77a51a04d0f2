//! Blocks: the hash of a header, and the roots a header commits to (transaction ids and
//! receipts).

use prost::Message;

use crate::hash::{domain, Hash32, Hashing};
use crate::merkle;
use crate::pb;

/// `H("block", encoded header)`.
pub fn block_hash(h: Hashing, header: &pb::BlockHeader) -> Hash32 {
    h.tagged(domain::BLOCK, &[&header.encode_to_vec()])
}

/// The Merkle root of a block's transaction ids, in block order.
pub fn tx_root(h: Hashing, tx_ids: &[Hash32]) -> Hash32 {
    merkle::root(h, &tx_ids.iter().map(|t| t.0).collect::<Vec<_>>())
}

/// The leaf of a receipt in the results root: `H("receipt", encoded receipt)`.
pub fn receipt_hash(h: Hashing, receipt: &pb::Receipt) -> Hash32 {
    h.tagged(domain::RECEIPT, &[&receipt.encode_to_vec()])
}

/// The Merkle root of a block's receipts, in block order.
pub fn results_root(h: Hashing, receipts: &[pb::Receipt]) -> Hash32 {
    merkle::root(
        h,
        &receipts
            .iter()
            .map(|r| receipt_hash(h, r).0)
            .collect::<Vec<_>>(),
    )
}
