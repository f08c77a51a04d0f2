//! Blocks, transactions, certificates and inclusion proofs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::hash::Hash32;
use crate::pb;

use super::{Directory, KeyRef, ReceiptView};

/// A block's certificate as a node serves it: the voters' signatures it holds, and
/// whether they certify the block (checked with [`crate::cert::verify_certificate_by`]).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateView {
    /// Block height.
    pub height: u64,
    /// The block's hash.
    pub block_hash: Hash32,
    /// Voter nodes at the block's height.
    pub nodes: usize,
    /// Signatures needed (a majority of `nodes`).
    pub required: usize,
    /// Node keys that signed.
    pub signers: Vec<KeyRef>,
    /// Whether the signatures certify the block.
    pub certified: bool,
    /// Why they do not, when they do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The `Certificate` protobuf, hex: what an offline verifier checks.
    pub certificate: String,
}

impl CertificateView {
    /// The view of `cert` (of the block with hash `hash`) of chain `chain_id`, whose
    /// voters at that height are `voters`; `d` names the signers.
    pub fn new(
        d: &Directory,
        h: crate::hash::Hashing,
        chain_id: &str,
        voters: &std::collections::BTreeSet<crate::PublicKey>,
        hash: Hash32,
        cert: &pb::Certificate,
    ) -> Self {
        let nodes = voters.len();
        let check =
            crate::cert::verify_certificate_by(h, chain_id, voters, cert.height, &hash, cert);
        CertificateView {
            height: cert.height,
            block_hash: hash,
            nodes,
            required: crate::cert::majority(nodes),
            signers: cert.signatures.iter().map(|s| d.key(&s.node_key)).collect(),
            certified: check.is_ok(),
            reason: check.err().map(|e| e.to_string()),
            certificate: hex::encode(prost::Message::encode_to_vec(cert)),
        }
    }
}

/// A block header with its transactions' receipts.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockView {
    /// Height.
    pub height: u64,
    /// Block hash.
    pub hash: Hash32,
    /// Previous block's hash.
    pub prev_hash: Hash32,
    /// Block time.
    pub timestamp_ms: u64,
    /// Block time, RFC 3339 in the chain's time zone.
    pub timestamp: Option<String>,
    /// Proposer's node key.
    pub proposer: KeyRef,
    /// Merkle root of transaction ids.
    pub tx_root: Hash32,
    /// Merkle root of receipts.
    pub results_root: Hash32,
    /// The receipts, in order.
    pub txs: Vec<ReceiptView>,
}

/// A transaction with its payload and receipt.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TxView {
    /// Transaction id.
    pub tx_id: Hash32,
    /// Payload kind (`register_asset`, ...).
    pub kind: String,
    /// Signer (account key).
    pub signer: KeyRef,
    /// Cosigners (account keys).
    pub cosigners: Vec<KeyRef>,
    /// Signer's timestamp.
    pub timestamp_ms: u64,
    /// Signer's timestamp, RFC 3339 in the chain's time zone.
    pub timestamp: Option<String>,
    /// The payload's fields.
    pub payload: Value,
    /// Outcome.
    pub receipt: ReceiptView,
    /// The `TxRaw` bytes, hex: re-verifiable by anyone.
    pub raw: String,
}

/// Query 8: a transaction's Merkle inclusion proof into its block's transaction root.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InclusionProofView {
    /// Transaction id (the leaf).
    pub tx_id: Hash32,
    /// Block height.
    pub height: u64,
    /// Leaf index.
    pub index: u32,
    /// Leaves in the block.
    pub tx_count: u32,
    /// Sibling hashes, bottom up.
    pub path: Vec<Hash32>,
    /// The block's transaction root.
    pub tx_root: Hash32,
    /// The block hash.
    pub block_hash: Hash32,
    /// The encoded header (hex), so the root can be checked against the block hash.
    pub header: String,
}

impl InclusionProofView {
    /// Checks the proof: the header hashes to `block_hash`, commits to `tx_root`, and the
    /// path leads from the transaction id to that root.
    pub fn verify(&self, h: crate::hash::Hashing) -> Result<(), String> {
        use prost::Message;
        let bytes = hex::decode(&self.header).map_err(|e| format!("header is not hex: {e}"))?;
        let header =
            crate::pb::BlockHeader::decode(bytes.as_slice()).map_err(|e| format!("header: {e}"))?;
        if crate::block::block_hash(h, &header) != self.block_hash {
            return Err("the header does not hash to the block hash".into());
        }
        if header.tx_root != self.tx_root.as_bytes()
            || header.height != self.height
            || header.tx_count != self.tx_count
        {
            return Err("the header does not commit to this root, height or count".into());
        }
        let leaf = crate::merkle::leaf_hash(h, self.tx_id.as_bytes());
        if !crate::merkle::verify(
            h,
            &leaf,
            u64::from(self.index),
            u64::from(self.tx_count),
            &self.path,
            &self.tx_root,
        ) {
            return Err(format!(
                "transaction {} is not leaf {} of block {}",
                self.tx_id, self.index, self.height
            ));
        }
        Ok(())
    }
}
