//! Block certificates. After a member node applies a block it signs
//! `H("SHUQUAN_BLOCK_CERT_V1", chain_id, height, block_hash)` with its certificate key (its
//! node key, or on chains of the national algorithms an SM2 key it names); the
//! signatures of a majority of the voter set in force at that height (the genesis's
//! member nodes, as governance changes them; every header names its set by
//! `voters_hash`) make a certificate, which proves to anyone who follows the voter set
//! from the genesis that a majority of the voters applied that block with that hash,
//! without trusting the node that served it.
//!
//! Every check here names what failed, e.g. "certificate of block 7 has 1 of 3
//! signatures (2 needed)".

use std::collections::BTreeSet;

use crate::hash::{domain, Hashing};
use crate::{pb, Error, Hash32, Keypair, PublicKey};

fn bad(msg: String) -> Error {
    Error::Certificate(msg)
}

/// What a node signs for the block at `height` with hash `hash`.
pub fn signing_hash(h: Hashing, chain_id: &str, height: u64, hash: &Hash32) -> Hash32 {
    h.tagged(
        domain::BLOCK_CERT,
        &[chain_id.as_bytes(), &height.to_be_bytes(), hash.as_bytes()],
    )
}

/// `key`'s signature of the block at `height`.
pub fn sign_block(
    key: &Keypair,
    h: Hashing,
    chain_id: &str,
    height: u64,
    hash: &Hash32,
) -> Result<pb::BlockSignature, Error> {
    Ok(pb::BlockSignature {
        height,
        block_hash: hash.to_vec(),
        node_key: key.public().to_vec(),
        signature: key
            .sign(signing_hash(h, chain_id, height, hash).as_bytes())?
            .to_vec(),
    })
}

/// The key a node certifies blocks with: its `cert_key`, or its node key when it names
/// none.
pub fn cert_key_of<'a>(node_key: &'a [u8], cert_key: &'a [u8]) -> &'a [u8] {
    if cert_key.is_empty() {
        node_key
    } else {
        cert_key
    }
}

/// The voter certificate keys of a genesis: whose majority certifies the first blocks
/// (genesis learners sign, but do not count).
pub fn node_keys(genesis: &pb::Genesis) -> BTreeSet<PublicKey> {
    genesis
        .members
        .iter()
        .filter(|m| !m.node_learner && !m.node_key.is_empty())
        .filter_map(|m| PublicKey::from_slice(cert_key_of(&m.node_key, &m.cert_key)).ok())
        .collect()
}

/// How many signatures make a certificate among `nodes` member nodes.
pub fn majority(nodes: usize) -> usize {
    nodes / 2 + 1
}

/// Checks one signature of the block at `height` whose hash is `hash`: it is about that
/// block, by a member node, and valid. Returns the signer.
pub fn verify_signature(
    h: Hashing,
    chain_id: &str,
    nodes: &BTreeSet<PublicKey>,
    height: u64,
    hash: &Hash32,
    sig: &pb::BlockSignature,
) -> Result<PublicKey, Error> {
    if sig.height != height || sig.block_hash != hash.as_bytes() {
        return Err(bad(format!(
            "a signature for block {height} is about block {} ({})",
            sig.height,
            hex::encode(&sig.block_hash)
        )));
    }
    let key = PublicKey::from_slice(&sig.node_key)
        .map_err(|e| bad(format!("a signature of block {height} has a bad key: {e}")))?;
    if !nodes.contains(&key) {
        return Err(bad(format!(
            "block {height} is signed by {key}, which is not a voter node at that height"
        )));
    }
    let sig_bytes: [u8; 64] = sig.signature.as_slice().try_into().map_err(|_| {
        bad(format!(
            "the signature of block {height} by {key} is {} bytes, not 64",
            sig.signature.len()
        ))
    })?;
    if !key.verify(
        signing_hash(h, chain_id, height, hash).as_bytes(),
        &sig_bytes,
    ) {
        return Err(bad(format!(
            "the signature of block {height} by {key} does not verify"
        )));
    }
    Ok(key)
}

/// Checks that `cert` certifies the block at `height` whose hash is `hash` for a chain
/// still run by its genesis member nodes (see [`verify_certificate_by`]).
pub fn verify_certificate(
    genesis: &pb::Genesis,
    height: u64,
    hash: &Hash32,
    cert: &pb::Certificate,
) -> Result<usize, Error> {
    verify_certificate_by(
        crate::genesis::hashing(genesis),
        &genesis.chain_id,
        &node_keys(genesis),
        height,
        hash,
        cert,
    )
}

/// Checks that `cert` certifies the block at `height` whose hash is `hash`: every
/// signature is valid and by a distinct node of `voters`, and they are a majority of
/// them. Returns how many voters signed.
pub fn verify_certificate_by(
    h: Hashing,
    chain_id: &str,
    voters: &BTreeSet<PublicKey>,
    height: u64,
    hash: &Hash32,
    cert: &pb::Certificate,
) -> Result<usize, Error> {
    if cert.height != height || cert.block_hash != hash.as_bytes() {
        return Err(bad(format!(
            "the certificate for block {height} is for block {} ({})",
            cert.height,
            hex::encode(&cert.block_hash)
        )));
    }
    let mut signers = BTreeSet::new();
    for sig in &cert.signatures {
        let key = verify_signature(h, chain_id, voters, height, hash, sig)?;
        if !signers.insert(key) {
            return Err(bad(format!(
                "the certificate of block {height} holds two signatures by {key}"
            )));
        }
    }
    let need = majority(voters.len());
    if signers.len() < need {
        return Err(bad(format!(
            "certificate of block {height} has {} of {} signatures ({need} needed)",
            signers.len(),
            voters.len()
        )));
    }
    Ok(signers.len())
}

/// The keys of a voter set row, checked.
pub fn voter_keys(set: &[Vec<u8>]) -> Result<BTreeSet<PublicKey>, Error> {
    set.iter()
        .map(|k| PublicKey::from_slice(k))
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("a voter set holds a bad key: {e}")))
}

#[cfg(test)]
mod tests;
