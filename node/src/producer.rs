//! Block production. The producer drains the mempool into a [`pb::Proposal`] (up to the
//! block limit, after a short linger) and hands it to a [`Sequencer`], which orders it and
//! returns once it is applied. The dev node's [`LocalSequencer`] applies directly; Raft
//! puts consensus behind the same interface. Applied blocks are published on a broadcast
//! channel for `?wait=commit` and event streams.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use shuquan_proto::{pb, PublicKey};
use tokio::sync::{broadcast, watch};

use crate::error::{Error, Result};
use crate::ledger::{AppliedBlock, Ledger};
use crate::mempool::Mempool;

/// A boxed future, for the object-safe [`Sequencer`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Orders proposals into the chain.
pub trait Sequencer: Send + Sync + 'static {
    /// Orders `proposal` after every earlier one and resolves once it is applied to this
    /// node's ledger (and durable).
    fn order(&self, proposal: pb::Proposal) -> BoxFuture<'_, Result<AppliedBlock>>;
}

/// The single-node sequencer: applies each proposal straight to the ledger and flushes
/// before answering, so an acknowledged block survives a crash of the process.
#[derive(Debug, Clone)]
pub struct LocalSequencer {
    ledger: Arc<Ledger>,
}

impl LocalSequencer {
    /// A sequencer over `ledger`.
    pub fn new(ledger: Arc<Ledger>) -> Self {
        LocalSequencer { ledger }
    }
}

impl Sequencer for LocalSequencer {
    fn order(&self, proposal: pb::Proposal) -> BoxFuture<'_, Result<AppliedBlock>> {
        let ledger = self.ledger.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let block = ledger.apply(&proposal, &[])?;
                ledger.flush()?;
                Ok(block)
            })
            .await
            .map_err(|_| Error::Stopped("apply task"))?
        })
    }
}

/// Producer settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long to wait for more transactions once one arrives.
    pub linger: Duration,
    /// Most transactions per block.
    pub max_block_txs: usize,
    /// This node's key, named as the proposer.
    pub proposer: PublicKey,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Runs the producer until `shutdown` turns true. `durable` is raised to each block's height
/// once the sequencer has made it durable. A sequencer error stops it (the node
/// must not guess which blocks were applied).
pub async fn run(
    cfg: Config,
    mempool: Arc<Mempool>,
    sequencer: Arc<dyn Sequencer>,
    events: broadcast::Sender<Arc<AppliedBlock>>,
    durable: Arc<AtomicU64>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<()> {
    loop {
        tokio::select! {
            _ = mempool.ready() => {}
            _ = shutdown.changed() => return Ok(()),
        }
        tokio::time::sleep(cfg.linger).await;
        let batch = mempool.drain(cfg.max_block_txs);
        if batch.is_empty() {
            continue;
        }
        let proposal = pb::Proposal {
            timestamp_ms: now_ms(),
            proposer: cfg.proposer.to_vec(),
            txs: batch.into_iter().map(|(_, raw)| raw).collect(),
        };
        let block = sequencer.order(proposal).await?;
        // Readers may see a block before it is durable; acknowledgements wait for this mark.
        durable.store(block.header.height, Ordering::Release);
        tracing::debug!(
            height = block.header.height,
            txs = block.receipts.len(),
            "block applied"
        );
        // No subscriber is fine.
        let _ = events.send(Arc::new(block));
    }
}
