//! The mempool: a bounded set of admitted transactions, deduplicated by id, proposed oldest
//! first. When full it refuses new work with a clear error instead of growing, and no one
//! signing key may hold more than its quota, so one member flooding cannot keep the others
//! out.
//!
//! A transaction stays until a committed block names it ([`Mempool::remove`]), on every
//! node: followers keep what they received so a new leader can propose it. The leader
//! [`Mempool::take`]s transactions into a proposal (they stay counted, so gossip cannot
//! queue them twice) and [`Mempool::requeue`]s them if the proposal fails.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use shuquan_proto::{Hash32, PublicKey};
use tokio::sync::Notify;

/// Why a transaction was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The mempool holds its maximum; retry later.
    Full(usize),
    /// This signing key holds its quota of waiting transactions; retry when some commit.
    SignerFull(usize),
}

/// A transaction with its id.
pub type Pending = (Hash32, Vec<u8>);

/// A bounded, deduplicated FIFO of transactions.
#[derive(Debug)]
pub struct Mempool {
    inner: Mutex<Inner>,
    cap: usize,
    per_signer: usize,
    notify: Notify,
}

#[derive(Debug)]
struct Entry {
    seq: u64,
    /// Empty while the transaction is in a proposal (`take`n).
    raw: Vec<u8>,
    since: Instant,
    signer: PublicKey,
}

#[derive(Debug, Default)]
struct Inner {
    /// Queued (not taken) transactions by arrival.
    queue: BTreeMap<u64, Hash32>,
    entries: HashMap<Hash32, Entry>,
    /// Transactions held per signing key.
    by_signer: HashMap<PublicKey, usize>,
    next: u64,
}

impl Inner {
    fn forget(&mut self, id: &Hash32) {
        if let Some(entry) = self.entries.remove(id) {
            self.queue.remove(&entry.seq);
            if let Some(n) = self.by_signer.get_mut(&entry.signer) {
                *n -= 1;
                if *n == 0 {
                    self.by_signer.remove(&entry.signer);
                }
            }
        }
    }
}

