//! The ledger on disk: one sled database with the ledger's rows (tree `ledger`: chain,
//! state, state tree, indexes) and the block signatures (tree `certs`, apart, because
//! nodes collect them at their own pace and snapshots and digests cover only what every
//! node agrees on). The store is a [`StateView`] for execution; a block's [`Writes`] join
//! the [`pending`] layers at once and reach sled in batches of many blocks.

pub(crate) mod pending;

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use prost::Message;
use shuquan_proto::pb;

use crate::blocks::{BlockFiles, End};
use crate::error::{Error, Result};
use crate::keys;
use crate::view::{Layered, Row, StateView, Writes};
use pending::{Batching, Pending};

/// Default size of sled's page cache: enough for the hot part of the state tree and the
/// indexes, small enough to keep a node's memory flat (sled's own default is 1 GiB).
pub(crate) const DEFAULT_CACHE_BYTES: u64 = 64 << 20;

/// How the store uses memory and batches its writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tuning {
    /// When applied blocks go to sled.
    pub batching: Batching,
    /// sled's page cache, bytes.
    pub cache_bytes: u64,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            batching: Batching::default(),
            cache_bytes: DEFAULT_CACHE_BYTES,
        }
    }
}

/// Decodes a stored message; a failure means the data directory is damaged.
pub(crate) fn decode<M: Message + Default>(bytes: &[u8], key: &[u8]) -> Result<M> {
    M::decode(bytes).map_err(|e| {
        Error::Corrupt(format!(
            "value at {:?} does not decode: {e}",
            String::from_utf8_lossy(key)
        ))
    })
}

/// The sled tree as a view.
#[derive(Clone)]
pub(crate) struct SledView(pub(crate) sled::Tree);

impl StateView for SledView {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.0.get(key)?.map(|v| v.to_vec()))
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for item in self.0.scan_prefix(prefix).keys() {
            out.push(item?.to_vec());
        }
        Ok(out)
    }

    fn rows_with_prefix(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Row>> {
        let mut out = Vec::new();
        let lower = match after {
            Some(a) if a >= prefix => Bound::Excluded(a.to_vec()),
            _ => Bound::Included(prefix.to_vec()),
        };
        for item in self.0.range((lower, Bound::Unbounded)) {
            let (k, v) = item?;
            if !k.starts_with(prefix) || out.len() >= limit {
                break;
            }
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    fn last_in_range(&self, from: &[u8], to: Bound<&[u8]>) -> Result<Option<Row>> {
        if crate::view::empty(from, to) {
            return Ok(None);
        }
        let upper = match to {
            Bound::Included(k) => Bound::Included(k.to_vec()),
            Bound::Excluded(k) => Bound::Excluded(k.to_vec()),
            Bound::Unbounded => Bound::Unbounded,
        };
        match self
            .0
            .range((Bound::Included(from.to_vec()), upper))
            .next_back()
        {
            Some(item) => {
                let (k, v) = item?;
                Ok(Some((k.to_vec(), v.to_vec())))
            }
            None => Ok(None),
        }
    }
}

/// What the store and its persister thread share.
struct Shared {
    pending: Pending,
    batching: Batching,
    sled: SledView,
    blocks: BlockFiles,
}

impl Shared {
    /// Writes the pending layers to sled, oldest first, until both are empty. The block
    /// files are made durable first, so sled never names a frame a crash can lose.
    fn persist_all(&self) -> Result<()> {
        for _ in 0..2 {
            self.pending.persist(|w| {
                self.blocks.sync()?;
                apply(&self.sled.0, w)
            })?;
        }
        Ok(())
    }
}

/// Writes `writes` to `tree` in one atomic batch.
fn apply(tree: &sled::Tree, writes: &Writes) -> Result<()> {
    let mut batch = sled::Batch::default();
    for (k, v) in writes {
        match v {
            Some(v) => batch.insert(k.as_slice(), v.as_slice()),
            None => batch.remove(k.as_slice()),
        }
    }
    tree.apply_batch(batch)?;
    Ok(())
}

/// Persists pending writes when they are due, until told to stop (then persists the rest).
fn persister(shared: Arc<Shared>) {
    loop {
        let wait = shared
            .pending
            .due_in(&shared.batching)
            .unwrap_or(shared.batching.every);
        let signal = shared.pending.wait(wait);
        let due = signal.due || shared.pending.due_in(&shared.batching) == Some(Duration::ZERO);
        if signal.stop || due {
            if let Err(e) = shared.persist_all() {
                shared.pending.fail(e.to_string());
            }
        }
        if signal.stop {
            return;
        }
    }
}

/// The sled database of one ledger.
pub(crate) struct Store {
    db: sled::Db,
    shared: Arc<Shared>,
    pub(crate) certs: sled::Tree,
    db_file: PathBuf,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// The directory to remove on drop, for a temporary store.
    temporary: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.db_file.display())
    }
}

