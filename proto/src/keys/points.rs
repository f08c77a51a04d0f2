//! ed25519 public keys: decompressed once per process (see [`super::memo`]), refusing
//! invalid and weak (small-order) points.

use std::sync::OnceLock;

use ed25519_dalek::VerifyingKey;

use super::memo::Memo;

/// `None` for bytes that are no valid point or a weak (small-order) key.
type Entry = Option<VerifyingKey>;

fn memo() -> &'static Memo<[u8; 32], Entry> {
    static MEMO: OnceLock<Memo<[u8; 32], Entry>> = OnceLock::new();
    MEMO.get_or_init(Memo::new)
}

/// The point of `bytes` if it is a valid, non-weak ed25519 public key.
pub(crate) fn decompress(bytes: &[u8; 32]) -> Entry {
    memo().get(bytes, |b| {
        VerifyingKey::from_bytes(b).ok().filter(|vk| !vk.is_weak())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_remembered_answer_is_the_computed_one() {
        let good = crate::Keypair::from_seed([3; 32]).unwrap().public();
        let bytes: [u8; 32] = good.as_bytes().try_into().unwrap();
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
