//! The read side of a ledger ([`Queries`]): the auditor's questions and the node's views,
//! answered from the committed rows, by subject.

mod assets;
mod chain;
mod directory;
mod grants;
mod market;
mod members;
mod registry;

pub use market::{ListingsOf, OrdersOf, PriceFilter, RequestsOf};

use shuquan_proto::{pb, Hash32};

use crate::error::Result;
use crate::exec::overlay::State;
use crate::view::Writes;
use crate::Ledger;

fn id32(b: &[u8]) -> Hash32 {
    Hash32::from_slice(b).unwrap_or_default()
}

fn tail_id(key: &[u8]) -> Hash32 {
    id32(&key[key.len().saturating_sub(32)..])
}

/// The read side of a ledger: the auditor's questions and the node's views, answered from
/// the committed rows.
#[derive(Clone, Copy, Debug)]
pub struct Queries<'a> {
    ledger: &'a Ledger,
}

impl<'a> Queries<'a> {
    pub(crate) fn new(ledger: &'a Ledger) -> Self {
        Queries { ledger }
    }

    fn reader<R>(&self, f: impl FnOnce(&State<'_>) -> Result<R>) -> Result<R> {
        let mut empty = Writes::new();
        let st = State::new(&self.ledger.store, &mut empty);
        f(&st)
    }

    fn scan(&self, prefix: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.ledger.store.scan(prefix, limit)
    }

    fn applied(&self) -> Result<pb::Applied> {
        self.ledger.applied()
    }

    /// Block time of the last applied block, the clock queries evaluate expiry against.
    fn now(&self) -> Result<u64> {
        Ok(self.applied()?.timestamp_ms)
    }
}

/// One page of a list: the items after `after` (an id), at most `limit` of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// Start after this id (the last of the previous page).
    pub after: Option<Hash32>,
    /// Most items.
    pub limit: usize,
}

impl Page {
    /// Items per page unless asked otherwise.
    pub const DEFAULT_LIMIT: usize = 100;
    /// Most items a page may hold.
    pub const MAX_LIMIT: usize = 1000;

    /// The first `limit` items.
    pub fn first(limit: usize) -> Self {
        Page { after: None, limit }
    }
}

impl Default for Page {
    fn default() -> Self {
        Page::first(Page::DEFAULT_LIMIT)
    }
}

/// Whose grants to list.
#[derive(Clone, Copy, Debug)]
pub enum GrantsOf<'a> {
    /// Grants on an asset.
    Asset(&'a Hash32),
    /// Grants to a grantee key.
    Grantee(&'a [u8]),
    /// Grants issued by a grantor key.
    Grantor(&'a [u8]),
}
