//! State snapshots for Raft: the state rows of the latest height and the ids of the
//! transactions in the replay window, streamed ([`stream`](super::stream)) — never the
//! chain, which a node that installs one fetches afterwards by block sync
//! ([`crate::sync`]).
//!
//! Installing checks the stream whole (checksum, order, the head's headers against a
//! certificate) before it changes anything, then replaces the state: the state rows, the
//! index rows derived from them (rebuilt here, not taken from the sender) and the state
//! tree (rebuilt from the rows; its root must equal the state root of the snapshot's block,
//! or the install fails). History rows this node already holds stay; the blocks between
//! its old height and the snapshot's become its [`Gap`](crate::sync::Gap).
//!
//! A crash mid-install leaves the `meta:installing` row: the next open resets the state to
//! the genesis state, so Raft installs the snapshot again (or replays the log).

use std::io::{Read, Seek, SeekFrom, Write};

use prost::Message;
use shuquan_proto::block::block_hash;
use shuquan_proto::cert::verify_certificate_by;
use shuquan_proto::hash::Hashing;
use shuquan_proto::state::key_hash;
use shuquan_proto::tx::decode_canonical;
use shuquan_proto::{pb, Hash32};

use super::derived;
use super::stream::{self, Reader, Writer};
use super::Snapshots;
use crate::error::{Error, Result};
use crate::exec::index::TxLoc;
use crate::keys;
use crate::smt;
use crate::sync::Gap;
use crate::view::{StateView, Writes};

/// Rows per sled batch while installing.
const BATCH: usize = 8192;
/// Values per chunk while rebuilding the state tree.
const TREE_CHUNK: usize = 4096;
/// Versioned values on their way to the thread that writes them, at most.
const VALUES_QUEUE: usize = 4096;

/// What one install thread reports when the other stopped first (and has the reason).
const ROWS_STOPPED: &str = "the snapshot's rows stopped";
const TREE_STOPPED: &str = "the tree rebuild stopped";

/// A row: key and value.
type Row = (Vec<u8>, Vec<u8>);

fn bad(what: impl std::fmt::Display) -> Error {
    Error::Corrupt(format!("state snapshot: {what}"))
}

/// Writes rows to sled directly (no pending layer: nothing else writes during an install)
/// in batches.
struct Batcher<'a> {
    tree: &'a sled::Tree,
    batch: sled::Batch,
    n: usize,
}

impl<'a> Batcher<'a> {
    fn new(tree: &'a sled::Tree) -> Self {
        Batcher {
            tree,
            batch: sled::Batch::default(),
            n: 0,
        }
    }

    fn put(&mut self, k: &[u8], v: Option<&[u8]>) -> Result<()> {
        match v {
            Some(v) => self.batch.insert(k, v),
            None => self.batch.remove(k),
        }
        self.n += 1;
        if self.n >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.n > 0 {
            self.tree.apply_batch(std::mem::take(&mut self.batch))?;
            self.n = 0;
        }
        Ok(())
    }
}

