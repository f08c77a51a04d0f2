//! The mempool: a bounded queue of admitted transactions, deduplicated by id, drained
//! oldest first. When full it refuses new work with a clear error instead of growing.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use shuquan_proto::Hash32;
use tokio::sync::Notify;

/// Why a transaction was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The queue holds its maximum; retry later.
    Full(usize),
}

/// A bounded FIFO of `(id, raw bytes)`.
#[derive(Debug)]
pub struct Mempool {
    inner: Mutex<Inner>,
    cap: usize,
    notify: Notify,
}

#[derive(Debug, Default)]
struct Inner {
    queue: VecDeque<(Hash32, Vec<u8>)>,
    ids: HashSet<Hash32>,
}

impl Mempool {
    /// A mempool holding at most `cap` transactions.
    pub fn new(cap: usize) -> Self {
        Mempool {
            inner: Mutex::new(Inner::default()),
            cap,
            notify: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the queue inconsistent (every
        // mutation is a single push or drain), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a transaction. `Ok(false)` when it is already queued.
    pub fn insert(&self, id: Hash32, raw: Vec<u8>) -> Result<bool, Refused> {
        let mut inner = self.lock();
        if inner.ids.contains(&id) {
            return Ok(false);
        }
        if inner.queue.len() >= self.cap {
            return Err(Refused::Full(self.cap));
        }
        inner.ids.insert(id);
        inner.queue.push_back((id, raw));
        drop(inner);
        self.notify.notify_one();
        Ok(true)
    }

    /// Takes up to `max` transactions, oldest first.
    pub fn drain(&self, max: usize) -> Vec<(Hash32, Vec<u8>)> {
        let mut inner = self.lock();
        let n = max.min(inner.queue.len());
        let out: Vec<_> = inner.queue.drain(..n).collect();
        for (id, _) in &out {
            inner.ids.remove(id);
        }
        out
    }

    /// Transactions waiting.
    pub fn len(&self) -> usize {
        self.lock().queue.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until something may be queued (cancel-safe).
    pub async fn ready(&self) {
        if !self.is_empty() {
            return;
        }
        self.notify.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(i: u8) -> Hash32 {
        Hash32([i; 32])
    }

    #[test]
    fn bounded_deduplicated_and_fifo() {
        let m = Mempool::new(2);
        assert_eq!(m.insert(h(1), vec![1]), Ok(true));
        assert_eq!(m.insert(h(1), vec![1]), Ok(false));
        assert_eq!(m.insert(h(2), vec![2]), Ok(true));
        assert_eq!(m.insert(h(3), vec![3]), Err(Refused::Full(2)));
        let got: Vec<Hash32> = m.drain(10).into_iter().map(|(id, _)| id).collect();
        assert_eq!(got, vec![h(1), h(2)]);
        assert!(m.is_empty());
        assert_eq!(
            m.insert(h(1), vec![1]),
            Ok(true),
            "a drained id may be queued again"
        );
    }
}
