//! The settings of the p2p layer ([`Config`]), their defaults and why, and their validation.

use std::time::Duration;

use shuquan_proto::{Keypair, PublicKey};

use crate::{Error, Result};

/// Default [`Config::max_gossip_bytes`]: twice the default `max_tx_bytes` (64 KiB), leaving
/// room for gossipsub's framing (signature, key, topic) and for a genesis that raises it.
pub const DEFAULT_MAX_GOSSIP_BYTES: usize = 128 * 1024;
/// Default [`Config::max_request_bytes`]: an AppendEntries of eight blocks of up to 4 MiB
/// (`raft.max_payload_entries`), or a batch of forwarded transactions, with room.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 40 * 1024 * 1024;
/// Default [`Config::max_response_bytes`]: as large as a request (a node's configuration sets
/// both from `p2p.max_frame_bytes`); it bounds what a member can make us buffer.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 40 * 1024 * 1024;
/// Default [`Config::request_timeout`].
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Default [`Config::max_pending_incoming`]: a 7-member chain has at most 6 honest inbound
/// handshakes at once; 32 leaves room for reconnect storms and bounds what strangers can
/// hold open before the allow list sees their peer id.
pub const DEFAULT_MAX_PENDING_INCOMING: u32 = 32;
/// Default [`Config::max_established_per_peer`]: 2, because two members that dial each other
/// at the same moment end up with one connection each way; a limit of 1 would refuse one.
pub const DEFAULT_MAX_ESTABLISHED_PER_PEER: u32 = 2;
/// Default [`Config::redial_every`].
pub const DEFAULT_REDIAL_EVERY: Duration = Duration::from_secs(1);

/// Settings of the peer-to-peer layer. [`Config::new`] fills in the defaults.
#[derive(Debug, Clone)]
pub struct Config {
    /// This node's ed25519 node key; its libp2p identity derives from the same seed.
    pub key: Keypair,
    /// Where to listen, a multiaddr such as `/ip4/0.0.0.0/tcp/7100` (port 0: any free port).
    pub listen: String,
    /// Other member nodes to dial and keep connected (this node may appear: it is skipped).
    pub peers: Vec<Peer>,
    /// Node keys allowed to connect. Every other peer is refused after the handshake.
    pub members: Vec<PublicKey>,
    /// Gossip topic name, e.g. `shuquan/<chain_id>/tx/1`.
    pub topic: String,
    /// Largest gossipsub frame (gossipsub `max_transmit_size`): the transaction plus ~200
    /// bytes of gossipsub framing.
    pub max_gossip_bytes: usize,
    /// Largest request frame read from a peer (and sent to one).
    pub max_request_bytes: usize,
    /// Largest response frame read from a peer (and sent to one).
    pub max_response_bytes: usize,
    /// How long a request may take on the wire, both ways (request-response timeout).
    pub request_timeout: Duration,
    /// Connections still in the handshake (peer not yet authenticated) accepted at once.
    pub max_pending_incoming: u32,
    /// Established connections to or from one peer.
    pub max_established_per_peer: u32,
    /// How often configured peers that are not connected are dialed again.
    pub redial_every: Duration,
}

/// A member node to dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Its ed25519 node key.
    pub node_key: PublicKey,
    /// Its address, a multiaddr such as `/ip4/10.0.0.2/tcp/7100`.
    pub addr: String,
}

impl Config {
    /// A config with the default limits, no peers and no members but this node.
    pub fn new(key: Keypair, listen: impl Into<String>, topic: impl Into<String>) -> Self {
        let me = key.public();
        Self {
            key,
            listen: listen.into(),
            peers: Vec::new(),
            members: vec![me],
            topic: topic.into(),
            max_gossip_bytes: DEFAULT_MAX_GOSSIP_BYTES,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_pending_incoming: DEFAULT_MAX_PENDING_INCOMING,
            max_established_per_peer: DEFAULT_MAX_ESTABLISHED_PER_PEER,
            redial_every: DEFAULT_REDIAL_EVERY,
        }
    }

    /// Checks the settings; the error names the setting and what to do.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str, why: String| Err(Error::P2p(format!("{what}: {why}")));
        if let Err(e) = self.listen.parse::<libp2p::Multiaddr>() {
            return bad(
                "listen",
                format!("{:?} is not a multiaddr ({e})", self.listen),
            );
        }
        for p in &self.peers {
            let addr = match p.addr.parse::<libp2p::Multiaddr>() {
                Ok(addr) => addr,
                Err(e) => return bad("peers", format!("{:?} is not a multiaddr ({e})", p.addr)),
            };
            let named = addr.iter().find_map(|part| match part {
                libp2p::multiaddr::Protocol::P2p(id) => Some(id),
                _ => None,
            });
            if let Some(named) = named {
                if Ok(named) != super::behaviour::peer_id_of(&p.node_key) {
                    return bad(
                        "peers",
                        format!(
                            "{:?} names another peer than node key {}",
                            p.addr, p.node_key
                        ),
                    );
                }
            }
            if p.node_key != self.key.public() && !self.members.contains(&p.node_key) {
                return bad(
                    "peers",
                    format!("{} is not a member; add it to the members", p.node_key),
                );
            }
        }
        if self.topic.trim().is_empty() {
            return bad("topic", "must not be empty".into());
        }
        for (what, value) in [
            ("max_gossip_bytes", self.max_gossip_bytes),
            ("max_request_bytes", self.max_request_bytes),
            ("max_response_bytes", self.max_response_bytes),
        ] {
            if value < 1024 {
                return bad(what, format!("{value} bytes, must be at least 1024"));
            }
        }
        for (what, value) in [
            ("request_timeout", self.request_timeout),
            ("redial_every", self.redial_every),
        ] {
            if value.is_zero() {
                return bad(what, "must be longer than zero".into());
            }
        }
        if self.max_pending_incoming == 0 || self.max_established_per_peer == 0 {
            return bad("connection limits", "must be at least 1".into());
        }
        Ok(())
    }
}
