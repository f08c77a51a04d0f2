//! The state-machine interface the node implements, the adapter that runs it under
//! openraft, snapshot files, and a reference in-memory implementation.

mod adapter;
mod memory;
mod snapshot_file;

pub(crate) use adapter::SmStore;
pub use memory::MemStateMachine;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::raft_types::{self, LogId, StoredMembership};
use crate::types::Entry;

/// An application state machine fed with committed entries.
///
/// Calls arrive one at a time, in log order, from a blocking thread. Contract:
/// - `apply` stores the effects of `entries` **and** `mark` atomically: after a crash the
///   machine is either before or after the whole batch, and [`StateMachine::applied`]
///   returns the mark of the state it holds. A batch may hold no entries (only Raft's own
///   entries were committed); store the mark anyway.
/// - Business rejections (a bad transaction) are part of the response bytes, never an
///   `Err`: an `Err` from any method stops this node's Raft (it must be rebuilt).
/// - `install` **replaces** the whole state (keys absent from the snapshot disappear). It
///   reads a file the adapter has fsynced; if the process dies during `install`, the next
///   start calls `install` again with the same file, so the machine must be able to start
///   over after a partial install (and must not present a partial state as applied).
/// - `snapshot` writes the state as of the last applied mark to a stream; the adapter calls
///   it between two `apply` calls, so it need not be concurrent with writes. The state must
///   be durable when it returns (Raft purges log entries it covers).
pub trait StateMachine: Send + 'static {
    /// The mark stored by the last `apply` or `install`, or `None` for an empty machine.
    fn applied(&self) -> Result<Option<AppliedMark>, Error>;

    /// Apply committed entries in order, storing `mark` with their effects.
    /// Returns exactly one response per entry.
    fn apply(&mut self, entries: &[Entry], mark: &AppliedMark) -> Result<Vec<Vec<u8>>, Error>;

    /// Write the whole state (as of the last applied mark) to `out`.
    fn snapshot(&mut self, out: &mut dyn std::io::Write) -> Result<(), Error>;

    /// Replace the whole state with the file at `data` (written by `snapshot` on some node)
    /// and store `mark` with it.
    fn install(&mut self, data: &std::path::Path, mark: &AppliedMark) -> Result<(), Error>;
}

/// Opaque "last applied" mark: which log entry the state reflects, plus the membership
/// config in force. The state machine stores the bytes and hands them back; it never
/// needs to look inside (but may read [`AppliedMark::index`] for display).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMark {
    bytes: Vec<u8>,
    index: u64,
    term: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MarkData {
    pub(crate) last_applied: Option<LogId>,
    pub(crate) membership: StoredMembership,
}

impl AppliedMark {
    pub(crate) fn new(data: &MarkData) -> Result<Self, Error> {
        let bytes = raft_types::encode(data)?;
        let (index, term) = data
            .last_applied
            .as_ref()
            .map_or((0, 0), |id| (id.index, raft_types::term_of(id)));
        Ok(Self { bytes, index, term })
    }

    /// Rebuild a mark from the bytes a state machine stored ([`AppliedMark::as_bytes`]).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, Error> {
        let data: MarkData = raft_types::decode(&bytes)?;
        let (index, term) = data
            .last_applied
            .as_ref()
            .map_or((0, 0), |id| (id.index, raft_types::term_of(id)));
        Ok(Self { bytes, index, term })
    }

    /// The bytes to store with the state.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Log index of the last applied entry.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Term of the last applied entry.
    pub fn term(&self) -> u64 {
        self.term
    }

    pub(crate) fn data(&self) -> Result<MarkData, Error> {
        raft_types::decode(&self.bytes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::types::NodeInfo;

    /// A fixed mark: entry 42 of term 3 applied under a membership of nodes 1..=3 set by
    /// entry 1.
    pub(crate) fn golden_mark() -> MarkData {
        let log_id =
            |term, index| openraft::LogId::new(openraft::CommittedLeaderId::new(term, 0), index);
        let nodes: BTreeMap<u64, NodeInfo> = (1..=3u64)
            .map(|i| {
                (
                    i,
                    NodeInfo {
                        node_key: format!("{i:064x}"),
                        addr: format!("/ip4/127.0.0.1/tcp/710{i}"),
                    },
                )
            })
            .collect();
        let voters: BTreeSet<u64> = nodes.keys().copied().collect();
        MarkData {
            last_applied: Some(log_id(3, 42)),
            membership: StoredMembership::new(
                Some(log_id(1, 1)),
                openraft::Membership::new(vec![voters], nodes),
            ),
        }
    }

    /// Golden: the "last applied" mark the ledger stores with every batch of blocks is a
    /// frozen format (a change needs a migration of every data directory).
    #[test]
    fn the_applied_mark_encoding_is_frozen() {
        let mark = AppliedMark::new(&golden_mark()).unwrap();
        assert_eq!((mark.index(), mark.term()), (42, 3));
        let hex: String = mark.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, GOLDEN_MARK, "the applied mark's encoding changed");
        let back = AppliedMark::from_bytes(mark.as_bytes().to_vec()).unwrap();
        assert_eq!(back, mark);
    }

    const GOLDEN_MARK: &str = concat!(
        "0103000000000000002a000000000000000101000000000000000100000000000000010000000000",
        "00000300000000000000010000000000000002000000000000000300000000000000030000000000",
        "00000100000000000000400000000000000030303030303030303030303030303030303030303030",
        "30303030303030303030303030303030303030303030303030303030303030303030303030303030",
        "303117000000000000002f6970342f3132372e302e302e312f7463702f3731303102000000000000",
        "00400000000000000030303030303030303030303030303030303030303030303030303030303030",
        "30303030303030303030303030303030303030303030303030303030303030303217000000000000",
        "002f6970342f3132372e302e302e312f7463702f3731303203000000000000004000000000000000",
        "30303030303030303030303030303030303030303030303030303030303030303030303030303030",
        "30303030303030303030303030303030303030303030303317000000000000002f6970342f313237",
        "2e302e302e312f7463702f37313033"
    );
}
