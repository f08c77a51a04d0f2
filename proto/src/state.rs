//! The authenticated state: every state row of the ledger (members, accounts, assets,
//! grants, filings, attestations, counters) is a leaf of a jellyfish Merkle tree (the `jmt`
//! crate) whose root each block header carries as `state_root`. A row is proven by a
//! [`pb::StateProof`] against a certified header, offline.
//!
//! Leaves are keyed by `H("SHUQUAN_STATE_KEY_V1", row key)` and the tree hashes with the
//! chain's hash function under its own context, so nothing here shares a hash with the rest
//! of the chain. `jmt` takes its hasher as a type, so there is one per function
//! ([`Blake3Tree`], [`Sm3Tree`]); callers pick one per tree operation, never per hash.

use jmt::proof::SparseMerkleProof;
use jmt::{KeyHash, RootHash, SimpleHasher};
use sm3::Digest;

use crate::hash::domain::{STATE_KEY, STATE_TREE};
use crate::hash::{Hash32, HashFunction, Hashing};
use crate::{pb, Error};

/// The state tree's hasher on BLAKE3 chains: derive-key mode under `SHUQUAN_STATE_TREE_V1`.
#[derive(Clone)]
pub struct Blake3Tree(blake3::Hasher);

impl SimpleHasher for Blake3Tree {
    fn new() -> Self {
        Blake3Tree(blake3::Hasher::new_derive_key(STATE_TREE))
    }

    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finalize(self) -> [u8; 32] {
        *self.0.finalize().as_bytes()
    }
}

/// The state tree's hasher on SM3 chains: SM3 after the length-prefixed
/// `SHUQUAN_STATE_TREE_V1`.
#[derive(Clone)]
pub struct Sm3Tree(sm3::Sm3);

impl SimpleHasher for Sm3Tree {
    fn new() -> Self {
        Sm3Tree(crate::hash::function::sm3_with_context(STATE_TREE))
    }

    fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.0, data);
    }

    fn finalize(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

/// The leaf key of a state row.
pub fn key_hash(h: Hashing, row: &[u8]) -> KeyHash {
    KeyHash(h.tagged(STATE_KEY, &[row]).0)
}

/// The row key of an asset's record.
pub fn asset_row(id: &Hash32) -> Vec<u8> {
    row(b"asset:", id)
}

/// The row key of a grant's record.
pub fn grant_row(id: &Hash32) -> Vec<u8> {
    row(b"grant:", id)
}

/// The row key of an asset's registration certificate.
pub fn certificate_row(asset: &Hash32) -> Vec<u8> {
    row(b"cert:", asset)
}

/// The tag of voucher rows: `vch:` and the voucher's number.
pub const VOUCHER_TAG: &[u8] = b"vch:";

/// The row key of a voucher, by its number.
pub fn voucher_row(number: &str) -> Vec<u8> {
    let mut k = VOUCHER_TAG.to_vec();
    k.extend_from_slice(number.as_bytes());
    k
}

fn row(tag: &[u8], id: &Hash32) -> Vec<u8> {
    let mut k = Vec::with_capacity(tag.len() + 32);
    k.extend_from_slice(tag);
    k.extend_from_slice(id.as_bytes());
    k
}

/// Checks that `proof` proves its row against `state_root`: the row exists with exactly
/// that value. The error says what does not hold.
pub fn verify(h: Hashing, proof: &pb::StateProof, state_root: &Hash32) -> Result<(), Error> {
    match h.function() {
        HashFunction::Blake3 => verify_with::<Blake3Tree>(h, proof, state_root),
        HashFunction::Sm3 => verify_with::<Sm3Tree>(h, proof, state_root),
    }
}

fn verify_with<H: SimpleHasher>(
    h: Hashing,
    proof: &pb::StateProof,
    state_root: &Hash32,
) -> Result<(), Error> {
    let smp: SparseMerkleProof<H> = borsh::from_slice(&proof.proof).map_err(|e| {
        Error::Audit(format!(
            "state proof of {} at height {} does not decode: {e}",
            show_row(&proof.key),
            proof.height
        ))
    })?;
    smp.verify(
        RootHash(state_root.0),
        key_hash(h, &proof.key),
        Some(&proof.value),
    )
    .map_err(|e| {
        Error::Audit(format!(
            "state proof mismatch: {} at height {} does not prove against state root {state_root} ({e})",
            show_row(&proof.key),
            proof.height
        ))
    })
}

/// A row key for messages: its ASCII tag and the hex of the rest.
pub fn show_row(key: &[u8]) -> String {
    match key.iter().position(|&b| b == b':') {
        Some(i) if key[..i].iter().all(u8::is_ascii_alphanumeric) => {
            format!(
                "{}:{}",
                String::from_utf8_lossy(&key[..i]),
                hex::encode(&key[i + 1..])
            )
        }
        _ => hex::encode(key),
    }
}
