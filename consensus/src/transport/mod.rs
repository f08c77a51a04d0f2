//! How Raft RPCs travel: the [`Transport`] trait a network implements, the byte encoding of
//! requests and responses, the openraft network adapter, and an in-memory transport with
//! fault injection for tests.
//!
//! A transport only moves bytes: the sender gets an encoded request from this crate and
//! returns the encoded response; the receiver passes request bytes to
//! [`crate::Node::handle_rpc`] and sends back what it returns.

mod memory;
mod network;
pub(crate) mod wire;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub use memory::{MemNetwork, NetFaults};
pub(crate) use network::NetworkFactory;

use crate::error::Error;
use crate::types::{NodeId, NodeInfo};

/// A boxed, sendable future (keeps [`Transport`] object safe).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Carries one Raft RPC to a peer and brings back its answer.
///
/// Errors tell openraft how to retry: [`Error::Unreachable`] (peer down or refused: back
/// off), [`Error::Timeout`] (no answer in `timeout`; the peer may or may not have
/// processed the request), anything else (retry at once). Implementations must talk to
/// the node that owns `target_info.node_key` and no other (e.g. dial by PeerId over Noise).
pub trait Transport: Send + Sync + 'static {
    /// Send `request` from node `from` to node `target` and return the response bytes.
    fn send(
        &self,
        from: NodeId,
        target: NodeId,
        target_info: &NodeInfo,
        request: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'static, Result<Vec<u8>, Error>>;
}
