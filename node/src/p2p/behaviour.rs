//! The libp2p behaviour and swarm of a member node, and the mapping from Shuquan node keys to
//! libp2p identities.
//!
//! Field order matters: `#[derive(NetworkBehaviour)]` asks each field in declaration order
//! whether to accept a connection, so the allow list vetoes non-members before any other
//! behaviour builds a handler for them; the connection limits come next.

use std::collections::HashSet;
use std::time::Duration;

use libp2p::swarm::NetworkBehaviour;
use libp2p::{
    allow_block_list, connection_limits, gossipsub, identify, identity, noise, request_response,
    tcp, yamux, Multiaddr, PeerId, Swarm, SwarmBuilder,
};
use shuquan_proto::{Keypair, PublicKey};

use super::codec::{self, Codec};
use super::Config;
use crate::{Error, Result};

/// Connections stay open this long without traffic: members should stay connected.
const IDLE_TIMEOUT: Duration = Duration::from_secs(3600);

/// The identify protocol version; a peer announcing another one is logged.
pub(super) const PROTOCOL_VERSION: &str = "/shuquan/1.0.0";

/// BLAKE3 context of gossip message ids (content addressed: the same transaction published
/// twice, by anyone, is one message). Never part of the chain, so BLAKE3 on every chain.
const MESSAGE_ID_CONTEXT: &str = shuquan_proto::hash::domain::GOSSIP_MESSAGE_ID;

/// Mesh degree. A chain of 3 to 7 members has at most 6 peers, so with D = 6 every
/// subscribed member ends up in the mesh and gossip reaches everyone in one hop.
const MESH_N: usize = 6;
/// Below this many mesh peers, new subscribers are grafted at once.
const MESH_N_LOW: usize = 4;
/// Above this many mesh peers, the mesh is pruned.
const MESH_N_HIGH: usize = 12;
/// Outbound mesh peers to keep (must be ≤ D/2 and ≤ D_low).
const MESH_OUTBOUND_MIN: usize = 2;
/// The first heartbeat comes sooner than libp2p's 5 s so the mesh forms quickly.
const HEARTBEAT_INITIAL_DELAY: Duration = Duration::from_secs(1);

/// The libp2p behaviours of a node, in veto order.
#[derive(NetworkBehaviour)]
pub(super) struct Behaviour {
    /// Members only; refuses every other authenticated peer.
    pub(super) allow: allow_block_list::Behaviour<allow_block_list::AllowedPeers>,
    /// Pending (unauthenticated) incoming connections, and connections per peer.
    pub(super) limits: connection_limits::Behaviour,
    /// Protocol version exchange (a cheap mismatch check, not authorisation).
    pub(super) identify: identify::Behaviour,
    /// Transaction propagation.
    pub(super) gossip:
        gossipsub::Behaviour<gossipsub::IdentityTransform, gossipsub::WhitelistSubscriptionFilter>,
    /// Raft RPCs and forwarded transactions.
    pub(super) rpc: request_response::Behaviour<Codec>,
}

/// The libp2p identity of this node: the same ed25519 seed as its node key.
pub(super) fn local_keypair(key: &Keypair) -> Result<identity::Keypair, String> {
    let seed = key.secret_seed().map_err(|e| e.to_string())?;
    identity::Keypair::ed25519_from_bytes(seed)
        .map_err(|e| format!("node key is not a usable ed25519 key: {e}"))
}

/// The libp2p peer id of a node key.
pub(super) fn peer_id_of(key: &PublicKey) -> Result<PeerId, String> {
    let ed = identity::ed25519::PublicKey::try_from_bytes(key.as_bytes())
        .map_err(|e| format!("node key {key} is not a libp2p ed25519 key: {e}"))?;
    Ok(PeerId::from_public_key(&identity::PublicKey::from(ed)))
}

