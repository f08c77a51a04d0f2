//! Peer-to-peer networking between member nodes (libp2p over TCP + Noise + Yamux).
//!
//! One task owns the libp2p swarm (`event_loop.rs`); a cloneable [`P2p`] handle talks to it
//! through a bounded mailbox with correlated one-shot replies. The node answers what the
//! network asks through the [`Inbound`] trait, which the swarm task never awaits: checks and
//! requests run in spawned tasks whose results come back through a second bounded channel.
//!
//! Only member nodes connect: node keys listed in [`Config::members`] are turned into libp2p
//! peer ids, and an allow list refuses every other peer right after the Noise handshake has
//! proven its identity. Transactions travel by gossipsub (validated by [`Inbound::check_gossip`]
//! before they are forwarded); Raft RPCs and forwarded transactions travel by request-response
//! on `/shuquan/rpc/1` as prost frames of bounded size.

mod behaviour;
mod codec;
mod config;
mod event_loop;
mod inbound;
mod raft_transport;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use shuquan_proto::PublicKey;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

pub use config::{
    Config, Peer, DEFAULT_MAX_ESTABLISHED_PER_PEER, DEFAULT_MAX_GOSSIP_BYTES,
    DEFAULT_MAX_PENDING_INCOMING, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_REDIAL_EVERY, DEFAULT_REQUEST_TIMEOUT,
};
pub use raft_transport::RaftTransport;

use crate::{Error, Result};
use event_loop::Command;

/// What the network asks of the node. Implemented by the node (ledger admission, Raft).
pub trait Inbound: Send + Sync + 'static {
    /// Check a gossiped transaction (TxRaw bytes) handed on by member node `from` (gossip
    /// is anonymous: `from` is the Noise-authenticated peer it came from). Runs on a
    /// runtime worker, so it must be quick (a signature check and cached reads) and never
    /// wait on the network. Answer
    /// [`Verdict::Reject`] only for transactions invalid on any state (bad signature or
    /// encoding); state-dependent failures should be [`Verdict::Ignore`], because a reject
    /// lowers the forwarding peer's gossip score.
    fn check_gossip(&self, from: &PublicKey, raw: &[u8]) -> Verdict;
    /// Serve a request from member node `from`. Bounded by [`Config::request_timeout`].
    fn request(&self, from: PublicKey, req: Request) -> BoxFuture<'static, Response>;
}

/// The outcome of checking a gossiped transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Valid: forward it to our mesh peers.
    Accept,
    /// Not forwarded, nobody penalised (e.g. already known).
    Ignore,
    /// Invalid: not forwarded, and the peer that sent it is penalised.
    Reject(String),
}

/// A request between member nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// An encoded Raft RPC.
    Raft(Vec<u8>),
    /// Transactions (TxRaw bytes) for the receiver's mempool.
    Txs(Vec<Vec<u8>>),
    /// The receiver's own signatures of blocks `after + 1 ..= after + max`.
    Signatures {
        /// The last height the asker has a certificate for.
        after: u64,
        /// Most signatures to answer with.
        max: u32,
    },
    /// The receiver's wall clock.
    Time,
    /// The receiver's node set.
    Nodes,
    /// Blocks `to + 1 - count ..= to` (block sync).
    Blocks {
        /// The highest block wanted.
        to: u64,
        /// How many.
        count: u32,
    },
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// The encoded Raft RPC response.
    Raft(Vec<u8>),
    /// How many forwarded transactions were queued.
    Queued(u32),
    /// The request could not be served; a human-readable reason.
    Error(String),
    /// Block signatures, in height order.
    Signatures(Vec<shuquan_proto::pb::BlockSignature>),
    /// The responder's wall clock, ms since the Unix epoch.
    Time(u64),
    /// Blocks, ascending (those the responder holds).
    Blocks(Vec<shuquan_proto::pb::RawBlock>),
    /// The responder's node set.
    Nodes(shuquan_proto::pb::NodeSet),
}

