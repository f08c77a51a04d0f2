//! Signature verification with one deterministic verdict.
//!
//! Nodes must agree on whether a transaction's signatures are valid, so the verdict is a
//! function of the inputs alone: a batch is checked with ed25519-dalek's batch equation
//! (its random coefficients come from a transcript of the inputs, so the same batch always
//! gets the same answer); if the batch fails, each transaction is checked on its own with
//! `verify_strict`, which names the bad one. A block's batch is the same on every node, so
//! every node reaches the same verdicts for it.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::codes::Rejection;
use crate::tx::DecodedTx;

/// Checks every signature of one transaction with `verify_strict`.
pub fn verify_tx(tx: &DecodedTx) -> Result<(), Rejection> {
    for (key, sig) in &tx.signatures {
        let ok = key
            .verifying_key()
            .map(|vk| {
                vk.verify_strict(&tx.signing_bytes, &Signature::from_bytes(sig))
                    .is_ok()
            })
            .unwrap_or(false);
        if !ok {
            return Err(crate::codes::reason::bad_signature(key));
        }
    }
    Ok(())
}

/// Verifies the signatures of many transactions at once: one batch, and only when it fails
/// one check per transaction. Returns one verdict per transaction, in order.
pub fn verify_txs(txs: &[&DecodedTx]) -> Vec<Result<(), Rejection>> {
    if batch_ok(txs) {
        return txs.iter().map(|_| Ok(())).collect();
    }
    txs.iter().map(|tx| verify_tx(tx)).collect()
}

fn batch_ok(txs: &[&DecodedTx]) -> bool {
    let n: usize = txs.iter().map(|t| t.signatures.len()).sum();
    if n == 0 {
        return true;
    }
    let mut msgs: Vec<&[u8]> = Vec::with_capacity(n);
    let mut sigs = Vec::with_capacity(n);
    let mut keys: Vec<VerifyingKey> = Vec::with_capacity(n);
    for tx in txs {
        for (key, sig) in &tx.signatures {
            let Some(vk) = key.verifying_key() else {
                return false;
            };
            msgs.push(&tx.signing_bytes);
            sigs.push(Signature::from_bytes(sig));
            keys.push(vk);
        }
    }
    ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_ok()
}
