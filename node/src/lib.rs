//! The Shuquan node: the data-rights ledger on sled, transaction admission, the mempool,
//! block production behind a [`producer::Sequencer`], and the HTTP/JSON API.

pub mod api;
pub mod dev;
pub mod ledger;
pub mod mempool;
pub mod p2p;
pub mod producer;

mod error;

pub use error::{Error, Result};
