//! The Shuquan node: the ledger (`shuquan-ledger`) replicated by Raft over a libp2p network
//! of member nodes; the transaction pipeline, the mempool, block production, block
//! certificates, the HTTP/JSON API, configuration and metrics.
//!
//! What other crates use is public: [`daemon::Daemon`] (a running node), its
//! [`config::NodeConfig`], the [`dev`] chain, the [`mempool`] (benchmarks), the [`p2p`]
//! layer (multi-process tests drive it directly) and the [`linked`]-data renderings (ODRL,
//! PROV; the `jsonld-sample` example prints them). The rest is the node's own.

mod api;
mod certify;
mod clock;
mod error;
mod explorer;
mod membership;
mod metrics;
mod pipeline;
mod producer;
mod replica;
mod sync;
mod waiters;

mod catalogue;
pub mod config;
pub mod daemon;
pub mod dev;
pub mod linked;
pub mod mempool;
pub mod p2p;

pub use error::{Error, Result};