impl Store {
    /// Opens (or creates) the database in `dir`.
    ///
    /// sled locks the directory; a handle of this process that is still closing (its IO
    /// threads finish their last writes after the handle is dropped) holds the lock for a
    /// moment, so a locked directory is tried again for up to two seconds before the
    /// error says another process uses it.
    pub(crate) fn open(dir: &Path, tuning: &Tuning) -> Result<Self> {
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        let db = loop {
            let opened = sled::Config::new()
                .path(dir)
                .cache_capacity(tuning.cache_bytes)
                .open();
            match opened {
                Err(sled::Error::Io(e))
                    if e.to_string().contains("could not acquire lock")
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(sled::Error::Io(source)) => {
                    return Err(Error::Io {
                        path: dir.display().to_string(),
                        source,
                    })
                }
                Err(other) => return Err(Error::Storage(other)),
                Ok(db) => break db,
            }
        };
        Self::with_db(db, dir, tuning, false)
    }

    /// A database in a fresh temporary directory that sled removes on drop.
    pub(crate) fn temporary(tuning: &Tuning) -> Result<Self> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("shuquan-ledger-{}-{n}-{nanos}", std::process::id()));
        let db = sled::Config::new()
            .path(&dir)
            .cache_capacity(tuning.cache_bytes)
            .temporary(true)
            .open()?;
        Self::with_db(db, &dir, tuning, true)
    }

    fn with_db(db: sled::Db, dir: &Path, tuning: &Tuning, temporary: bool) -> Result<Self> {
        let db_file = dir.join("db");
        let tree = db.open_tree("ledger")?;
        let end = match tree.get(keys::BLOCKS_END)? {
            Some(b) => End::decode(&b)?,
            None => End::default(),
        };
        let blocks = BlockFiles::open(&dir.join("blocks"), end)?;
        let shared = Arc::new(Shared {
            pending: Pending::default(),
            batching: tuning.batching,
            sled: SledView(tree),
            blocks,
        });
        let for_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name("ledger-persist".into())
            .spawn(move || persister(for_thread))
            .map_err(|source| Error::Io {
                path: db_file.display().to_string(),
                source,
            })?;
        Ok(Store {
            certs: db.open_tree("certs")?,
            db,
            shared,
            db_file,
            thread: Mutex::new(Some(thread)),
            temporary: temporary.then(|| dir.to_path_buf()),
        })
    }

    /// The block files.
    pub(crate) fn blocks(&self) -> &BlockFiles {
        &self.shared.blocks
    }

    /// The sled tree itself, with every pending write persisted first: for whole-tree
    /// scans (snapshots, digests).
    pub(crate) fn settled(&self) -> Result<&sled::Tree> {
        self.persist()?;
        Ok(&self.shared.sled.0)
    }

    /// Adds `writes` (one or more blocks, with their "last applied" mark) as one atomic
    /// unit: readers see all of them at once, and they reach sled in one batch.
    pub(crate) fn commit(&self, writes: Writes) -> Result<()> {
        if let Some(reason) = self.shared.pending.failure() {
            return Err(Error::Corrupt(format!(
                "an earlier write to the ledger failed ({reason}); restart the node"
            )));
        }
        let b = &self.shared.batching;
        if self.shared.pending.add(writes, b) {
            self.shared.pending.nudge();
        }
        // Writers outrunning the disk wait for it.
        if self.shared.pending.active_bytes() >= b.max_bytes.saturating_mul(2) {
            self.persist()?;
        }
        Ok(())
    }

    /// Writes every pending block to sled (not yet durable: see [`Store::flush`]).
    pub(crate) fn persist(&self) -> Result<()> {
        self.shared.persist_all()
    }

    /// The "last applied" mark, if any block was applied.
    pub(crate) fn applied(&self) -> Result<Option<pb::Applied>> {
        self.msg(keys::APPLIED)
    }

    /// A stored message.
    pub(crate) fn msg<M: Message + Default>(&self, key: &[u8]) -> Result<Option<M>> {
        self.get(key)?.map(|b| decode(&b, key)).transpose()
    }

    /// Every row under `prefix` (at most `limit`), in order.
    pub(crate) fn scan(&self, prefix: &[u8], limit: usize) -> Result<Vec<Row>> {
        self.rows_with_prefix(prefix, None, limit)
    }

    /// Makes everything applied durable: pending blocks go to sled, sled flushes, and the
    /// data file is fsynced (sled's own flush ends in `sync_file_range` on Linux, which is
    /// no fsync). Values stay far below sled's blob threshold (transactions ≤
    /// `max_tx_bytes`), so the data file holds all.
    pub(crate) fn flush(&self) -> Result<()> {
        self.persist()?;
        self.shared.blocks.sync()?;
        self.db.flush()?;
        let io = |source| Error::Io {
            path: self.db_file.display().to_string(),
            source,
        };
        std::fs::File::open(&self.db_file)
            .and_then(|f| f.sync_all())
            .map_err(io)
    }

    /// Bytes on disk: the database and the block files.
    pub(crate) fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()? + self.shared.blocks.size())
    }

    /// Runs `f` on the layered view: pending writes over sled, under one read lock.
    fn view<R>(&self, f: impl FnOnce(&dyn StateView) -> Result<R>) -> Result<R> {
        let layers = self.shared.pending.read();
        let none = Writes::new();
        let frozen = layers.frozen.as_deref().unwrap_or(&none);
        if frozen.is_empty() && layers.active.is_empty() {
            return f(&self.shared.sled);
        }
        let lower = Layered {
            base: &self.shared.sled,
            top: frozen,
        };
        f(&Layered {
            base: &lower,
            top: &layers.active,
        })
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.shared.pending.stop();
        let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(t) = thread {
            // The thread persists what is pending before it returns.
            let _ = t.join();
        }
        // Waits for sled's IO threads to write it (nothing to report it to: a failure
        // loses only blocks the Raft log re-applies).
        let _ = self.db.flush();
        if let Some(dir) = &self.temporary {
            let _ = std::fs::remove_dir_all(dir.join("blocks"));
        }
    }
}

