//! An in-process transport for tests: partitions, message loss, delay and reordering,
//! and crashed nodes, all driven by a seeded random generator.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{BoxFuture, Transport};
use crate::error::Error;
use crate::node::Node;
use crate::types::{NodeId, NodeInfo};

/// How badly the network behaves. Each message (request and response separately) is lost
/// with probability `drop_rate`, else delivered after a delay drawn from
/// `[min_delay, max_delay]`; independent delays reorder messages.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NetFaults {
    /// Probability that a message is lost, in `[0, 1]`.
    pub drop_rate: f64,
    /// Shortest delivery delay.
    pub min_delay: Duration,
    /// Longest delivery delay.
    pub max_delay: Duration,
}

/// How long a sender waits before it notices a lost message (a stand-in for a timeout).
const LOSS_DETECT: Duration = Duration::from_millis(30);

/// An in-memory network of [`Node`]s. Cheap to clone; clones share the network.
#[derive(Clone)]
pub struct MemNetwork {
    inner: Arc<Mutex<State>>,
}

struct State {
    nodes: BTreeMap<NodeId, Node>,
    blocked: BTreeSet<(NodeId, NodeId)>,
    faults: NetFaults,
    rng: StdRng,
}

impl std::fmt::Debug for MemNetwork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemNetwork")
    }
}

impl State {
    fn reachable(&self, from: NodeId, to: NodeId) -> bool {
        self.nodes.contains_key(&from)
            && self.nodes.contains_key(&to)
            && !self.blocked.contains(&(from, to))
    }

    /// `None` if the message is lost, else its delay.
    fn fate(&mut self) -> Option<Duration> {
        let f = self.faults;
        if f.drop_rate > 0.0 && self.rng.gen_bool(f.drop_rate.clamp(0.0, 1.0)) {
            return None;
        }
        if f.max_delay <= f.min_delay {
            return Some(f.min_delay);
        }
        Some(self.rng.gen_range(f.min_delay..=f.max_delay))
    }
}

impl MemNetwork {
    /// An empty, fault-free network whose random choices follow `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            inner: Arc::new(Mutex::new(State {
                nodes: BTreeMap::new(),
                blocked: BTreeSet::new(),
                faults: NetFaults::default(),
                rng: StdRng::seed_from_u64(seed),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Attach a running node (replacing an earlier instance with the same id).
    pub fn register(&self, node: &Node) {
        self.lock().nodes.insert(node.id(), node.clone());
    }

    /// Detach a node (crashed or shut down): messages to and from it fail as unreachable.
    pub fn remove(&self, id: NodeId) -> Option<Node> {
        self.lock().nodes.remove(&id)
    }

    /// Drop all nodes (breaks the node ↔ network reference cycle at the end of a test).
    pub fn clear(&self) {
        self.lock().nodes.clear();
    }

    /// Split the network: nodes in different groups cannot talk. Nodes not listed keep
    /// their existing links.
    pub fn partition(&self, groups: &[&[NodeId]]) {
        let mut st = self.lock();
        for (i, a) in groups.iter().enumerate() {
            for (j, b) in groups.iter().enumerate() {
                if i == j {
                    continue;
                }
                for x in a.iter() {
                    for y in b.iter() {
                        st.blocked.insert((*x, *y));
                    }
                }
            }
        }
    }

    /// Cut `id` off from every node in `others` (both directions).
    pub fn isolate(&self, id: NodeId, others: &[NodeId]) {
        let mut st = self.lock();
        for o in others.iter().filter(|o| **o != id) {
            st.blocked.insert((id, *o));
            st.blocked.insert((*o, id));
        }
    }

    /// Cut one direction of one link.
    pub fn block(&self, from: NodeId, to: NodeId) {
        self.lock().blocked.insert((from, to));
    }

    /// Remove every partition and blocked link.
    pub fn heal(&self) {
        self.lock().blocked.clear();
    }

    /// Set message loss and delay.
    pub fn set_faults(&self, faults: NetFaults) {
        self.lock().faults = faults;
    }
}

impl Transport for MemNetwork {
    fn send(
        &self,
        from: NodeId,
        target: NodeId,
        _target_info: &NodeInfo,
        request: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'static, Result<Vec<u8>, Error>> {
        let net = self.clone();
        Box::pin(async move {
            let delay = {
                let mut st = net.lock();
                if !st.reachable(from, target) {
                    return Err(Error::Unreachable(target, "no route".into()));
                }
                st.fate()
            };
            let Some(delay) = delay else {
                tokio::time::sleep(LOSS_DETECT.min(timeout)).await;
                return Err(Error::Timeout(target));
            };
            let (tx, rx) = tokio::sync::oneshot::channel();
            // Delivery runs on its own task: a request the sender gave up on may still
            // arrive and be processed later, as on a real network.
            let net2 = net.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let node = {
                    let st = net2.lock();
                    if !st.reachable(from, target) {
                        return;
                    }
                    st.nodes.get(&target).cloned()
                };
                let Some(node) = node else { return };
                let resp = node.handle_rpc(&request).await;
                let back = {
                    let mut st = net2.lock();
                    if !st.reachable(target, from) {
                        return;
                    }
                    st.fate()
                };
                let Some(back) = back else { return };
                tokio::time::sleep(back).await;
                let _ = tx.send(resp);
            });
            match tokio::time::timeout(timeout, rx).await {
                Ok(Ok(resp)) => resp,
                Ok(Err(_)) => {
                    // Lost on the way; the sender learns of it only by waiting.
                    tokio::time::sleep(LOSS_DETECT.min(timeout)).await;
                    Err(Error::Timeout(target))
                }
                Err(_) => Err(Error::Timeout(target)),
            }
        })
    }
}