impl Mempool {
    /// A mempool holding at most `cap` transactions, of which at most `per_signer` by one
    /// signing key.
    pub fn new(cap: usize, per_signer: usize) -> Self {
        Mempool {
            inner: Mutex::new(Inner::default()),
            cap,
            per_signer,
            notify: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every mutation keeps `queue` and `entries` consistent before it can panic, so a
        // poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The most transactions it holds.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Queues a transaction signed by `signer`. `Ok(false)` when it is already here
    /// (queued or proposed).
    pub fn insert(&self, id: Hash32, raw: Vec<u8>, signer: PublicKey) -> Result<bool, Refused> {
        let mut inner = self.lock();
        if inner.entries.contains_key(&id) {
            return Ok(false);
        }
        if inner.entries.len() >= self.cap {
            return Err(Refused::Full(self.cap));
        }
        let held = inner.by_signer.entry(signer).or_default();
        if *held >= self.per_signer {
            return Err(Refused::SignerFull(self.per_signer));
        }
        *held += 1;
        let seq = inner.next;
        inner.next += 1;
        inner.queue.insert(seq, id);
        let since = Instant::now();
        inner.entries.insert(
            id,
            Entry {
                seq,
                raw,
                since,
                signer,
            },
        );
        drop(inner);
        self.notify.notify_one();
        Ok(true)
    }

    /// Takes the oldest queued transactions for a proposal: at most `max_txs`, and at most
    /// `max_bytes` in all (at least one, whatever its size). They stay in the mempool until
    /// [`Mempool::remove`]d or [`Mempool::requeue`]d.
    pub fn take(&self, max_txs: usize, max_bytes: usize) -> Vec<Pending> {
        let mut inner = self.lock();
        let mut out = Vec::new();
        let mut bytes = 0;
        while out.len() < max_txs {
            let Some((&seq, &id)) = inner.queue.first_key_value() else {
                break;
            };
            let Some(entry) = inner.entries.get_mut(&id) else {
                inner.queue.remove(&seq);
                continue;
            };
            if !out.is_empty() && bytes + entry.raw.len() > max_bytes {
                break;
            }
            bytes += entry.raw.len();
            out.push((id, std::mem::take(&mut entry.raw)));
            inner.queue.remove(&seq);
        }
        out
    }

    /// Puts taken transactions back in their places (their proposal failed). Those removed
    /// meanwhile (committed after all) stay removed.
    pub fn requeue(&self, batch: Vec<Pending>) {
        let mut inner = self.lock();
        let mut any = false;
        for (id, raw) in batch {
            if let Some(entry) = inner.entries.get_mut(&id) {
                if entry.raw.is_empty() {
                    entry.raw = raw;
                    let seq = entry.seq;
                    inner.queue.insert(seq, id);
                    any = true;
                }
            }
        }
        drop(inner);
        if any {
            self.notify.notify_one();
        }
    }

    /// Forgets transactions a committed block holds.
    pub fn remove<'a>(&self, ids: impl IntoIterator<Item = &'a Hash32>) {
        let mut inner = self.lock();
        for id in ids {
            inner.forget(id);
        }
    }

    /// Queued transactions that arrived more than `age` ago (oldest first, at most `max` of
    /// them and `max_bytes` of their bytes), for forwarding to the leader in one frame. Their
    /// age restarts, so they are not sent again at once.
    pub fn stale(&self, age: Duration, max: usize, max_bytes: usize) -> Vec<Pending> {
        let mut inner = self.lock();
        let now = Instant::now();
        let Inner { queue, entries, .. } = &mut *inner;
        let mut out = Vec::new();
        let mut bytes = 0usize;
        for id in queue.values() {
            if out.len() >= max {
                break;
            }
            if let Some(e) = entries.get_mut(id) {
                if now.duration_since(e.since) >= age {
                    // One transaction always goes (it is no larger than a frame allows).
                    if !out.is_empty() && bytes + e.raw.len() > max_bytes {
                        break;
                    }
                    bytes += e.raw.len();
                    e.since = now;
                    out.push((*id, e.raw.clone()));
                }
            }
        }
        out
    }

    /// Transactions held (queued or in a proposal).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether something is queued for a proposal.
    fn has_queued(&self) -> bool {
        !self.lock().queue.is_empty()
    }

    /// Waits until something may be queued for a proposal (cancel-safe).
    pub async fn ready(&self) {
        if self.has_queued() {
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

    fn k(i: u8) -> PublicKey {
        shuquan_proto::Keypair::from_seed([i; 32])
            .map(|k| k.public())
            .unwrap_or_else(|_| panic!("key {i}"))
    }

    /// Inserts with signer 1.
    fn put(m: &Mempool, id: Hash32, raw: Vec<u8>) -> Result<bool, Refused> {
        m.insert(id, raw, k(1))
    }

    fn ids(batch: &[Pending]) -> Vec<Hash32> {
        batch.iter().map(|(id, _)| *id).collect()
    }

    #[test]
    fn bounded_deduplicated_and_fifo() {
        let m = Mempool::new(2, 2);
        assert_eq!(put(&m, h(1), vec![1]), Ok(true));
        assert_eq!(put(&m, h(1), vec![1]), Ok(false));
        assert_eq!(put(&m, h(2), vec![2]), Ok(true));
        assert_eq!(put(&m, h(3), vec![3]), Err(Refused::Full(2)));
        let got = m.take(10, usize::MAX);
        assert_eq!(ids(&got), vec![h(1), h(2)]);
        assert_eq!(got[0].1, vec![1], "take hands out the bytes");
        assert_eq!(
            put(&m, h(1), vec![1]),
            Ok(false),
            "a proposed id is still known"
        );
        assert_eq!(
            put(&m, h(3), vec![3]),
            Err(Refused::Full(2)),
            "proposed ones count"
        );
        m.remove(&[h(1), h(2)]);
        assert!(m.is_empty());
        assert_eq!(
            put(&m, h(1), vec![1]),
            Ok(true),
            "a committed id may come again"
        );
    }

    #[test]
    fn one_flooding_signer_cannot_keep_others_out() {
        let m = Mempool::new(10, 3);
        for i in 1..=3 {
            assert_eq!(m.insert(h(i), vec![i], k(1)), Ok(true));
        }
        assert_eq!(m.insert(h(4), vec![4], k(1)), Err(Refused::SignerFull(3)));
        assert_eq!(
            m.insert(h(5), vec![5], k(2)),
            Ok(true),
            "another signer gets in"
        );
        let _proposed = m.take(10, usize::MAX);
        assert_eq!(
            m.insert(h(4), vec![4], k(1)),
            Err(Refused::SignerFull(3)),
            "proposed count"
        );
        m.remove(&[h(1)]);
        assert_eq!(
            m.insert(h(4), vec![4], k(1)),
            Ok(true),
            "a commit frees quota"
        );
    }

    #[test]
    fn take_respects_byte_limit_but_always_makes_progress() {
        let m = Mempool::new(10, 10);
        for i in 1..=3 {
            put(&m, h(i), vec![i; 100]).unwrap_or_default();
        }
        assert_eq!(
            ids(&m.take(10, 10)),
            vec![h(1)],
            "one oversize tx still goes"
        );
        assert_eq!(ids(&m.take(10, 250)), vec![h(2), h(3)]);
        assert!(m.take(10, 250).is_empty());
    }

    #[test]
    fn requeue_restores_order_and_skips_committed() {
        let m = Mempool::new(10, 10);
        for i in 1..=4 {
            put(&m, h(i), vec![i]).unwrap_or_default();
        }
        let first = m.take(2, usize::MAX);
        m.remove(&[h(2)]);
        m.requeue(first);
        assert_eq!(ids(&m.take(10, usize::MAX)), vec![h(1), h(3), h(4)]);
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn stale_returns_old_queued_entries_once_per_age() {
        let m = Mempool::new(10, 10);
        put(&m, h(1), vec![1]).unwrap_or_default();
        put(&m, h(2), vec![2]).unwrap_or_default();
        let _taken = m.take(1, usize::MAX);
        assert_eq!(
            ids(&m.stale(Duration::ZERO, 10, usize::MAX)),
            vec![h(2)],
            "taken ones are not stale"
        );
        assert!(m.stale(Duration::from_secs(60), 10, usize::MAX).is_empty());
    }

    #[test]
    fn a_forwarded_batch_stays_within_its_bytes() {
        let m = Mempool::new(10, 10);
        for i in 1..=4 {
            put(&m, h(i), vec![i; 100]).unwrap_or_default();
        }
        assert_eq!(ids(&m.stale(Duration::ZERO, 10, 250)), vec![h(1), h(2)]);
        assert_eq!(
            ids(&m.stale(Duration::ZERO, 10, 50)),
            vec![h(1)],
            "one always goes"
        );
    }
}
