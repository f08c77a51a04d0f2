//! Whole-ledger snapshots for Raft: [`Snapshots::export`] writes every row of the ledger
//! (state, state tree, indexes) and every block's bytes into one byte string, and
//! [`Snapshots::install`] replaces the ledger with such a string. A node that missed purged
//! log entries catches up this way: the snapshot carries the whole chain.
//!
//! Format: the magic line, the genesis hash (32 bytes), then rows as
//! `u32 key length ‖ key ‖ u32 value length ‖ value` (big-endian), in key order; a block's
//! location row is replaced by its bytes under `~frame:` + height.

use std::collections::BTreeSet;

use prost::Message;
use shuquan_proto::{pb, Hash32};

use crate::error::{Error, Result};
use crate::keys;
use crate::store::decode;
use crate::Ledger;

const MAGIC: &[u8] = b"SHUQUAN-LEDGER-SNAPSHOT-2\n";
/// The key of a block's bytes in a snapshot, before its big-endian height (a key no row
/// of the ledger has: rows are lower-case tags).
const FRAME: &[u8] = b"~frame:";

fn corrupt(what: &str) -> Error {
    Error::Corrupt(format!("snapshot: {what}"))
}

/// Reads a `u32` length and that many bytes.
fn take<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8]> {
    let (len, tail) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| corrupt("truncated length"))?;
    let len = u32::from_be_bytes(*len) as usize;
    if tail.len() < len {
        return Err(corrupt("truncated row"));
    }
    let (item, tail) = tail.split_at(len);
    *rest = tail;
    Ok(item)
}

/// Rows that say where this node keeps things or how far its Raft log is, which differ
/// between nodes holding the same ledger.
fn node_local(key: &[u8]) -> bool {
    key == keys::APPLIED || key == keys::BLOCKS_END
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

    /// Every row of the ledger, as a snapshot (see the module docs for the format).
    pub fn export(&self) -> Result<Vec<u8>> {
        // No capacity hint: sled counts a tree by scanning it.
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(self.ledger.genesis_hash().as_bytes());
        let mut push = |k: &[u8], v: &[u8]| -> Result<()> {
            for part in [k, v] {
                let len = u32::try_from(part.len()).map_err(|_| corrupt("row over 4 GiB"))?;
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(part);
            }
            Ok(())
        };
        for item in self.tree()?.iter() {
            let (k, v) = item?;
            if let Some(height) = k.strip_prefix(b"bloc:") {
                // Where a block is differs between nodes: the snapshot carries its bytes.
                let height =
                    <[u8; 8]>::try_from(height).map_err(|_| corrupt("block location key"))?;
                let frame = self
                    .ledger
                    .store
                    .blocks()
                    .read(crate::blocks::Loc::decode(&v)?)?;
                push(&[FRAME, &height[..]].concat(), &frame)?;
            } else if &k[..] != keys::BLOCKS_END {
                push(&k, &v)?;
            }
        }
        Ok(out)
    }

    /// The height and a digest of every row but the "last applied" mark (which also holds
    /// Raft's log position, and that may differ between nodes at the same height). Two
    /// nodes at the same height agree on the digest exactly when their chains, state and
    /// indexes are identical. A full scan: for checks, not for hot paths.
    pub fn digest(&self) -> Result<(u64, Hash32)> {
        let mut h = shuquan_proto::hash::Tagged::new(shuquan_proto::hash::domain::LEDGER_DIGEST);
        for item in self.tree()?.iter() {
            let (k, v) = item?;
            if k.starts_with(b"bloc:") {
                // The block's bytes, not where this node happens to keep them.
                let frame = self
                    .ledger
                    .store
                    .blocks()
                    .read(crate::blocks::Loc::decode(&v)?)?;
                h.part(&k).part(&frame);
            } else if !node_local(&k) {
                h.part(&k).part(&v);
            }
        }
        Ok((self.ledger.applied()?.height, h.finish()))
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
            let kh = shuquan_proto::state::key_hash(key);
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
                if let Ok(rec) = decode::<pb::TxRecord>(&v, key) {
                    return Ok(rec.height);
                }
            }
        }
        for tag in [&b"hdr:"[..], b"btx:", b"braw:"] {
            if let Some(h) = key.strip_prefix(tag).and_then(|b| b.get(..8)) {
                if let Ok(h) = <[u8; 8]>::try_from(h) {
                    return Ok(u64::from_be_bytes(h));
                }
            }
        }
        Ok(applied)
    }

    /// Replaces the whole ledger with `snapshot` (from [`Ledger::export`] on a node of the
    /// same chain) and stores `mark` as its "last applied" mark, in one atomic batch.
    /// Returns the new last-applied record. A snapshot of another genesis is refused and
    /// changes nothing.
    pub fn install(&self, snapshot: &[u8], mark: &[u8]) -> Result<pb::Applied> {
        let rest = snapshot
            .strip_prefix(MAGIC)
            .ok_or_else(|| corrupt("not a ledger snapshot (bad magic)"))?;
        let (genesis, mut rest) = rest
            .split_first_chunk::<32>()
            .ok_or_else(|| corrupt("truncated genesis hash"))?;
        if Hash32(*genesis) != self.ledger.genesis_hash() {
            return Err(Error::GenesisMismatch(format!(
                "snapshot of genesis {}, this ledger is genesis {}",
                Hash32(*genesis),
                self.ledger.genesis_hash()
            )));
        }
        let mut rows = Vec::new();
        while !rest.is_empty() {
            let k = take(&mut rest)?;
            let v = take(&mut rest)?;
            rows.push((k, v));
        }
        let mut applied: pb::Applied = match rows.iter().find(|(k, _)| *k == keys::APPLIED) {
            Some((_, v)) => decode(v, keys::APPLIED)?,
            None => self.ledger.empty_applied(),
        };
        applied.mark = mark.to_vec();
        let incoming: BTreeSet<&[u8]> = rows.iter().map(|(k, _)| *k).collect();
        let tree_rows = crate::smt::version_prefix(applied.height);
        if !incoming
            .range(&tree_rows[..]..)
            .next()
            .is_some_and(|k| k.starts_with(&tree_rows))
        {
            return Err(corrupt(&format!(
                "no state tree root at its height {} (from an older shuquand?)",
                applied.height
            )));
        }
        let mut batch = sled::Batch::default();
        for item in self.tree()?.iter().keys() {
            let k = item?;
            if !incoming.contains(&k[..]) {
                batch.remove(k);
            }
        }
        let blocks = self.ledger.store.blocks();
        for (k, v) in rows {
            if let Some(height) = k.strip_prefix(FRAME) {
                let height = <[u8; 8]>::try_from(height).map_err(|_| corrupt("frame key"))?;
                let loc = blocks.append(v)?;
                batch.insert(keys::block_loc(u64::from_be_bytes(height)), loc.encode());
            } else if k != keys::APPLIED {
                batch.insert(k, v);
            }
        }
        blocks.sync()?;
        batch.insert(keys::BLOCKS_END, blocks.end().encode());
        batch.insert(keys::APPLIED, applied.encode_to_vec());
        self.ledger.store.replace(batch)?;
        Ok(applied)
    }
}
