//! Known-answer tests of the national algorithms against the standards' own vectors
//! (`gm_vectors.txt`): SM3 (GB/T 32905) as the chain's hash, and SM2 (GM/T 0003.5,
//! GB/T 32918.5) as a key scheme — public key derivation, verification, the digest that
//! binds the distinguishing identifier, and the canonical encodings we insist on.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use shuquan_proto::hash::Hashing;
use shuquan_proto::keys::{sm2 as our_sm2, Scheme};
use shuquan_proto::{Keypair, PublicKey};
use sm2::dsa::signature::hazmat::PrehashVerifier;

fn vectors() -> HashMap<String, Vec<u8>> {
    include_str!("gm_vectors.txt")
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains('='))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.trim().to_string(), hex::decode(v.trim()).unwrap())
        })
        .collect()
}

fn v(name: &str) -> Vec<u8> {
    vectors()
        .remove(name)
        .unwrap_or_else(|| panic!("{name} is not in gm_vectors.txt"))
}

fn arr32(b: &[u8]) -> [u8; 32] {
    b.try_into().unwrap()
}

/// The standard's key, as our key type: `03 ‖ x` (y is odd).
fn standard_key() -> PublicKey {
    let mut c = vec![if v("sm2_py")[31] & 1 == 1 { 3 } else { 2 }];
    c.extend(v("sm2_px"));
    PublicKey::from_slice(&c).unwrap()
}

fn standard_sig() -> [u8; 64] {
    [v("sm2_r"), v("sm2_s")].concat().try_into().unwrap()
}

#[test]
fn sm3_gives_the_standards_digests_at_once_and_streamed() {
    for n in ["1", "2"] {
        let msg = v(&format!("sm3_msg_{n}"));
        let want = v(&format!("sm3_hash_{n}"));
        assert_eq!(Hashing::SM3.fingerprint(&msg).to_vec(), want, "example {n}");
        let mut s = Hashing::SM3.plain_stream();
        for chunk in msg.chunks(7) {
            s.update(chunk);
        }
        assert_eq!(s.finish().to_vec(), want, "example {n}, streamed");
    }
    // BLAKE3 is not SM3: the choice really switches the function.
    assert_ne!(
        Hashing::BLAKE3.fingerprint(&v("sm3_msg_1")).to_vec(),
        v("sm3_hash_1")
    );
}

#[test]
fn the_standards_secret_gives_its_public_key() {
    let key = Keypair::from_secret(Scheme::Sm2, arr32(&v("sm2_d"))).unwrap();
    assert_eq!(key.public(), standard_key());
    assert_eq!(key.scheme(), Scheme::Sm2);
    assert_eq!(key.secret_bytes().to_vec(), v("sm2_d"));
}

#[test]
fn the_standards_signature_verifies_and_any_change_breaks_it() {
    let key = standard_key();
    let msg = v("sm2_msg");
    let sig = standard_sig();
    assert!(key.verify(&msg, &sig));
    let mut other_msg = msg.clone();
    other_msg[0] ^= 1;
    assert!(!key.verify(&other_msg, &sig));
    for i in [0, 31, 32, 63] {
        let mut bad = sig;
        bad[i] ^= 1;
        assert!(!key.verify(&msg, &bad), "byte {i} flipped");
    }
    // Another key: no.
    let other = Keypair::generate_with(Scheme::Sm2).unwrap().public();
    assert!(!other.verify(&msg, &sig));
}

#[test]
fn the_digest_binds_the_default_identifier_as_the_standard_computes_it() {
    // e = SM3(Z_A ‖ M): the standard's e verifies as a prehash, so our key carries the
    // standard's Z_A (identifier 1234567812345678, the curve, the key).
    assert_eq!(our_sm2::DISTID.as_bytes(), v("sm2_id"));
    let vk = sm2::dsa::VerifyingKey::from_sec1_bytes(our_sm2::DISTID, standard_key().as_bytes())
        .unwrap();
    let sig = sm2::dsa::Signature::from_slice(&standard_sig()).unwrap();
    vk.verify_prehash(&v("sm2_e"), &sig).unwrap();
    // And e is SM3(Z_A ‖ M) with the standard's Z_A.
    let za_m = [v("sm2_za"), v("sm2_msg")].concat();
    assert_eq!(Hashing::SM3.fingerprint(&za_m).to_vec(), v("sm2_e"));
    // Another identifier gives another Z_A: the standard's signature fails under it.
    let alice =
        sm2::dsa::VerifyingKey::from_sec1_bytes("ALICE123@YAHOO.COM", standard_key().as_bytes())
            .unwrap();
    assert!(sm2::dsa::signature::Verifier::verify(&alice, &v("sm2_msg"), &sig).is_err());
}

