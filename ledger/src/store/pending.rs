//! Blocks applied but not yet written to sled, kept in memory and written in batches by a
//! background thread — as etcd's backend batches its commits — so a block costs one
//! in-memory merge, not a sled batch of its own. sled's small batches are what made a
//! quiet chain write hundreds of kilobytes per transaction: each batch seals sled's log
//! buffer twice and forces each seal to disk (`sync_file_range`), a page or more at a time.
//!
//! Safe because the fsynced Raft log is the durability source: a crash loses only blocks
//! whose entries Raft re-applies on restart, and the log is purged only past a snapshot,
//! which persists everything first ([`super::Store::flush`]).
//!
//! Two layers: `active` takes new writes; `persist` freezes it, writes the frozen layer to
//! sled in one atomic batch (so its "last applied" mark goes with its rows), then drops it.
//! Reads see `active` over `frozen` over sled, under a read lock held for the whole read,
//! so a row is never missed while it moves down.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use crate::view::Writes;

/// Defaults of [`Batching`], declared once.
pub(crate) const DEFAULT_PERSIST_EVERY: Duration = Duration::from_millis(100);
/// See [`Batching::max_bytes`].
pub(crate) const DEFAULT_PERSIST_BYTES: usize = 8 << 20;

/// When pending writes go to sled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batching {
    /// At most this long after the oldest pending write.
    pub every: Duration,
    /// As soon as this many bytes are pending; writers wait while twice as many are.
    pub max_bytes: usize,
}

impl Default for Batching {
    fn default() -> Self {
        Batching {
            every: DEFAULT_PERSIST_EVERY,
            max_bytes: DEFAULT_PERSIST_BYTES,
        }
    }
}

/// The layers.
#[derive(Debug, Default)]
pub(crate) struct Layers {
    pub(crate) active: Writes,
    active_bytes: usize,
    oldest: Option<Instant>,
    pub(crate) frozen: Option<Arc<Writes>>,
}

/// Pending writes and the signals between writers and the persister.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    layers: RwLock<Layers>,
    /// One persist at a time.
    persisting: Mutex<()>,
    /// Wakes the persister early (too many bytes) or to stop.
    wake: Mutex<Signal>,
    woken: Condvar,
    /// The first failure to persist: every later commit fails with it.
    failed: Mutex<Option<String>>,
}

#[derive(Debug, Default)]
pub(crate) struct Signal {
    pub(crate) due: bool,
    pub(crate) stop: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn size(k: &[u8], v: &Option<Vec<u8>>) -> usize {
    k.len() + v.as_ref().map_or(0, Vec::len) + 16
}

impl Pending {
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Layers> {
        self.layers.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Layers> {
        self.layers.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The persist failure, if one happened.
    pub(crate) fn failure(&self) -> Option<String> {
        lock(&self.failed).clone()
    }

    pub(crate) fn fail(&self, reason: String) {
        lock(&self.failed).get_or_insert(reason);
    }

    /// Adds `writes` on top. Returns whether the persister should run now.
    pub(crate) fn add(&self, writes: Writes, batching: &Batching) -> bool {
        let mut l = self.write();
        let added: usize = writes.iter().map(|(k, v)| size(k, v)).sum();
        if l.active.is_empty() {
            l.active = writes;
        } else {
            l.active.extend(writes);
        }
        l.active_bytes += added;
        l.oldest.get_or_insert_with(Instant::now);
        l.active_bytes >= batching.max_bytes
    }

    /// Bytes waiting in the active layer.
    pub(crate) fn active_bytes(&self) -> usize {
        self.read().active_bytes
    }

    /// How long until the active layer is due (zero if due, `None` if empty).
    pub(crate) fn due_in(&self, batching: &Batching) -> Option<Duration> {
        self.read()
            .oldest
            .map(|t| batching.every.saturating_sub(t.elapsed()))
    }

    /// Freezes the active layer and hands it to `write` (one atomic write to the store
    /// below), then drops it. Nothing to do when both layers are empty.
    pub(crate) fn persist<E>(&self, write: impl FnOnce(&Writes) -> Result<(), E>) -> Result<(), E> {
        let _one = lock(&self.persisting);
        let frozen = {
            let mut l = self.write();
            if l.frozen.is_none() && !l.active.is_empty() {
                let active = std::mem::take(&mut l.active);
                l.frozen = Some(Arc::new(active));
                l.active_bytes = 0;
                l.oldest = None;
            }
            l.frozen.clone()
        };
        let Some(frozen) = frozen else {
            return Ok(());
        };
        write(&frozen)?;
        self.write().frozen = None;
        Ok(())
    }

    /// Asks the persister to run now.
    pub(crate) fn nudge(&self) {
        lock(&self.wake).due = true;
        self.woken.notify_all();
    }

    /// Tells the persister to stop.
    pub(crate) fn stop(&self) {
        lock(&self.wake).stop = true;
        self.woken.notify_all();
    }

    /// Waits until nudged, stopped or `timeout`; returns and clears the signal.
    pub(crate) fn wait(&self, timeout: Duration) -> Signal {
        let mut s = lock(&self.wake);
        if !s.due && !s.stop {
            s = self
                .woken
                .wait_timeout(s, timeout)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        let out = Signal {
            due: s.due,
            stop: s.stop,
        };
        s.due = false;
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn w(k: &str, v: Option<&str>) -> Writes {
        let mut out = Writes::new();
        out.insert(k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec()));
        out
    }

    #[test]
    fn persist_writes_the_layers_in_order_once() {
        let p = Pending::default();
        let b = Batching::default();
        assert!(!p.add(w("a", Some("1")), &b));
        p.add(w("a", Some("2")), &b);
        p.add(w("b", None), &b);
        let mut seen = Vec::new();
        p.persist(|ws: &Writes| {
            seen.push(ws.clone());
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].get(b"a".as_slice()), Some(&Some(b"2".to_vec())));
        assert_eq!(seen[0].get(b"b".as_slice()), Some(&None));
        assert!(p.read().active.is_empty() && p.read().frozen.is_none());
        // Nothing pending: nothing written.
        p.persist(|_: &Writes| Err(())).unwrap();
    }

    #[test]
    fn a_failed_persist_keeps_the_rows_readable_and_retries_them() {
        let p = Pending::default();
        let b = Batching::default();
        p.add(w("a", Some("1")), &b);
        assert!(p.persist(|_: &Writes| Err("disk full")).is_err());
        assert!(p.read().frozen.is_some());
        p.add(w("c", Some("3")), &b);
        let mut seen = Vec::new();
        p.persist(|ws: &Writes| {
            seen.extend(ws.keys().cloned());
            Ok::<(), ()>(())
        })
        .unwrap();
        // The frozen layer goes first, alone; the newer one stays active.
        assert_eq!(seen, vec![b"a".to_vec()]);
        assert_eq!(p.read().active.len(), 1);
    }

    #[test]
    fn a_layer_over_its_byte_budget_asks_to_be_persisted() {
        let p = Pending::default();
        let b = Batching {
            every: Duration::from_secs(60),
            max_bytes: 64,
        };
        assert!(!p.add(w("a", Some("1")), &b));
        assert!(p.add(w("b", Some(&"x".repeat(64))), &b));
        assert!(p.due_in(&b).is_some_and(|d| d > Duration::from_secs(1)));
    }
}