/// Why a request to a peer got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The peer could not be reached: not a member, no address, dial failed or refused, or it
    /// does not speak our protocol. Back off before retrying.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// No answer in time. It is not known whether the peer received and processed it.
    #[error("timed out")]
    Timeout,
    /// The connection closed or failed mid-request, or the frame was refused as too large.
    /// It is not known whether the peer processed it.
    #[error("network: {0}")]
    Network(String),
    /// The p2p task has stopped.
    #[error("p2p stopped")]
    Stopped,
}

/// Counters for `/metrics`, since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Gossiped transactions accepted (and forwarded).
    pub gossip_accepted: u64,
    /// Gossiped transactions rejected (invalid, or from a non-member).
    pub gossip_rejected: u64,
    /// Gossiped transactions ignored (already known, or we were too busy to check).
    pub gossip_ignored: u64,
    /// Connections refused: non-members and connection limits, both directions.
    pub refused_connections: u64,
    /// Requests received from peers.
    pub requests_in: u64,
    /// Requests to peers that returned an error.
    pub requests_out_failed: u64,
}

/// The shared counters behind [`Stats`].
#[derive(Debug, Default)]
struct Counters {
    gossip_accepted: AtomicU64,
    gossip_rejected: AtomicU64,
    gossip_ignored: AtomicU64,
    refused_connections: AtomicU64,
    requests_in: AtomicU64,
    requests_out_failed: AtomicU64,
}

impl Counters {
    fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> Stats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            gossip_accepted: get(&self.gossip_accepted),
            gossip_rejected: get(&self.gossip_rejected),
            gossip_ignored: get(&self.gossip_ignored),
            refused_connections: get(&self.refused_connections),
            requests_in: get(&self.requests_in),
            requests_out_failed: get(&self.requests_out_failed),
        }
    }
}

/// The libp2p peer id of a node key, as the logs show it (e.g. to find a node's refusals).
pub fn peer_id(key: &PublicKey) -> Result<String> {
    behaviour::peer_id_of(key)
        .map(|p| p.to_string())
        .map_err(Error::P2p)
}

/// Commands waiting for the swarm task at most; callers wait when it is full.
const MAILBOX: usize = 256;

/// The handle to the peer-to-peer layer. Cheap to clone; clones share the swarm task.
#[derive(Clone)]
pub struct P2p {
    inner: Arc<Shared>,
}

struct Shared {
    local: PublicKey,
    members: std::sync::RwLock<BTreeSet<PublicKey>>,
    commands: mpsc::Sender<Command>,
    stats: Arc<Counters>,
    peers: watch::Receiver<BTreeSet<PublicKey>>,
    task: tokio::sync::Mutex<Option<JoinHandle<()>>>,
}

impl fmt::Debug for P2p {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P2p({})", self.inner.local)
    }
}

impl P2p {
    /// Builds the swarm, listens, dials the peers and spawns the swarm task. Errors name what
    /// failed (an invalid setting, a bad multiaddr, an address in use).
    pub async fn start(cfg: Config, inbound: Arc<dyn Inbound>) -> Result<P2p> {
        cfg.validate()?;
        let stats = Arc::new(Counters::default());
        let (commands, mailbox) = mpsc::channel(MAILBOX);
        let (peers_tx, peers) = watch::channel(BTreeSet::new());
        let local = cfg.key.public();
        let members = std::sync::RwLock::new(cfg.members.iter().copied().collect());
        let event_loop =
            event_loop::EventLoop::new(&cfg, inbound, mailbox, peers_tx, stats.clone()).await?;
        let task = tokio::spawn(event_loop.run());
        Ok(P2p {
            inner: Arc::new(Shared {
                local,
                members,
                commands,
                stats,
                peers,
                task: tokio::sync::Mutex::new(Some(task)),
            }),
        })
    }

