//! The crate's error type: one enum, with variants that tell the caller what to do.

use crate::types::{NodeId, NodeInfo};

/// Everything that can go wrong in `shuquan-consensus`.
///
/// The variants are grouped by what the caller should do: retry at another node
/// ([`Error::ForwardToLeader`]), back off and retry ([`Error::Unreachable`],
/// [`Error::Timeout`], [`Error::Network`]), fix the request ([`Error::Membership`],
/// [`Error::Codec`]), or treat the node as dead ([`Error::Fatal`], [`Error::Storage`],
/// [`Error::StateMachine`], [`Error::Shutdown`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// This node is not the leader; send the request to `leader_id` (if known) instead.
    #[error("not the leader; the leader is {leader_id:?}")]
    ForwardToLeader {
        /// The current leader, when this node knows it.
        leader_id: Option<NodeId>,
        /// The leader's node info, when this node knows it.
        leader: Option<NodeInfo>,
    },
    /// The peer cannot be reached (down, partitioned, refused). Back off before retrying.
    #[error("node {0} is unreachable: {1}")]
    Unreachable(NodeId, String),
    /// The request timed out. It is not known whether the peer received and processed it.
    #[error("request to node {0} timed out")]
    Timeout(NodeId),
    /// A transient network failure. Retry at once.
    #[error("network error talking to node {0}: {1}")]
    Network(NodeId, String),
    /// A request or response could not be encoded or decoded (bad or hostile bytes).
    #[error("codec: {0}")]
    Codec(String),
    /// The membership change is not allowed (unknown node, id reuse, not a learner, ...).
    #[error("membership: {0}")]
    Membership(String),
    /// The Raft log could not be read or written. The node stops: rebuild it from peers.
    #[error("storage: {0}")]
    Storage(String),
    /// The state machine failed to persist. The node stops: rebuild it from peers.
    #[error("state machine: {0}")]
    StateMachine(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The Raft core stopped with a fatal error; the node must be restarted or rebuilt.
    #[error("raft stopped: {0}")]
    Fatal(String),
    /// The node was shut down (or crashed) and accepts no more requests.
    #[error("node is shut down")]
    Shutdown,
    /// An invalid configuration.
    #[error("invalid config: {0}")]
    Config(String),
    /// A filesystem operation outside the Raft log failed (snapshot files, directories).
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// Wrap a state-machine failure (any error type) for [`crate::StateMachine`] implementors.
    pub fn state_machine<E>(err: E) -> Self
    where
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Error::StateMachine(err.into())
    }

    /// `true` when the caller may retry the same request later (at the same or another node).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::ForwardToLeader { .. }
                | Error::Unreachable(..)
                | Error::Timeout(_)
                | Error::Network(..)
        )
    }
}
