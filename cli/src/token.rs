//! Read tokens for nodes that let only members read (`api.read = "members"`): an EdDSA JSON
//! Web Token (RFC 7519, RFC 8037) signed with the member's account key (`--key`). Its `kid`
//! and `sub` are that key (hex); `aud` is the chain's genesis hash, which the node names in
//! its `WWW-Authenticate` challenge; it lives [`LIFETIME_S`] seconds and carries a fresh
//! `jti`, since a node accepts each token once: the client makes one per request.
//! `shuquan token` prints one, for the explorer's sign-in page or for `curl`.

use anyhow::Context;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use shuquan_proto::Keypair;

/// How long a token lives, seconds (a node accepts at most [`MAX_LIFETIME_S`]).
const LIFETIME_S: u64 = 60;
/// The longest lifetime a node accepts, seconds.
const MAX_LIFETIME_S: u64 = 300;

/// `shuquan token`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How long the token may be used, seconds (at most 300). Each token is accepted once.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=MAX_LIFETIME_S))]
    ttl: u64,
}

/// Prints a read token for the node's chain, signed with `--key`: paste it into the
/// explorer's sign-in page, or send it as `Authorization: Bearer <token>`.
pub(crate) fn run(ctx: &crate::Ctx, args: &Args) -> anyhow::Result<()> {
    let client = ctx.client();
    let (audience, members_only) = client.audience()?;
    let token = mint_for(ctx.reader_key()?, &audience, args.ttl)?;
    if !members_only {
        eprintln!(
            "note: the node at {} lets anyone read; it needs no token (this one is for its chain)",
            ctx.node
        );
    }
    if ctx.json {
        outln!(
            "{}",
            serde_json::json!({"token": token, "audience": audience, "expires_in_s": args.ttl})
        );
    } else {
        outln!("{token}");
    }
    Ok(())
}

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
    mint_for(key, audience, LIFETIME_S)
}

/// As [`mint`], living `lifetime_s` seconds.
fn mint_for(key: &Keypair, audience: &str, lifetime_s: u64) -> anyhow::Result<String> {
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
        exp: now + lifetime_s,
        jti: hex::encode(nonce),
    };
    let mut der = key.to_pkcs8_der().context(
        "read tokens are JWTs, whose algorithms include no SM2: sign with an ed25519 account key",
    )?;
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
