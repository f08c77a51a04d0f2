//! Block sync: a node that joined by a state snapshot (or installed one after being down)
//! lacks the blocks before it. This task fetches them from member nodes over the
//! request-response protocol, top down in ranges of at most `SYNC_BATCH` blocks, and hands
//! each range to the ledger, which checks every block against the hash the chain already
//! vouches for and stores it with its history rows (`Ledger::fill_gap`). A peer that serves
//! a block that does not hold is logged with the reason and left alone for a while; the
//! range is asked of the next peer. Until the gap is filled the node serves its state
//! (queries of the present) and answers history it lacks with 503 `unavailable`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shuquan_ledger::{Gap, Ledger, SYNC_BATCH};
use shuquan_proto::PublicKey;
use tokio::sync::watch;

use crate::metrics::Metrics;
use crate::p2p::{P2p, Request, Response};

/// How long a peer that served bad blocks (or failed) is not asked again.
const BENCH: Duration = Duration::from_secs(30);
/// Pause between checks when nothing is missing or no peer could help.
const IDLE: Duration = Duration::from_millis(500);
/// Deadline of one request for blocks.
const ASK_TIMEOUT: Duration = Duration::from_secs(10);

/// What block sync needs.
pub(crate) struct Syncer {
    pub(crate) ledger: Arc<Ledger>,
    pub(crate) p2p: P2p,
    /// The other member nodes.
    pub(crate) peers: Vec<PublicKey>,
    pub(crate) metrics: Arc<Metrics>,
}

impl Syncer {
    /// Runs until `stop` turns true.
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut benched: HashMap<PublicKey, Instant> = HashMap::new();
        let mut started: Option<(Instant, u64)> = None;
        let mut last_log = Instant::now();
        let mut next = 0usize;
        loop {
            let gap = match self.ledger.gap() {
                Ok(g) => g,
                Err(e) => {
                    tracing::error!(error = %e, "block sync cannot read the ledger");
                    None
                }
            };
            self.metrics
                .missing_blocks
                .set(gap.map_or(0, |g| (g.hi - g.lo + 1) as i64));
            let Some(gap) = gap else {
                if let Some((t, n)) = started.take() {
                    tracing::info!(
                        blocks = n,
                        secs = t.elapsed().as_secs_f64(),
                        "block sync complete: this node holds every block"
                    );
                }
                tokio::select! {
                    _ = tokio::time::sleep(IDLE) => {}
                    _ = stop.changed() => return,
                }
                continue;
            };
            let (t0, total) = *started.get_or_insert((Instant::now(), gap.hi - gap.lo + 1));
            if last_log.elapsed() >= Duration::from_secs(5) {
                last_log = Instant::now();
                let done = total.saturating_sub(gap.hi - gap.lo + 1);
                tracing::info!(
                    missing = gap.hi - gap.lo + 1,
                    from = gap.lo,
                    to = gap.hi,
                    blocks_per_s = done as f64 / t0.elapsed().as_secs_f64().max(0.001),
                    "block sync in progress"
                );
            }
            benched.retain(|_, t| t.elapsed() < BENCH);
            let candidates: Vec<PublicKey> = self
                .peers
                .iter()
                .filter(|p| !benched.contains_key(p))
                .copied()
                .collect();
            let mut progressed = false;
            for i in 0..candidates.len() {
                let peer = candidates[(next + i) % candidates.len()];
                match self.ask(peer, gap).await {
                    Ok(n) => {
                        tracing::debug!(peer = %peer, blocks = n, "synced blocks");
                        next = (next + i) % candidates.len();
                        progressed = true;
                        break;
                    }
                    Err(why) => {
                        tracing::warn!(peer = %peer, reason = %why, "block sync: asking another member node");
                        benched.insert(peer, Instant::now());
                    }
                }
            }
            if !progressed {
                tokio::select! {
                    _ = tokio::time::sleep(IDLE) => {}
                    _ = stop.changed() => return,
                }
            } else if *stop.borrow() {
                return;
            }
        }
    }

    /// Asks `peer` for the top of the gap and stores what it served. Returns how many
    /// blocks were stored, or why none were.
    async fn ask(&self, peer: PublicKey, gap: Gap) -> Result<u64, String> {
        let count = (gap.hi - gap.lo + 1).min(SYNC_BATCH);
        let req = Request::Blocks {
            to: gap.hi,
            count: u32::try_from(count).unwrap_or(u32::MAX),
        };
        let blocks = match self.p2p.request(peer, req, ASK_TIMEOUT).await {
            Ok(Response::Blocks(b)) if b.is_empty() => {
                return Err(format!("it does not hold block {}", gap.hi))
            }
            Ok(Response::Blocks(b)) => b,
            Ok(Response::Error(e)) => return Err(e),
            Ok(other) => return Err(format!("unexpected answer {other:?}")),
            Err(e) => return Err(e.to_string()),
        };
        let ledger = self.ledger.clone();
        let stored = tokio::task::spawn_blocking(move || ledger.fill_gap(&blocks))
            .await
            .map_err(|_| "the node is stopping".to_string())?;
        match stored {
            Ok(Ok(n)) => {
                self.metrics.synced_blocks.inc_by(n);
                Ok(n)
            }
            Ok(Err(why)) => Err(format!("refused its blocks: {why}")),
            Err(e) => {
                tracing::error!(error = %e, "storing synced blocks failed");
                Err(format!("storing them failed: {e}"))
            }
        }
    }
}
