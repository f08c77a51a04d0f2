//! Signature verdicts for execution. Execution asks a [`Verdicts`] provider whether a
//! transaction's signatures hold; the answer must be the verdict of `verify_strict` on its
//! exact bytes, so it never depends on which provider ran:
//!
//! - [`Strict`] checks every signature with `verify_strict` (audit re-execution, tests);
//! - [`Remembered`] is a node's admission cache: admission checks a transaction's signatures
//!   with `verify_strict` and remembers the hash of its exact bytes; executing a block that
//!   holds those bytes takes the entry instead of checking again, and bytes not remembered
//!   (a block replayed after a restart, a transaction this node never saw) are checked with
//!   `verify_strict` when executed.
//!
//! Batch verification is not a verdict for consensus: its equation can accept a signature
//! that `verify_strict` refuses, and nodes would batch different sets
//! (`shuquan_proto::verify` says the same).
//!
//! The cache is bounded: the oldest entries are forgotten first, which costs only a second
//! check.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use shuquan_proto::codes::Rejection;
use shuquan_proto::hash::{domain, Hashing};
use shuquan_proto::tx::DecodedTx;
use shuquan_proto::{verify, Hash32};

/// Whether a transaction's signatures hold: `verify_strict`'s verdict on its exact bytes.
pub trait Verdicts {
    /// The verdict for `tx`, decoded from `raw`.
    fn verdict(&self, raw: &[u8], tx: &DecodedTx) -> Result<(), Rejection>;
}

/// Checks every signature with `verify_strict`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Strict;

impl Verdicts for Strict {
    fn verdict(&self, _raw: &[u8], tx: &DecodedTx) -> Result<(), Rejection> {
        verify::verify_tx(tx)
    }
}

impl Verdicts for Remembered {
    fn verdict(&self, raw: &[u8], tx: &DecodedTx) -> Result<(), Rejection> {
        if self.take(raw) {
            Ok(())
        } else {
            verify::verify_tx(tx)
        }
    }
}

/// Hashes of transaction bytes whose signatures passed `verify_strict` on this node.
#[derive(Debug)]
pub struct Remembered {
    inner: Mutex<Inner>,
    cap: usize,
}

#[derive(Debug, Default)]
struct Inner {
    set: HashSet<Hash32>,
    order: VecDeque<Hash32>,
}

/// Never leaves the node, so always BLAKE3 (the fastest), whatever the chain hashes with.
fn key(raw: &[u8]) -> Hash32 {
    Hashing::BLAKE3.tagged(domain::VERIFIED_BYTES, &[raw])
}

impl Remembered {
    /// Remembers at most `cap` transactions.
    pub fn new(cap: usize) -> Self {
        Remembered {
            inner: Mutex::new(Inner::default()),
            cap: cap.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records that `raw`'s signatures passed `verify_strict`.
    pub fn insert(&self, raw: &[u8]) {
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
    pub fn take(&self, raw: &[u8]) -> bool {
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
        let v = Remembered::new(2);
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
