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
/// - `install` **replaces** the whole state (keys absent from the snapshot disappear).
/// - `snapshot` returns the state as of the last applied mark; the adapter calls it between
///   two `apply` calls, so it need not be concurrent with writes.
pub trait StateMachine: Send + 'static {
    /// The mark stored by the last `apply` or `install`, or `None` for an empty machine.
    fn applied(&self) -> Result<Option<AppliedMark>, Error>;

    /// Apply committed entries in order, storing `mark` with their effects.
    /// Returns exactly one response per entry.
    fn apply(&mut self, entries: &[Entry], mark: &AppliedMark) -> Result<Vec<Vec<u8>>, Error>;

    /// Serialize the whole state (as of the last applied mark).
    fn snapshot(&mut self) -> Result<Vec<u8>, Error>;

    /// Replace the whole state with `data` (produced by `snapshot` on some node) and store
    /// `mark` with it.
    fn install(&mut self, data: &[u8], mark: &AppliedMark) -> Result<(), Error>;
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
