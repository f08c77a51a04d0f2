//! The Shuquan node: the data-rights ledger on sled, replicated by Raft over a libp2p
//! network of member nodes; transaction admission, the mempool, block production, the
//! HTTP/JSON API, configuration and metrics.

pub mod api;
pub mod certify;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod dev;
pub mod mempool;
pub mod metrics;
pub mod p2p;
pub mod pipeline;
pub mod producer;
pub mod replica;
pub mod waiters;

mod error;

pub use error::{Error, Result};