/// The swarm of this node (TCP, Noise, Yamux and [`Behaviour`], long idle timeout), listening
/// on [`Config::listen`].
pub(super) fn build_swarm(
    local_key: identity::Keypair,
    cfg: &Config,
    members: Vec<PeerId>,
    topic: &gossipsub::IdentTopic,
) -> Result<Swarm<Behaviour>> {
    let mut swarm = SwarmBuilder::with_existing_identity(local_key)
        .with_tokio()
        .with_tcp(
            tcp::Config::default(),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| Error::P2p(format!("noise: {e}")))?
        .with_behaviour(|key| {
            build(key, cfg, members, topic)
                .map_err(Box::<dyn std::error::Error + Send + Sync>::from)
        })
        .map_err(|e| Error::P2p(format!("behaviour: {e}")))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_TIMEOUT))
        .build();
    let listen: Multiaddr = cfg
        .listen
        .parse()
        .map_err(|e| Error::P2p(format!("listen address {:?}: {e}", cfg.listen)))?;
    refuse_port_in_use(&listen, &cfg.listen)?;
    swarm
        .listen_on(listen)
        .map_err(|e| Error::P2p(format!("cannot listen on {}: {e}", cfg.listen)))?;
    Ok(swarm)
}

/// The node key inside an ed25519 peer id (hex), for logs about peers that are not members.
pub(super) fn node_key_of(peer: &PeerId) -> Option<String> {
    let hash: &libp2p::multihash::Multihash<64> = peer.as_ref();
    if hash.code() != 0 {
        return None; // not an identity multihash: the key is not inside
    }
    let key = identity::PublicKey::try_decode_protobuf(hash.digest()).ok()?;
    Some(hex::encode(key.try_into_ed25519().ok()?.to_bytes()))
}

/// Builds the behaviour for `key`, allowing `members` and subscribed to `topic`.
fn build(
    key: &identity::Keypair,
    cfg: &Config,
    members: impl IntoIterator<Item = PeerId>,
    topic: &gossipsub::IdentTopic,
) -> Result<Behaviour, String> {
    let mut allow = allow_block_list::Behaviour::<allow_block_list::AllowedPeers>::default();
    for peer in members {
        allow.allow_peer(peer);
    }

    let limits = connection_limits::Behaviour::new(
        connection_limits::ConnectionLimits::default()
            .with_max_pending_incoming(Some(cfg.max_pending_incoming))
            .with_max_established_per_peer(Some(cfg.max_established_per_peer)),
    );

    let identify =
        identify::Behaviour::new(identify::Config::new(PROTOCOL_VERSION.into(), key.public()));

    let mut gossip = gossipsub::Behaviour::new_with_subscription_filter(
        // Messages carry no author and no signature of their own: the transaction inside
        // is signed by its members, and the node that hands a message on is known from
        // its Noise-authenticated connection, which only member nodes may hold. Signing
        // every message cost an ed25519 signature per publish and a verification per
        // receipt on every node.
        gossipsub::MessageAuthenticity::Anonymous,
        gossip_config(cfg.max_gossip_bytes)?,
        gossipsub::WhitelistSubscriptionFilter(HashSet::from([topic.hash()])),
    )
    .map_err(|e| format!("gossipsub: {e}"))?;
    let (params, thresholds) = score_params(topic);
    gossip
        .with_peer_score(params, thresholds)
        .map_err(|e| format!("gossipsub peer score: {e}"))?;
    gossip
        .subscribe(topic)
        .map_err(|e| format!("gossipsub subscribe to {topic}: {e}"))?;

    let rpc = request_response::Behaviour::with_codec(
        Codec {
            max_request: cfg.max_request_bytes,
            max_response: cfg.max_response_bytes,
        },
        [(codec::PROTOCOL, request_response::ProtocolSupport::Full)],
        request_response::Config::default().with_request_timeout(cfg.request_timeout),
    );

    Ok(Behaviour {
        allow,
        limits,
        identify,
        gossip,
        rpc,
    })
}

