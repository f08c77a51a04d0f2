//! `LogStore`: the raft-log backed implementation of openraft's log storage traits.

// openraft's trait methods return its (large) `StorageError`; boxing would not fit them.
#![allow(clippy::result_large_err)]

use std::fmt::Debug;
use std::io;
use std::ops::{Bound, RangeBounds};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use openraft::storage::{LogFlushed, RaftLogStorage};
use openraft::{ErrorVerb, LogState, RaftLogReader};
use raft_log::api::raft_log_writer::RaftLogWriter;
use raft_log::RaftLog;

use super::wal_types::{
    encode_payload, Durability, DurableState, DurableUpdate, IoCallback, Notify, WalLogId,
    WalTypes, WalVote,
};
use crate::error::Error;
use crate::raft_types::{self, log_io_error, LogId, RaftEntry, StorageError, TypeConfig, Vote};

/// Largest WAL chunk file; purged chunks are deleted whole, so this bounds dead space.
/// raft-log keeps the open chunk's entries in memory, so this also bounds that.
const CHUNK_MAX_BYTES: usize = 32 * 1024 * 1024;
/// Most bytes of entries raft-log keeps in memory (its default, 1 GiB, kept every entry
/// since the last snapshot: a node's memory grew with the log). It evicts only entries of
/// closed, synced chunks, so the open chunk's stay: at most about the larger of this and a
/// chunk. Older entries are read back from disk, which only a lagging follower needs.
const LOG_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// The Raft log of one node. Cheap to clone: clones share the open log.
#[derive(Clone)]
pub(crate) struct LogStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// `None` once closed: the directory lock is released and every access fails.
    log: Mutex<Option<RaftLog<WalTypes>>>,
    durability: Arc<Durability>,
    dir: PathBuf,
}

impl Debug for LogStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStore")
            .field("dir", &self.inner.dir)
            .finish()
    }
}

impl LogStore {
    /// Open (or create) the log in `dir`. Blocking: call from a blocking context.
    pub(crate) fn open(dir: &Path) -> Result<Self, Error> {
        std::fs::create_dir_all(dir)?;
        let dir_str = dir
            .to_str()
            .ok_or_else(|| Error::Config(format!("log dir is not UTF-8: {}", dir.display())))?;
        sync_existing_files(dir)?;
        let mut config = raft_log::Config::new(dir_str);
        config.wal.chunk_max_size = Some(CHUNK_MAX_BYTES);
        config.log_cache_capacity = Some(LOG_CACHE_BYTES);
        // openraft 0.9 waits for each append's flush before issuing the next write, so
        // there is never a second request to group with: raft-log's default 1 ms
        // group-commit wait would only add 1 ms to every commit.
        config.wal.flush_batch_wait = Some(std::time::Duration::ZERO);
        let log = RaftLog::<WalTypes>::open(Arc::new(config))
            .map_err(|e| Error::Storage(format!("open raft log {}: {e}", dir.display())))?;
        // What a previous run left on disk is durable (a simulated crash already removed
        // what was never synced), so a second crash must not discard it.
        let durable = log.log_state().last().copied();
        Ok(Self {
            inner: Arc::new(Inner {
                log: Mutex::new(Some(log)),
                durability: Arc::new(Durability::starting_at(durable)),
                dir: dir.to_path_buf(),
            }),
        })
    }

