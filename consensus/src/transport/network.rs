//! openraft's network traits over a [`Transport`]: encode, send, decode, map errors.

use std::sync::Arc;
use std::time::Duration;

use openraft::error::{
    InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, Unreachable,
};
use openraft::network::{Backoff, RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use openraft::RPCTypes;

use super::wire::{RpcRequest, RpcResponse};
use super::Transport;
use crate::error::Error;
use crate::raft_types::{self, TypeConfig};
use crate::types::{NodeId, NodeInfo};

type RpcErr<E = openraft::error::Infallible> = RPCError<NodeId, NodeInfo, RaftError<NodeId, E>>;

/// Creates one [`Connection`] per peer; openraft calls it on membership changes.
pub(crate) struct NetworkFactory {
    from: NodeId,
    transport: Arc<dyn Transport>,
    backoff: Duration,
}

impl NetworkFactory {
    pub(crate) fn new(from: NodeId, transport: Arc<dyn Transport>, backoff: Duration) -> Self {
        Self {
            from,
            transport,
            backoff,
        }
    }
}

impl RaftNetworkFactory<TypeConfig> for NetworkFactory {
    type Network = Connection;

    async fn new_client(&mut self, target: NodeId, node: &NodeInfo) -> Connection {
        Connection {
            from: self.from,
            target,
            info: node.clone(),
            transport: self.transport.clone(),
            backoff: self.backoff,
        }
    }
}

/// A client for one peer. It does not connect; the transport does, when sending.
pub(crate) struct Connection {
    from: NodeId,
    target: NodeId,
    info: NodeInfo,
    transport: Arc<dyn Transport>,
    backoff: Duration,
}

impl Connection {
    async fn call<E: std::error::Error>(
        &self,
        action: RPCTypes,
        req: &RpcRequest,
        option: &RPCOption,
    ) -> Result<RpcResponse, RpcErr<E>> {
        let bytes =
            raft_types::encode(req).map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
        let ttl = option.hard_ttl();
        let fut = self
            .transport
            .send(self.from, self.target, &self.info, bytes, ttl);
        let resp = match fut.await {
            Ok(resp) => resp,
            Err(Error::Unreachable(..)) | Err(Error::Shutdown) => {
                let e = Error::Unreachable(self.target, "unreachable".into());
                return Err(RPCError::Unreachable(Unreachable::new(&e)));
            }
            Err(Error::Timeout(_)) => {
                return Err(RPCError::Timeout(openraft::error::Timeout {
                    action,
                    id: self.from,
                    target: self.target,
                    timeout: ttl,
                }))
            }
            Err(e) => return Err(RPCError::Network(NetworkError::new(&e))),
        };
        raft_types::decode(&resp).map_err(|e| RPCError::Network(NetworkError::new(&e)))
    }

    fn unexpected<E: std::error::Error>(&self) -> RpcErr<E> {
        let e = Error::Codec("response does not match the request".into());
        RPCError::Network(NetworkError::new(&e))
    }
}

impl RaftNetwork<TypeConfig> for Connection {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<NodeId>, RpcErr> {
        match self
            .call(
                RPCTypes::AppendEntries,
                &RpcRequest::AppendEntries(rpc),
                &option,
            )
            .await?
        {
            RpcResponse::AppendEntries(r) => {
                r.map_err(|e| RPCError::RemoteError(RemoteError::new(self.target, e)))
            }
            _ => Err(self.unexpected()),
        }
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<InstallSnapshotResponse<NodeId>, RpcErr<InstallSnapshotError>> {
        match self
            .call(
                RPCTypes::InstallSnapshot,
                &RpcRequest::InstallSnapshot(rpc),
                &option,
            )
            .await?
        {
            RpcResponse::InstallSnapshot(r) => {
                r.map_err(|e| RPCError::RemoteError(RemoteError::new(self.target, e)))
            }
            _ => Err(self.unexpected()),
        }
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> Result<VoteResponse<NodeId>, RpcErr> {
        match self
            .call(RPCTypes::Vote, &RpcRequest::Vote(rpc), &option)
            .await?
        {
            RpcResponse::Vote(r) => {
                r.map_err(|e| RPCError::RemoteError(RemoteError::new(self.target, e)))
            }
            _ => Err(self.unexpected()),
        }
    }

    fn backoff(&self) -> Backoff {
        Backoff::new(std::iter::repeat(self.backoff))
    }
}
