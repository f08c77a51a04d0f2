//! The ledger on disk: one sled database with the ledger's rows (tree `ledger`: chain,
//! state, state tree, indexes) and the block signatures (tree `certs`, apart, because
//! nodes collect them at their own pace and snapshots and digests cover only what every
//! node agrees on). The store is a [`StateView`] for execution and commits a block's
//! [`Writes`] in one atomic batch.

use std::ops::Bound;
use std::path::{Path, PathBuf};

use prost::Message;
use shuquan_proto::pb;

use crate::error::{Error, Result};
use crate::keys;
use crate::view::{Row, StateView, Writes};

/// The sled database of one ledger.
pub(crate) struct Store {
    db: sled::Db,
    pub(crate) tree: sled::Tree,
    pub(crate) certs: sled::Tree,
    db_file: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.db_file.display())
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

impl Store {
    /// Opens (or creates) the database in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        let db = sled::Config::new().path(dir).open().map_err(|e| match e {
            sled::Error::Io(source) => Error::Io {
                path: dir.display().to_string(),
                source,
            },
            other => Error::Storage(other),
        })?;
        Self::with_db(db, dir.join("db"))
    }

    /// A database in a fresh temporary directory that sled removes on drop.
    pub(crate) fn temporary() -> Result<Self> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("shuquan-ledger-{}-{n}-{nanos}", std::process::id()));
        let db = sled::Config::new().path(&dir).temporary(true).open()?;
        Self::with_db(db, dir.join("db"))
    }

    fn with_db(db: sled::Db, db_file: PathBuf) -> Result<Self> {
        Ok(Store {
            tree: db.open_tree("ledger")?,
            certs: db.open_tree("certs")?,
            db,
            db_file,
        })
    }

    /// Writes `writes` in one atomic batch.
    pub(crate) fn commit(&self, writes: Writes) -> Result<()> {
        let mut batch = sled::Batch::default();
        for (k, v) in writes {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        self.tree.apply_batch(batch)?;
        Ok(())
    }

    /// The "last applied" mark, if any block was applied.
    pub(crate) fn applied(&self) -> Result<Option<pb::Applied>> {
        self.tree
            .get(keys::APPLIED)?
            .map(|v| decode(&v, keys::APPLIED))
            .transpose()
    }

    /// A stored message.
    pub(crate) fn msg<M: Message + Default>(&self, key: &[u8]) -> Result<Option<M>> {
        self.tree.get(key)?.map(|b| decode(&b, key)).transpose()
    }

    /// Every row under `prefix` (at most `limit`), in order.
    pub(crate) fn scan(&self, prefix: &[u8], limit: usize) -> Result<Vec<Row>> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix(prefix).take(limit) {
            let (k, val) = item?;
            out.push((k.to_vec(), val.to_vec()));
        }
        Ok(out)
    }

    /// Makes everything written durable. sled's own flush ends in `sync_file_range` on
    /// Linux, which is no fsync, so the data file is fsynced after it. Values stay far below
    /// sled's blob threshold (transactions ≤ `max_tx_bytes`), so the data file holds all.
    pub(crate) fn flush(&self) -> Result<()> {
        self.db.flush()?;
        let io = |source| Error::Io {
            path: self.db_file.display().to_string(),
            source,
        };
        std::fs::File::open(&self.db_file)
            .and_then(|f| f.sync_all())
            .map_err(io)
    }

    /// Bytes on disk.
    pub(crate) fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }
}

impl StateView for Store {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.tree.get(key)?.map(|v| v.to_vec()))
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix(prefix).keys() {
            out.push(item?.to_vec());
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
            .tree
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
