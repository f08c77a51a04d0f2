//! What a node answers about itself and about a submitted transaction: errors, receipts,
//! submissions, status.

use serde::{Deserialize, Serialize};

use crate::codes::FailureCode;
use crate::hash::Hash32;
use crate::pb;

use super::opt_hex;

/// An error answer: a stable code, a message that says what to do, and for rejected
/// transactions the failure code and the rule.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorView {
    /// Stable machine-readable code (`not_found`, `bad_request`, or a failure code name).
    pub code: String,
    /// What went wrong and what to do.
    pub message: String,
    /// The rule broken (`G2`, `IssueGrant`, ...), for rejected transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The numeric failure code, for rejected transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<u32>,
}

/// The outcome of a transaction in its block.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptView {
    /// Transaction id.
    pub tx_id: Hash32,
    /// Block height.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
    /// `committed` or `failed`.
    pub result: String,
    /// Failure code number (0 when committed).
    pub code: u32,
    /// Failure code name (empty when committed).
    #[serde(default)]
    pub code_name: String,
    /// Rule broken (empty when committed).
    #[serde(default)]
    pub rule: String,
    /// Failure message (empty when committed).
    #[serde(default)]
    pub message: String,
    /// Id of what the transaction created (asset, grant, filing, attestation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

impl ReceiptView {
    /// The view of a receipt at `height`, `index`.
    pub fn new(r: &pb::Receipt, height: u64, index: u32) -> Self {
        let code = FailureCode::from_number(r.code);
        ReceiptView {
            tx_id: Hash32::from_slice(&r.tx_id).unwrap_or_default(),
            height,
            index,
            result: if r.code == 0 { "committed" } else { "failed" }.into(),
            code: r.code,
            code_name: code.map(|c| c.name().to_string()).unwrap_or_default(),
            rule: code.map(|c| c.rule().to_string()).unwrap_or_default(),
            message: crate::codes::Rejection::of_receipt(r)
                .map(|x| x.message())
                .unwrap_or_default(),
            created: opt_hex(&r.created),
        }
    }

    /// Whether the transaction was applied.
    pub fn committed(&self) -> bool {
        self.code == 0
    }
}

/// Answer to `POST /v1/tx`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmitView {
    /// Transaction id.
    pub tx_id: Hash32,
    /// `pending` (accepted into the mempool), `committed` or `failed`.
    pub status: String,
    /// The receipt once the transaction is in a block (with `?wait=commit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<ReceiptView>,
}

/// The blocks a node holds (part of `GET /v1/status`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockRangeView {
    /// Lowest height held (1, or 0 before the first block).
    pub from: u64,
    /// Highest height held (the last applied).
    pub to: u64,
    /// Heights in between this node lacks, as `[lowest, highest]` (it joined by a state
    /// snapshot and block sync is fetching them); `None` when it holds every block.
    pub missing: Option<[u64; 2]>,
    /// The lowest height whose state this node holds (0: every one; else the height of the
    /// state snapshot it joined by).
    pub state_from: u64,
}

/// Answer to `GET /v1/status`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusView {
    /// Chain id.
    pub chain_id: String,
    /// Hash of the genesis.
    pub genesis_hash: Hash32,
    /// This node's key.
    pub node_key: String,
    /// This node's Raft id (its place among the genesis members that run nodes, from 1;
    /// for a node added by governance, from its key).
    pub node_id: u64,
    /// `leader`, `follower`, `learner` or `candidate`.
    pub role: String,
    /// Current Raft term.
    pub term: u64,
    /// Height of the last applied block (0 = none yet).
    pub height: u64,
    /// Hash of the last applied block.
    pub last_block_hash: Hash32,
    /// Time of the last applied block.
    pub last_block_time_ms: u64,
    /// `last_block_time_ms`, RFC 3339 in the chain's time zone.
    #[serde(default)]
    pub last_block_time: Option<String>,
    /// The leader's node id, if known.
    pub leader_id: Option<u64>,
    /// Node keys of the member nodes connected now.
    pub peers: Vec<String>,
    /// Transactions waiting in the mempool.
    pub mempool: usize,
    /// Height up to which every block has a certificate on this node.
    #[serde(default)]
    pub certified_height: u64,
    /// The blocks this node holds.
    #[serde(default)]
    pub blocks: BlockRangeView,
    /// This node's clock, by the member nodes' median (ms since the Unix epoch).
    #[serde(default)]
    pub clock_ms: u64,
    /// `clock_ms`, RFC 3339 in the chain's time zone.
    #[serde(default)]
    pub clock: Option<String>,
    /// How far the member nodes' median clock is from this host's (ms; positive: the host
    /// is slow). More than a second means the host's time sync needs fixing.
    #[serde(default)]
    pub clock_offset_ms: i64,
    /// Raft's voters as this node last saw them (both sets while a change is joint).
    #[serde(default)]
    pub raft_voters: Vec<u64>,
    /// Raft's learners as this node last saw them.
    #[serde(default)]
    pub raft_learners: Vec<u64>,
    /// Software version.
    pub version: String,
}
