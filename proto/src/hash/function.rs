//! The hash function a chain names everything with, chosen once in its genesis: BLAKE3
//! (the default) or SM3 (GM/T 0004, GB/T 32905) for deployments that must use the national
//! algorithms.
//!
//! [`ChainHash`] is the one trait both implement; a [`Hashing`] is a `Copy` handle to the
//! chain's implementation, taken once from the genesis, so hashing goes through one
//! indirect call and never asks which function is in force.
//!
//! Domain separation is the same for both: a context string `SHUQUAN_<WHAT>_V1`, then each
//! part prefixed with its length as 8 little-endian bytes.
//! - BLAKE3 takes the context as its derive-key context (BLAKE3's own domain separation).
//! - SM3 has no such mode, so it hashes `len(context) ‖ context ‖ parts`, with the
//!   context's length as 8 little-endian bytes. The encoding is prefix-free, so no two
//!   (context, parts) lists share an input.
//!
//! A data set's fingerprint is the plain hash of its bytes: what `b3sum` or
//! `openssl dgst -sm3` prints. BLAKE3's plain and derive-key modes never meet; plain SM3
//! does meet the tagged construction (a file holding exactly a tagged input hashes to that
//! id), so fingerprints live under their own row prefix and are never read as ids.

use std::fmt;

use sm3::Digest;

use super::Hash32;

/// The hash function of a chain (the genesis's `hash`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum HashFunction {
    /// BLAKE3 (the default).
    #[default]
    Blake3,
    /// SM3 (GM/T 0004-2012, GB/T 32905-2016).
    Sm3,
}

impl HashFunction {
    /// Every function, for `--help` and error messages.
    pub const ALL: [HashFunction; 2] = [HashFunction::Blake3, HashFunction::Sm3];

    /// Its name in genesis files and on the command line: `blake3` or `sm3`.
    pub fn name(self) -> &'static str {
        match self {
            HashFunction::Blake3 => "blake3",
            HashFunction::Sm3 => "sm3",
        }
    }

    /// The function a name means.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Its implementation.
    pub fn hashing(self) -> Hashing {
        match self {
            HashFunction::Blake3 => Hashing::BLAKE3,
            HashFunction::Sm3 => Hashing::SM3,
        }
    }
}

impl fmt::Display for HashFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A hash function as the chain uses it.
pub trait ChainHash: Send + Sync {
    /// Which function this is.
    fn function(&self) -> HashFunction;
    /// The domain-separated hash of `parts` under `context` (see the module docs).
    fn tagged(&self, context: &str, parts: &[&[u8]]) -> Hash32;
    /// A domain-separated hash whose parts arrive one at a time.
    fn stream(&self, context: &str) -> Box<dyn TaggedStream>;
    /// The plain hash of `data` (a data set's fingerprint).
    fn plain(&self, data: &[u8]) -> Hash32;
    /// A plain hash whose bytes arrive in pieces (a large file's fingerprint).
    fn plain_stream(&self) -> Box<dyn PlainStream>;
}

/// The state of a [`ChainHash::plain_stream`].
pub trait PlainStream: Send {
    /// Adds bytes.
    fn update(&mut self, data: &[u8]);
    /// The hash of the bytes so far.
    fn finish(&self) -> Hash32;
}

/// The state of a [`ChainHash::stream`].
pub trait TaggedStream: Send {
    /// Adds one length-prefixed part.
    fn part(&mut self, part: &[u8]);
    /// The hash of the parts so far.
    fn finish(&self) -> Hash32;
}

/// The chain's hash function: a `Copy` handle to its [`ChainHash`].
#[derive(Clone, Copy)]
pub struct Hashing(&'static dyn ChainHash);

impl Hashing {
    /// BLAKE3.
    pub const BLAKE3: Hashing = Hashing(&Blake3);
    /// SM3.
    pub const SM3: Hashing = Hashing(&Sm3);

    /// Which function this is.
    pub fn function(self) -> HashFunction {
        self.0.function()
    }

    /// The domain-separated hash of `parts` under `context`.
    pub fn tagged(self, context: &str, parts: &[&[u8]]) -> Hash32 {
        self.0.tagged(context, parts)
    }

    /// A domain-separated hash over parts that arrive one at a time: `stream(c)` then
    /// `part(p)` for each part gives the same hash as `tagged(c, &[p, ...])`.
    pub fn stream(self, context: &str) -> Box<dyn TaggedStream> {
        self.0.stream(context)
    }

    /// A data set's fingerprint: the plain hash of its bytes.
    pub fn fingerprint(self, data: &[u8]) -> Hash32 {
        self.0.plain(data)
    }

    /// A fingerprint whose bytes arrive in pieces.
    pub fn plain_stream(self) -> Box<dyn PlainStream> {
        self.0.plain_stream()
    }
}

impl Default for Hashing {
    fn default() -> Self {
        Hashing::BLAKE3
    }
}

impl PartialEq for Hashing {
    fn eq(&self, other: &Self) -> bool {
        self.function() == other.function()
    }
}

impl Eq for Hashing {}

impl std::hash::Hash for Hashing {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.function().hash(state)
    }
}

