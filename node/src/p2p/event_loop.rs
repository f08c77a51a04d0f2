//! The task that owns the libp2p swarm. It reads commands from the [`super::P2p`] handles,
//! swarm events, a redial timer and the results of work it spawned; it never awaits the
//! node. Connection bookkeeping (members connected, refusals, dialing) lives here; gossip and
//! request handling in [`super::inbound`].

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{ConnectionDenied, DialError, ListenError, SwarmEvent};
use libp2p::{
    allow_block_list, connection_limits, gossipsub, request_response, Multiaddr, PeerId, Swarm,
};
use shuquan_proto::PublicKey;
use tokio::sync::{mpsc, oneshot, watch};

use super::behaviour::{self, Behaviour, BehaviourEvent};
use super::inbound::Done;
use super::{Config, Counters, Inbound, Request, RequestError, Response};
use crate::{Error, Result};

/// How long [`EventLoop::new`] waits for the listener to report its address.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(10);
/// Spawned checks and requests in flight at most; beyond it gossip is ignored and requests
/// are answered "busy". Also the capacity of the channel that brings their results back, so
/// a finished task never waits for room.
pub(super) const MAX_IN_FLIGHT: usize = 256;

/// What a [`super::P2p`] handle asks of the swarm task.
pub(super) enum Command {
    /// Publish a transaction on the gossip topic.
    Publish {
        data: Vec<u8>,
        reply: oneshot::Sender<Result<()>>,
    },
    /// Send a request to a member.
    Request {
        to: PublicKey,
        req: Request,
        reply: oneshot::Sender<Result<Response, RequestError>>,
    },
    /// The addresses we listen on.
    ListenAddrs { reply: oneshot::Sender<Vec<String>> },
    /// The member nodes are now these (the chain's node set changed): allow and dial the
    /// new ones, refuse and disconnect the gone ones.
    SetNodes { nodes: Vec<super::Peer> },
    /// The number of peers subscribed to our topic.
    #[cfg(test)]
    GossipPeers { reply: oneshot::Sender<usize> },
    /// Stop the task.
    Shutdown,
}

/// The state of the swarm task.
pub(super) struct EventLoop {
    pub(super) swarm: Swarm<Behaviour>,
    commands: mpsc::Receiver<Command>,
    pub(super) done_tx: mpsc::Sender<Done>,
    done_rx: mpsc::Receiver<Done>,
    pub(super) inbound: Arc<dyn Inbound>,
    /// Member peer ids and their node keys.
    pub(super) members: HashMap<PeerId, PublicKey>,
    /// Configured peers to keep connected.
    dial_list: HashMap<PeerId, Multiaddr>,
    pub(super) topic: gossipsub::IdentTopic,
    /// Outbound requests waiting for their answer.
    pending: HashMap<request_response::OutboundRequestId, PendingReply>,
    connected: watch::Sender<BTreeSet<PublicKey>>,
    pub(super) stats: Arc<Counters>,
    listen_addrs: Vec<Multiaddr>,
    /// Spawned checks and requests not yet finished.
    pub(super) in_flight: usize,
    pub(super) max_request_bytes: usize,
    pub(super) max_response_bytes: usize,
    pub(super) request_timeout: Duration,
    redial_every: Duration,
}

type PendingReply = oneshot::Sender<Result<Response, RequestError>>;

