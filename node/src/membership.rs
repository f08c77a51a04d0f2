//! Live membership: the chain's node set (decided by governance, `gov:nodes`) is the one
//! authority; every node's p2p allow list and, on the leader, Raft membership are views a
//! reconciler drives toward it, one idempotent step per round:
//!
//! 1. a node of the set that Raft lacks is added as a learner;
//! 2. when the chain's voters differ from Raft's, the leader changes Raft's voters (joint
//!    consensus) once every new voter has caught up within [`CAUGHT_UP`] entries, and
//!    finishes a joint config left over from a crash or an election the same way;
//! 3. a node Raft still has but the chain removed is dropped from Raft.
//!
//! The allow list admits the union of the chain's set and Raft's membership (add early,
//! remove late): a removed node is refused only once Raft no longer counts on it. A node
//! that finds itself removed from both stops its Raft (and so the process), saying why.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use shuquan_consensus::{Node as RaftNode, NodeId, NodeInfo, Role};
use shuquan_ledger::Ledger;
use shuquan_proto::{pb, PublicKey};
use tokio::sync::watch;

use crate::p2p::{P2p, Peer, Request, Response};

/// How often the reconciler looks.
pub(crate) const RECONCILE_EVERY: Duration = Duration::from_millis(300);
/// Every how many rounds a node asks a connected member for its node set.
const ASK_PEERS_EVERY: u64 = 10;
/// Deadline of that request.
const ASK_TIMEOUT: Duration = Duration::from_secs(2);
/// Rounds a removed node waits, cut off, before it stops.
const STOP_AFTER_ROUNDS: u32 = 5;
/// Longest wait for one membership change: a leader cut off must not hold the loop.
const CHANGE_TIMEOUT: Duration = Duration::from_secs(5);
/// A learner within this many log entries of the leader is caught up (etcd promotes at
/// 90% of the leader's index; a fixed bound is stricter for long logs).
pub(crate) const CAUGHT_UP: u64 = 64;

/// What the reconciler drives.
pub(crate) struct Reconciler {
    pub(crate) ledger: Arc<Ledger>,
    pub(crate) raft: RaftNode,
    pub(crate) p2p: P2p,
    /// This node's key.
    pub(crate) me: PublicKey,
    /// Nodes from the config (`p2p.peers`): allowed, and their addresses win over the chain's.
    pub(crate) overrides: BTreeMap<PublicKey, String>,
    /// Told when this node was removed and stopped its Raft: the node then exits.
    pub(crate) removed: watch::Sender<bool>,
}

