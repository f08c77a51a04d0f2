//! Block signatures in the ledger: stored signatures make the certificate served for a
//! block, a node's own signatures are handed out in height order, and a peer's ask for
//! heights past the end (even after u64::MAX) gets an empty answer, not a panic.

use shuquan_proto::cert::{sign_block, verify_certificate};
use shuquan_proto::pb::tx_body::Payload;

use crate::harness::*;

#[test]
fn signatures_make_certificates_and_odd_asks_get_nothing() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    for seed in 1..=3 {
        applies(c.run(&org1, &[], Payload::RegisterAsset(register_payload(seed))));
    }
    let node = key(9);
    let chain = c.ledger.chain_id().to_string();
    for h in 1..=3 {
        let hash = c.ledger.certs().block_hash(h).unwrap().unwrap();
        let sig = sign_block(
            &node,
            shuquan_proto::hash::Hashing::BLAKE3,
            &chain,
            h,
            &hash,
        )
        .expect("signing");
        c.ledger
            .certs()
            .store_signature(h, &node.public(), &sig.signature)
            .unwrap();
        assert_eq!(c.ledger.certs().signers(h).unwrap(), 1);
        // Key 9 is no voter of the harness genesis: its signature is kept (it is served to
        // peers that ask) but no certificate carries it.
        let cert = c.ledger.certs().certificate(h).unwrap().unwrap();
        assert!(cert.signatures.is_empty());
        assert!(!c.ledger.certs().is_certified(h).unwrap());
        let forged = shuquan_proto::pb::Certificate {
            signatures: vec![sig],
            ..cert
        };
        assert!(verify_certificate(c.ledger.genesis(), h, &hash, &forged).is_err());
    }
    let mine = c
        .ledger
        .certs()
        .signatures_by(&node.public(), 1, 10)
        .unwrap();
    assert_eq!(mine.iter().map(|s| s.height).collect::<Vec<_>>(), [2, 3]);
    assert!(c
        .ledger
        .certs()
        .signatures_by(&node.public(), u64::MAX, 10)
        .unwrap()
        .is_empty());
    assert!(c
        .ledger
        .certs()
        .signatures_by(&node.public(), 3, u32::MAX)
        .unwrap()
        .is_empty());
    assert!(c.ledger.certs().certificate(4).unwrap().is_none());
}
