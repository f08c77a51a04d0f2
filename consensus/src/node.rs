//! `Node`: one Raft member — start, write, membership, snapshots, inbound RPCs, status.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use openraft::error::{ClientWriteError, Fatal, InitializeError, RaftError};
use openraft::{ChangeMembers, ServerState};

use crate::config::Config;
use crate::error::Error;
use crate::log_store::LogStore;
use crate::raft_types::{self, AppRequest, Raft, StoredMembership};
use crate::state_machine::{SmStore, StateMachine};
use crate::transport::wire::{RpcRequest, RpcResponse};
use crate::transport::{NetworkFactory, Transport};
use crate::types::{Membership, NodeId, NodeInfo, Role, Status, WriteAck};

/// How long `start` waits for a previous instance to release the log directory lock.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// A running Raft member. Cheap to clone; clones share the node.
#[derive(Clone)]
pub struct Node {
    inner: Arc<Inner>,
}

struct Inner {
    id: NodeId,
    raft: Raft,
    log: LogStore,
    stopped: AtomicBool,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node").field("id", &self.inner.id).finish()
    }
}

fn open_log(dir: &Path) -> Result<LogStore, Error> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match LogStore::open(dir) {
            Ok(log) => return Ok(log),
            // The previous instance may still be shutting down and hold the lock.
            Err(Error::Storage(msg)) if msg.contains("locked") && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    }
}

fn fatal(e: Fatal<NodeId>) -> Error {
    match e {
        Fatal::Stopped => Error::Shutdown,
        other => Error::Fatal(other.to_string()),
    }
}

fn client_write_error(e: RaftError<NodeId, ClientWriteError<NodeId, NodeInfo>>) -> Error {
    match e {
        RaftError::APIError(ClientWriteError::ForwardToLeader(f)) => Error::ForwardToLeader {
            leader_id: f.leader_id,
            leader: f.leader_node,
        },
        RaftError::APIError(ClientWriteError::ChangeMembershipError(c)) => {
            Error::Membership(c.to_string())
        }
        RaftError::Fatal(f) => fatal(f),
    }
}

fn membership_of(m: &StoredMembership) -> Membership {
    Membership {
        configs: m.membership().get_joint_config().clone(),
        nodes: m.nodes().map(|(id, n)| (*id, n.clone())).collect(),
    }
}

