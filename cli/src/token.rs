//! Read tokens for nodes that let only members read (`api.read = "members"`): an EdDSA JSON
//! Web Token (RFC 7519, RFC 8037) signed with the member's account key (`--key`). Its `kid`
//! and `sub` are that key (hex); `aud` is the chain's genesis hash, which the node names in
//! its `WWW-Authenticate` challenge; it lives [`LIFETIME_S`] seconds and carries a fresh
//! `jti`, since a node accepts each token once: the client makes one per request.

use anyhow::Context;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use shuquan_proto::Keypair;

/// How long a token lives, seconds (a node accepts at most 300).
const LIFETIME_S: u64 = 60;

#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    jti: String,
}

/// A token signed by `key` for the chain whose genesis hash (hex) is `audience`, issued now.
pub(crate) fn mint(key: &Keypair, audience: &str) -> anyhow::Result<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970")?
        .as_secs();
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no randomness for a nonce: {e}"))?;
    let kid = key.public().to_hex();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.clone());
    let claims = Claims {
        sub: &kid,
        aud: audience,
        iat: now,
        exp: now + LIFETIME_S,
        jti: hex::encode(nonce),
    };
    let mut der = key.to_pkcs8_der();
    let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(&der))
        .context("signing a read token");
    der.fill(0);
    token
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};

    use super::*;

    #[test]
    fn a_token_verifies_with_the_account_key_it_names_and_no_other() {
        let key = Keypair::generate().unwrap();
        let t = mint(&key, "abcd").unwrap();
        let head = decode_header(&t).unwrap();
        assert_eq!(head.alg, Algorithm::EdDSA);
        assert_eq!(head.kid, Some(key.public().to_hex()));
        let mut v = Validation::new(Algorithm::EdDSA);
        v.set_audience(&["abcd"]);
        let ok =
            decode::<serde_json::Value>(&t, &DecodingKey::from_ed_der(key.public().as_bytes()), &v)
                .unwrap();
        let c = ok.claims;
        assert_eq!(c["sub"], key.public().to_hex());
        assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 60);
        assert_ne!(mint(&key, "abcd").unwrap(), t, "a fresh jti each time");
        let other = Keypair::generate().unwrap();
        assert!(decode::<serde_json::Value>(
            &t,
            &DecodingKey::from_ed_der(other.public().as_bytes()),
            &v
        )
        .is_err());
    }
}