impl EventLoop {
    /// Builds the swarm, listens, waits for the listen address and dials the peers.
    pub(super) async fn new(
        cfg: &Config,
        inbound: Arc<dyn Inbound>,
        commands: mpsc::Receiver<Command>,
        connected: watch::Sender<BTreeSet<PublicKey>>,
        stats: Arc<Counters>,
    ) -> Result<Self> {
        let p2p = Error::P2p;
        let local_key = behaviour::local_keypair(&cfg.key).map_err(p2p)?;
        let me = cfg.key.public();
        let mut members = HashMap::new();
        for key in cfg.members.iter().filter(|k| **k != me) {
            members.insert(behaviour::peer_id_of(key).map_err(p2p)?, *key);
        }
        let mut dial_list = HashMap::new();
        for peer in cfg.peers.iter().filter(|p| p.node_key != me) {
            let addr: Multiaddr = peer
                .addr
                .parse()
                .map_err(|e| Error::P2p(format!("peer address {:?}: {e}", peer.addr)))?;
            dial_list.insert(behaviour::peer_id_of(&peer.node_key).map_err(p2p)?, addr);
        }
        let topic = gossipsub::IdentTopic::new(cfg.topic.clone());
        let allowed: Vec<PeerId> = members.keys().copied().collect();

        let swarm = behaviour::build_swarm(local_key, cfg, allowed, &topic)?;

        let (done_tx, done_rx) = mpsc::channel(MAX_IN_FLIGHT);
        let mut event_loop = EventLoop {
            swarm,
            commands,
            done_tx,
            done_rx,
            inbound,
            members,
            dial_list,
            topic,
            pending: HashMap::new(),
            connected,
            stats,
            listen_addrs: Vec::new(),
            in_flight: 0,
            max_request_bytes: cfg.max_request_bytes,
            max_response_bytes: cfg.max_response_bytes,
            request_timeout: cfg.request_timeout,
            redial_every: cfg.redial_every,
        };
        event_loop.wait_listening(&cfg.listen).await?;
        for (peer, addr) in &event_loop.dial_list {
            event_loop.swarm.add_peer_address(*peer, addr.clone());
        }
        event_loop.redial();
        Ok(event_loop)
    }

    /// Drives the swarm until [`Command::Shutdown`] or until every handle is gone.
    pub(super) async fn run(mut self) {
        let mut redial = tokio::time::interval(self.redial_every);
        redial.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        redial.reset();
        loop {
            tokio::select! {
                biased;
                Some(done) = self.done_rx.recv() => self.on_done(done),
                cmd = self.commands.recv() => match cmd {
                    Some(Command::Shutdown) | None => break,
                    Some(cmd) => self.on_command(cmd),
                },
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                _ = redial.tick() => self.redial(),
            }
        }
        tracing::info!("p2p stopped");
        // Dropping the swarm closes the connections; dropping `pending` fails waiting requests.
    }

    async fn wait_listening(&mut self, listen: &str) -> Result<()> {
        let deadline = tokio::time::Instant::now() + LISTEN_TIMEOUT;
        while self.listen_addrs.is_empty() {
            let event = tokio::time::timeout_at(deadline, self.swarm.select_next_some())
                .await
                .map_err(|_| Error::P2p(format!("no listen address for {listen} in time")))?;
            match event {
                SwarmEvent::ListenerClosed { reason: Err(e), .. }
                | SwarmEvent::ListenerError { error: e, .. } => {
                    return Err(Error::P2p(format!("cannot listen on {listen}: {e}")));
                }
                other => self.on_swarm_event(other),
            }
        }
        Ok(())
    }

    fn on_command(&mut self, cmd: Command) {
        match cmd {
            Command::Publish { data, reply } => {
                let _ = reply.send(self.publish(data));
            }
            Command::Request { to, req, reply } => self.send_request(to, req, reply),
            Command::ListenAddrs { reply } => {
                let _ = reply.send(self.listen_addrs.iter().map(|a| a.to_string()).collect());
            }
            Command::SetNodes { nodes } => self.set_nodes(nodes),
            #[cfg(test)]
            Command::GossipPeers { reply } => {
                let hash = self.topic.hash();
                let gossip = &self.swarm.behaviour().gossip;
                let n = gossip
                    .all_peers()
                    .filter(|(_, t)| t.contains(&&hash))
                    .count();
                let _ = reply.send(n);
            }
            Command::Shutdown => {}
        }
    }