impl StateView for Store {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.view(|v| v.get(key))
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>> {
        self.view(|v| v.keys_with_prefix(prefix))
    }

    fn rows_with_prefix(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Row>> {
        self.view(|v| v.rows_with_prefix(prefix, after, limit))
    }

    fn last_in_range(&self, from: &[u8], to: Bound<&[u8]>) -> Result<Option<Row>> {
        self.view(|v| v.last_in_range(from, to))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn slow() -> Tuning {
        Tuning {
            batching: Batching {
                every: Duration::from_secs(3600),
                max_bytes: 1 << 30,
            },
            ..Tuning::default()
        }
    }

    fn one(k: &str, v: Option<&str>) -> Writes {
        let mut w = Writes::new();
        w.insert(k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec()));
        w
    }

    #[test]
    fn committed_rows_are_read_before_they_reach_sled() {
        let store = Store::temporary(&slow()).unwrap();
        store.commit(one("a:1", Some("x"))).unwrap();
        store.commit(one("a:2", Some("y"))).unwrap();
        store.persist().unwrap();
        store.commit(one("a:1", None)).unwrap();
        store.commit(one("a:3", Some("z"))).unwrap();
        // Not in sled yet, but read.
        assert_eq!(store.shared.sled.0.get(b"a:3").unwrap(), None);
        assert_eq!(store.get(b"a:3").unwrap(), Some(b"z".to_vec()));
        assert_eq!(store.get(b"a:1").unwrap(), None);
        let keys = store.keys_with_prefix(b"a:").unwrap();
        assert_eq!(keys, vec![b"a:2".to_vec(), b"a:3".to_vec()]);
        // After a persist sled holds exactly what was read.
        store.persist().unwrap();
        assert_eq!(store.shared.sled.0.get(b"a:1").unwrap(), None);
        assert_eq!(
            store.shared.sled.0.get(b"a:3").unwrap().as_deref(),
            Some(&b"z"[..])
        );
        assert!(store.shared.pending.read().active.is_empty());
    }

    #[test]
    fn the_persister_writes_due_rows_without_being_asked() {
        let quick = Tuning {
            batching: Batching {
                every: Duration::from_millis(10),
                max_bytes: 1 << 30,
            },
            ..Tuning::default()
        };
        let store = Store::temporary(&quick).unwrap();
        store.commit(one("a:1", Some("x"))).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while store.shared.sled.0.get(b"a:1").unwrap().is_none() {
            assert!(std::time::Instant::now() < deadline, "never persisted");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
