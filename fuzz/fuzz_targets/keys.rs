//! Keys and signatures of both schemes as they arrive in transactions, genesis files,
//! proposals and key files: public keys (32 bytes ed25519, 33 bytes SM2), 64-byte
//! signatures over any message, secrets, and key file text. Nothing may panic; a key that
//! parses has exactly one encoding; a key pair that loads signs what its public key
//! verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuquan_proto::keys::Scheme;
use shuquan_proto::{Keypair, PublicKey};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let len = if pick & 1 == 0 { 32 } else { 33 };
    if rest.len() >= len + 64 {
        let (key, rest) = rest.split_at(len);
        let (sig, msg) = rest.split_at(64);
        if let Ok(k) = PublicKey::from_slice(key) {
            assert_eq!(k.as_bytes(), key, "one encoding per key");
            assert_eq!(k.to_hex().parse::<PublicKey>().ok(), Some(k));
            let sig: [u8; 64] = sig.try_into().unwrap_or([0; 64]);
            let _ = k.verify(msg, &sig);
        }
    }
    let _ = PublicKey::from_slice(rest);
    if rest.len() >= 32 {
        let scheme = if pick & 2 == 0 {
            Scheme::Ed25519
        } else {
            Scheme::Sm2
        };
        let secret: [u8; 32] = rest[..32].try_into().unwrap_or([0; 32]);
        if let Ok(pair) = Keypair::from_secret(scheme, secret) {
            let msg = &rest[32..];
            let sig = pair.sign(msg).expect("a loaded key signs");
            assert!(pair.public().verify(msg, &sig));
            let back = Keypair::from_key_file(&pair.to_key_file()).expect("its own key file");
            assert_eq!(back.public(), pair.public());
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Keypair::from_key_file(text);
        let _ = text.parse::<PublicKey>();
    }
});