impl Snapshots<'_> {
    /// Writes the state as of the last applied block to `out` (see the module docs) and
    /// returns the snapshot's head. Nothing may apply meanwhile.
    pub fn export_state(&self, out: &mut dyn Write) -> Result<pb::SnapshotHead> {
        let ledger = self.ledger;
        let tree = self.tree()?;
        let applied = ledger.applied()?;
        let height = applied.height;
        let certs = ledger.certs();
        let certified = certs.certified_height()?.min(height);
        let certificate = if certified > 0 {
            certs.certificate(certified)?
        } else {
            None
        };
        let header_bytes =
            |h: u64| -> Result<Option<Vec<u8>>> { ledger.store.get(&keys::header(h)) };
        let mut headers = Vec::new();
        let mut certified_height = 0;
        if let Some(c) = certificate.as_ref().filter(|_| certified > 0) {
            let chain: Option<Vec<Vec<u8>>> = (certified..=height)
                .map(header_bytes)
                .collect::<Result<_>>()?;
            if let Some(chain) = chain {
                headers = chain;
                certified_height = c.height;
            }
        }
        if headers.is_empty() && height > 0 {
            headers = header_bytes(height)?.into_iter().collect();
        }
        let p = ledger.params()?;
        let reach = p
            .tx_time_window_ms
            .saturating_mul(2)
            .saturating_add(p.block_time_skew_ms.saturating_mul(2));
        let window_from = ledger
            .queries()
            .height_at_time(applied.timestamp_ms.saturating_sub(reach))?;
        let voter_changes = if certified_height > 0 {
            ledger.bundles().voter_changes(certified_height)?
        } else {
            Vec::new()
        };
        let head = pb::SnapshotHead {
            format: 1,
            genesis_hash: ledger.genesis_hash().to_vec(),
            height,
            headers,
            certified_height,
            certificate: certificate.filter(|_| certified_height > 0),
            window_from,
            voter_changes,
        };
        let mut w = Writer::new(out, &head)?;
        for item in tree.iter() {
            let (k, v) = item?;
            let keep = if keys::is_state_row(&k) {
                true
            } else if k.starts_with(b"tx:") {
                TxLoc::decode(&v)?.height >= window_from
            } else {
                false
            };
            if keep {
                w.row(&k, &v)?;
            }
        }
        w.finish()?;
        Ok(head)
    }

    /// Checks the head: this chain, and headers that link up to the snapshot's height,
    /// the first certified when a certificate comes along. Returns the snapshot's header.
    fn check_head(&self, head: &pb::SnapshotHead) -> Result<Option<pb::BlockHeader>> {
        let ledger = self.ledger;
        if head.format != 1 {
            return Err(bad(format!(
                "format {} (this shuquand reads 1)",
                head.format
            )));
        }
        if head.genesis_hash != ledger.genesis_hash().as_bytes() {
            return Err(Error::GenesisMismatch(format!(
                "state snapshot of genesis {}, this ledger is genesis {}",
                hex::encode(&head.genesis_hash),
                ledger.genesis_hash()
            )));
        }
        if head.height == 0 {
            return Ok(None);
        }
        let mut prev: Option<(u64, Hash32)> = None;
        let mut last = None;
        for bytes in &head.headers {
            let h: pb::BlockHeader =
                decode_canonical(bytes, "block header").map_err(|e| bad(e.to_string()))?;
            if h.chain_id != ledger.chain_id() {
                return Err(bad(format!("a header of chain {:?}", h.chain_id)));
            }
            if let Some((ph, phash)) = prev {
                if h.height != ph + 1 || h.prev_hash != phash.as_bytes() {
                    return Err(bad(format!("header {} does not link to {ph}", h.height)));
                }
            }
            prev = Some((h.height, block_hash(ledger.hashing(), &h)));
            last = Some(h);
        }
        let Some(last) = last.filter(|h| h.height == head.height) else {
            return Err(bad(format!("no header of its height {}", head.height)));
        };
        if head.certified_height > 0 {
            let first: pb::BlockHeader = head
                .headers
                .first()
                .map(|b| decode_canonical(b, "block header"))
                .transpose()
                .map_err(|e| bad(e.to_string()))?
                .ok_or_else(|| bad("no certified header"))?;
            let cert = head
                .certificate
                .as_ref()
                .ok_or_else(|| bad("a certified height without its certificate"))?;
            if first.height != head.certified_height {
                return Err(bad("the headers do not start at the certified height"));
            }
            // Certified by the voters in force at that height, followed from the genesis
            // through the changes the head carries (as an auditor follows them).
            let sets =
                shuquan_proto::audit::VoterSets::follow(ledger.genesis(), &head.voter_changes)
                    .map_err(|e| bad(format!("the voter changes: {e}")))?;
            let (voters, voters_hash) = sets.at(first.height);
            if first.voters_hash != voters_hash.as_bytes() {
                return Err(bad(format!(
                    "block {} names voters {}, the voter changes followed from the genesis give {voters_hash}",
                    first.height,
                    hex::encode(&first.voters_hash)
                )));
            }
            verify_certificate_by(
                ledger.hashing(),
                ledger.chain_id(),
                voters,
                first.height,
                &block_hash(ledger.hashing(), &first),
                cert,
            )
            .map_err(|e| bad(format!("certificate of block {}: {e}", first.height)))?;
        }
        Ok(Some(last))
    }

    /// Replaces the state with the snapshot in `input` (from [`Snapshots::export_state`] on
    /// a node of this chain) and stores `mark` as its "last applied" mark. The whole stream
    /// is checked first; a snapshot that fails changes nothing. Returns the new mark.
    pub fn install_state<R: Read + Seek>(&self, input: &mut R, mark: &[u8]) -> Result<pb::Applied> {
        let ledger = self.ledger;
        let _writing = ledger.writing();
        // 1. The whole stream, before anything changes.
        let seek = |input: &mut R| {
            input.seek(SeekFrom::Start(0)).map_err(|source| Error::Io {
                path: "(state snapshot)".into(),
                source,
            })
        };
        seek(input)?;
        let mut buffered = std::io::BufReader::new(&mut *input);
        let (mut r, head) = Reader::new(&mut buffered)?;
        let header = self.check_head(&head)?;
        while let Some((k, v)) = r.next_row()? {
            if k.starts_with(b"tx:") {
                TxLoc::decode(&v)?;
            } else if !keys::is_state_row(&k) {
                return Err(bad(format!(
                    "row {} is not a state row",
                    shuquan_proto::state::show_row(&k)
                )));
            }
        }
        drop(buffered);
        let old = ledger.applied()?;
        let old_gap = ledger.gap()?;

        let tree = self.tree()?;
        tree.insert(keys::INSTALLING, &[1u8][..])?;
        tree.flush()?;
        match self.replace_state(input, &head, header.as_ref(), tree, &old, old_gap, mark) {
            Ok(applied) => Ok(applied),
            Err(e) => {
                // Back to the genesis state at once, not a half-installed one.
                reset_after_interrupted_install(tree, ledger.genesis())?;
                Err(e)
            }
        }
    }

    /// Steps 2 to 6 of an install (see [`Snapshots::install_state`]).
    #[allow(clippy::too_many_arguments)]
    fn replace_state<R: Read + Seek>(
        &self,
        input: &mut R,
        head: &pb::SnapshotHead,
        header: Option<&pb::BlockHeader>,
        tree: &sled::Tree,
        old: &pb::Applied,
        old_gap: Option<Gap>,
        mark: &[u8],
    ) -> Result<pb::Applied> {
        let ledger = self.ledger;
        let height = head.height;
        // 2. Clear the state.
        let mut b = Batcher::new(tree);
        clear_state(&mut b, tree)?;

        // 3-5 in two threads, neither of which reads what the other writes (rows go in one
        // at a time, not in batches, so neither holds sled's batch lock against the other):
        // this one writes the rows, then the indexes derived from them; the other writes
        // each state row's versioned value as this one reads it, then rebuilds the tree
        // from those values.
        let (values_tx, values_rx) = std::sync::mpsc::sync_channel::<Option<Row>>(VALUES_QUEUE);
        let (rows, root) = std::thread::scope(|s| {
            let tree_side =
                s.spawn(|| Self::values_then_tree(ledger.hashing(), tree, values_rx, height));
            let rows = Self::rows_then_derived(ledger.hashing(), input, tree, height, &values_tx);
            drop(values_tx);
            (rows, tree_side.join())
        });
        // The side that failed first has the reason; the other only saw it stop.
        let root = root.map_err(|_| Error::StateTree("rebuilding the tree panicked".into()))?;
        let root = match (rows, root) {
            (Ok(()), root) => root?,
            (Err(e), Err(Error::StateTree(m))) if m == ROWS_STOPPED => return Err(e),
            (Err(_), Err(tree)) => return Err(tree),
            (Err(e), Ok(_)) => return Err(e),
        };
        let (want_root, hash, time) = match header {
            Some(h) => (
                Hash32::from_slice(&h.state_root)?,
                block_hash(ledger.hashing(), h),
                h.timestamp_ms,
            ),
            None => (
                smt::root(ledger.hashing(), &crate::store::SledView(tree.clone()), 0)?
                    .unwrap_or_default(),
                Hash32::ZERO,
                ledger.genesis().genesis_time_ms,
            ),
        };
        if root != want_root {
            // Leave the marker: the next open starts over from the genesis state.
            return Err(bad(format!(
                "its rows give state root {root}, but block {height} says {want_root}: the \
                 sender's state is not the chain's"
            )));
        }

        // 6. The mark, where state begins, and what is missing.
        let applied = pb::Applied {
            height,
            block_hash: hash.to_vec(),
            timestamp_ms: time,
            mark: mark.to_vec(),
        };
        let gap = if height > old.height {
            let lo = old_gap.map_or(old.height + 1, |g| g.lo.min(old.height + 1));
            Some(Gap {
                lo,
                hi: height,
                anchor: hash,
            })
        } else {
            old_gap
        };
        b.put(keys::APPLIED, Some(&applied.encode_to_vec()))?;
        b.put(keys::STATE_FROM, Some(&height.to_be_bytes()))?;
        match gap {
            Some(g) => b.put(keys::GAP, Some(&g.encode()))?,
            None => b.put(keys::GAP, None)?,
        }
        b.put(keys::INSTALLING, None)?;
        b.flush()?;
        ledger.flush()?;
        Ok(applied)
    }
    /// Steps 3 and 4 of an install: writes the snapshot's rows, handing each state row's
    /// versioned value to `values` (then `None`: all sent), then the index rows derived
    /// from the state rows as written.
    fn rows_then_derived<R: Read + Seek>(
        h: Hashing,
        input: &mut R,
        tree: &sled::Tree,
        height: u64,
        values: &std::sync::mpsc::SyncSender<Option<Row>>,
    ) -> Result<()> {
        let gone = || Error::StateTree(TREE_STOPPED.into());
        input.seek(SeekFrom::Start(0)).map_err(|source| Error::Io {
            path: "(state snapshot)".into(),
            source,
        })?;
        let mut buffered = std::io::BufReader::new(&mut *input);
        let (mut r, _) = Reader::new(&mut buffered)?;
        while let Some((k, v)) = r.next_row()? {
            if keys::is_state_row(&k) {
                let kh = key_hash(h, &k);
                let value = (keys::state_value(&kh.0, height), smt::stored_value(&v));
                values.send(Some(value)).map_err(|_| gone())?;
            }
            tree.insert(k, v)?;
        }
        values.send(None).map_err(|_| gone())?;
        let grant_asset = |g: &Hash32| -> Result<Option<Hash32>> {
            Ok(tree
                .get(keys::grant(g))?
                .map(|v| pb::GrantRecord::decode(&v[..]))
                .transpose()
                .map_err(|e| bad(format!("grant row: {e}")))?
                .map(|g| crate::rules::id(&g.terms.unwrap_or_default().asset)))
        };
        for tag in derived::SOURCE_TAGS {
            for item in tree.scan_prefix(tag) {
                let (k, v) = item?;
                for (dk, dv) in derived::rows_of(&k, &v, &grant_asset)? {
                    tree.insert(dk, dv)?;
                }
            }
        }
        Ok(())
    }

    /// Step 5 of an install: writes the versioned values it is handed until `None`, then
    /// rebuilds the state tree from them and returns its root. Values that stop coming
    /// before `None` (the rows failed) build no tree.
    fn values_then_tree(
        h: Hashing,
        tree: &sled::Tree,
        values: std::sync::mpsc::Receiver<Option<Row>>,
        height: u64,
    ) -> Result<Hash32> {
        loop {
            match values.recv() {
                Ok(Some((k, v))) => {
                    tree.insert(k, v)?;
                }
                Ok(None) => break,
                Err(_) => return Err(Error::StateTree(ROWS_STOPPED.into())),
            }
        }
        let view = crate::store::SledView(tree.clone());
        let mut values = tree.scan_prefix(b"jmtv:").map(|item| -> Result<_> {
            let (k, v) = item?;
            smt::value_row(&k, &v)?.ok_or_else(|| bad("a deleted value among the state rows"))
        });
        smt::rebuild(
            h,
            &view,
            &mut values,
            height,
            TREE_CHUNK,
            &mut |w: Writes| {
                for (k, v) in w {
                    match v {
                        Some(v) => tree.insert(k, v)?,
                        None => tree.remove(k)?,
                    };
                }
                Ok(())
            },
        )
    }
}