/// Gossipsub settings: anonymous messages (no author, sequence number or signature; see
/// `build`), forwarded only once the node has validated them, content-addressed ids, mesh
/// sized for 3 to 7 members.
fn gossip_config(max_transmit: usize) -> Result<gossipsub::Config, String> {
    // libp2p 0.50's `build()` checks the mesh parameters only for topics with their own
    // settings, so check the defaults here.
    if !(MESH_OUTBOUND_MIN <= MESH_N_LOW
        && MESH_N_LOW <= MESH_N
        && MESH_N <= MESH_N_HIGH
        && MESH_OUTBOUND_MIN * 2 <= MESH_N)
    {
        return Err("gossipsub mesh parameters are inconsistent".into());
    }
    gossipsub::ConfigBuilder::default()
        .validation_mode(gossipsub::ValidationMode::Anonymous)
        .validate_messages()
        .max_transmit_size(max_transmit)
        .message_id_fn(|m: &gossipsub::Message| {
            let hash = shuquan_proto::hash::Hashing::BLAKE3.tagged(MESSAGE_ID_CONTEXT, &[&m.data]);
            gossipsub::MessageId::from(hash.as_bytes().to_vec())
        })
        .mesh_n(MESH_N)
        .mesh_n_low(MESH_N_LOW)
        .mesh_n_high(MESH_N_HIGH)
        .mesh_outbound_min(MESH_OUTBOUND_MIN)
        .gossip_lazy(MESH_N)
        .heartbeat_initial_delay(HEARTBEAT_INITIAL_DELAY)
        .build()
        .map_err(|e| format!("gossipsub config: {e}"))
}

/// Peer scoring that only punishes invalid messages.
///
/// libp2p's default topic parameters reward time in the mesh (up to +1800) and punish mesh
/// peers that deliver fewer than 20 messages per window, which suits busy public networks,
/// not a quiet permissioned chain. Here: each rejected message adds 1 to a counter that decays
/// by 10 % a second and costs `counter²` points; first deliveries earn at most +10. At about
/// −1 a peer leaves our mesh (messages still flow by flood publishing), at −10 we stop
/// gossiping to it, at −50 we stop publishing to it and at −80 (some 9 invalid messages in
/// quick succession) we ignore it. No IP colocation penalty: several members may share a host.
fn score_params(
    topic: &gossipsub::IdentTopic,
) -> (gossipsub::PeerScoreParams, gossipsub::PeerScoreThresholds) {
    let topic_params = gossipsub::TopicScoreParams {
        topic_weight: 1.0,
        time_in_mesh_weight: 0.0,
        first_message_deliveries_weight: 0.1,
        first_message_deliveries_decay: 0.9,
        first_message_deliveries_cap: 100.0,
        mesh_message_deliveries_weight: 0.0,
        mesh_failure_penalty_weight: 0.0,
        invalid_message_deliveries_weight: -1.0,
        invalid_message_deliveries_decay: 0.9,
        ..Default::default()
    };
    let mut params = gossipsub::PeerScoreParams {
        topic_score_cap: 10.0,
        ip_colocation_factor_weight: 0.0,
        ..Default::default()
    };
    params.topics.insert(topic.hash(), topic_params);
    (params, gossipsub::PeerScoreThresholds::default())
}

/// Fails if another socket already listens on the TCP port of `listen`.
///
/// libp2p-tcp sets `SO_REUSEPORT` on its listeners, so binding a port another node (with the
/// same user) already listens on succeeds and the kernel splits connections between the two.
/// A plain bind first turns that into the error an operator expects.
fn refuse_port_in_use(listen: &Multiaddr, text: &str) -> Result<()> {
    use libp2p::multiaddr::Protocol;
    let mut ip = None;
    let mut port = None;
    for part in listen.iter() {
        match part {
            Protocol::Ip4(a) => ip = Some(std::net::IpAddr::V4(a)),
            Protocol::Ip6(a) => ip = Some(std::net::IpAddr::V6(a)),
            Protocol::Tcp(p) => port = Some(p),
            _ => {}
        }
    }
    let (Some(ip), Some(port)) = (ip, port) else {
        return Ok(()); // not IP + TCP: `listen_on` reports it
    };
    if port == 0 {
        return Ok(());
    }
    match std::net::TcpListener::bind((ip, port)) {
        Ok(_probe) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(Error::P2p(format!(
            "cannot listen on {text}: address already in use (is another node running?); \
             choose another port"
        ))),
        Err(e) => Err(Error::P2p(format!("cannot listen on {text}: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn node_key_and_libp2p_identity_agree() {
        let key = Keypair::from_seed([9; 32]).unwrap();
        let local = local_keypair(&key).unwrap();
        assert_eq!(
            local.public().to_peer_id(),
            peer_id_of(&key.public()).unwrap()
        );
    }

    #[test]
    fn gossip_and_score_settings_are_valid() {
        gossip_config(64 * 1024).unwrap();
        let (params, thresholds) = score_params(&gossipsub::IdentTopic::new("t"));
        params.validate().unwrap();
        thresholds.validate().unwrap();
    }
}
