//! Certificates: a majority of valid member signatures passes; each way of falling short
//! fails with its own reason.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn key(n: u8) -> Keypair {
    Keypair::from_seed([n; 32]).unwrap()
}

fn genesis(nodes: &[&Keypair]) -> pb::Genesis {
    pb::Genesis {
        chain_id: "cert-test".into(),
        members: nodes
            .iter()
            .map(|k| pb::Member {
                node_key: k.public().to_vec(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn cert(signers: &[&Keypair], height: u64, hash: &Hash32) -> pb::Certificate {
    pb::Certificate {
        height,
        block_hash: hash.to_vec(),
        signatures: signers
            .iter()
            .map(|k| {
                sign_block(k, crate::hash::Hashing::BLAKE3, "cert-test", height, hash)
                    .expect("signing")
            })
            .collect(),
    }
}

fn reason(r: Result<usize, Error>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn a_majority_of_member_signatures_certifies() {
    let (a, b, c) = (key(1), key(2), key(3));
    let g = genesis(&[&a, &b, &c]);
    let h = Hash32([7; 32]);
    assert_eq!(
        verify_certificate(&g, 5, &h, &cert(&[&a, &b], 5, &h)).unwrap(),
        2
    );
    assert_eq!(
        verify_certificate(&g, 5, &h, &cert(&[&a, &b, &c], 5, &h)).unwrap(),
        3
    );
}

#[test]
fn each_shortfall_has_its_reason() {
    let (a, b, c, outsider) = (key(1), key(2), key(3), key(9));
    let g = genesis(&[&a, &b, &c]);
    let h = Hash32([7; 32]);
    assert_eq!(
        reason(verify_certificate(&g, 5, &h, &cert(&[&a], 5, &h))),
        "certificate of block 5 has 1 of 3 signatures (2 needed)"
    );
    assert!(reason(verify_certificate(
        &g,
        5,
        &h,
        &cert(&[&a, &outsider], 5, &h)
    ))
    .contains("not a voter node at that height"),);
    let mut twice = cert(&[&a], 5, &h);
    twice.signatures.push(twice.signatures[0].clone());
    assert!(reason(verify_certificate(&g, 5, &h, &twice)).contains("two signatures by"));
    let mut flipped = cert(&[&a, &b], 5, &h);
    flipped.signatures[1].signature[3] ^= 1;
    assert!(reason(verify_certificate(&g, 5, &h, &flipped)).contains("does not verify"));
    // A certificate of another block, or signatures over another hash.
    let other = Hash32([8; 32]);
    assert!(
        reason(verify_certificate(&g, 5, &h, &cert(&[&a, &b], 5, &other)))
            .contains("is for block 5")
    );
    assert!(
        reason(verify_certificate(&g, 6, &h, &cert(&[&a, &b], 5, &h))).contains("is for block 5")
    );
    let mut mixed = cert(&[&a, &b], 5, &h);
    mixed.signatures[1] =
        sign_block(&b, crate::hash::Hashing::BLAKE3, "cert-test", 5, &other).expect("signing");
    assert!(reason(verify_certificate(&g, 5, &h, &mixed)).contains("is about block 5"));
    // Signed for another chain: the signature does not verify here.
    let mut foreign = cert(&[&a, &b], 5, &h);
    foreign.signatures[0] =
        sign_block(&a, crate::hash::Hashing::BLAKE3, "another-chain", 5, &h).expect("signing");
    assert!(reason(verify_certificate(&g, 5, &h, &foreign)).contains("does not verify"));
}
