//! `SmStore`: runs a synchronous [`StateMachine`] under openraft's state-machine traits,
//! and keeps the current snapshot as files ([`snapshot_file`]): built by streaming the
//! machine's state into a file, sent and received by Raft in chunks from and into files,
//! installed from a file. Memory stays bounded whatever the state's size.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use openraft::storage::{RaftStateMachine, Snapshot};
use openraft::{EntryPayload, ErrorVerb, RaftSnapshotBuilder};

use super::{snapshot_file, AppliedMark, MarkData, StateMachine};
use crate::error::Error;
use crate::raft_types::{
    self, sm_io_error, AppResponse, LogId, RaftEntry, SnapshotMeta, StorageError, StoredMembership,
    TypeConfig,
};
use crate::types::Entry;

/// The state-machine side of a node. Cheap to clone.
#[derive(Clone)]
pub(crate) struct SmStore {
    inner: Arc<Inner>,
}

struct Inner {
    sm: Mutex<Box<dyn StateMachine>>,
    dir: PathBuf,
    cached: Mutex<Cached>,
    /// Serialises publishing and reading the current snapshot.
    file: Mutex<()>,
    seq: AtomicU64,
    /// Where the snapshot being received is written.
    receiving: Mutex<Option<PathBuf>>,
}

#[derive(Clone, Default)]
struct Cached {
    last_applied: Option<LogId>,
    membership: StoredMembership,
    current: Option<SnapshotMeta>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn mark_of(meta: &SnapshotMeta) -> MarkData {
    MarkData {
        last_applied: meta.last_log_id,
        membership: meta.last_membership.clone(),
    }
}

impl SmStore {
    /// Open the adapter over `sm`, with snapshots in `dir`. Blocking.
    ///
    /// If the current snapshot is newer than the machine's applied mark (the machine lost
    /// state, or a crash fell between receiving a snapshot and installing it), the snapshot
    /// is installed first, so openraft re-applies only entries after it.
    pub(crate) fn open(dir: &Path, mut sm: Box<dyn StateMachine>) -> Result<Self, Error> {
        std::fs::create_dir_all(dir)?;
        if snapshot_file::legacy_exists(dir) {
            tracing::warn!(
                dir = %dir.display(),
                "ignoring a whole-ledger snapshot of an older shuquand (current.snap); the \
                 node fetches a new one from the leader if it needs one"
            );
        }
        snapshot_file::clean(dir)?;
        let current = snapshot_file::read(dir)?;
        let mut applied = match sm.applied()? {
            Some(mark) => mark.data()?,
            None => MarkData {
                last_applied: None,
                membership: StoredMembership::default(),
            },
        };
        if let Some(cur) = &current {
            if cur.meta.last_log_id > applied.last_applied {
                tracing::info!(
                    snapshot = %cur.meta.snapshot_id,
                    "state machine is behind its snapshot; installing the snapshot"
                );
                let mark_data = mark_of(&cur.meta);
                match sm.install(&cur.data, &AppliedMark::new(&mark_data)?) {
                    Ok(()) => applied = mark_data,
                    Err(e) => {
                        // Not this chain's state (or damaged): forget it; Raft fetches a
                        // snapshot from the leader again.
                        tracing::error!(error = %e, "the current snapshot does not install; discarding it");
                        snapshot_file::discard(dir)?;
                        let applied = match sm.applied()? {
                            Some(mark) => mark.data()?,
                            None => MarkData {
                                last_applied: None,
                                membership: StoredMembership::default(),
                            },
                        };
                        return Self::finish_open(dir, sm, applied, None);
                    }
                }
            }
        }
        Self::finish_open(dir, sm, applied, current)
    }

    fn finish_open(
        dir: &Path,
        sm: Box<dyn StateMachine>,
        applied: MarkData,
        current: Option<snapshot_file::Current>,
    ) -> Result<Self, Error> {
        Ok(Self {
            inner: Arc::new(Inner {
                sm: Mutex::new(sm),
                dir: dir.to_path_buf(),
                cached: Mutex::new(Cached {
                    last_applied: applied.last_applied,
                    membership: applied.membership,
                    current: current.map(|c| c.meta),
                }),
                file: Mutex::new(()),
                seq: AtomicU64::new(0),
                receiving: Mutex::new(None),
            }),
        })
    }

