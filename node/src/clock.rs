//! The node's clock: the host's wall clock, corrected toward the median of the member
//! nodes' clocks.
//!
//! A node's clock matters twice: the leader stamps its proposals with it, and admission
//! checks each transaction's timestamp against it. The chain bounds block time by its
//! transactions' timestamps whatever a leader's clock says (`ledger::block_time`), but a
//! node whose host clock runs 30 minutes off would still refuse honest clients' transactions
//! and propose times the chain has to correct. So every node asks the other member nodes
//! for their clocks (a round trip, as NTP does: the peer's time against the midpoint of the
//! request) and uses the median of all of them, its own included. A minority of skewed
//! nodes moves nobody; a skewed node follows the majority. This is not consensus: it only
//! keeps each node's notion of "now" honest, and nothing that is hashed depends on it.
//!
//! `clock.skew_ms` in the configuration shifts the host clock this node reads: fault
//! injection, for testing a node whose clock is wrong.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use shuquan_proto::PublicKey;
use tokio::sync::watch;

use crate::p2p::{P2p, Request, Response};

/// How often the other nodes are asked for their clocks.
pub(crate) const SAMPLE_EVERY: Duration = Duration::from_secs(1);
/// A sample older than this no longer counts.
const FRESH_FOR: Duration = Duration::from_secs(30);
/// A round trip slower than this says too little about the peer's clock.
const MAX_ROUND_TRIP: Duration = Duration::from_millis(500);
/// Samples kept per peer (their median is the peer's offset).
const SAMPLES: usize = 5;

/// Milliseconds since the Unix epoch by the host's clock.
fn host_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[derive(Debug, Default)]
struct Peer {
    /// Recent offsets (peer clock minus ours), newest last.
    offsets: Vec<i64>,
    at: Option<Instant>,
}

impl Peer {
    fn offset(&self) -> Option<i64> {
        let fresh = self.at.is_some_and(|t| t.elapsed() < FRESH_FOR);
        if !fresh || self.offsets.is_empty() {
            return None;
        }
        let mut v = self.offsets.clone();
        v.sort_unstable();
        Some(v[(v.len() - 1) / 2])
    }
}

/// The node's clock.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    skew_ms: i64,
    peers: Mutex<BTreeMap<PublicKey, Peer>>,
}

impl Clock {
    /// A clock reading the host's, shifted by `skew_ms` (0 but in fault-injection tests).
    pub(crate) fn new(skew_ms: i64) -> Self {
        Clock {
            skew_ms,
            peers: Mutex::default(),
        }
    }

    /// This node's own reading, uncorrected: what it tells other nodes.
    pub(crate) fn local_ms(&self) -> u64 {
        host_ms().saturating_add(self.skew_ms).max(0) as u64
    }

    /// The correction applied to the local reading: the median of every fresh node's
    /// offset, this node's own (zero) included. With an even count, the middle value
    /// nearer zero, so two disagreeing nodes each keep their own time.
    pub(crate) fn offset_ms(&self) -> i64 {
        let peers = self.peers.lock().unwrap_or_else(|p| p.into_inner());
        let mut v: Vec<i64> = peers.values().filter_map(Peer::offset).collect();
        v.push(0);
        v.sort_unstable();
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            let (a, b) = (v[n / 2 - 1], v[n / 2]);
            if a.abs() <= b.abs() {
                a
            } else {
                b
            }
        }
    }

    /// Now, by the member nodes' median clock.
    pub(crate) fn now_ms(&self) -> u64 {
        (self.local_ms() as i64)
            .saturating_add(self.offset_ms())
            .max(0) as u64
    }

    /// Records one exchange with `peer`: asked at local `sent`, answered `peer_ms`, the
    /// answer read at local `received` after `round_trip`.
    pub(crate) fn record(
        &self,
        peer: PublicKey,
        sent: u64,
        peer_ms: u64,
        received: u64,
        round_trip: Duration,
    ) {
        if round_trip > MAX_ROUND_TRIP {
            return;
        }
        let midpoint = (sent as i64 + received as i64) / 2;
        let offset = peer_ms as i64 - midpoint;
        let mut peers = self.peers.lock().unwrap_or_else(|p| p.into_inner());
        let p = peers.entry(peer).or_default();
        p.offsets.push(offset);
        if p.offsets.len() > SAMPLES {
            p.offsets.remove(0);
        }
        p.at = Some(Instant::now());
    }

    /// Asks every node in `nodes` (but `me`) for its clock every [`SAMPLE_EVERY`] until
    /// `stop` turns true, and logs when this host's clock is far from the others'.
    pub(crate) async fn sync(
        self: std::sync::Arc<Self>,
        p2p: P2p,
        me: PublicKey,
        nodes: Vec<PublicKey>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut warned = false;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(SAMPLE_EVERY) => {}
                _ = stop.changed() => return,
            }
            // The genesis's nodes and whoever is connected now (the chain's nodes, as
            // governance changes them); a node no longer a member fails at once.
            let mut ask: Vec<PublicKey> = nodes.clone();
            for p in p2p.peers() {
                if !ask.contains(&p) {
                    ask.push(p);
                }
            }
            let asks = ask.iter().filter(|k| **k != me).map(|peer| {
                let (p2p, clock) = (p2p.clone(), self.clone());
                async move {
                    let sent = clock.local_ms();
                    let started = Instant::now();
                    let answer = p2p.request(*peer, Request::Time, MAX_ROUND_TRIP).await;
                    if let Ok(Response::Time(peer_ms)) = answer {
                        clock.record(*peer, sent, peer_ms, clock.local_ms(), started.elapsed());
                    }
                }
            });
            futures::future::join_all(asks).await;
            let offset = self.offset_ms();
            if offset.abs() > 1_000 && !warned {
                tracing::warn!(
                    offset_ms = offset,
                    "this host's clock is far from the other member nodes'; using their median (fix the host's time sync)"
                );
            }
            warned = offset.abs() > 1_000;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn key(n: u8) -> PublicKey {
        shuquan_proto::Keypair::from_seed([n; 32]).unwrap().public()
    }

    const RTT: Duration = Duration::from_millis(2);

    #[test]
    fn a_node_whose_clock_runs_fast_follows_the_other_two() {
        let fast = Clock::new(1_800_000);
        let local = fast.local_ms();
        // Both others answer 30 minutes behind this node's reading.
        fast.record(key(1), local, local - 1_800_000, local + 2, RTT);
        fast.record(key(2), local, local - 1_800_000 + 5, local + 2, RTT);
        assert!((fast.offset_ms() + 1_800_000).abs() < 10);
        let honest = fast.now_ms() as i64 - host_ms();
        assert!(honest.abs() < 1_000, "corrected clock is {honest} ms off");
    }

    #[test]
    fn one_skewed_peer_moves_nobody_and_stale_or_slow_answers_count_for_nothing() {
        let c = Clock::new(0);
        let t = c.local_ms();
        c.record(key(1), t, t + 1_800_000, t, RTT);
        c.record(key(2), t, t + 3, t, RTT);
        assert!(c.offset_ms().abs() < 10);
        // With only the skewed peer, two disagree: each keeps its own time.
        let lone = Clock::new(0);
        lone.record(key(1), t, t + 1_800_000, t, RTT);
        assert_eq!(lone.offset_ms(), 0);
        // A slow round trip is not recorded.
        let slow = Clock::new(0);
        slow.record(key(1), t, t - 60_000, t, Duration::from_secs(2));
        slow.record(key(2), t, t - 60_000, t, Duration::from_secs(2));
        assert_eq!(slow.offset_ms(), 0);
    }
}
