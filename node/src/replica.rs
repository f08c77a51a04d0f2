//! The ledger as a Raft state machine: every committed log entry is a [`pb::Proposal`],
//! applied as the next block on every node; the Raft "last applied" mark is stored in the
//! same sled batch as the blocks it covers; snapshots hold the state (the chain's blocks
//! follow by block sync).
//!
//! After each apply the [`Replica`] tells the rest of the node through [`OnBlocks`]
//! (mempool cleanup, `?wait=commit`, the event stream, metrics).

use std::sync::Arc;
use std::time::Instant;

use prost::Message;
use shuquan_consensus::{AppliedMark, Entry, Error as RaftError, StateMachine};
use shuquan_proto::pb;

use shuquan_ledger::Error;
use shuquan_ledger::{AppliedBlock, Ledger};

/// What happened in one apply: the blocks it added, or a snapshot it installed.
#[derive(Debug)]
pub(crate) enum Applied<'a> {
    /// Consecutive blocks, applied in one batch (possibly none), and how long it took.
    Blocks(&'a [Arc<AppliedBlock>], std::time::Duration),
    /// The ledger was replaced by a snapshot; it now ends at this height.
    Installed(u64),
}

/// Called after every apply or install, on the applying thread. Keep it quick.
pub(crate) type OnBlocks = Arc<dyn Fn(Applied<'_>) + Send + Sync>;

/// The ledger, driven by Raft.
pub(crate) struct Replica {
    ledger: Arc<Ledger>,
    on_blocks: OnBlocks,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("ledger", &self.ledger)
            .finish()
    }
}

fn sm_err(e: Error) -> RaftError {
    RaftError::state_machine(e)
}

impl Replica {
    /// A state machine over `ledger`, reporting to `on_blocks`.
    pub(crate) fn new(ledger: Arc<Ledger>, on_blocks: OnBlocks) -> Self {
        Replica { ledger, on_blocks }
    }

    /// Encodes a proposal as a Raft log entry.
    pub(crate) fn entry(proposal: &pb::Proposal) -> Vec<u8> {
        proposal.encode_to_vec()
    }

    /// The height in an entry's response bytes (0 when the entry held no block).
    pub(crate) fn height_of(response: &[u8]) -> u64 {
        response
            .first_chunk::<8>()
            .map_or(0, |b| u64::from_be_bytes(*b))
    }
}

impl StateMachine for Replica {
    fn applied(&self) -> Result<Option<AppliedMark>, RaftError> {
        let applied = self.ledger.applied().map_err(sm_err)?;
        if applied.mark.is_empty() {
            if applied.height > 0 {
                return Err(RaftError::state_machine(format!(
                    "the ledger holds {} blocks written without Raft (by an older dev node); \
                     move its data directory away and start again",
                    applied.height
                )));
            }
            return Ok(None);
        }
        AppliedMark::from_bytes(applied.mark).map(Some)
    }

    fn apply(&mut self, entries: &[Entry], mark: &AppliedMark) -> Result<Vec<Vec<u8>>, RaftError> {
        let started = Instant::now();
        let mut proposals = Vec::with_capacity(entries.len());
        // Which entries hold a block: a payload that is not a proposal (never written by
        // our leaders) is skipped the same way on every node.
        let mut holds_block = Vec::with_capacity(entries.len());
        for e in entries {
            match pb::Proposal::decode(e.payload.as_slice()) {
                Ok(p) => {
                    proposals.push(p);
                    holds_block.push(true);
                }
                Err(err) => {
                    tracing::error!(index = e.index, error = %err, "log entry is not a proposal; skipped");
                    holds_block.push(false);
                }
            }
        }
        let blocks = self
            .ledger
            .apply_blocks(&proposals, mark.as_bytes())
            .map_err(sm_err)?;
        let blocks: Vec<Arc<AppliedBlock>> = blocks.into_iter().map(Arc::new).collect();
        let mut heights = blocks.iter().map(|b| b.header.height);
        let responses = holds_block
            .into_iter()
            .map(|b| {
                let h = if b { heights.next().unwrap_or(0) } else { 0 };
                h.to_be_bytes().to_vec()
            })
            .collect();
        (self.on_blocks)(Applied::Blocks(&blocks, started.elapsed()));
        Ok(responses)
    }

    fn snapshot(&mut self, out: &mut dyn std::io::Write) -> Result<(), RaftError> {
        let started = Instant::now();
        let head = self.ledger.snapshots().export_state(out).map_err(sm_err)?;
        // Raft purges the log up to this point: the blocks must not need it any more.
        self.ledger.flush().map_err(sm_err)?;
        tracing::info!(
            height = head.height,
            secs = started.elapsed().as_secs_f64(),
            "built a state snapshot"
        );
        Ok(())
    }

    fn install(&mut self, data: &std::path::Path, mark: &AppliedMark) -> Result<(), RaftError> {
        let started = Instant::now();
        let mut file = std::fs::File::open(data).map_err(RaftError::from)?;
        let applied = self
            .ledger
            .snapshots()
            .install_state(&mut file, mark.as_bytes())
            .map_err(sm_err)?;
        tracing::info!(
            height = applied.height,
            secs = started.elapsed().as_secs_f64(),
            "installed a state snapshot; old blocks come by block sync"
        );
        (self.on_blocks)(Applied::Installed(applied.height));
        Ok(())
    }
}
