//! Raft for Shuquan through openraft: a durable log, the state-machine interface the node
//! implements, and the transports that carry Raft RPCs.
//!
//! The crate replicates opaque byte payloads. The public surface has no openraft type:
//! [`Node`] runs one member, [`StateMachine`] receives committed [`Entry`]s, [`Transport`]
//! moves encoded RPCs, and [`MemNetwork`] is an in-memory transport with fault injection.
//!
//! Durability: the Raft log is a raft-log write-ahead log; a vote is fsynced before it is
//! used and an append is acknowledged only after its fsync. Snapshots are files written
//! with temp file, fsync, rename, directory fsync.

mod config;
mod error;
mod log_store;
mod node;
mod raft_types;
mod state_machine;
mod transport;
mod types;

#[cfg(test)]
mod suite_test;

pub use config::Config;
pub use error::Error;
pub use node::Node;
pub use state_machine::{AppliedMark, MemStateMachine, StateMachine};
pub use transport::{BoxFuture, MemNetwork, NetFaults, Transport};
pub use types::{Entry, Membership, NodeId, NodeInfo, Role, Status, WriteAck};
