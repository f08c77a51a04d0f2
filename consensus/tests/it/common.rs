//! A cluster of in-process nodes on a `MemNetwork`, with helpers to crash, restart and
//! compare what every node applied.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use shuquan_consensus::{
    Config, Error, MemNetwork, MemStateMachine, Node, NodeId, NodeInfo, Role, Transport, WriteAck,
};
use tempfile::TempDir;

pub const WAIT: Duration = Duration::from_secs(20);

/// Send tracing output to the test output, filtered by `RUST_LOG` (default: nothing; try
/// `RUST_LOG=openraft=error` when a seed fails).
pub fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

pub fn info(id: NodeId) -> NodeInfo {
    NodeInfo::new(format!("{id:064x}"), format!("mem://{id}"))
}

pub struct Cluster {
    pub net: MemNetwork,
    pub config: Config,
    pub nodes: BTreeMap<NodeId, Node>,
    pub sms: BTreeMap<NodeId, MemStateMachine>,
    root: TempDir,
}

impl Cluster {
    /// Start nodes `1..=n` and initialise them as one cluster (all voters).
    pub async fn new(n: u64, config: Config, seed: u64) -> Cluster {
        let mut c = Cluster::empty(config, seed);
        for id in 1..=n {
            c.start(id, MemStateMachine::new()).await;
        }
        let members: BTreeMap<NodeId, NodeInfo> = (1..=n).map(|id| (id, info(id))).collect();
        c.nodes[&1].initialize(members).await.unwrap();
        c
    }

    pub fn empty(config: Config, seed: u64) -> Cluster {
        Cluster {
            net: MemNetwork::new(seed),
            config,
            nodes: BTreeMap::new(),
            sms: BTreeMap::new(),
            root: tempfile::tempdir().unwrap(),
        }
    }

    pub fn dir(&self, id: NodeId) -> std::path::PathBuf {
        self.root.path().join(format!("n{id}"))
    }

    /// Start (or restart) node `id` with state machine `sm`.
    pub async fn start(&mut self, id: NodeId, sm: MemStateMachine) {
        let transport: Arc<dyn Transport> = Arc::new(self.net.clone());
        let node = Node::start(id, &self.config, &self.dir(id), sm.clone(), transport)
            .await
            .unwrap();
        self.net.register(&node);
        self.nodes.insert(id, node);
        self.sms.insert(id, sm);
    }

    /// Crash node `id` (losing unsynced writes); its state machine handle is kept.
    pub async fn crash(&mut self, id: NodeId) {
        self.net.remove(id);
        if let Some(node) = self.nodes.remove(&id) {
            node.crash().await.unwrap();
        }
    }

    /// Restart a crashed node; `keep_sm = false` simulates a state machine that lost its data.
    pub async fn restart(&mut self, id: NodeId, keep_sm: bool) {
        let sm = if keep_sm {
            self.sms[&id].clone()
        } else {
            MemStateMachine::new()
        };
        self.start(id, sm).await;
    }

    pub fn ids(&self) -> Vec<NodeId> {
        self.nodes.keys().copied().collect()
    }

    /// Wait until one running node is leader and every running node agrees on it.
    pub async fn leader(&self) -> NodeId {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let mut leaders = Vec::new();
            let mut views = Vec::new();
            for n in self.nodes.values() {
                let st = n.status().await;
                if st.role == Role::Leader {
                    leaders.push(st.id);
                }
                views.push(st.leader_id);
            }
            if leaders.len() == 1 && views.iter().all(|v| *v == Some(leaders[0])) {
                return leaders[0];
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no agreed leader: {leaders:?} {views:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Write through whichever node leads, following redirects.
    pub async fn write(&self, payload: Vec<u8>) -> WriteAck {
        let deadline = tokio::time::Instant::now() + WAIT;
        let mut target = *self.nodes.keys().next().unwrap();
        loop {
            let node = &self.nodes[&target];
            match tokio::time::timeout(Duration::from_secs(2), node.write(payload.clone())).await {
                Ok(Ok(ack)) => return ack,
                Ok(Err(Error::ForwardToLeader {
                    leader_id: Some(l), ..
                })) if self.nodes.contains_key(&l) => target = l,
                _ => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    let ids = self.ids();
                    let pos = ids.iter().position(|i| *i == target).unwrap_or(0);
                    target = ids[(pos + 1) % ids.len()];
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "write did not succeed in time"
            );
        }
    }

    /// Wait until every running node has applied at least `index`.
    pub async fn wait_applied(&self, index: u64) {
        for n in self.nodes.values() {
            n.wait_until(WAIT, |s| s.last_applied >= Some(index))
                .await
                .unwrap_or_else(|_| panic!("node {} did not apply {index}", n.id()));
        }
    }

    /// The applied payloads of every running node.
    pub fn applied(&self) -> BTreeMap<NodeId, Vec<Vec<u8>>> {
        self.nodes
            .keys()
            .map(|id| (*id, self.sms[id].payloads()))
            .collect()
    }

    /// Assert every running node applied exactly `expected`, in order.
    pub fn assert_all_applied(&self, expected: &[Vec<u8>]) {
        for (id, got) in self.applied() {
            assert_eq!(got, expected, "node {id} applied a different sequence");
        }
    }

    pub async fn shutdown(mut self) {
        self.net.clear();
        for (_, n) in std::mem::take(&mut self.nodes) {
            let _ = n.shutdown().await;
        }
    }
}

pub fn payload(i: u64) -> Vec<u8> {
    format!("p{i}").into_bytes()
}
