//! Raft snapshots of the ledger and checks that compare ledgers: [`state`] streams the
//! state (not the chain) out and in; [`Snapshots::digest`] and
//! [`Snapshots::first_difference`] compare whole ledgers row by row.

mod derived;
mod state;
mod stream;

pub(crate) use state::reset_after_interrupted_install;
pub use state::STATE_SNAPSHOT_MAGIC;

use shuquan_proto::Hash32;

use crate::error::Result;
use crate::keys;
use crate::Ledger;

/// Rows that say where this node keeps things, how far its Raft log is, or how it joined,
/// which differ between nodes holding the same ledger; and the state tree's rows, which
/// differ between a node that joined by snapshot (one version rebuilt) and one that applied
/// every block (every version within the window) while giving the same roots.
fn node_local(key: &[u8]) -> bool {
    [
        keys::APPLIED,
        keys::BLOCKS_END,
        keys::STATE_FROM,
        keys::GAP,
        keys::INSTALLING,
    ]
    .contains(&key)
        || keys::TREE_TAGS.iter().any(|t| key.starts_with(t))
        // Written by execution only: a node that joined by snapshot has none below it.
        || key.starts_with(keys::CHANGED_ASSETS)
}

/// Snapshots, digests and row comparisons of a ledger.
#[derive(Clone, Copy, Debug)]
pub struct Snapshots<'a> {
    ledger: &'a Ledger,
}

impl<'a> Snapshots<'a> {
    pub(crate) fn new(ledger: &'a Ledger) -> Self {
        Snapshots { ledger }
    }

    /// The ledger's rows in sled, every applied block included.
    fn tree(&self) -> Result<&'a sled::Tree> {
        self.ledger.store.settled()
    }

    /// The height and a digest of the ledger: every block's bytes, state row and index row,
    /// and the state root (not the rows that differ between nodes holding the same ledger:
    /// see `node_local`). Two nodes at the same height agree on the digest exactly when
    /// their chains, state and indexes are identical. A full scan: for checks, not for hot
    /// paths.
    pub fn digest(&self) -> Result<(u64, Hash32)> {
        let mut h = self
            .ledger
            .hashing()
            .stream(shuquan_proto::hash::domain::LEDGER_DIGEST);
        for item in self.tree()?.iter() {
            let (k, v) = item?;
            if k.starts_with(b"bloc:") {
                // The block's bytes, not where this node happens to keep them.
                let frame = self
                    .ledger
                    .store
                    .blocks()
                    .read(crate::blocks::Loc::decode(&v)?)?;
                h.part(&k);
                h.part(&frame);
            } else if !node_local(&k) {
                h.part(&k);
                h.part(&v);
            }
        }
        let height = self.ledger.applied()?.height;
        let root = crate::smt::root(self.ledger.hashing(), &self.ledger.store, height)?
            .unwrap_or_default();
        h.part(root.as_bytes());
        Ok((height, h.finish()))
    }

    /// The first row (but the "last applied" mark) where this ledger and `other` differ,
    /// as the height it belongs to (best known: the block it was last written by for a
    /// state row or block row, else this ledger's height) and a description.
    pub fn first_difference(&self, other: &Ledger) -> Result<Option<(u64, String)>> {
        let rows = |t: &'a sled::Tree| {
            t.iter()
                .filter(|r| !matches!(r, Ok((k, _)) if node_local(k) || k.starts_with(b"bloc:")))
        };
        let mut mine = rows(self.tree()?);
        let mut theirs = other
            .store
            .settled()?
            .iter()
            .filter(|r| !matches!(r, Ok((k, _)) if node_local(k) || k.starts_with(b"bloc:")));
        loop {
            let (a, b) = (mine.next().transpose()?, theirs.next().transpose()?);
            let (key, what) = match (&a, &b) {
                (None, None) => return Ok(None),
                (Some((ka, va)), Some((kb, vb))) if ka == kb && va == vb => continue,
                (Some((ka, _)), Some((kb, _))) if ka == kb => (
                    ka.to_vec(),
                    "holds a different value than re-execution gives",
                ),
                (Some((ka, _)), Some((kb, _))) if ka < kb => {
                    (ka.to_vec(), "is not produced by re-execution")
                }
                (Some(_), Some((kb, _))) | (None, Some((kb, _))) => {
                    (kb.to_vec(), "is missing (re-execution produces it)")
                }
                (Some((ka, _)), None) => (ka.to_vec(), "is not produced by re-execution"),
            };
            let height = self.height_of_row(&key)?;
            return Ok(Some((
                height,
                format!("row {} {what}", shuquan_proto::state::show_row(&key)),
            )));
        }
    }

    /// The block a row was last written by, as far as the key tells.
    fn height_of_row(&self, key: &[u8]) -> Result<u64> {
        let applied = self.ledger.applied()?.height;
        if keys::is_state_row(key) {
            let kh = shuquan_proto::state::key_hash(self.ledger.hashing(), key);
            let prefix = keys::prefix("jmtv", &[&kh.0]);
            if let Some(item) = self.tree()?.scan_prefix(&prefix).next_back() {
                let (k, _) = item?;
                if let Some(v) = k
                    .get(prefix.len()..)
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                {
                    return Ok(u64::from_be_bytes(v));
                }
            }
        }
        if let Some(v) = key.strip_prefix(b"jmtn:").and_then(|b| b.get(..8)) {
            if let Ok(v) = <[u8; 8]>::try_from(v) {
                return Ok(u64::from_be_bytes(v));
            }
        }
        if key.starts_with(b"tx:") {
            if let Some(v) = self.tree()?.get(key)? {
                if let Ok(loc) = crate::exec::index::TxLoc::decode(&v) {
                    return Ok(loc.height);
                }
            }
        }
        for tag in [&b"hdr:"[..], b"bloc:"] {
            if let Some(h) = key.strip_prefix(tag).and_then(|b| b.get(..8)) {
                if let Ok(h) = <[u8; 8]>::try_from(h) {
                    return Ok(u64::from_be_bytes(h));
                }
            }
        }
        Ok(applied)
    }
}
