//! Tests of the pure part of token checking (form, signature, audience, times) and of
//! which requests stay open. Membership, replay and the answers over HTTP are tested
//! end to end in `tests/tests/e2e/api_auth.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jsonwebtoken::{EncodingKey, Header};
use serde_json::{json, Value};
use shuquan_proto::Keypair;

use super::*;

const AUD: &str = "00ff";
const NOW: u64 = 1_800_000_000;

fn sign_as(key: &Keypair, kid: &str, claims: &Value) -> String {
    let der = key.to_pkcs8_der().unwrap();
    let mut h = Header::new(Algorithm::EdDSA);
    h.kid = Some(kid.to_string());
    jsonwebtoken::encode(&h, claims, &EncodingKey::from_ed_der(&der)).unwrap()
}

fn claims(key: &Keypair) -> Value {
    json!({"sub": key.public().to_hex(), "aud": AUD, "iat": NOW, "exp": NOW + 60, "jti": "n1"})
}

fn with(key: &Keypair, change: impl FnOnce(&mut Value)) -> String {
    let mut c = claims(key);
    change(&mut c);
    sign_as(key, &key.public().to_hex(), &c)
}

fn code(r: Result<(PublicKey, Claims), Denied>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(d) => format!("{}: {}", d.code(), d.message(AUD)),
    }
}

#[test]
fn a_good_token_names_its_key() {
    let key = Keypair::generate().unwrap();
    let (k, c) = verify(&with(&key, |_| {}), AUD, NOW).unwrap();
    assert_eq!(k, key.public());
    assert_eq!(c.jti, "n1");
    let list = with(&key, |c| c["aud"] = json!(["other", AUD]));
    assert_eq!(code(verify(&list, AUD, NOW)), "ok", "aud may be a list");
}

#[test]
fn every_flaw_of_a_token_has_its_own_code() {
    let key = Keypair::generate().unwrap();
    let other = Keypair::generate().unwrap();
    let at = |t: &str, now: u64| code(verify(t, AUD, now));

    let forged = sign_as(&other, &key.public().to_hex(), &claims(&key));
    assert!(
        at(&forged, NOW).starts_with("token_bad_signature"),
        "{}",
        at(&forged, NOW)
    );
    let expired = with(&key, |_| {});
    let e = at(&expired, NOW + 60 + SKEW_S + 1);
    assert!(
        e.starts_with("token_expired") && e.contains("2027-01-15T08:01:00+00:00"),
        "{e}"
    );
    assert_eq!(at(&expired, NOW + 60 + SKEW_S), "ok", "skew allowed");
    let early = at(&expired, NOW - SKEW_S - 1);
    assert!(early.starts_with("token_not_yet_valid"), "{early}");
    let nbf = with(&key, |c| c["nbf"] = json!(NOW + 50));
    assert!(at(&nbf, NOW).starts_with("token_not_yet_valid"));
    let long = with(&key, |c| c["exp"] = json!(NOW + MAX_LIFETIME_S + 1));
    assert!(at(&long, NOW).starts_with("token_lifetime_too_long"));
    let max = with(&key, |c| c["exp"] = json!(NOW + MAX_LIFETIME_S));
    assert_eq!(at(&max, NOW), "ok");
    let aud = with(&key, |c| c["aud"] = json!("another chain"));
    let e = at(&aud, NOW);
    assert!(
        e.starts_with("token_wrong_audience") && e.contains("another chain"),
        "{e}"
    );

    for (what, token) in [
        ("not a JWT", "abc".to_string()),
        (
            "no jti",
            with(&key, |c| drop(c.as_object_mut().unwrap().remove("jti"))),
        ),
        (
            "no exp",
            with(&key, |c| drop(c.as_object_mut().unwrap().remove("exp"))),
        ),
        ("empty jti", with(&key, |c| c["jti"] = json!(""))),
        (
            "long jti",
            with(&key, |c| c["jti"] = json!("x".repeat(129))),
        ),
        ("exp before iat", with(&key, |c| c["exp"] = json!(NOW - 1))),
        (
            "sub is not kid",
            with(&key, |c| c["sub"] = json!(other.public().to_hex())),
        ),
        ("kid not a key", sign_as(&key, "org1", &claims(&key))),
    ] {
        let e = at(&token, NOW);
        assert!(e.starts_with("token_malformed"), "{what}: {e}");
    }
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(key.public().to_hex());
    let hmac = jsonwebtoken::encode(&hs, &claims(&key), &EncodingKey::from_secret(b"s")).unwrap();
    let e = at(&hmac, NOW);
    assert!(
        e.starts_with("token_malformed") && e.contains("EdDSA"),
        "{e}"
    );
}

#[test]
fn only_health_metrics_submission_and_maybe_the_catalogue_are_open_to_all() {
    let api = |read: &str, open_catalogue: bool| {
        let cfg = crate::config::ApiSection {
            read: read.into(),
            open_catalogue,
            ..Default::default()
        };
        Access::new(&cfg, AUD.into(), None)
    };
    let public = api("public", false);
    assert!(public.is_open(&Method::GET, "/v1/assets/x"));
    let members = api("members", true);
    for p in [
        "/health",
        "/ready",
        "/metrics",
        "/v1/openapi.json",
        "/v1/catalogue",
        "/v1/catalogue/dcat",
    ] {
        assert!(members.is_open(&Method::GET, p), "{p}");
    }
    assert!(members.is_open(&Method::POST, "/v1/tx"));
    for p in [
        "/v1/status",
        "/v1/tx",
        "/v1/events",
        "/v1/assets/x",
        "/nowhere",
    ] {
        assert!(!members.is_open(&Method::GET, p), "{p}");
    }
    let closed = api("members", false);
    assert!(!closed.is_open(&Method::GET, "/v1/catalogue"));
    assert!(!closed.is_open(&Method::GET, "/v1/catalogue/dcat"));
    assert!(closed.is_open(&Method::GET, "/health"));
}

#[test]
fn a_token_naming_an_sm2_key_is_refused_by_name() {
    // JOSE has no SM2: a kid that is an SM2 account key is refused before any signature
    // check, with a reason that says what to use instead.
    let ed = Keypair::generate().unwrap();
    let sm = Keypair::generate_with(shuquan_proto::keys::Scheme::Sm2).unwrap();
    let mut c = claims(&ed);
    c["sub"] = json!(sm.public().to_hex());
    let token = sign_as(&ed, &sm.public().to_hex(), &c);
    let got = code(verify(&token, AUD, NOW));
    assert!(got.contains("sm2 key") && got.contains("ed25519"), "{got}");
}