    fn lock(&self) -> Result<LogGuard<'_>, io::Error> {
        // A poisoned lock means a panic while holding it; the log itself is still consistent
        // (every raft-log call is all-or-nothing), so keep going.
        let guard = self.inner.log.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            return Err(io::Error::other("raft log is closed"));
        }
        Ok(LogGuard(guard))
    }

    /// Close the log now: drop raft-log (releasing its directory lock) even if other
    /// handles still exist; they get errors from then on. Used after Raft has stopped.
    pub(crate) fn close(&self) {
        let log = self
            .inner
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(log) = log {
            if let Err(e) = log.wait_worker_idle() {
                tracing::warn!(error = %e, "raft log worker failed while closing");
            }
        }
    }

    fn callback(&self, notify: Notify, update: DurableUpdate) -> IoCallback {
        IoCallback {
            notify,
            durability: Some((self.inner.durability.clone(), update)),
        }
    }

    /// Flush with fsync and wait for completion.
    async fn sync(&self, update: DurableUpdate) -> Result<(), io::Error> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        {
            let mut log = self.lock()?;
            log.flush(true, Some(self.callback(Notify::Oneshot(tx), update)))?;
        }
        rx.await
            .map_err(|_| io::Error::other("log flush was abandoned (node crashed?)"))?
    }

    /// Stop acknowledging I/O completions (the first instant of a simulated crash).
    pub(crate) fn stop_acknowledging(&self) {
        let _ = self.inner.durability.crash();
    }

    /// Simulate a crash with power loss: from now on no I/O completion is acknowledged,
    /// and every entry appended after the last fsync acknowledged so far is removed.
    ///
    /// Call after the Raft core has stopped. Returns the durable state kept.
    pub(crate) fn crash_and_discard_unsynced(&self) -> Result<Option<LogId>, Error> {
        let DurableState { last, .. } = self.inner.durability.crash();
        let mut log = self.lock().map_err(|e| Error::Storage(e.to_string()))?;
        let current_last = log.log_state().last().copied();
        let keep_next = last.map_or(0, |l| l.index + 1);
        if current_last.is_some_and(|cur| cur.index >= keep_next) {
            // Only cut if the durable entry is still the one in the log (same log id).
            let purged = log.log_state().purged().copied();
            let same = match last {
                None => true,
                Some(l) if Some(l) == purged => true,
                Some(l) => log
                    .read(l.index, l.index + 1)
                    .next()
                    .is_some_and(|r| r.map(|(id, _)| id == l).unwrap_or(false)),
            };
            let purged_next = log.log_state().purged().map_or(0, |p| p.index + 1);
            if same && keep_next >= purged_next {
                if let Err(e) = log.truncate(keep_next) {
                    tracing::warn!(error = %e, "crash: could not discard unsynced entries");
                }
            }
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        log.flush(
            true,
            Some(IoCallback {
                notify: Notify::Blocking(tx),
                durability: None,
            }),
        )
        .map_err(|e| Error::Storage(e.to_string()))?;
        drop(log);
        rx.recv()
            .map_err(|_| Error::Storage("flush worker gone".into()))?
            .map_err(|e| Error::Storage(e.to_string()))?;
        Ok(last.as_ref().map(LogId::from))
    }

    #[cfg(test)]
    pub(crate) fn raw_for_tests(&self) -> &Mutex<Option<RaftLog<WalTypes>>> {
        &self.inner.log
    }

    #[cfg(test)]
    pub(crate) fn callback_for_tests(&self, notify: Notify, update: DurableUpdate) -> IoCallback {
        self.callback(notify, update)
    }

    /// The entries of `[start, end)` that are present (openraft allows missing ones).
    fn read_range(&self, start: u64, end: u64) -> Result<Vec<RaftEntry>, StorageError> {
        let log = self.lock().map_err(|e| log_io_error(ErrorVerb::Read, e))?;
        let mut out = Vec::new();
        for item in log.read(start, end) {
            let (id, payload) = item.map_err(|e| log_io_error(ErrorVerb::Read, e))?;
            let payload =
                raft_types::decode(&payload.0).map_err(|e| log_io_error(ErrorVerb::Read, e))?;
            out.push(openraft::Entry {
                log_id: LogId::from(&id),
                payload,
            });
        }
        Ok(out)
    }
}

/// fsync every file already in `dir`, and `dir` itself.
///
/// After a process crash, records the previous run wrote but never synced may still sit in
/// the page cache; reopening reads them and Raft would build on them. Syncing first makes
/// everything the new run sees durable, so a later power loss cannot take it back.
fn sync_existing_files(dir: &Path) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::File::open(entry.path())?.sync_all()?;
        }
    }
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// A locked, open log.
struct LogGuard<'a>(MutexGuard<'a, Option<RaftLog<WalTypes>>>);

impl Deref for LogGuard<'_> {
    type Target = RaftLog<WalTypes>;

    fn deref(&self) -> &Self::Target {
        match self.0.as_ref() {
            Some(log) => log,
            None => unreachable!("LogGuard is only built for an open log"),
        }
    }
}

impl DerefMut for LogGuard<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self.0.as_mut() {
            Some(log) => log,
            None => unreachable!("LogGuard is only built for an open log"),
        }
    }
}

