//! The node's background helpers: a follower forwards transactions that waited too long to
//! the leader (gossip is best effort), and a watcher keeps the Raft, mempool and peer
//! metrics current and logs leader changes.

use std::sync::Arc;
use std::time::Duration;

use shuquan_consensus::{Node as RaftNode, NodeId, Role};
use shuquan_proto::PublicKey;
use tokio::sync::watch;

use crate::mempool::Mempool;
use crate::metrics::Metrics;
use crate::p2p::{P2p, Request, Response};

/// Most transactions in one forwarded frame.
const FORWARD_BATCH: usize = 1_000;
/// Room left in a frame for its own encoding.
const FRAME_OVERHEAD: usize = 64 << 10;

/// What the helpers use.
#[derive(Debug, Clone)]
pub(super) struct Helpers {
    pub(super) raft: RaftNode,
    pub(super) node_id: NodeId,
    pub(super) p2p: P2p,
    pub(super) mempool: Arc<Mempool>,
    pub(super) metrics: Arc<Metrics>,
    /// The largest frame a peer accepts.
    pub(super) max_frame_bytes: usize,
}

impl Helpers {
    /// The leader's node key, when this node knows a leader other than itself.
    fn leader_key(&self) -> Option<PublicKey> {
        let m = self.raft.leader()?;
        if m == self.node_id {
            return None;
        }
        let info = self.raft.membership().nodes.get(&m)?.clone();
        info.node_key.parse().ok()
    }
}

/// On a follower: every `age / 2`, sends queued transactions older than `age` to the
/// leader, as many as fit in one frame. Transactions the leader already has are ignored
/// there.
pub(super) async fn forward_stale(h: Helpers, age: Duration, mut stop: watch::Receiver<bool>) {
    let tick = (age / 2).max(Duration::from_millis(50));
    let max_bytes = h.max_frame_bytes.saturating_sub(FRAME_OVERHEAD).max(1);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = stop.changed() => return,
        }
        let Some(leader) = h.leader_key() else {
            continue;
        };
        let batch = h.mempool.stale(age, FORWARD_BATCH, max_bytes);
        if batch.is_empty() {
            continue;
        }
        let n = batch.len();
        let txs = batch.into_iter().map(|(_, raw)| raw).collect();
        match h
            .p2p
            .request(leader, Request::Txs(txs), Duration::from_secs(5))
            .await
        {
            Ok(Response::Queued(q)) => {
                tracing::debug!(sent = n, queued = q, "forwarded transactions to the leader")
            }
            Ok(other) => tracing::warn!(?other, "leader refused forwarded transactions"),
            Err(e) => tracing::warn!(error = ?e, "forwarding transactions to the leader failed"),
        }
    }
}

/// Every 250 ms: counts and logs leader changes, refreshes the gauges.
pub(super) async fn watch_raft(h: Helpers, mut stop: watch::Receiver<bool>) {
    let mut last_leader = None;
    let mut last_role = Role::Shutdown;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = stop.changed() => return,
        }
        let leader = h.raft.leader();
        let (role, term) = h.raft.role();
        if leader != last_leader {
            if last_leader.is_some() || leader.is_some() {
                h.metrics.leader_changes.inc();
            }
            tracing::info!(leader = ?leader, term, "leader changed");
            last_leader = leader;
        }
        if role != last_role {
            tracing::info!(role = role.as_str(), term, "role changed");
            last_role = role;
        }
        h.metrics.refresh(&h.raft, &h.p2p, h.mempool.len()).await;
    }
}
