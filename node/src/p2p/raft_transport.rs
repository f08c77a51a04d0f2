//! Raft over the p2p layer: a [`shuquan_consensus::Transport`] that carries each Raft RPC as
//! a [`Request::Raft`] to the node owning `target_info.node_key`.

use std::time::Duration;

use shuquan_consensus::{BoxFuture, Error, NodeId, NodeInfo, Transport};
use shuquan_proto::PublicKey;

use super::{P2p, Request, RequestError, Response};

/// Sends Raft RPCs through [`P2p::request`]. The peer is identified by its node key (its
/// libp2p peer id), so an RPC can only reach the node that owns the key.
#[derive(Debug, Clone)]
pub struct RaftTransport {
    p2p: P2p,
}

impl RaftTransport {
    /// A transport over `p2p`.
    pub fn new(p2p: P2p) -> Self {
        Self { p2p }
    }
}

impl Transport for RaftTransport {
    fn send(
        &self,
        _from: NodeId,
        target: NodeId,
        target_info: &NodeInfo,
        request: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'static, Result<Vec<u8>, Error>> {
        let p2p = self.p2p.clone();
        let key = target_info.node_key.parse::<PublicKey>();
        Box::pin(async move {
            let key = key.map_err(|e| {
                Error::Unreachable(target, format!("node key of node {target}: {e}"))
            })?;
            match p2p.request(key, Request::Raft(request), timeout).await {
                Ok(Response::Raft(bytes)) => Ok(bytes),
                Ok(Response::Error(e)) => Err(Error::Network(target, e)),
                Ok(other) => Err(Error::Network(
                    target,
                    format!("unexpected answer to a Raft RPC: {other:?}"),
                )),
                Err(RequestError::Unreachable(e)) => Err(Error::Unreachable(target, e)),
                Err(RequestError::Timeout) => Err(Error::Timeout(target)),
                Err(RequestError::Network(e)) => Err(Error::Network(target, e)),
                Err(RequestError::Stopped) => Err(Error::Unreachable(
                    target,
                    "the p2p layer has stopped".into(),
                )),
            }
        })
    }
}