impl Node {
    /// Open (or create) the node's storage under `dir` and start Raft.
    ///
    /// `dir` holds `log/` (the Raft log) and `snapshot/` (the current snapshot file). A
    /// new node does nothing until [`Node::initialize`] (genesis) or a leader adds it.
    pub async fn start<S: StateMachine>(
        id: NodeId,
        config: &Config,
        dir: &Path,
        state_machine: S,
        transport: Arc<dyn Transport>,
    ) -> Result<Node, Error> {
        let raft_config = Arc::new(config.to_openraft()?);
        let log_dir = dir.join("log");
        let snapshot_dir = dir.join("snapshot");
        let sm: Box<dyn StateMachine> = Box::new(state_machine);
        let (log, sm) = tokio::task::spawn_blocking(move || {
            let log = open_log(&log_dir)?;
            let sm = SmStore::open(&snapshot_dir, sm)?;
            Ok::<_, Error>((log, sm))
        })
        .await
        .map_err(|e| Error::Fatal(e.to_string()))??;
        let network = NetworkFactory::new(id, transport, config.unreachable_backoff);
        let raft = Raft::new(id, raft_config, network, log.clone(), sm)
            .await
            .map_err(|e| Error::Fatal(e.to_string()))?;
        Ok(Node {
            inner: Arc::new(Inner {
                id,
                raft,
                log,
                stopped: AtomicBool::new(false),
            }),
        })
    }

    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.inner.id
    }

    fn check_running(&self) -> Result<(), Error> {
        if self.inner.stopped.load(Ordering::Acquire) {
            return Err(Error::Shutdown);
        }
        Ok(())
    }

    /// Form a new cluster from the genesis members (all voters). Call it on one node, or on
    /// all with the same list; a node that already has state ignores it.
    pub async fn initialize(&self, members: BTreeMap<NodeId, NodeInfo>) -> Result<(), Error> {
        self.check_running()?;
        match self.inner.raft.initialize(members).await {
            Ok(()) => Ok(()),
            Err(RaftError::APIError(InitializeError::NotAllowed(e))) => {
                tracing::info!(node = self.inner.id, reason = %e, "already initialized");
                Ok(())
            }
            Err(RaftError::APIError(InitializeError::NotInMembers(e))) => {
                Err(Error::Membership(e.to_string()))
            }
            Err(RaftError::Fatal(f)) => Err(fatal(f)),
        }
    }

    /// Replicate `payload`. Returns once the entry is committed and applied on this node
    /// (the leader); the ack carries the state machine's response bytes.
    ///
    /// [`Error::ForwardToLeader`] when this node is not the leader. If leadership was lost
    /// after the entry was appended, the same error is returned and the entry may still be
    /// committed by the next leader; on any other error the outcome is unknown too. So
    /// payloads should be idempotent (e.g. carry transaction ids the state machine dedups).
    pub async fn write(&self, payload: Vec<u8>) -> Result<WriteAck, Error> {
        self.check_running()?;
        let resp = self
            .inner
            .raft
            .client_write(AppRequest(payload))
            .await
            .map_err(client_write_error)?;
        Ok(WriteAck {
            index: resp.log_id.index,
            term: raft_types::term_of(&resp.log_id),
            response: resp.data.0,
        })
    }

    /// Add a non-voting member and wait until it has caught up with the log.
    ///
    /// Must run on the leader. An id already in the membership with different node info,
    /// or a node key already used by another id, is refused: ids are never reused.
    pub async fn add_learner(&self, id: NodeId, info: NodeInfo) -> Result<(), Error> {
        self.learner(id, info, true).await
    }

    /// Turn learner `id` into a voter (joint consensus, returns when the final config is
    /// committed). One change at a time: refused while another change is in progress.
    pub async fn promote(&self, id: NodeId) -> Result<(), Error> {
        self.check_running()?;
        let m = self.membership();
        if m.voters().contains(&id) {
            return Ok(());
        }
        if !m.nodes.contains_key(&id) {
            return Err(Error::Membership(format!(
                "node {id} is not a learner; add it first"
            )));
        }
        if m.is_joint() {
            return Err(Error::Membership(
                "another membership change is in progress".into(),
            ));
        }
        let ids: BTreeSet<NodeId> = [id].into_iter().collect();
        self.inner
            .raft
            .change_membership(ChangeMembers::AddVoterIds(ids), false)
            .await
            .map_err(client_write_error)?;
        Ok(())
    }

    /// Add a learner without waiting for it to catch up (returns once the membership entry
    /// commits). Must run on the leader. Same id rules as [`Node::add_learner`].
    pub async fn add_learner_nowait(&self, id: NodeId, info: NodeInfo) -> Result<(), Error> {
        self.learner(id, info, false).await
    }

    /// Adds learner `id` after the id rules; with `blocking`, waits for it to catch up.
    async fn learner(&self, id: NodeId, info: NodeInfo, blocking: bool) -> Result<(), Error> {
        self.check_running()?;
        let m = self.membership();
        if let Some(existing) = m.nodes.get(&id) {
            if existing != &info {
                return Err(Error::Membership(format!(
                    "node id {id} already belongs to {existing}; ids are never reused"
                )));
            }
        }
        if let Some((other, _)) = m
            .nodes
            .iter()
            .find(|(o, n)| **o != id && n.node_key == info.node_key)
        {
            return Err(Error::Membership(format!(
                "node key already used by node {other}"
            )));
        }
        self.inner
            .raft
            .add_learner(id, info, blocking)
            .await
            .map_err(client_write_error)?;
        Ok(())
    }

    /// Make `voters` the voter set (joint consensus, returns when the final config
    /// commits); former voters stay as learners. Must run on the leader; refused while
    /// another change is in progress.
    pub async fn set_voters(&self, voters: BTreeSet<NodeId>) -> Result<(), Error> {
        self.check_running()?;
        if voters.is_empty() {
            return Err(Error::Membership("a cluster needs a voter".into()));
        }
        self.inner
            .raft
            .change_membership(ChangeMembers::ReplaceAllVoters(voters), true)
            .await
            .map_err(client_write_error)?;
        Ok(())
    }

    /// Remove learners `ids` from the membership (voters must be demoted first). Must run
    /// on the leader.
    pub async fn remove_learners(&self, ids: BTreeSet<NodeId>) -> Result<(), Error> {
        self.check_running()?;
        self.inner
            .raft
            .change_membership(ChangeMembers::RemoveNodes(ids), false)
            .await
            .map_err(client_write_error)?;
        Ok(())
    }

    /// On the leader: the last log index each other member has matched (`None`: nothing
    /// yet). Empty on other nodes.
    pub fn replication(&self) -> BTreeMap<NodeId, Option<u64>> {
        let m = self.inner.raft.metrics();
        let m = m.borrow();
        m.replication
            .as_ref()
            .map(|r| r.iter().map(|(id, l)| (*id, l.map(|l| l.index))).collect())
            .unwrap_or_default()
    }

    /// Ask Raft to build a snapshot now (asynchronously; watch [`Status::snapshot`]).
    pub async fn trigger_snapshot(&self) -> Result<(), Error> {
        self.check_running()?;
        self.inner.raft.trigger().snapshot().await.map_err(fatal)
    }

    /// Handle one inbound Raft RPC: request bytes in, response bytes out.
    ///
    /// The bytes come from a peer's [`Transport::send`]. Malformed bytes are a
    /// [`Error::Codec`] and change nothing.
    pub async fn handle_rpc(&self, request: &[u8]) -> Result<Vec<u8>, Error> {
        self.check_running()?;
        let req: RpcRequest = raft_types::decode(request)?;
        let raft = &self.inner.raft;
        let resp = match req {
            RpcRequest::AppendEntries(r) => {
                RpcResponse::AppendEntries(raft.append_entries(r).await)
            }
            RpcRequest::Vote(r) => RpcResponse::Vote(raft.vote(r).await),
            RpcRequest::InstallSnapshot(r) => {
                RpcResponse::InstallSnapshot(raft.install_snapshot(r).await)
            }
        };
        raft_types::encode(&resp)
    }

    /// The membership config this node last saw.
    pub fn membership(&self) -> Membership {
        membership_of(&self.inner.raft.metrics().borrow().membership_config)
    }

    fn role_of(&self, m: &openraft::RaftMetrics<NodeId, NodeInfo>) -> Role {
        if m.running_state.is_err() || self.inner.stopped.load(Ordering::Acquire) {
            return Role::Shutdown;
        }
        match m.state {
            ServerState::Leader => Role::Leader,
            ServerState::Follower => Role::Follower,
            ServerState::Candidate => Role::Candidate,
            ServerState::Learner => Role::Learner,
            ServerState::Shutdown => Role::Shutdown,
        }
    }

    /// Role and term right now, without a round trip to the Raft core (cheap to poll).
    pub fn role(&self) -> (Role, u64) {
        let m = self.inner.raft.metrics();
        let m = m.borrow();
        (self.role_of(&m), m.current_term)
    }

    /// Resolves once this node's role is `role` (at once if it already is), or when Raft
    /// stops. No polling: it waits on Raft's metrics channel.
    pub async fn until_role(&self, role: Role) {
        let mut rx = self.inner.raft.metrics();
        loop {
            if self.role_of(&rx.borrow_and_update()) == role {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    }

    /// The leader this node knows of, without a round trip to the Raft core.
    pub fn leader(&self) -> Option<NodeId> {
        self.inner.raft.metrics().borrow().current_leader
    }

    /// This node's Raft state.
    pub async fn status(&self) -> Status {
        let m = self.inner.raft.metrics().borrow().clone();
        let state = self
            .inner
            .raft
            .with_raft_state(|st| st.committed.map(|c| c.index))
            .await;
        // A core that stopped without updating its metrics (e.g. it panicked) is shut down.
        let role = if state.is_err() {
            Role::Shutdown
        } else {
            self.role_of(&m)
        };
        let (committed, state_err) = match state {
            Ok(c) => (c, None),
            Err(e) => (None, Some(e.to_string())),
        };
        Status {
            id: self.inner.id,
            role,
            term: m.current_term,
            leader_id: m.current_leader,
            last_log_index: m.last_log_index,
            last_applied: m.last_applied.map(|l| l.index),
            committed,
            snapshot: m.snapshot.map(|l| l.index),
            purged: m.purged.map(|l| l.index),
            membership: membership_of(&m.membership_config),
            stopped_with: match (&m.running_state, state_err) {
                (Err(e), _) => Some(e.to_string()),
                (Ok(()), Some(e)) => Some(e),
                (Ok(()), None) => None,
            },
        }
    }

    /// Poll [`Node::status`] until `pred` holds or `timeout` passes.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        pred: impl Fn(&Status) -> bool,
    ) -> Result<Status, Error> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let st = self.status().await;
            if pred(&st) {
                return Ok(st);
            }
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(node = self.inner.id, status = ?st, "wait_until timed out");
                return Err(Error::Timeout(self.inner.id));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Stop Raft cleanly. Storage stays consistent; the node can be started again.
    pub async fn shutdown(&self) -> Result<(), Error> {
        if self.inner.stopped.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let res = self
            .inner
            .raft
            .shutdown()
            .await
            .map_err(|e| Error::Fatal(e.to_string()));
        // Release the log directory now, even if a straggling task still holds a handle.
        let log = self.inner.log.clone();
        tokio::task::spawn_blocking(move || log.close())
            .await
            .map_err(|e| Error::Fatal(e.to_string()))?;
        res
    }

    /// Fault injection: simulate a process kill with power loss. From this instant no
    /// write is acknowledged; Raft stops; log entries written but not yet fsynced are
    /// discarded, as a machine losing its page cache would. Start a new `Node` on the same
    /// directory to "reboot".
    pub async fn crash(&self) -> Result<(), Error> {
        self.inner.log.stop_acknowledging();
        self.inner.stopped.store(true, Ordering::Release);
        if let Err(e) = self.inner.raft.shutdown().await {
            tracing::warn!(node = self.inner.id, error = %e, "raft task ended abnormally");
        }
        let log = self.inner.log.clone();
        tokio::task::spawn_blocking(move || {
            let res = log.crash_and_discard_unsynced();
            log.close();
            res
        })
        .await
        .map_err(|e| Error::Fatal(e.to_string()))??;
        Ok(())
    }
}
