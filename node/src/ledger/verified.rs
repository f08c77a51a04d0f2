//! Signatures are checked once per node: admission (from the API or gossip) checks a
//! transaction's signatures with `verify_strict` and remembers the hash of its exact bytes
//! here; applying a block that holds those bytes takes the entry instead of checking again.
//! Bytes not remembered (a block replayed after a restart, a transaction this node never
//! saw) are checked with `verify_strict` one by one when applied.
//!
//! The verdict is a function of the bytes alone, so it cannot depend on what this node
//! happens to remember: every node reaches the same verdict for every transaction of a
//! block, whatever passed through its own admission. (A batch check would not do here: the
//! batch equation can accept a signature that `verify_strict` refuses, and nodes would
//! batch different sets.)
//!
//! Bounded: the oldest entries are forgotten first, which costs only a second check.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use shuquan_proto::hash::tagged;
use shuquan_proto::Hash32;

const CONTEXT: &str = "SHUQUAN_VERIFIED_BYTES_V1";

/// Hashes of transaction bytes whose signatures passed `verify_strict` on this node.
#[derive(Debug)]
pub(crate) struct Verified {
    inner: Mutex<Inner>,
    cap: usize,
}

#[derive(Debug, Default)]
struct Inner {
    set: HashSet<Hash32>,
    order: VecDeque<Hash32>,
}

fn key(raw: &[u8]) -> Hash32 {
    tagged(CONTEXT, &[raw])
}

impl Verified {
    /// Remembers at most `cap` transactions.
    pub(crate) fn new(cap: usize) -> Self {
        Verified {
            inner: Mutex::new(Inner::default()),
            cap: cap.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records that `raw`'s signatures verified.
    pub(crate) fn insert(&self, raw: &[u8]) {
        let k = key(raw);
        let mut g = self.lock();
        if !g.set.insert(k) {
            return;
        }
        g.order.push_back(k);
        while g.order.len() > self.cap {
            if let Some(old) = g.order.pop_front() {
                g.set.remove(&old);
            }
        }
    }

    /// Whether `raw`'s signatures verified here; forgets it (a block holds it now).
    pub(crate) fn take(&self, raw: &[u8]) -> bool {
        // The order queue keeps the hash until it is pushed out; `set` is what counts.
        self.lock().set.remove(&key(raw))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn remembers_exact_bytes_once_and_forgets_the_oldest() {
        let v = Verified::new(2);
        v.insert(b"a");
        v.insert(b"b");
        assert!(v.take(b"a"));
        assert!(!v.take(b"a"), "taken once");
        assert!(!v.take(b"ab"), "other bytes");
        v.insert(b"c");
        v.insert(b"d");
        assert!(!v.take(b"b"), "pushed out by c and d");
        assert!(v.take(b"c") && v.take(b"d"));
    }
}
