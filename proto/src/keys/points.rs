//! Decompressed public keys, remembered. Turning 32 key bytes into a curve point is a
//! square root in the field (about a fifth of a signature check), and the same few thousand
//! member keys sign everything, so each is decompressed once per process. The result is a
//! pure function of the bytes, so remembering it changes no verdict.
//!
//! Bounded: when full, the map is emptied and refilled by use.

use std::collections::HashMap;
use std::sync::{OnceLock, PoisonError, RwLock};

use ed25519_dalek::VerifyingKey;

/// Most keys remembered (about 0.2 KiB each).
const CAP: usize = 16_384;

/// `None` for bytes that are no valid point or a weak (small-order) key.
type Entry = Option<VerifyingKey>;

fn map() -> &'static RwLock<HashMap<[u8; 32], Entry>> {
    static MAP: OnceLock<RwLock<HashMap<[u8; 32], Entry>>> = OnceLock::new();
    MAP.get_or_init(|| RwLock::new(HashMap::new()))
}

/// The point of `bytes` if it is a valid, non-weak ed25519 public key.
pub(crate) fn decompress(bytes: &[u8; 32]) -> Entry {
    if let Some(e) = map()
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(bytes)
    {
        return *e;
    }
    let entry = VerifyingKey::from_bytes(bytes)
        .ok()
        .filter(|vk| !vk.is_weak());
    let mut m = map().write().unwrap_or_else(PoisonError::into_inner);
    if m.len() >= CAP {
        m.clear();
    }
    m.insert(*bytes, entry);
    entry
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_remembered_answer_is_the_computed_one() {
        let good = crate::Keypair::from_seed([3; 32]).unwrap().public();
        let bytes = *good.as_bytes();
        for _ in 0..2 {
            assert_eq!(
                decompress(&bytes).map(|vk| vk.to_bytes()),
                Some(bytes),
                "first computed, then remembered"
            );
        }
        // The identity point is of small order: weak, refused both times.
        let mut weak = [0u8; 32];
        weak[0] = 1;
        assert!(decompress(&weak).is_none());
        assert!(decompress(&weak).is_none());
    }
}
