//! Parsed public keys, remembered. Turning key bytes into a curve point is a square root in
//! the field (about a fifth of an ed25519 check), and an SM2 key also needs its `Z_A`
//! digest; the same few thousand member keys sign everything, so each is parsed once per
//! process. The result is a pure function of the bytes, so remembering it changes no
//! verdict.
//!
//! Bounded: when full, a map is emptied and refilled by use.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{PoisonError, RwLock};

/// Most keys remembered per scheme (well under 1 KiB each).
const CAP: usize = 16_384;

/// A bounded memo of a pure function from key bytes `K` to a parsed key `V`.
pub(crate) struct Memo<K, V>(RwLock<HashMap<K, V>>);

impl<K: Hash + Eq + Copy, V: Clone> Memo<K, V> {
    /// An empty memo.
    pub(crate) fn new() -> Self {
        Memo(RwLock::new(HashMap::new()))
    }

    /// `f(key)`, computed once while remembered.
    pub(crate) fn get(&self, key: &K, f: impl FnOnce(&K) -> V) -> V {
        if let Some(v) = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
        {
            return v.clone();
        }
        let v = f(key);
        let mut m = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if m.len() >= CAP {
            m.clear();
        }
        m.insert(*key, v.clone());
        v
    }
}
