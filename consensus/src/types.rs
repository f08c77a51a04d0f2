//! Plain data types of the public API: node identity, entries, acknowledgements, status.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

/// A Raft node id. Ids come from genesis or from `add_learner`, and are never reused.
pub type NodeId = u64;

/// What the cluster knows about a member: its ed25519 node key and its address.
///
/// Replicated inside the membership config, so every node can reach every other.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeInfo {
    /// The node's ed25519 public key, hex encoded (its libp2p identity).
    pub node_key: String,
    /// The node's address (a multiaddr or `host:port`; opaque to this crate).
    pub addr: String,
}

impl NodeInfo {
    /// A node info from a key and an address.
    pub fn new(node_key: impl Into<String>, addr: impl Into<String>) -> Self {
        Self {
            node_key: node_key.into(),
            addr: addr.into(),
        }
    }
}

impl fmt::Display for NodeInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.node_key, self.addr)
    }
}

/// A committed application entry handed to the [`crate::StateMachine`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Raft log index of the entry.
    pub index: u64,
    /// Term in which the entry was proposed.
    pub term: u64,
    /// The opaque application payload given to [`crate::Node::write`].
    pub payload: Vec<u8>,
}

/// The answer to a successful [`crate::Node::write`]: the entry is committed and applied
/// on the leader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteAck {
    /// Log index of the entry.
    pub index: u64,
    /// Term of the entry.
    pub term: u64,
    /// The state machine's response bytes for this entry (business outcome included).
    pub response: Vec<u8>,
}

/// The role a node plays in the cluster right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Accepts writes and replicates them.
    Leader,
    /// A voter following a leader (or waiting for one).
    Follower,
    /// A voter asking for votes.
    Candidate,
    /// A non-voting member receiving the log.
    Learner,
    /// The Raft core has stopped.
    Shutdown,
}

impl Role {
    /// The role's name as the node's API shows it: `leader`, `follower`, `candidate`,
    /// `learner` or `shutdown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Learner => "learner",
            Role::Shutdown => "shutdown",
        }
    }
}

/// The membership config as last seen in the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Membership {
    /// Voter sets. One set normally; two while a joint (old, new) change is in progress.
    pub configs: Vec<BTreeSet<NodeId>>,
    /// Every member (voters and learners) with its node info.
    pub nodes: BTreeMap<NodeId, NodeInfo>,
}

impl Membership {
    /// All voters (of every config while joint).
    pub fn voters(&self) -> BTreeSet<NodeId> {
        self.configs.iter().flatten().copied().collect()
    }

    /// Members that are not voters.
    pub fn learners(&self) -> BTreeSet<NodeId> {
        let voters = self.voters();
        self.nodes
            .keys()
            .filter(|id| !voters.contains(id))
            .copied()
            .collect()
    }

    /// `true` while a membership change has not reached its final (uniform) config.
    pub fn is_joint(&self) -> bool {
        self.configs.len() > 1
    }
}

/// A snapshot of a node's Raft state, for operators and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// This node's id.
    pub id: NodeId,
    /// Current role.
    pub role: Role,
    /// Current term.
    pub term: u64,
    /// The leader this node knows of.
    pub leader_id: Option<NodeId>,
    /// Index of the last entry in the local log.
    pub last_log_index: Option<u64>,
    /// Index of the last entry applied to the state machine.
    pub last_applied: Option<u64>,
    /// Index up to which the log is known committed (`None` before any commit).
    pub committed: Option<u64>,
    /// Last index covered by the current snapshot.
    pub snapshot: Option<u64>,
    /// Last index removed from the log (covered by a snapshot).
    pub purged: Option<u64>,
    /// The membership config.
    pub membership: Membership,
    /// Why Raft stopped, if it stopped with an error (e.g. a storage failure).
    pub stopped_with: Option<String>,
}
