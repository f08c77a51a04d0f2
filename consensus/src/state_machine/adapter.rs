//! `SmStore`: runs a synchronous [`StateMachine`] under openraft's state-machine traits,
//! and keeps the current snapshot as a file.

use std::io::Cursor;
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
    /// Serialises snapshot file writes and reads.
    file: Mutex<()>,
    seq: AtomicU64,
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

impl SmStore {
    /// Open the adapter over `sm`, with snapshots in `dir`. Blocking.
    ///
    /// If the snapshot file is newer than the machine's applied mark (the machine lost
    /// state, or a crash fell between writing a received snapshot and installing it),
    /// the snapshot is installed first, so openraft re-applies only entries after it.
    pub(crate) fn open(dir: &Path, mut sm: Box<dyn StateMachine>) -> Result<Self, Error> {
        std::fs::create_dir_all(dir)?;
        snapshot_file::clean(dir)?;
        let snapshot = snapshot_file::read(dir)?;
        let mut applied = match sm.applied()? {
            Some(mark) => mark.data()?,
            None => MarkData {
                last_applied: None,
                membership: StoredMembership::default(),
            },
        };
        let mut current = None;
        if let Some((meta, data)) = snapshot {
            if meta.last_log_id > applied.last_applied {
                let mark_data = MarkData {
                    last_applied: meta.last_log_id,
                    membership: meta.last_membership.clone(),
                };
                tracing::info!(
                    snapshot = %meta.snapshot_id,
                    "state machine is behind its snapshot; installing the snapshot"
                );
                sm.install(&data, &AppliedMark::new(&mark_data)?)?;
                applied = mark_data;
            }
            current = Some(meta);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                sm: Mutex::new(sm),
                dir: dir.to_path_buf(),
                cached: Mutex::new(Cached {
                    last_applied: applied.last_applied,
                    membership: applied.membership,
                    current,
                }),
                file: Mutex::new(()),
                seq: AtomicU64::new(0),
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

    /// Write a snapshot file unless a newer one is already current.
    async fn save_file(&self, meta: SnapshotMeta, data: Vec<u8>) -> Result<(), StorageError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let _guard = lock(&inner.file);
            let newer_exists = lock(&inner.cached)
                .current
                .as_ref()
                .is_some_and(|cur| cur.last_log_id > meta.last_log_id);
            if newer_exists {
                return Ok(());
            }
            snapshot_file::write(&inner.dir, &meta, &data)?;
            lock(&inner.cached).current = Some(meta);
            Ok::<(), Error>(())
        })
        .await
        .map_err(|e| sm_io_error(ErrorVerb::Write, e))?
        .map_err(|e| sm_io_error(ErrorVerb::Write, e))
    }
}

/// Builds a snapshot from state copied while applies were paused.
pub(crate) struct SnapshotBuilder {
    store: SmStore,
    prepared: Result<(Vec<u8>, MarkData), String>,
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError> {
        let (data, mark) = match &self.prepared {
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
        self.store.save_file(meta.clone(), data.clone()).await?;
        Ok(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
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
        let data = self.blocking(ErrorVerb::Read, |sm| sm.snapshot()).await;
        SnapshotBuilder {
            store: self.clone(),
            prepared: data.map(|d| (d, mark)).map_err(|e| e.to_string()),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, StorageError> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError> {
        let data = snapshot.into_inner();
        // The file first: if we crash before the machine installs it, `open` does.
        self.save_file(meta.clone(), data.clone()).await?;
        let mark_data = MarkData {
            last_applied: meta.last_log_id,
            membership: meta.last_membership.clone(),
        };
        let mark = AppliedMark::new(&mark_data).map_err(|e| sm_io_error(ErrorVerb::Write, e))?;
        self.blocking(ErrorVerb::Write, move |sm| sm.install(&data, &mark))
            .await?;
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
        Ok(found.map(|(meta, data)| Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
        }))
    }
}
