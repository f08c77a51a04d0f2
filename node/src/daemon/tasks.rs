//! The node's background helpers: a follower forwards transactions that waited too long to
//! the leader (gossip is best effort), and a watcher keeps the Raft, mempool and peer
//! metrics current and logs leader changes.

use std::sync::Arc;
use std::time::Duration;

use shuquan_consensus::Role;
use shuquan_proto::PublicKey;
use tokio::sync::watch;

use super::role_name;
use crate::api::App;
use crate::p2p::{Request, Response};

/// Most transactions in one forwarded frame.
const FORWARD_BATCH: usize = 1_000;

/// The leader's node key, when this node knows a leader other than itself.
fn leader_key(app: &App) -> Option<PublicKey> {
    let m = app.raft.leader()?;
    if m == app.node_id {
        return None;
    }
    let info = app.raft.membership().nodes.get(&m)?.clone();
    info.node_key.parse().ok()
}

/// On a follower: every `age / 2`, sends queued transactions older than `age` to the
/// leader. Transactions the leader already has are ignored there.
pub(super) async fn forward_stale(app: Arc<App>, age: Duration, mut stop: watch::Receiver<bool>) {
    let tick = (age / 2).max(Duration::from_millis(50));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = stop.changed() => return,
        }
        let Some(leader) = leader_key(&app) else {
            continue;
        };
        let batch = app.mempool.stale(age, FORWARD_BATCH);
        if batch.is_empty() {
            continue;
        }
        let n = batch.len();
        let txs = batch.into_iter().map(|(_, raw)| raw).collect();
        match app
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

/// Brings the gauges that are not moved by blocks up to date.
pub async fn refresh_metrics(app: &App) {
    let st = app.raft.status().await;
    let m = &app.metrics;
    m.term.set(st.term as i64);
    m.set_role(role_name(st.role));
    m.mempool.set(app.mempool.len() as i64);
    m.peers.set(app.p2p.peers().len() as i64);
    let first = st.purged.map_or(0, |p| p + 1);
    let entries = st
        .last_log_index
        .map_or(0, |last| (last + 1).saturating_sub(first));
    m.raft_log_entries.set(entries as i64);
    let s = app.p2p.stats();
    for (verdict, v) in [
        ("accepted", s.gossip_accepted),
        ("rejected", s.gossip_rejected),
        ("ignored", s.gossip_ignored),
    ] {
        m.gossip
            .get_or_create(&crate::metrics::GossipLabel {
                verdict: verdict.into(),
            })
            .set(v);
    }
    m.refused_connections.set(s.refused_connections);
}

/// Every 250 ms: counts and logs leader changes, refreshes the gauges.
pub(super) async fn watch_raft(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    let mut last_leader = None;
    let mut last_role = Role::Shutdown;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = stop.changed() => return,
        }
        let leader = app.raft.leader();
        let (role, term) = app.raft.role();
        if leader != last_leader {
            if last_leader.is_some() || leader.is_some() {
                app.metrics.leader_changes.inc();
            }
            tracing::info!(leader = ?leader, term, "leader changed");
            last_leader = leader;
        }
        if role != last_role {
            tracing::info!(role = role_name(role), term, "role changed");
            last_role = role;
        }
        refresh_metrics(&app).await;
    }
}
