//! The Shuquan ledger: the data-rights rules as a pure block executor over a state view,
//! and the sled store that commits what it returns.
//!
//! - [`exec`]: `execute(proposal, &dyn StateView) -> block + writes`, deterministic and
//!   free of storage, threads and networks; [`view`]: the [`StateView`] it reads and the
//!   in-memory view its tests use; [`verdicts`]: who decides whether signatures hold.
//! - [`Ledger`]: the sled store of one chain, admission and block application, and the
//!   read-side types it hands out: [`Queries`], [`Certs`], [`Snapshots`], [`Bundles`].
//! - [`audit`]: `audit chain`, the re-checker of a whole chain.
//!
//! The rules themselves (G1–G6 and every payload) are private: they are reached only
//! through execution.

mod blocks;
mod bundle;
mod certs;
mod error;
mod fixed;
mod keys;
mod ledger;
mod query;
mod rules;
mod smt;
mod snapshot;
mod store;
mod sync;

pub mod audit;
pub mod exec;
pub mod nodes;
pub mod verdicts;
pub mod view;

pub use bundle::Bundles;
pub use certs::{Certs, VoterHistory};
pub use error::{Error, Result};
pub use exec::{block_time, AppliedBlock};
pub use ledger::Ledger;
pub use query::{GrantsOf, ListingsOf, OrdersOf, Page, PriceFilter, Queries, RequestsOf};
pub use smt::RETAIN_VERSIONS;
pub use snapshot::{Snapshots, STATE_SNAPSHOT_MAGIC};
pub use store::pending::Batching;
pub use store::Tuning;
pub use sync::{Gap, SYNC_BATCH};
pub use view::{MemView, StateView, Writes};