    /// Run `f` on the state machine in a blocking thread.
    async fn blocking<T, F>(&self, verb: ErrorVerb, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn StateMachine) -> Result<T, Error> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut sm = lock(&inner.sm);
            f(sm.as_mut())
        })
        .await
        .map_err(|e| sm_io_error(verb, e))?
        .map_err(|e| sm_io_error(verb, e))
    }

    /// Make the file at `tmp` the current snapshot unless a newer one already is; either
    /// way, returns the current snapshot's data path and meta.
    async fn publish(
        &self,
        meta: SnapshotMeta,
        tmp: PathBuf,
    ) -> Result<snapshot_file::Current, StorageError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let _guard = lock(&inner.file);
            let newer_exists = lock(&inner.cached)
                .current
                .as_ref()
                .is_some_and(|cur| cur.last_log_id > meta.last_log_id);
            if newer_exists {
                let _ = std::fs::remove_file(&tmp);
                if let Some(cur) = snapshot_file::read(&inner.dir)? {
                    return Ok(cur);
                }
            }
            let cur = snapshot_file::publish(&inner.dir, &meta, &tmp)?;
            lock(&inner.cached).current = Some(meta);
            Ok::<_, Error>(cur)
        })
        .await
        .map_err(|e| sm_io_error(ErrorVerb::Write, e))?
        .map_err(|e| sm_io_error(ErrorVerb::Write, e))
    }

    fn next_temp(&self, what: &str) -> PathBuf {
        let n = self.inner.seq.fetch_add(1, Ordering::Relaxed);
        snapshot_file::temp_path(&self.inner.dir, what, n)
    }
}

async fn open_data(path: &Path) -> Result<Box<tokio::fs::File>, StorageError> {
    tokio::fs::File::open(path)
        .await
        .map(Box::new)
        .map_err(|e| sm_io_error(ErrorVerb::Read, e))
}

/// Publishes a snapshot already written (while applies were paused) to a temp file.
pub(crate) struct SnapshotBuilder {
    store: SmStore,
    prepared: Result<(PathBuf, MarkData), String>,
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError> {
        let (tmp, mark) = match &self.prepared {
            Ok(p) => p.clone(),
            Err(e) => return Err(sm_io_error(ErrorVerb::Read, e)),
        };
        let seq = self.store.inner.seq.fetch_add(1, Ordering::Relaxed);
        let snapshot_id = match &mark.last_applied {
            Some(id) => format!("{}-{}-{}", raft_types::term_of(id), id.index, seq),
            None => format!("--{seq}"),
        };
        let meta = SnapshotMeta {
            last_log_id: mark.last_applied,
            last_membership: mark.membership,
            snapshot_id,
        };
        let cur = self.store.publish(meta, tmp).await?;
        Ok(Snapshot {
            meta: cur.meta,
            snapshot: open_data(&cur.data).await?,
        })
    }
}