impl Reconciler {
    /// Runs until `stop` turns true; failed steps are logged and tried again next round.
    pub(crate) async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut allowed: BTreeSet<PublicKey> = BTreeSet::new();
        let mut waiting_for = None;
        let mut cut_off = 0u32;
        let mut round = 0u64;
        // Nodes a connected member's chain has and ours does not yet (we lag): allowed too,
        // so their leader can reach us. Refreshed every few rounds; only ever additions.
        let mut heard: BTreeMap<PublicKey, String> = BTreeMap::new();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(RECONCILE_EVERY) => {}
                _ = stop.changed() => return,
            }
            let set = match self.ledger.node_set() {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the chain's node set failed");
                    continue;
                }
            };
            let raft = self.raft.membership();
            round += 1;
            if round.is_multiple_of(ASK_PEERS_EVERY) {
                heard = self.heard(&set).await;
            }
            let mut peers = self.peers(&set, &raft.nodes);
            for (node_key, addr) in &heard {
                if !peers.iter().any(|p| p.node_key == *node_key) {
                    peers.push(Peer {
                        node_key: *node_key,
                        addr: addr.clone(),
                    });
                }
            }
            let keys: BTreeSet<PublicKey> = peers.iter().map(|p| p.node_key).collect();
            if keys != allowed {
                if let Err(e) = self.p2p.set_nodes(peers).await {
                    tracing::warn!(error = %e, "updating the allow list failed");
                    continue;
                }
                allowed = keys;
            }
            // Out of the chain, and out of Raft: the others refuse it once their Raft
            // dropped it, so no member stays connected (its own view of Raft may never
            // hear of its removal).
            let out =
                self.removed(&set, &raft) || (self.retired(&set) && self.p2p.peers().is_empty());
            cut_off = if out { cut_off + 1 } else { 0 };
            if cut_off >= STOP_AFTER_ROUNDS {
                tracing::warn!(
                    node_key = %self.me,
                    "this node was removed from the chain by governance and Raft no longer counts it: stopping its Raft"
                );
                if let Err(e) = self.raft.shutdown().await {
                    tracing::warn!(error = %e, "raft did not stop cleanly");
                }
                self.removed.send_replace(true);
                return;
            }
            if self.raft.role().0 == Role::Leader {
                self.step(&set, &mut waiting_for).await;
            }
        }
    }

    /// The nodes to allow and dial: the chain's set and Raft's members, addresses from the
    /// config first, then the chain, then Raft; but never a node whose operator is
    /// suspended or removed (its node is cut off until the member is reinstated).
    fn peers(&self, set: &pb::NodeSet, raft: &BTreeMap<NodeId, NodeInfo>) -> Vec<Peer> {
        let mut out: BTreeMap<PublicKey, String> = BTreeMap::new();
        for n in raft.values() {
            if let Ok(k) = n.node_key.parse::<PublicKey>() {
                out.insert(k, n.addr.clone());
            }
        }
        let mut barred = BTreeSet::new();
        for n in &set.nodes {
            let Ok(k) = PublicKey::from_slice(&n.node_key) else {
                continue;
            };
            out.insert(k, n.addr.clone());
            if !self
                .ledger
                .queries()
                .member_active(&n.operator)
                .unwrap_or(true)
            {
                barred.insert(k);
            }
        }
        out.retain(|k, _| !barred.contains(k) || *k == self.me);
        // The config's peers: their addresses win, and they are allowed even before this
        // node's chain knows them (an operator starting a node added later names the
        // nodes running now).
        for (k, a) in &self.overrides {
            if !set.retired_keys.contains(&k.to_vec()) {
                out.insert(*k, a.clone());
            }
        }
        out.into_iter()
            .map(|(node_key, addr)| Peer { node_key, addr })
            .collect()
    }

    /// The nodes a connected member's chain has that ours neither has nor retired: what a
    /// lagging node needs to reach a leader its own chain has not met yet.
    async fn heard(&self, set: &pb::NodeSet) -> BTreeMap<PublicKey, String> {
        let mut out = BTreeMap::new();
        for peer in self.p2p.peers() {
            let answer = self.p2p.request(peer, Request::Nodes, ASK_TIMEOUT).await;
            let Ok(Response::Nodes(theirs)) = answer else {
                continue;
            };
            for n in theirs.nodes {
                let known = set.nodes.iter().any(|x| x.node_key == n.node_key)
                    || set.retired_keys.contains(&n.node_key);
                if let (false, Ok(k)) = (known, PublicKey::from_slice(&n.node_key)) {
                    out.insert(k, n.addr);
                }
            }
            break;
        }
        out
    }

    /// Whether the chain removed this node (a node waiting to be added is not in the set
    /// either, but not retired).
    fn retired(&self, set: &pb::NodeSet) -> bool {
        let me = self.me.to_vec();
        set.retired_keys.contains(&me) && !set.nodes.iter().any(|n| n.node_key == me)
    }

    /// Whether this node is in neither the chain's set nor Raft's membership any more.
    fn removed(&self, set: &pb::NodeSet, raft: &shuquan_consensus::Membership) -> bool {
        let in_raft = raft.nodes.values().any(|n| n.node_key == self.me.to_hex());
        self.retired(set) && !in_raft
    }

    /// One step toward the chain's node set, on the leader.
    async fn step(&self, set: &pb::NodeSet, waiting_for: &mut Option<NodeId>) {
        let m = self.raft.membership();
        let want_voters: BTreeSet<NodeId> = set
            .nodes
            .iter()
            .filter(|n| n.role == pb::NodeRole::Voter as i32)
            .map(|n| n.id)
            .collect();
        // 1. Every node of the set is in Raft, at least as a learner.
        for n in &set.nodes {
            if m.nodes.contains_key(&n.id) {
                continue;
            }
            let info = NodeInfo::new(hex::encode(&n.node_key), n.addr.clone());
            match tokio::time::timeout(CHANGE_TIMEOUT, self.raft.add_learner_nowait(n.id, info))
                .await
            {
                Ok(Ok(())) => tracing::info!(node = n.id, "added to Raft as a learner"),
                Ok(Err(e)) => tracing::info!(node = n.id, error = %e, "adding a learner: retrying"),
                Err(_) => tracing::info!(node = n.id, "adding a learner timed out: retrying"),
            }
            return;
        }
        // 2. Raft's voters are the chain's: those that stay, and the new ones once they
        //    caught up (a lagging or dead learner holds up only its own promotion, never a
        //    demotion or a removal).
        if m.voters() != want_voters || m.is_joint() {
            let Ok(status) = tokio::time::timeout(CHANGE_TIMEOUT, self.raft.status()).await else {
                return;
            };
            let last = status.last_log_index.unwrap_or(0);
            let matched = self.raft.replication();
            let current = m.voters();
            let caught_up = |id: &NodeId| {
                matched
                    .get(id)
                    .copied()
                    .flatten()
                    .is_some_and(|i| i.saturating_add(CAUGHT_UP) >= last)
            };
            let target: BTreeSet<NodeId> = want_voters
                .iter()
                .filter(|id| current.contains(id) || caught_up(id))
                .copied()
                .collect();
            if let Some(id) = want_voters.iter().find(|id| !target.contains(id)) {
                if *waiting_for != Some(*id) {
                    tracing::info!(
                        node = id,
                        "waiting for the learner to catch up before it votes"
                    );
                    *waiting_for = Some(*id);
                }
            }
            if !target.is_empty() && (target != current || m.is_joint()) {
                match tokio::time::timeout(CHANGE_TIMEOUT, self.raft.set_voters(target.clone()))
                    .await
                {
                    Ok(Ok(())) => tracing::info!(voters = ?target, "Raft voters follow the chain"),
                    Ok(Err(e)) => tracing::info!(error = %e, "changing Raft voters: retrying"),
                    Err(_) => tracing::info!("changing Raft voters timed out: retrying"),
                }
                return;
            }
        }
        // 3. Nodes the chain removed leave Raft (they are learners by now).
        let ids: BTreeSet<NodeId> = set.nodes.iter().map(|n| n.id).collect();
        let gone: BTreeSet<NodeId> = m
            .nodes
            .keys()
            .filter(|id| !ids.contains(id))
            .copied()
            .collect();
        if !gone.is_empty() {
            match tokio::time::timeout(CHANGE_TIMEOUT, self.raft.remove_learners(gone.clone()))
                .await
            {
                Ok(Ok(())) => tracing::info!(nodes = ?gone, "removed from Raft"),
                Ok(Err(e)) => tracing::info!(error = %e, "removing nodes from Raft: retrying"),
                Err(_) => tracing::info!("removing nodes from Raft timed out: retrying"),
            }
        }
    }
}