/// Deletes every row a snapshot replaces (state rows, derived indexes, the tree); history
/// rows stay.
fn clear_state(b: &mut Batcher<'_>, tree: &sled::Tree) -> Result<()> {
    for item in tree.iter().keys() {
        let k = item?;
        if keys::is_replaced_by_snapshot(&k) {
            b.put(&k, None)?;
        }
    }
    b.flush()
}

/// Puts the state back to the genesis state after an install that did not finish: the
/// state rows, derived indexes and tree go, the genesis rows come back, and the "last
/// applied" mark, where state begins and the gap are cleared, so Raft installs a snapshot
/// again or replays its log. History rows stay (they are the same chain's).
pub(crate) fn reset_after_interrupted_install(
    tree: &sled::Tree,
    genesis: &pb::Genesis,
) -> Result<()> {
    let mut b = Batcher::new(tree);
    clear_state(&mut b, tree)?;
    for (k, v) in crate::exec::genesis_writes(genesis)? {
        b.put(&k, v.as_deref())?;
    }
    for k in [keys::APPLIED, keys::STATE_FROM, keys::GAP, keys::INSTALLING] {
        b.put(k, None)?;
    }
    b.flush()?;
    tree.flush()?;
    Ok(())
}

/// The magic a state snapshot starts with (to tell formats apart).
pub const STATE_SNAPSHOT_MAGIC: &[u8] = stream::MAGIC;