impl RaftStateMachine<TypeConfig> for SmStore {
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), StorageError> {
        let c = lock(&self.inner.cached);
        Ok((c.last_applied, c.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<AppResponse>, StorageError>
    where
        I: IntoIterator<Item = RaftEntry> + Send,
        I::IntoIter: Send,
    {
        let (mut last, mut membership) = {
            let c = lock(&self.inner.cached);
            (c.last_applied, c.membership.clone())
        };
        let mut app = Vec::new();
        let mut is_app = Vec::new();
        for e in entries {
            last = Some(e.log_id);
            match e.payload {
                EntryPayload::Blank => is_app.push(false),
                EntryPayload::Normal(req) => {
                    is_app.push(true);
                    app.push(Entry {
                        index: e.log_id.index,
                        term: raft_types::term_of(&e.log_id),
                        payload: req.0,
                    });
                }
                EntryPayload::Membership(m) => {
                    is_app.push(false);
                    membership = StoredMembership::new(Some(e.log_id), m);
                }
            }
        }
        if is_app.is_empty() {
            return Ok(Vec::new());
        }
        let mark_data = MarkData {
            last_applied: last,
            membership: membership.clone(),
        };
        let mark = AppliedMark::new(&mark_data).map_err(|e| sm_io_error(ErrorVerb::Write, e))?;
        let expected = app.len();
        let responses = self
            .blocking(ErrorVerb::Write, move |sm| sm.apply(&app, &mark))
            .await?;
        if responses.len() != expected {
            return Err(sm_io_error(
                ErrorVerb::Write,
                format!(
                    "state machine returned {} responses for {expected} entries",
                    responses.len()
                ),
            ));
        }
        {
            let mut c = lock(&self.inner.cached);
            c.last_applied = last;
            c.membership = membership;
        }
        let mut responses = responses.into_iter();
        Ok(is_app
            .into_iter()
            .map(|a| {
                if a {
                    AppResponse(responses.next().unwrap_or_default())
                } else {
                    AppResponse::default()
                }
            })
            .collect())
    }

    async fn get_snapshot_builder(&mut self) -> SnapshotBuilder {
        let mark = {
            let c = lock(&self.inner.cached);
            MarkData {
                last_applied: c.last_applied,
                membership: c.membership.clone(),
            }
        };
        let tmp = self.next_temp("building");
        let path = tmp.clone();
        // Written here, where openraft runs nothing else on the machine: the state matches
        // the mark.
        let written = self
            .blocking(ErrorVerb::Read, move |sm| {
                let file = std::fs::File::create(&path)?;
                let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
                sm.snapshot(&mut out)?;
                let file = out.into_inner().map_err(|e| Error::Io(e.into_error()))?;
                file.sync_all()?;
                Ok(())
            })
            .await;
        SnapshotBuilder {
            store: self.clone(),
            prepared: written.map(|()| (tmp, mark)).map_err(|e| e.to_string()),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<tokio::fs::File>, StorageError> {
        let path = self.next_temp("receiving");
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(&path)
            .await
            .map_err(|e| sm_io_error(ErrorVerb::Write, e))?;
        if let Some(old) = lock(&self.inner.receiving).replace(path) {
            let _ = std::fs::remove_file(old);
        }
        Ok(Box::new(file))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta,
        snapshot: Box<tokio::fs::File>,
    ) -> Result<(), StorageError> {
        use tokio::io::{AsyncSeekExt, AsyncWriteExt};
        let io = |e| sm_io_error(ErrorVerb::Write, e);
        let mut file = snapshot;
        file.flush().await.map_err(io)?;
        // The data is whatever the handle holds (normally the file `begin_receiving_snapshot`
        // made, which Raft filled in chunks): copied into a file of our own, in a stream.
        file.seek(std::io::SeekFrom::Start(0)).await.map_err(io)?;
        let tmp = self.next_temp("received");
        let mut copy = tokio::fs::File::create(&tmp).await.map_err(io)?;
        tokio::io::copy(&mut *file, &mut copy).await.map_err(io)?;
        copy.flush().await.map_err(io)?;
        drop(copy);
        drop(file);
        if let Some(receiving) = lock(&self.inner.receiving).take() {
            let _ = std::fs::remove_file(receiving);
        }
        // The file first: if we crash before the machine installs it, `open` does.
        let cur = self.publish(meta.clone(), tmp).await?;
        if cur.meta.snapshot_id != meta.snapshot_id {
            // A newer snapshot is current already; this one is stale.
            return Ok(());
        }
        let mark_data = mark_of(meta);
        let mark = AppliedMark::new(&mark_data).map_err(|e| sm_io_error(ErrorVerb::Write, e))?;
        let data = cur.data.clone();
        let installed = self
            .blocking(ErrorVerb::Write, move |sm| sm.install(&data, &mark))
            .await;
        if let Err(e) = installed {
            let inner = self.inner.clone();
            let _ = tokio::task::spawn_blocking(move || {
                let _guard = lock(&inner.file);
                lock(&inner.cached).current = None;
                snapshot_file::discard(&inner.dir)
            })
            .await;
            return Err(e);
        }
        let mut c = lock(&self.inner.cached);
        c.last_applied = mark_data.last_applied;
        c.membership = mark_data.membership;
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot<TypeConfig>>, StorageError> {
        let inner = self.inner.clone();
        let found = tokio::task::spawn_blocking(move || {
            let _guard = lock(&inner.file);
            snapshot_file::read(&inner.dir)
        })
        .await
        .map_err(|e| sm_io_error(ErrorVerb::Read, e))?
        .map_err(|e| sm_io_error(ErrorVerb::Read, e))?;
        match found {
            None => Ok(None),
            Some(cur) => Ok(Some(Snapshot {
                meta: cur.meta,
                snapshot: open_data(&cur.data).await?,
            })),
        }
    }
}