    /// Publishes TxRaw bytes (already validated locally) on the gossip topic. No subscribed
    /// peer (a single-node chain) and an already published transaction are not errors.
    pub async fn publish_tx(&self, raw: Vec<u8>) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Publish { data: raw, reply }).await?;
        answer.await.map_err(|_| Error::Stopped("p2p"))?
    }

    /// Sends one request to member node `to` and waits at most `timeout` (and at most
    /// [`Config::request_timeout`] on the wire) for the answer. Dials the node if it is not
    /// connected. Requests to non-members fail at once with [`RequestError::Unreachable`].
    pub async fn request(
        &self,
        to: PublicKey,
        req: Request,
        timeout: Duration,
    ) -> std::result::Result<Response, RequestError> {
        let result = self.request_inner(to, req, timeout).await;
        if result.is_err() {
            Counters::inc(&self.inner.stats.requests_out_failed);
        }
        result
    }

    async fn request_inner(
        &self,
        to: PublicKey,
        req: Request,
        timeout: Duration,
    ) -> std::result::Result<Response, RequestError> {
        if to == self.inner.local {
            return Err(RequestError::Unreachable(format!("{to} is this node")));
        }
        let member = self
            .inner
            .members
            .read()
            .map(|m| m.contains(&to))
            .unwrap_or(false);
        if !member {
            return Err(RequestError::Unreachable(format!("{to} is not a member")));
        }
        let (reply, answer) = oneshot::channel();
        let cmd = Command::Request { to, req, reply };
        match tokio::time::timeout(timeout, async {
            self.send(cmd).await.map_err(|_| RequestError::Stopped)?;
            answer.await.map_err(|_| RequestError::Stopped)?
        })
        .await
        {
            Ok(result) => result,
            Err(_) => Err(RequestError::Timeout),
        }
    }

    /// The member nodes are now `nodes` (the chain's node set): new ones are allowed and
    /// dialed, gone ones refused and disconnected.
    pub async fn set_nodes(&self, nodes: Vec<Peer>) -> Result<()> {
        if let Ok(mut m) = self.inner.members.write() {
            *m = nodes.iter().map(|n| n.node_key).collect();
        }
        self.send(Command::SetNodes { nodes }).await
    }

    /// Member nodes connected right now.
    pub fn peers(&self) -> Vec<PublicKey> {
        self.inner.peers.borrow().iter().copied().collect()
    }

    /// Counters for `/metrics`.
    pub fn stats(&self) -> Stats {
        self.inner.stats.snapshot()
    }

    /// The addresses we listen on, as multiaddrs (the real port when listening on port 0).
    /// Empty once stopped.
    pub async fn listen_addrs(&self) -> Vec<String> {
        let (reply, answer) = oneshot::channel();
        if self.send(Command::ListenAddrs { reply }).await.is_err() {
            return Vec::new();
        }
        answer.await.unwrap_or_default()
    }

    /// Stops the swarm task (closing all connections) and waits for it. Pending requests fail
    /// with [`RequestError::Stopped`]. Calling it again does nothing.
    pub async fn shutdown(&self) {
        let mut task = self.inner.task.lock().await;
        if let Some(handle) = task.take() {
            // The task may already have stopped; then there is nobody to tell.
            let _ = self.inner.commands.send(Command::Shutdown).await;
            if let Err(e) = handle.await {
                tracing::error!(error = %e, "p2p task ended abnormally");
            }
        }
    }

    /// The number of peers subscribed to our gossip topic (for tests waiting for gossip).
    #[cfg(test)]
    pub(crate) async fn gossip_peers(&self) -> usize {
        let (reply, answer) = oneshot::channel();
        if self.send(Command::GossipPeers { reply }).await.is_err() {
            return 0;
        }
        answer.await.unwrap_or_default()
    }

    async fn send(&self, cmd: Command) -> Result<()> {
        self.inner
            .commands
            .send(cmd)
            .await
            .map_err(|_| Error::Stopped("p2p"))
    }
}