#[test]
fn our_signatures_verify_with_the_standards_key() {
    let key = Keypair::from_secret(Scheme::Sm2, arr32(&v("sm2_d"))).unwrap();
    let msg = v("sm2_msg");
    let sig = key.sign(&msg).unwrap();
    assert!(key.public().verify(&msg, &sig));
    // Deterministic (RFC 6979 over SM3): the same bytes every time.
    assert_eq!(key.sign(&msg).unwrap(), sig);
}

#[test]
fn secrets_outside_one_to_n_minus_two_are_refused() {
    let n = v("sm2_n");
    let mut n_minus_1 = arr32(&n);
    n_minus_1[31] -= 1;
    let mut n_minus_2 = arr32(&n);
    n_minus_2[31] -= 2;
    for (what, d) in [
        ("0", [0u8; 32]),
        ("n - 1", n_minus_1),
        ("n", arr32(&n)),
        ("2^256 - 1", [0xff; 32]),
    ] {
        assert!(Keypair::from_secret(Scheme::Sm2, d).is_err(), "d = {what}");
    }
    let top = Keypair::from_secret(Scheme::Sm2, n_minus_2).unwrap();
    assert!(top.public().verify(b"m", &top.sign(b"m").unwrap()));
    let mut one = [0u8; 32];
    one[31] = 1;
    assert!(Keypair::from_secret(Scheme::Sm2, one).is_ok());
}

#[test]
fn a_key_has_one_encoding_and_a_signature_one_range() {
    let key = standard_key();
    let y_odd = v("sm2_py")[31] & 1 == 1;
    // The uncompressed (04) and compact (05) forms of the same point are refused, and so
    // is the other parity of x (a different point) when it is not on the curve.
    let uncompressed = [vec![4], v("sm2_px"), v("sm2_py")].concat();
    assert!(PublicKey::from_slice(&uncompressed).is_err());
    let mut compact = key.as_bytes().to_vec();
    compact[0] = 5;
    assert!(PublicKey::from_slice(&compact).is_err());
    let mut flipped = key.as_bytes().to_vec();
    flipped[0] = if y_odd { 2 } else { 3 };
    let negated = PublicKey::from_slice(&flipped).unwrap();
    assert_ne!(
        negated, key,
        "the other parity is the negated point, another key"
    );
    assert!(!negated.verify(&v("sm2_msg"), &standard_sig()));
    // x = p (not a field element), and the point at infinity: refused.
    let mut x_is_p = vec![2];
    x_is_p.extend(
        hex::decode("fffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff").unwrap(),
    );
    assert!(PublicKey::from_slice(&x_is_p).is_err());
    assert!(PublicKey::from_slice(&[0u8; 33]).is_err());
    // The text form round-trips and says its scheme by its length.
    assert_eq!(key.to_hex().len(), 66);
    assert_eq!(key.to_hex().parse::<PublicKey>().unwrap(), key);
    // r or s of 0, or of n and above, never verify.
    let msg = v("sm2_msg");
    let sig = standard_sig();
    let n = v("sm2_n");
    for (what, bad) in [
        ("r = 0", [&[0u8; 32][..], &sig[32..]].concat()),
        ("s = 0", [&sig[..32], &[0u8; 32][..]].concat()),
        ("r = n", [&n[..], &sig[32..]].concat()),
        ("s = n", [&sig[..32], &n[..]].concat()),
    ] {
        assert!(!key.verify(&msg, &bad.try_into().unwrap()), "{what}");
    }
}

#[test]
fn key_files_carry_their_scheme() {
    let sm = Keypair::generate_with(Scheme::Sm2).unwrap();
    let text = sm.to_key_file();
    assert!(text.contains("shuquan-sm2-v1"), "{text}");
    let back = Keypair::from_key_file(&text).unwrap();
    assert_eq!(back.public(), sm.public());
    assert_eq!(back.scheme(), Scheme::Sm2);
    // An ed25519 file read as SM2 (or the other way round) does not pass as the same key.
    let swapped = text.replace("shuquan-sm2-v1", "shuquan-ed25519-v1");
    assert!(Keypair::from_key_file(&swapped).is_err());
    // SM2 keys cannot be a node's p2p identity or sign JWTs.
    assert!(sm.secret_seed().is_err());
    assert!(sm.to_pkcs8_der().is_err());
}
