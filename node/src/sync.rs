//! Block sync: a node that joined by a state snapshot (or installed one after being down)
//! lacks the blocks before it. This task fetches them from member nodes over the
//! request-response protocol, top down in ranges of at most `SYNC_BATCH` blocks, and hands
//! each range to the ledger, which checks every block against the hash the chain already
//! vouches for and stores it with its history rows (`Ledger::fill_gap`). A peer that serves
//! a block that does not hold is logged with the reason and left alone for [`BENCH`]; one
//! that cannot be reached or lacks the blocks (a node just restarted, not yet connected, or
//! one that joined by snapshot too) is asked again after a back-off that starts at
//! [`RETRY_FIRST`] and doubles up to [`BENCH`]. Either way the range goes to the next peer. Until the gap is filled the node serves its state
//! (queries of the present) and answers history it lacks with 503 `unavailable`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use shuquan_ledger::{Gap, Ledger, SYNC_BATCH};
use shuquan_proto::{pb, PublicKey};
use tokio::sync::watch;

use crate::metrics::Metrics;
use crate::p2p::{P2p, Request, Response};

/// Where blocks come from: the member nodes, over the network.
pub(crate) trait BlockSource: Send + Sync {
    /// Blocks `to + 1 - count ..= to` as `peer` holds them, or why there are none.
    fn blocks(
        &self,
        peer: PublicKey,
        to: u64,
        count: u64,
    ) -> BoxFuture<'_, Result<Vec<pb::RawBlock>, String>>;
}

impl BlockSource for P2p {
    fn blocks(
        &self,
        peer: PublicKey,
        to: u64,
        count: u64,
    ) -> BoxFuture<'_, Result<Vec<pb::RawBlock>, String>> {
        Box::pin(async move {
            let req = Request::Blocks {
                to,
                count: u32::try_from(count).unwrap_or(u32::MAX),
            };
            match self.request(peer, req, ASK_TIMEOUT).await {
                Ok(Response::Blocks(b)) if b.is_empty() => {
                    Err(format!("it does not hold block {to}"))
                }
                Ok(Response::Blocks(b)) => Ok(b),
                Ok(Response::Error(e)) => Err(e),
                Ok(other) => Err(format!("unexpected answer {other:?}")),
                Err(e) => Err(e.to_string()),
            }
        })
    }
}

/// How long a peer that served bad blocks is not asked again; the longest back-off.
const BENCH: Duration = Duration::from_secs(30);
/// The first back-off for a peer that could not serve (unreachable, timed out, lacking the
/// blocks).
const RETRY_FIRST: Duration = Duration::from_secs(1);
/// Pause between checks when nothing is missing or no peer could help.
const IDLE: Duration = Duration::from_millis(500);
/// Deadline of one request for blocks.
const ASK_TIMEOUT: Duration = Duration::from_secs(10);

/// What block sync needs.
pub(crate) struct Syncer {
    pub(crate) ledger: Arc<Ledger>,
    pub(crate) source: Arc<dyn BlockSource>,
    /// The other member nodes known at start (the genesis's); the chain's node set now
    /// is asked too.
    pub(crate) peers: Vec<PublicKey>,
    /// This node.
    pub(crate) me: Option<PublicKey>,
    pub(crate) metrics: Arc<Metrics>,
}