impl fmt::Debug for Hashing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hashing({})", self.function())
    }
}

fn len_prefix(part: &[u8]) -> [u8; 8] {
    (part.len() as u64).to_le_bytes()
}

/// BLAKE3 in derive-key mode.
struct Blake3;

impl ChainHash for Blake3 {
    fn function(&self) -> HashFunction {
        HashFunction::Blake3
    }

    fn tagged(&self, context: &str, parts: &[&[u8]]) -> Hash32 {
        let mut h = blake3::Hasher::new_derive_key(context);
        for part in parts {
            h.update(&len_prefix(part));
            h.update(part);
        }
        Hash32(*h.finalize().as_bytes())
    }

    fn stream(&self, context: &str) -> Box<dyn TaggedStream> {
        Box::new(Blake3Stream(blake3::Hasher::new_derive_key(context)))
    }

    fn plain(&self, data: &[u8]) -> Hash32 {
        Hash32(*blake3::hash(data).as_bytes())
    }

    fn plain_stream(&self) -> Box<dyn PlainStream> {
        Box::new(Blake3Plain(blake3::Hasher::new()))
    }
}

struct Blake3Plain(blake3::Hasher);

impl PlainStream for Blake3Plain {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finish(&self) -> Hash32 {
        Hash32(*self.0.finalize().as_bytes())
    }
}

struct Blake3Stream(blake3::Hasher);

impl TaggedStream for Blake3Stream {
    fn part(&mut self, part: &[u8]) {
        self.0.update(&len_prefix(part));
        self.0.update(part);
    }

    fn finish(&self) -> Hash32 {
        Hash32(*self.0.finalize().as_bytes())
    }
}

/// SM3 over the length-prefixed context and parts.
struct Sm3;

/// SM3 after the length-prefixed `context` (the state tree hashes this way too).
pub(crate) fn sm3_with_context(context: &str) -> sm3::Sm3 {
    let mut h = sm3::Sm3::new();
    h.update(len_prefix(context.as_bytes()));
    h.update(context.as_bytes());
    h
}

fn sm3_out(h: sm3::Sm3) -> Hash32 {
    Hash32(h.finalize().into())
}

impl ChainHash for Sm3 {
    fn function(&self) -> HashFunction {
        HashFunction::Sm3
    }

    fn tagged(&self, context: &str, parts: &[&[u8]]) -> Hash32 {
        let mut h = sm3_with_context(context);
        for part in parts {
            h.update(len_prefix(part));
            h.update(part);
        }
        sm3_out(h)
    }

    fn stream(&self, context: &str) -> Box<dyn TaggedStream> {
        Box::new(Sm3Stream(sm3_with_context(context)))
    }

    fn plain(&self, data: &[u8]) -> Hash32 {
        sm3_out(sm3::Sm3::new_with_prefix(data))
    }

    fn plain_stream(&self) -> Box<dyn PlainStream> {
        Box::new(Sm3Plain(sm3::Sm3::new()))
    }
}

struct Sm3Plain(sm3::Sm3);

impl PlainStream for Sm3Plain {
    fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.0, data);
    }

    fn finish(&self) -> Hash32 {
        sm3_out(self.0.clone())
    }
}

struct Sm3Stream(sm3::Sm3);

impl TaggedStream for Sm3Stream {
    fn part(&mut self, part: &[u8]) {
        self.0.update(len_prefix(part));
        self.0.update(part);
    }

    fn finish(&self) -> Hash32 {
        sm3_out(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_hashes_as_the_parts_at_once() {
        for f in HashFunction::ALL {
            let h = f.hashing();
            let mut p = h.plain_stream();
            p.update(b"ab");
            p.update(b"c");
            assert_eq!(p.finish(), h.fingerprint(b"abc"));
            let mut s = h.stream("SHUQUAN_TEST_V1");
            s.part(b"ab");
            s.part(b"");
            s.part(b"c");
            assert_eq!(s.finish(), h.tagged("SHUQUAN_TEST_V1", &[b"ab", b"", b"c"]));
            // Length prefixes: moving a byte between parts changes the hash.
            assert_ne!(
                h.tagged("SHUQUAN_TEST_V1", &[b"ab", b"c"]),
                h.tagged("SHUQUAN_TEST_V1", &[b"a", b"bc"])
            );
            // So does the context.
            assert_ne!(
                h.tagged("SHUQUAN_TEST_V1", &[b"x"]),
                h.tagged("SHUQUAN_TEST_V2", &[b"x"])
            );
            assert_eq!(HashFunction::from_name(f.name()), Some(f));
        }
        assert_ne!(
            Hashing::BLAKE3.tagged("SHUQUAN_TEST_V1", &[b"x"]),
            Hashing::SM3.tagged("SHUQUAN_TEST_V1", &[b"x"])
        );
    }
}
