//! The openraft type configuration and the compact encoding used on disk and on the wire.
//!
//! Everything openraft-specific that other modules share lives here, so a move to
//! openraft 0.10 starts in this file.

use bincode::Options;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::error::Error;
use crate::types::{NodeId, NodeInfo};

/// An application payload as openraft carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AppRequest(pub(crate) Vec<u8>);

/// A state-machine response as openraft carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AppResponse(pub(crate) Vec<u8>);

openraft::declare_raft_types!(
    /// The openraft type configuration of Shuquan.
    pub(crate) TypeConfig:
        D = AppRequest,
        R = AppResponse,
        NodeId = NodeId,
        Node = NodeInfo,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = tokio::fs::File,
        AsyncRuntime = openraft::TokioRuntime,
);

pub(crate) type LogId = openraft::LogId<NodeId>;
pub(crate) type Vote = openraft::Vote<NodeId>;
pub(crate) type RaftEntry = openraft::Entry<TypeConfig>;
pub(crate) type EntryPayload = openraft::EntryPayload<TypeConfig>;
pub(crate) type StoredMembership = openraft::StoredMembership<NodeId, NodeInfo>;
pub(crate) type SnapshotMeta = openraft::SnapshotMeta<NodeId, NodeInfo>;
pub(crate) type StorageError = openraft::StorageError<NodeId>;
pub(crate) type Raft = openraft::Raft<TypeConfig>;

/// Upper bound on any single decoded message or record (a snapshot chunk fits well below).
pub(crate) const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;

fn codec() -> impl Options {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_little_endian()
        .with_limit(MAX_DECODE_BYTES)
}

/// Encode with bincode (fixed-width integers, little endian).
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    codec()
        .serialize(value)
        .map_err(|e| Error::Codec(e.to_string()))
}

/// Decode bincode bytes, rejecting trailing bytes and anything over [`MAX_DECODE_BYTES`].
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    codec()
        .reject_trailing_bytes()
        .deserialize(bytes)
        .map_err(|e| Error::Codec(e.to_string()))
}

/// The term of a log id (openraft 0.9 keeps it in the committed leader id).
pub(crate) fn term_of(log_id: &LogId) -> u64 {
    log_id.leader_id.term
}

/// Map any displayable error to a storage error on the log, for openraft.
pub(crate) fn log_io_error(kind: openraft::ErrorVerb, e: impl std::fmt::Display) -> StorageError {
    let err = std::io::Error::other(e.to_string());
    openraft::StorageIOError::new(
        openraft::ErrorSubject::Logs,
        kind,
        openraft::AnyError::new(&err),
    )
    .into()
}

/// Map any displayable error to a storage error on the state machine, for openraft.
pub(crate) fn sm_io_error(kind: openraft::ErrorVerb, e: impl std::fmt::Display) -> StorageError {
    let err = std::io::Error::other(e.to_string());
    openraft::StorageIOError::new(
        openraft::ErrorSubject::StateMachine,
        kind,
        openraft::AnyError::new(&err),
    )
    .into()
}