fn range_bounds<RB: RangeBounds<u64>>(range: &RB) -> (u64, u64) {
    let start = match range.start_bound() {
        Bound::Included(&s) => s,
        Bound::Excluded(&s) => s.saturating_add(1),
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(&e) => e.saturating_add(1),
        Bound::Excluded(&e) => e,
        Bound::Unbounded => u64::MAX,
    };
    (start, end)
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + Send>(
        &mut self,
        range: RB,
    ) -> Result<Vec<RaftEntry>, StorageError> {
        let (start, end) = range_bounds(&range);
        if start >= end {
            return Ok(Vec::new());
        }
        self.read_range(start, end)
    }

    /// What replication sends: only the run of entries starting exactly at `start`.
    ///
    /// raft-log reads the entries that exist in a range, so a range whose beginning was
    /// purged meanwhile comes back starting later; openraft's replication sent that as an
    /// AppendEntries whose first entry does not follow `prev_log_id`, and the follower
    /// panicked (found by t80 seed 75). With nothing at `start`, this returns nothing,
    /// which openraft treats as a heartbeat before it turns to a snapshot.
    async fn limited_get_log_entries(
        &mut self,
        start: u64,
        end: u64,
    ) -> Result<Vec<RaftEntry>, StorageError> {
        let mut entries = self.try_get_log_entries(start..end).await?;
        let run = entries
            .iter()
            .zip(start..)
            .take_while(|(e, i)| e.log_id.index == *i)
            .count();
        entries.truncate(run);
        Ok(entries)
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError> {
        let log = self.lock().map_err(|e| log_io_error(ErrorVerb::Read, e))?;
        let st = log.log_state();
        Ok(LogState {
            last_purged_log_id: st.purged().map(LogId::from),
            last_log_id: st.last().map(LogId::from),
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), StorageError> {
        {
            let mut log = self.lock().map_err(|e| log_io_error(ErrorVerb::Write, e))?;
            log.save_vote(WalVote::from(vote))
                .map_err(|e| log_io_error(ErrorVerb::Write, e))?;
        }
        self.sync(DurableUpdate::None)
            .await
            .map_err(|e| openraft::StorageIOError::write_vote(openraft::AnyError::new(&e)).into())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, StorageError> {
        Ok(self
            .lock()
            .map_err(|e| log_io_error(ErrorVerb::Read, e))?
            .log_state()
            .vote()
            .map(Vote::from))
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), StorageError> {
        // An optimisation only (fewer entries re-applied after a restart), so it is flushed
        // without fsync, and skipped when raft-log would reject it as out of range.
        let Some(c) = committed.as_ref().map(WalLogId::from) else {
            return Ok(());
        };
        let mut log = self.lock().map_err(|e| log_io_error(ErrorVerb::Write, e))?;
        let st = log.log_state();
        // Never record a commit point beyond what this log has made durable.
        let durable = self.inner.durability.last();
        if Some(&c) > st.last() || Some(&c) <= st.committed() || Some(c) > durable {
            return Ok(());
        }
        log.commit(c)
            .map_err(|e| log_io_error(ErrorVerb::Write, e))?;
        log.flush(false, None)
            .map_err(|e| log_io_error(ErrorVerb::Write, e))?;
        Ok(())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError> {
        Ok(self
            .lock()
            .map_err(|e| log_io_error(ErrorVerb::Read, e))?
            .log_state()
            .committed()
            .map(LogId::from))
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: LogFlushed<TypeConfig>,
    ) -> Result<(), StorageError>
    where
        I: IntoIterator<Item = RaftEntry> + Send,
        I::IntoIter: Send,
    {
        // Entries at or below the purge point are already covered by the state machine
        // (openraft only appends there in its conformance suite); they are not stored.
        let purged_index = self
            .lock()
            .map_err(|e| log_io_error(ErrorVerb::Read, e))?
            .log_state()
            .purged()
            .map(|p| p.index);
        let mut batch = Vec::new();
        for entry in entries {
            if purged_index.is_some_and(|p| entry.log_id.index <= p) {
                continue;
            }
            let payload =
                encode_payload(&entry.payload).map_err(|e| log_io_error(ErrorVerb::Write, e))?;
            batch.push((WalLogId::from(&entry.log_id), payload));
        }
        let Some(last) = batch.last().map(|(id, _)| *id) else {
            callback.log_io_completed(Ok(()));
            return Ok(());
        };
        let mut log = self.lock().map_err(|e| log_io_error(ErrorVerb::Write, e))?;
        log.append(batch)
            .map_err(|e| log_io_error(ErrorVerb::Write, e))?;
        let cb = self.callback(Notify::Flushed(callback), DurableUpdate::Appended(last));
        log.flush(true, Some(cb))
            .map_err(|e| log_io_error(ErrorVerb::Write, e))?;
        Ok(())
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError> {
        let keep = {
            let mut log = self
                .lock()
                .map_err(|e| log_io_error(ErrorVerb::Delete, e))?;
            let keep = match log_id.index.checked_sub(1) {
                None => None,
                // The entry before the cut is what stays durable; if it was purged, the
                // purge point is. A read that fails must not pass for a purge.
                Some(prev) => match log.read(prev, prev + 1).next() {
                    Some(Ok((id, _))) => Some(id),
                    Some(Err(e)) => return Err(log_io_error(ErrorVerb::Read, e)),
                    None => log.log_state().purged().copied(),
                },
            };
            log.truncate(log_id.index)
                .map_err(|e| log_io_error(ErrorVerb::Delete, e))?;
            keep
        };
        self.sync(DurableUpdate::Truncated(keep))
            .await
            .map_err(|e| log_io_error(ErrorVerb::Delete, e))
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError> {
        let id = WalLogId::from(&log_id);
        {
            let mut log = self
                .lock()
                .map_err(|e| log_io_error(ErrorVerb::Delete, e))?;
            log.purge(id)
                .map_err(|e| log_io_error(ErrorVerb::Delete, e))?;
        }
        self.sync(DurableUpdate::Purged(id))
            .await
            .map_err(|e| log_io_error(ErrorVerb::Delete, e))
    }
}
