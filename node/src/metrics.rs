//! Prometheus metrics (prometheus-client), served as text at `GET /metrics`.
//!
//! Block metrics move as blocks are applied; Raft, mempool and peer gauges are refreshed
//! by the node's watcher task and just before each scrape.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::{text, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The label of [`Metrics::role`].
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RoleLabel {
    /// `leader`, `follower`, `candidate`, `learner` or `shutdown`.
    pub(crate) role: String,
}

/// Every metric the node exports.
#[derive(Debug)]
pub(crate) struct Metrics {
    registry: Registry,
    /// Height of the last applied block.
    pub(crate) height: Gauge,
    /// Current Raft term.
    pub(crate) term: Gauge,
    /// 1 for the node's current role, 0 for the others.
    pub(crate) role: Family<RoleLabel, Gauge>,
    /// Times this node saw the leader change.
    pub(crate) leader_changes: Counter,
    /// Transactions in the mempool.
    pub(crate) mempool: Gauge,
    /// Transactions applied in committed blocks (failed ones included).
    pub(crate) committed_txs: Counter,
    /// Blocks applied.
    pub(crate) blocks: Counter,
    /// Seconds to apply one batch of committed blocks to the ledger.
    pub(crate) apply_seconds: Histogram,
    /// Seconds from proposal to commit of a block, on the leader.
    pub(crate) commit_seconds: Histogram,
    /// Member nodes connected.
    pub(crate) peers: Gauge,
    /// Entries in the Raft log (not yet purged by a snapshot).
    pub(crate) raft_log_entries: Gauge,
    /// Gossiped transactions accepted, rejected (invalid) and ignored (known).
    pub(crate) gossip: Family<GossipLabel, Gauge<u64, AtomicU64>>,
    /// Connections refused because the peer is not a member.
    pub(crate) refused_connections: Gauge<u64, AtomicU64>,
    /// Height up to which every block has a certificate here.
    pub(crate) certified_height: Gauge,
    /// Time from a block's timestamp to its certificate here.
    pub(crate) certificate_lag_seconds: Histogram,
    /// Blocks this node lacks (joined by snapshot, not yet fetched).
    pub(crate) missing_blocks: Gauge,
    /// Blocks fetched by block sync.
    pub(crate) synced_blocks: Counter,
}

/// The label of [`Metrics::gossip`].
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct GossipLabel {
    /// `accepted`, `rejected` or `ignored`.
    pub(crate) verdict: String,
}

fn latency() -> Histogram {
    // 0.5 ms .. ~4 s
    Histogram::new(exponential_buckets(0.0005, 2.0, 14))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every metric at zero.
    pub(crate) fn new() -> Self {
        let mut m = Metrics {
            registry: Registry::with_prefix("shuquan"),
            height: Gauge::default(),
            term: Gauge::default(),
            role: Family::default(),
            leader_changes: Counter::default(),
            mempool: Gauge::default(),
            committed_txs: Counter::default(),
            blocks: Counter::default(),
            apply_seconds: latency(),
            commit_seconds: latency(),
            peers: Gauge::default(),
            raft_log_entries: Gauge::default(),
            gossip: Family::default(),
            refused_connections: Gauge::default(),
            certified_height: Gauge::default(),
            certificate_lag_seconds: latency(),
            missing_blocks: Gauge::default(),
            synced_blocks: Counter::default(),
        };
        let r = &mut m.registry;
        r.register(
            "height",
            "Height of the last applied block",
            m.height.clone(),
        );
        r.register("raft_term", "Current Raft term", m.term.clone());
        r.register(
            "raft_role",
            "1 for the node's current Raft role",
            m.role.clone(),
        );
        r.register(
            "raft_leader_changes",
            "Times this node saw the leader change",
            m.leader_changes.clone(),
        );
        r.register(
            "mempool_transactions",
            "Transactions in the mempool",
            m.mempool.clone(),
        );
        r.register(
            "committed_transactions",
            "Transactions in applied blocks, failed ones included",
            m.committed_txs.clone(),
        );
        r.register("blocks", "Blocks applied", m.blocks.clone());
        r.register(
            "apply_seconds",
            "Time to apply one batch of committed blocks",
            m.apply_seconds.clone(),
        );
        r.register(
            "commit_seconds",
            "Time from proposal to commit of a block on the leader",
            m.commit_seconds.clone(),
        );
        r.register("peers", "Member nodes connected", m.peers.clone());
        r.register(
            "certified_height",
            "Height up to which every block has a certificate of a majority of member nodes",
            m.certified_height.clone(),
        );
        r.register(
            "certificate_lag_seconds",
            "Time from a block's timestamp to its certificate on this node",
            m.certificate_lag_seconds.clone(),
        );
        r.register(
            "raft_log_entries",
            "Entries in the Raft log not yet purged by a snapshot",
            m.raft_log_entries.clone(),
        );
        r.register(
            "gossip_transactions",
            "Gossiped transactions by verdict",
            m.gossip.clone(),
        );
        r.register(
            "missing_blocks",
            "Blocks this node lacks after joining by a state snapshot (block sync fetches them)",
            m.missing_blocks.clone(),
        );
        r.register(
            "synced_blocks",
            "Blocks fetched from member nodes by block sync",
            m.synced_blocks.clone(),
        );
        r.register(
            "refused_connections",
            "Connections refused because the peer is not a member",
            m.refused_connections.clone(),
        );
        m
    }

    /// Brings the gauges that blocks do not move up to date: Raft's term, role and log,
    /// the mempool, peers and gossip counters.
    pub(crate) async fn refresh(
        &self,
        raft: &shuquan_consensus::Node,
        p2p: &crate::p2p::P2p,
        mempool: usize,
    ) {
        let st = raft.status().await;
        self.term.set(st.term as i64);
        self.set_role(st.role.as_str());
        self.mempool.set(mempool as i64);
        self.peers.set(p2p.peers().len() as i64);
        let first = st.purged.map_or(0, |p| p + 1);
        let entries = st
            .last_log_index
            .map_or(0, |last| (last + 1).saturating_sub(first));
        self.raft_log_entries.set(entries as i64);
        let s = p2p.stats();
        for (verdict, v) in [
            ("accepted", s.gossip_accepted),
            ("rejected", s.gossip_rejected),
            ("ignored", s.gossip_ignored),
        ] {
            self.gossip
                .get_or_create(&GossipLabel {
                    verdict: verdict.into(),
                })
                .set(v);
        }
        self.refused_connections.set(s.refused_connections);
    }

    /// Sets the role gauge family to `role`.
    pub(crate) fn set_role(&self, role: &str) {
        for r in ["leader", "follower", "candidate", "learner", "shutdown"] {
            let v = i64::from(r == role);
            self.role
                .get_or_create(&RoleLabel { role: r.into() })
                .set(v);
        }
    }

    /// The text exposition.
    pub(crate) fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_names_every_metric_with_its_value() {
        let m = Metrics::new();
        m.height.set(42);
        m.committed_txs.inc_by(7);
        m.set_role("follower");
        m.apply_seconds.observe(0.002);
        let text = m.encode();
        for line in [
            "shuquan_height 42",
            "shuquan_committed_transactions_total 7",
            "shuquan_raft_role{role=\"follower\"} 1",
            "shuquan_raft_role{role=\"leader\"} 0",
            "shuquan_apply_seconds_count 1",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }
}
