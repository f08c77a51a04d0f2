//! Signature verification.
//!
//! [`verify_tx`] is the verdict: every signature of a transaction checked on its own
//! (ed25519's `verify_strict`, or SM2, as each key's scheme says). It is
//! what consensus uses — a node's admission and every block's execution (see the ledger's
//! `verdicts`), and the offline audit verifier — because it is a function of the bytes
//! alone.
//!
//! [`verify_txs`] checks the ed25519 signatures of many transactions with one batch
//! equation (SM2 has none: those are checked one by one), and only when the batch fails
//! each transaction on its own. It is **not** a verdict for consensus: the batch equation
//! can accept a signature that `verify_strict` refuses (it is not strict about small-order
//! components), so two nodes batching different sets could disagree. It serves callers that
//! only need a fast "all of these are fine" over data already verified, and benchmarks.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::codes::Rejection;
use crate::tx::DecodedTx;

/// Checks every signature of one transaction.
pub fn verify_tx(tx: &DecodedTx) -> Result<(), Rejection> {
    for (key, sig) in &tx.signatures {
        if !key.verify(&tx.signing_bytes, sig) {
            return Err(crate::codes::reason::bad_signature(key));
        }
    }
    Ok(())
}

/// Verifies the signatures of many transactions at once: one batch, and only when it fails
/// one check per transaction. Returns one verdict per transaction, in order. Not for
/// consensus (see the module docs): use [`verify_tx`] there.
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
            let Some(vk) = key.ed25519_key() else {
                if key.verify(&tx.signing_bytes, sig) {
                    continue;
                }
                return false;
            };
            msgs.push(&tx.signing_bytes);
            sigs.push(Signature::from_bytes(sig));
            keys.push(vk);
        }
    }
    keys.is_empty() || ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_ok()
}