    fn publish(&mut self, data: Vec<u8>) -> Result<()> {
        let len = data.len();
        match self
            .swarm
            .behaviour_mut()
            .gossip
            .publish(self.topic.clone(), data)
        {
            Ok(id) => {
                tracing::debug!(message_id = %id, bytes = len, "published transaction");
                Ok(())
            }
            Err(gossipsub::PublishError::NoPeersSubscribedToTopic) => {
                tracing::debug!("no peer subscribed to the transaction topic yet");
                Ok(())
            }
            Err(gossipsub::PublishError::Duplicate) => {
                tracing::debug!("transaction already published");
                Ok(())
            }
            Err(gossipsub::PublishError::MessageTooLarge) => Err(Error::P2p(format!(
                "a transaction of {len} bytes does not fit in a gossip frame; \
                 raise max_gossip_bytes"
            ))),
            Err(e) => Err(Error::P2p(format!("publish: {e}"))),
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Gossip(e)) => self.on_gossip(e),
            SwarmEvent::Behaviour(BehaviourEvent::Rpc(e)) => self.on_rpc(e),
            SwarmEvent::Behaviour(BehaviourEvent::Identify(e)) => super::inbound::on_identify(e),
            SwarmEvent::Behaviour(BehaviourEvent::Allow(never)) => match never {},
            SwarmEvent::Behaviour(BehaviourEvent::Limits(never)) => match never {},
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                ..
            } => {
                let Some(key) = self.members.get(&peer_id).copied() else {
                    return;
                };
                if num_established.get() == 1 {
                    tracing::info!(peer = %peer_id, node_key = %key,
                        addr = %endpoint.get_remote_address(), "connected to member");
                    self.connected.send_modify(|set| {
                        set.insert(key);
                    });
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                cause,
                ..
            } => {
                let Some(key) = self.members.get(&peer_id).copied() else {
                    return;
                };
                let cause = cause
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "closed".into());
                tracing::info!(peer = %peer_id, node_key = %key, %cause,
                    "disconnected from member");
                self.connected.send_modify(|set| {
                    set.remove(&key);
                });
            }
            SwarmEvent::IncomingConnectionError {
                send_back_addr,
                error,
                peer_id,
                ..
            } => match error {
                ListenError::Denied { cause } => {
                    self.refused(peer_id, &send_back_addr.to_string(), &cause, "from")
                }
                other => tracing::debug!(addr = %send_back_addr, error = %other,
                        "incoming connection failed"),
            },
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => match error {
                DialError::Denied { cause } => self.refused(peer_id, "-", &cause, "to"),
                other => {
                    let peer = peer_id.map(|p| p.to_string()).unwrap_or_default();
                    tracing::debug!(%peer, error = %other, "dial failed");
                }
            },
            SwarmEvent::NewListenAddr { address, .. } => {
                tracing::info!(addr = %address, "p2p listening");
                self.listen_addrs.push(address);
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                self.listen_addrs.retain(|a| *a != address);
            }
            SwarmEvent::ListenerClosed { reason: Err(e), .. }
            | SwarmEvent::ListenerError { error: e, .. } => {
                tracing::warn!(error = %e, "p2p listener failed");
            }
            _ => {}
        }
    }

    /// Logs and counts a connection one of our behaviours refused.
    fn refused(&self, peer: Option<PeerId>, addr: &str, cause: &ConnectionDenied, dir: &str) {
        Counters::inc(&self.stats.refused_connections);
        let node_key = peer
            .as_ref()
            .and_then(behaviour::node_key_of)
            .unwrap_or_default();
        let peer = peer
            .map(|p| p.to_string())
            .unwrap_or_else(|| "unknown".into());
        if cause
            .downcast_ref::<allow_block_list::NotAllowed>()
            .is_some()
        {
            tracing::warn!(%peer, %node_key, %addr,
                "refused connection {dir} a node that is not a member");
        } else if let Some(limit) = cause.downcast_ref::<connection_limits::Exceeded>() {
            tracing::warn!(%peer, %node_key, %addr, limit = limit.limit(),
                "refused connection {dir} a node: connection limit reached");
        } else {
            tracing::warn!(%peer, %node_key, %addr, %cause, "refused connection {dir} a node");
        }
    }

    /// Follows the chain's node set: new nodes are allowed and dialed (a configured
    /// address stays as configured), gone ones are refused, which closes their connections
    /// (allow first, refuse last: the chain removes a node only after it stops counting).
    fn set_nodes(&mut self, nodes: Vec<super::Peer>) {
        let me = *self.swarm.local_peer_id();
        let mut next = HashMap::new();
        for n in &nodes {
            let Ok(peer) = behaviour::peer_id_of(&n.node_key) else {
                continue;
            };
            if peer == me {
                continue;
            }
            next.insert(peer, n.node_key);
            if !self.members.contains_key(&peer) {
                self.swarm.behaviour_mut().allow.allow_peer(peer);
                tracing::info!(node_key = %n.node_key, addr = %n.addr, "a node joined the chain: allowed");
            }
            if !self.dial_list.contains_key(&peer) {
                if let Ok(addr) = n.addr.parse::<Multiaddr>() {
                    self.swarm.add_peer_address(peer, addr.clone());
                    self.dial_list.insert(peer, addr);
                }
            }
        }
        let gone: Vec<PeerId> = self
            .members
            .keys()
            .filter(|p| !next.contains_key(p))
            .copied()
            .collect();
        for peer in gone {
            self.swarm.behaviour_mut().allow.disallow_peer(peer);
            self.dial_list.remove(&peer);
            // Its connections close after this; no longer a member, their events are
            // ignored, so it leaves the connected set here.
            if let Some(key) = self.members.get(&peer).copied() {
                self.connected.send_modify(|set| {
                    set.remove(&key);
                });
            }
            tracing::info!(%peer, "a node left the chain: refused and disconnected");
        }
        self.members = next;
        self.redial();
    }

    /// Dials every configured peer that is neither connected nor being dialed.
    fn redial(&mut self) {
        for (peer, addr) in &self.dial_list {
            if self.swarm.is_connected(peer) {
                continue;
            }
            let opts = DialOpts::peer_id(*peer)
                .addresses(vec![addr.clone()])
                .condition(PeerCondition::DisconnectedAndNotDialing)
                .build();
            if let Err(e) = self.swarm.dial(opts) {
                tracing::debug!(%peer, %addr, error = %e, "cannot dial");
            }
        }
    }

    fn send_request(&mut self, to: PublicKey, req: Request, reply: PendingReply) {
        let frame = super::codec::encode_request(req);
        let len = prost::Message::encoded_len(&frame);
        if len > self.max_request_bytes {
            let e = format!(
                "request of {len} bytes over max_request_bytes {}",
                self.max_request_bytes
            );
            let _ = reply.send(Err(RequestError::Network(e)));
            return;
        }
        let peer = match behaviour::peer_id_of(&to) {
            Ok(peer) => peer,
            Err(e) => {
                let _ = reply.send(Err(RequestError::Unreachable(e)));
                return;
            }
        };
        let addrs = self.dial_list.get(&peer).cloned().into_iter().collect();
        let rpc = &mut self.swarm.behaviour_mut().rpc;
        let id = rpc.send_request_with_addresses(&peer, frame, addrs);
        self.pending.insert(id, reply);
    }

    /// Resolves an outbound request.
    pub(super) fn answer(
        &mut self,
        id: request_response::OutboundRequestId,
        result: Result<Response, RequestError>,
    ) {
        if let Some(reply) = self.pending.remove(&id) {
            // The caller may have given up (timeout); then nobody listens.
            let _ = reply.send(result);
        }
    }
}
