//! A reference state machine kept in memory: an append-only list of applied payloads.
//!
//! Clones share the state, so a test can keep a handle, "restart" a node with the same
//! handle (a machine whose state survived), or with a fresh one (state lost), and compare
//! what every node applied.

use std::sync::{Arc, Mutex, MutexGuard};

use super::{AppliedMark, StateMachine};
use crate::error::Error;
use crate::raft_types;
use crate::types::Entry;

/// An in-memory [`StateMachine`]: the applied entries in order, plus the applied mark.
///
/// The response to each entry is its position in the list (u64, little endian).
#[derive(Debug, Clone, Default)]
pub struct MemStateMachine {
    state: Arc<Mutex<MemState>>,
}

#[derive(Debug, Default)]
struct MemState {
    entries: Vec<(u64, Vec<u8>)>,
    mark: Option<AppliedMark>,
}

impl MemStateMachine {
    /// An empty machine.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, MemState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The applied application entries as `(log index, payload)`, in order.
    pub fn entries(&self) -> Vec<(u64, Vec<u8>)> {
        self.lock().entries.clone()
    }

    /// The applied payloads, in order.
    pub fn payloads(&self) -> Vec<Vec<u8>> {
        self.lock().entries.iter().map(|(_, p)| p.clone()).collect()
    }

    /// Index of the last applied log entry (application or not).
    pub fn applied_index(&self) -> Option<u64> {
        self.lock().mark.as_ref().map(AppliedMark::index)
    }
}

impl StateMachine for MemStateMachine {
    fn applied(&self) -> Result<Option<AppliedMark>, Error> {
        Ok(self.lock().mark.clone())
    }

    fn apply(&mut self, entries: &[Entry], mark: &AppliedMark) -> Result<Vec<Vec<u8>>, Error> {
        let mut st = self.lock();
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            out.push((st.entries.len() as u64).to_le_bytes().to_vec());
            st.entries.push((e.index, e.payload.clone()));
        }
        st.mark = Some(mark.clone());
        Ok(out)
    }

    fn snapshot(&mut self, out: &mut dyn std::io::Write) -> Result<(), Error> {
        out.write_all(&raft_types::encode(&self.lock().entries)?)?;
        Ok(())
    }

    fn install(&mut self, data: &std::path::Path, mark: &AppliedMark) -> Result<(), Error> {
        let entries: Vec<(u64, Vec<u8>)> = raft_types::decode(&std::fs::read(data)?)?;
        let mut st = self.lock();
        st.entries = entries;
        st.mark = Some(mark.clone());
        Ok(())
    }
}
