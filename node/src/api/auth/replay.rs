//! The tokens a node has seen, so each is accepted once: kept until it could no longer be
//! accepted anyway (its expiry plus the clock skew allowed), in bounded memory. Each entry
//! is a 64-bit keyed hash of the signer and the token's `jti`: a collision (about one in
//! 10^9 at the cap) refuses a fresh token as replayed, never admits a replay.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::hash::{BuildHasher, RandomState};

/// Why a token was not admitted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Seen before.
    Replayed,
    /// As many live tokens as the cap remembered: refuse rather than grow.
    Full,
}

/// Live tokens by (signer, jti), pruned by expiry, at most `cap`.
#[derive(Debug)]
pub(crate) struct Seen {
    cap: usize,
    keys: RandomState,
    live: HashSet<u64>,
    by_expiry: BinaryHeap<Reverse<(u64, u64)>>,
}

impl Seen {
    /// An empty memory of at most `cap` live tokens.
    pub(crate) fn new(cap: usize) -> Self {
        Seen {
            cap,
            keys: RandomState::new(),
            live: HashSet::new(),
            by_expiry: BinaryHeap::new(),
        }
    }

    /// How many tokens are remembered now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.live.len()
    }

    /// Admits the token `jti` of `signer`, remembered until `until` (seconds; forgotten once
    /// `now` passes it), unless it was seen or the memory is full of live tokens.
    pub(crate) fn admit(
        &mut self,
        signer: &[u8],
        jti: &str,
        until: u64,
        now: u64,
    ) -> Result<(), Refused> {
        while let Some(Reverse((t, h))) = self.by_expiry.peek().copied() {
            if t >= now {
                break;
            }
            self.by_expiry.pop();
            self.live.remove(&h);
        }
        let h = self.keys.hash_one((signer, jti));
        if self.live.contains(&h) {
            return Err(Refused::Replayed);
        }
        if self.live.len() >= self.cap {
            return Err(Refused::Full);
        }
        self.live.insert(h);
        self.by_expiry.push(Reverse((until, h)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_admitted_once_and_forgotten_after_it_lapses() {
        let mut s = Seen::new(10);
        assert_eq!(s.admit(b"k", "a", 100, 50), Ok(()));
        assert_eq!(s.admit(b"k", "a", 100, 60), Err(Refused::Replayed));
        assert_eq!(s.admit(b"other", "a", 100, 60), Ok(()), "jti per signer");
        assert_eq!(s.admit(b"k", "a", 100, 100), Err(Refused::Replayed));
        assert_eq!(s.admit(b"k", "b", 300, 101), Ok(()));
        assert_eq!(s.len(), 1, "the lapsed ones are pruned");
    }

    #[test]
    fn a_full_memory_refuses_new_tokens_until_live_ones_lapse() {
        let mut s = Seen::new(2);
        assert_eq!(s.admit(b"k", "a", 100, 0), Ok(()));
        assert_eq!(s.admit(b"k", "b", 200, 0), Ok(()));
        assert_eq!(s.admit(b"k", "c", 200, 50), Err(Refused::Full));
        assert_eq!(s.admit(b"k", "a", 200, 50), Err(Refused::Replayed));
        assert_eq!(s.admit(b"k", "c", 200, 101), Ok(()), "a lapsed, room again");
        assert_eq!(s.len(), 2);
    }
}
