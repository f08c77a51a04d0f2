//! Block production. On the Raft leader, the producer takes the oldest transactions from
//! the mempool (up to the block limits; at once when no block is in flight, else after a
//! short linger so that concurrent arrivals share a block), writes them to the Raft log
//! as a [`pb::Proposal`], and lets Raft commit it; every node then applies it through the
//! [`crate::replica::Replica`]. A few proposals may be in flight at once, so the next block
//! fills while the last one replicates. On other nodes the producer waits. When a public
//! notice has ended and no transaction comes, the leader proposes an empty block: its
//! start issues the certificate (registrations are certified by block time).

use std::sync::Arc;
use std::time::Duration;

use shuquan_consensus::{Error as RaftError, Node as RaftNode, Role};
use shuquan_proto::{pb, PublicKey};
use tokio::sync::{watch, Semaphore};

use crate::error::{Error, Result};
use crate::mempool::Mempool;
use crate::metrics::Metrics;
use crate::replica::Replica;

/// Producer settings.
#[derive(Clone)]
pub(crate) struct Config {
    /// How long to wait for more transactions once one arrives.
    pub(crate) linger: Duration,
    /// Skip the linger when no other block is in flight.
    pub(crate) eager: bool,
    /// Most transactions per block (read before each block: a parameter governance changes).
    pub(crate) max_block_txs: Arc<dyn Fn() -> usize + Send + Sync>,
    /// Most transaction bytes per block.
    pub(crate) max_block_bytes: usize,
    /// Most proposals replicating at once.
    pub(crate) max_in_flight: usize,
    /// This node's key, named as the proposer.
    pub(crate) proposer: PublicKey,
    /// The clock that stamps proposals.
    pub(crate) clock: Arc<crate::clock::Clock>,
    /// When the earliest public notice under way ends (block time), if any.
    pub(crate) notice_due: Arc<dyn Fn() -> Option<u64> + Send + Sync>,
}

/// How often an idle leader looks for a notice that has ended.
const NOTICE_POLL: Duration = Duration::from_millis(500);

/// Milliseconds since the epoch (block timestamps).
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Runs the producer until `shutdown` turns true. Returns an error when Raft stopped for
/// good (storage or state-machine failure): the node must stop too.
pub(crate) async fn run(
    cfg: Config,
    mempool: Arc<Mempool>,
    raft: RaftNode,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<()> {
    let in_flight = Arc::new(Semaphore::new(cfg.max_in_flight.max(1)));
    let (fatal_tx, mut fatal_rx) = tokio::sync::mpsc::channel::<RaftError>(1);
    // One empty block per notice: the next may come once this one had time to apply.
    let mut last_empty: Option<std::time::Instant> = None;
    let notice_due = |last: Option<std::time::Instant>| {
        last.is_none_or(|t| t.elapsed() >= 4 * NOTICE_POLL)
            && (cfg.notice_due)().is_some_and(|t| t <= cfg.clock.now_ms())
    };
    loop {
        tokio::select! {
            _ = mempool.ready() => {}
            _ = tokio::time::sleep(NOTICE_POLL) => {
                if !notice_due(last_empty) {
                    continue;
                }
            }
            _ = shutdown.changed() => return Ok(()),
            Some(e) = fatal_rx.recv() => return Err(e.into()),
        }
        if raft.role().0 != Role::Leader {
            // Followers keep their transactions until a block holds them; wait to lead.
            tokio::select! {
                _ = raft.until_role(Role::Leader) => {}
                _ = shutdown.changed() => return Ok(()),
            }
            if raft.role().0 == Role::Shutdown {
                return Err(Error::Stopped("raft"));
            }
            continue;
        }
        let permit = tokio::select! {
            p = in_flight.clone().acquire_owned() => p.map_err(|_| Error::Stopped("producer"))?,
            _ = shutdown.changed() => return Ok(()),
        };
        // Linger for company only while other blocks are in flight: then transactions
        // arriving meanwhile share a block. A lone transaction is proposed at once.
        let others_in_flight = in_flight.available_permits() + 1 < cfg.max_in_flight.max(1);
        if others_in_flight || !cfg.eager {
            tokio::time::sleep(cfg.linger).await;
        }
        let batch = mempool.take((cfg.max_block_txs)(), cfg.max_block_bytes);
        if batch.is_empty() {
            if !notice_due(last_empty) {
                continue;
            }
            last_empty = Some(std::time::Instant::now());
        }
        // The bytes move into the proposal; on failure they go back with their ids.
        let (ids, txs): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        let proposal = pb::Proposal {
            timestamp_ms: cfg.clock.now_ms(),
            proposer: cfg.proposer.to_vec(),
            txs,
        };
        let raft = raft.clone();
        let mempool = mempool.clone();
        let fatal_tx = fatal_tx.clone();
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let txs = ids.len();
            let started = std::time::Instant::now();
            let entry = Replica::entry(&proposal);
            let batch = || ids.into_iter().zip(proposal.txs).collect();
            match raft.write(entry).await {
                Ok(ack) => {
                    metrics
                        .commit_seconds
                        .observe(started.elapsed().as_secs_f64());
                    tracing::debug!(
                        height = Replica::height_of(&ack.response),
                        txs,
                        "block committed"
                    );
                    // Applying the block removed its transactions from the mempool.
                }
                Err(e) if e.is_retryable() => {
                    // Lost leadership: the block may still commit under the next leader
                    // (then applying it removes the transactions); until then they wait here.
                    tracing::info!(error = %e, txs, "proposal not committed here; transactions requeued");
                    mempool.requeue(batch());
                }
                Err(RaftError::Shutdown) => mempool.requeue(batch()),
                Err(e) => {
                    tracing::error!(error = %e, "raft failed; stopping block production");
                    mempool.requeue(batch());
                    let _ = fatal_tx.try_send(e);
                }
            }
        });
    }
}