impl Syncer {
    /// Runs until `stop` turns true.
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        // Peer -> until when it is not asked, and how many times running it could not serve.
        let mut benched: HashMap<PublicKey, Instant> = HashMap::new();
        let mut strikes: HashMap<PublicKey, u32> = HashMap::new();
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
            let now = Instant::now();
            benched.retain(|_, until| *until > now);
            let mut known = self.peers.clone();
            for n in self.ledger.node_set().map(|s| s.nodes).unwrap_or_default() {
                if let Ok(k) = PublicKey::from_slice(&n.node_key) {
                    if Some(k) != self.me && !known.contains(&k) {
                        known.push(k);
                    }
                }
            }
            let candidates: Vec<PublicKey> = known
                .into_iter()
                .filter(|p| !benched.contains_key(p))
                .collect();
            let mut progressed = false;
            for i in 0..candidates.len() {
                let peer = candidates[(next + i) % candidates.len()];
                match self.ask(peer, gap).await {
                    Ok(n) => {
                        tracing::debug!(peer = %peer, blocks = n, "synced blocks");
                        strikes.remove(&peer);
                        next = (next + i) % candidates.len();
                        progressed = true;
                        break;
                    }
                    Err(Fault::Bad(why)) => {
                        tracing::warn!(peer = %peer, reason = %why, "block sync: a member node served bad blocks; asking another");
                        benched.insert(peer, Instant::now() + BENCH);
                    }
                    Err(Fault::Unavailable(why)) => {
                        let n = strikes.entry(peer).or_insert(0);
                        let wait = RETRY_FIRST.saturating_mul(1 << (*n).min(5)).min(BENCH);
                        *n = n.saturating_add(1);
                        tracing::info!(peer = %peer, reason = %why, retry_in_s = wait.as_secs(), "block sync: a member node could not serve; asking another");
                        benched.insert(peer, Instant::now() + wait);
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
    async fn ask(&self, peer: PublicKey, gap: Gap) -> Result<u64, Fault> {
        let count = (gap.hi - gap.lo + 1).min(SYNC_BATCH);
        let blocks = self
            .source
            .blocks(peer, gap.hi, count)
            .await
            .map_err(Fault::Unavailable)?;
        let ledger = self.ledger.clone();
        let stored = tokio::task::spawn_blocking(move || ledger.fill_gap(&blocks))
            .await
            .map_err(|_| Fault::Unavailable("the node is stopping".into()))?;
        match stored {
            Ok(Ok(n)) => {
                self.metrics.synced_blocks.inc_by(n);
                Ok(n)
            }
            Ok(Err(why)) => Err(Fault::Bad(format!("refused its blocks: {why}"))),
            Err(e) => {
                tracing::error!(error = %e, "storing synced blocks failed");
                Err(Fault::Unavailable(format!("storing them failed: {e}")))
            }
        }
    }
}

/// Why a peer's answer did not fill the gap.
#[derive(Debug)]
enum Fault {
    /// It served blocks that do not hold: not asked again for [`BENCH`].
    Bad(String),
    /// It could not serve (or this node could not store): asked again after a back-off.
    Unavailable(String),
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::Mutex;

    use shuquan_proto::genesis::{dev_member, GenesisFile, ParamsFile};
    use shuquan_proto::pb::tx_body::Payload;
    use shuquan_proto::tx::ChainRef;
    use shuquan_proto::Keypair;

    use super::*;

    fn key(n: u8) -> Keypair {
        Keypair::from_seed([n; 32]).unwrap()
    }

    fn now_ms() -> u64 {
        crate::producer::now_ms()
    }

    /// A chain of `n` blocks, one registration each.
    fn chain(n: u8) -> (pb::Genesis, Ledger) {
        let genesis = GenesisFile {
            council: Default::default(),
            chain_id: "sync-test".into(),
            genesis_time_ms: now_ms() - 60_000,
            hash: Default::default(),
            params: ParamsFile::default(),
            members: (0..4)
                .map(|i| dev_member(i, key(i as u8 + 1).public()))
                .collect(),
        }
        .to_pb()
        .unwrap();
        let ledger = Ledger::open_temporary(genesis.clone()).unwrap();
        let chain = ChainRef::of(&genesis);
        for i in 0..n {
            let t = now_ms();
            let tx = shuquan_proto::tx::sign_all(
                &chain,
                t,
                &key(1),
                &[],
                Payload::RegisterAsset(pb::RegisterAsset {
                    fingerprint: vec![i; 32],
                    size_bytes: 1 << 20,
                    name: format!("data set {i}"),
                    sector: "transport".into(),
                    grade: pb::Grade::General as i32,
                    origin: pb::Origin::Enterprise as i32,
                    evidence_hash: vec![7; 32],
                    jurisdiction: "CN".into(),
                    delivery_modes: vec![pb::DeliveryMode::Compute as i32],
                    sharing: pb::SharingClass::Conditional as i32,
                    ..Default::default()
                }),
            )
            .unwrap();
            let p = pb::Proposal {
                timestamp_ms: t,
                proposer: key(9).public().to_vec(),
                txs: vec![tx],
            };
            let b = ledger.apply(&p, b"m").unwrap();
            assert_eq!(b.receipts[0].code, 0, "{:?}", b.receipts[0]);
        }
        (genesis, ledger)
    }

    /// Two member nodes: one serves the chain with a receipt changed, one serves it true.
    struct Peers {
        src: Ledger,
        liar: PublicKey,
        asked: Mutex<Vec<PublicKey>>,
    }

    impl BlockSource for Peers {
        fn blocks(
            &self,
            peer: PublicKey,
            to: u64,
            count: u64,
        ) -> BoxFuture<'_, Result<Vec<pb::RawBlock>, String>> {
            self.asked.lock().unwrap().push(peer);
            let mut blocks = self
                .src
                .blocks_for_sync(to, count, 1 << 20)
                .map_err(|e| e.to_string());
            if peer == self.liar {
                if let Ok(b) = &mut blocks {
                    b[0].receipts[0].code = 401;
                }
            }
            Box::pin(async move { blocks })
        }
    }

    /// A chain of `n` blocks, and a node that joined it by its state snapshot alone (every
    /// block missing).
    fn joined_by_snapshot(n: u8) -> (Ledger, Arc<Ledger>) {
        let (genesis, src) = chain(n);
        let mut snap = Vec::new();
        src.snapshots().export_state(&mut snap).unwrap();
        let dst = Arc::new(Ledger::open_temporary(genesis).unwrap());
        dst.snapshots()
            .install_state(&mut std::io::Cursor::new(snap), b"m")
            .unwrap();
        (src, dst)
    }

    #[tokio::test]
    async fn a_peer_serving_a_forged_block_is_refused_and_the_next_one_serves() {
        let (src, dst) = joined_by_snapshot(12);
        assert_eq!(dst.gap().unwrap().map(|g| (g.lo, g.hi)), Some((1, 12)));
        let (liar, honest) = (key(21).public(), key(22).public());
        let peers = Arc::new(Peers {
            src,
            liar,
            asked: Mutex::new(Vec::new()),
        });
        let metrics = Arc::new(Metrics::new());
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(
            Syncer {
                ledger: dst.clone(),
                source: peers.clone(),
                peers: vec![liar, honest],
                me: None,
                metrics: metrics.clone(),
            }
            .run(stop_rx),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while dst.gap().unwrap().is_some() {
            assert!(Instant::now() < deadline, "sync did not finish");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.send(true).unwrap();
        task.await.unwrap();
        assert_eq!(
            dst.snapshots().digest().unwrap(),
            peers.src.snapshots().digest().unwrap()
        );
        // The liar was asked once, refused, and left alone; the rest came from the other.
        let asked = peers.asked.lock().unwrap().clone();
        assert_eq!(asked.iter().filter(|p| **p == liar).count(), 1, "{asked:?}");
        assert_eq!(metrics.synced_blocks.get(), 12);
    }

    /// One member node that cannot be reached for its first `fails` asks (it is restarting).
    struct Flaky {
        src: Ledger,
        fails: Mutex<u32>,
    }

    impl BlockSource for Flaky {
        fn blocks(
            &self,
            _: PublicKey,
            to: u64,
            count: u64,
        ) -> BoxFuture<'_, Result<Vec<pb::RawBlock>, String>> {
            let mut fails = self.fails.lock().unwrap();
            let answer = if *fails > 0 {
                *fails -= 1;
                Err("no connection to the peer".into())
            } else {
                self.src
                    .blocks_for_sync(to, count, 1 << 20)
                    .map_err(|e| e.to_string())
            };
            Box::pin(async move { answer })
        }
    }

    #[tokio::test]
    async fn an_unreachable_peer_is_asked_again_soon_not_benched_like_a_liar() {
        let (src, dst) = joined_by_snapshot(5);
        let peers = Arc::new(Flaky {
            src,
            fails: Mutex::new(2),
        });
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(
            Syncer {
                ledger: dst.clone(),
                source: peers.clone(),
                peers: vec![key(23).public()],
                me: None,
                metrics: Arc::new(Metrics::new()),
            }
            .run(stop_rx),
        );
        // Two failures back off 1 s and 2 s: well inside the 30 s a liar is left alone.
        let deadline = Instant::now() + BENCH - Duration::from_secs(10);
        while dst.gap().unwrap().is_some() {
            assert!(Instant::now() < deadline, "sync waited out the bench");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        stop.send(true).unwrap();
        task.await.unwrap();
        assert_eq!(*peers.fails.lock().unwrap(), 0);
    }
}
