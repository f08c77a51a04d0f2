//! Who may read: a node with `api.read = "members"` answers only requests that carry a
//! fresh EdDSA token of a member's account key in force, refuses every flawed token with
//! its own code, keeps `/health`, `/ready`, `/metrics`, transaction submission and (as
//! configured) the catalogue open; the CLI signs tokens with `--key`; and the API speaks
//! HTTPS from certificate files, which the CLI trusts with `--ca-cert`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use shuquan_proto::Keypair;
use shuquan_tests::{agent, bin, free_port, Cli, DevNode};

const MEMBERS: [&str; 2] = ["--set", "api.read=members"];

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A token signed by `key`, naming `kid`, with `claims`.
fn token(key: &Keypair, kid: &str, claims: &Value) -> String {
    let der = key.to_pkcs8_der().unwrap();
    let mut h = Header::new(Algorithm::EdDSA);
    h.kid = Some(kid.to_string());
    jsonwebtoken::encode(&h, claims, &EncodingKey::from_ed_der(&der)).unwrap()
}

/// Good claims of `key` for `aud`, issued now, living 60 s, with nonce `jti`.
fn claims(key: &Keypair, aud: &str, jti: &str) -> Value {
    let now = now_s();
    json!({"sub": key.public().to_hex(), "aud": aud, "iat": now, "exp": now + 60, "jti": jti})
}

/// A token of `key` with good claims changed by `change`.
fn signed(key: &Keypair, aud: &str, jti: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut c = claims(key, aud, jti);
    change(&mut c);
    token(key, &key.public().to_hex(), &c)
}

/// `GET path` with an `Authorization` header (if any): status, the challenge, the JSON body.
fn get(node: &DevNode, path: &str, auth: Option<&str>) -> (u16, Option<String>, Value) {
    let mut req = agent().get(&format!("{}{path}", node.url()));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let mut resp = req.call().expect("GET");
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string());
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    (
        resp.status().as_u16(),
        challenge,
        serde_json::from_str(&body).unwrap_or(Value::Null),
    )
}

/// The code a bearer token is refused with (a 401 with a `Bearer` challenge), or "ok".
fn verdict(node: &DevNode, token: &str) -> String {
    let (status, challenge, body) = get(node, "/v1/status", Some(&format!("Bearer {token}")));
    match status {
        200 => "ok".into(),
        401 => {
            let c = challenge.expect("a 401 carries a challenge");
            assert!(c.starts_with("Bearer realm=\"shuquan\""), "{c}");
            format!("{}: {}", body["code"].as_str().unwrap(), body["message"])
        }
        other => panic!("unexpected HTTP {other}: {body}"),
    }
}

fn ok(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

#[test]
fn a_members_node_admits_a_members_fresh_token_once_and_refuses_every_flawed_one() {
    let node = DevNode::start_with(&MEMBERS).unwrap();
    let aud = node.chain().genesis_hash.to_hex();
    let org1 = node.key("org1");
    let stranger = Keypair::generate().unwrap();

    // Without a token: 401, a Bearer challenge naming the chain, and what to do.
    let (status, challenge, body) = get(&node, "/v1/status", None);
    assert_eq!(status, 401);
    assert_eq!(
        challenge.as_deref(),
        Some(format!("Bearer realm=\"shuquan\", audience=\"{aud}\"").as_str())
    );
    assert_eq!(body["code"], "token_missing");
    assert!(
        body["message"].as_str().unwrap().contains("--key"),
        "{body}"
    );

    // Open to all: health, readiness, metrics, submission (signed anyway), the catalogue.
    for path in ["/health", "/metrics", "/v1/catalogue", "/v1/catalogue/dcat"] {
        assert_eq!(get(&node, path, None).0, 200, "{path}");
    }
    assert_ne!(get(&node, "/ready", None).0, 401);
    let (status, _) = node.post_tx(b"not a transaction", false);
    assert_eq!(
        status, 400,
        "POST /v1/tx is judged by its signature, not a token"
    );

    // A member's fresh token: once.
    let good = signed(&org1, &aud, "once", |_| {});
    assert_eq!(verdict(&node, &good), "ok");
    let again = verdict(&node, &good);
    assert!(again.starts_with("token_replayed"), "{again}");
    let other_jti = signed(&org1, &aud, "twice", |_| {});
    assert_eq!(verdict(&node, &other_jti), "ok");

    let now = now_s();
    let cases = [
        (
            "expired",
            signed(&org1, &aud, "e", |c| {
                c["iat"] = json!(now - 400);
                c["exp"] = json!(now - 100);
            }),
            "token_expired",
        ),
        (
            "issued in the future",
            signed(&org1, &aud, "f", |c| {
                c["iat"] = json!(now + 120);
                c["exp"] = json!(now + 180);
            }),
            "token_not_yet_valid",
        ),
        (
            "living too long",
            signed(&org1, &aud, "l", |c| c["exp"] = json!(now + 3600)),
            "token_lifetime_too_long",
        ),
        (
            "forged: another key signs as org1",
            token(
                &stranger,
                &org1.public().to_hex(),
                &claims(&org1, &aud, "g"),
            ),
            "token_bad_signature",
        ),
        (
            "a key no member has",
            signed(&stranger, &aud, "n", |_| {}),
            "token_not_member",
        ),
        (
            "for another chain",
            signed(&org1, &"ab".repeat(32), "a", |_| {}),
            "token_wrong_audience",
        ),
        ("not a JWT", "not.a.jwt".to_string(), "token_malformed"),
        (
            "without a nonce",
            signed(&org1, &aud, "x", |c| {
                c.as_object_mut().unwrap().remove("jti");
            }),
            "token_malformed",
        ),
    ];
    for (what, t, code) in cases {
        let v = verdict(&node, &t);
        assert!(v.starts_with(code), "{what}: {v}");
    }
    let expired = verdict(
        &node,
        &signed(&org1, &aud, "e2", |c| {
            c["iat"] = json!(now - 400);
            c["exp"] = json!(now - 100);
        }),
    );
    assert!(expired.contains("expired at 20"), "says when: {expired}");
    for header in ["Basic b3JnMTpwdw==", "Bearer", &good[..20]] {
        let (status, _, body) = get(&node, "/v1/status", Some(header));
        assert_eq!(
            (status, body["code"].as_str()),
            (401, Some("token_malformed")),
            "{header}"
        );
    }

    // The CLI: without --key it says what to give; with a member's key it reads.
    let cli = node.shuquan();
    let out = cli.run(&["query", "members"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("this node lets members read: give --key"),
        "{err}"
    );
    let k = |who: &str| node.key_file(who).display().to_string();
    let members = ok(&cli.run(&["--output", "json", "--key", &k("org1"), "query", "members"]));
    assert!(
        members.as_array().is_some_and(|m| m.len() >= 4),
        "{members}"
    );
    let status = ok(&cli.run(&["--output", "json", "--key", &k("auditor"), "status"]));
    assert_eq!(status["genesis_hash"], aud.as_str());

    // A rotated-out key reads no more; its replacement does. (The CLI's tx commands read
    // the chain first, with a token.)
    let next = node.dir.path().join("org2-next.key");
    ok(&cli.run(&[
        "--output",
        "json",
        "keys",
        "new",
        "--out",
        &next.display().to_string(),
    ]));
    let rotated = ok(&cli.run(&[
        "--output",
        "json",
        "--key",
        &k("org2"),
        "tx",
        "rotate-key",
        "--new-key",
        &next.display().to_string(),
        "--wait",
    ]));
    assert_eq!(rotated["status"], "committed", "{rotated}");
    let old = verdict(&node, &signed(&node.key("org2"), &aud, "r1", |_| {}));
    assert!(
        old.starts_with("token_not_member") && old.contains("revoked"),
        "{old}"
    );
    let new_key = Keypair::read_file(&next).unwrap();
    assert_eq!(verdict(&node, &signed(&new_key, &aud, "r2", |_| {})), "ok");

    // A suspended member reads no more, with any of its keys.
    let auditor = signed(&node.key("auditor"), &aud, "s0", |_| {});
    assert_eq!(verdict(&node, &auditor), "ok");
    let org1_file = k("org1");
    let proposed = ok(&cli.run(&[
        "--output",
        "json",
        "--key",
        &org1_file,
        "gov",
        "propose",
        "suspend-member",
        "auditor",
        "--wait",
    ]));
    let id = proposed["proposal"].as_str().unwrap().to_string();
    let p = ok(&cli.run(&[
        "--output", "json", "--key", &org1_file, "query", "proposal", &id,
    ]));
    assert_eq!(
        p["status"], "executed",
        "the dev council decides at once: {p}"
    );
    let suspended = verdict(&node, &signed(&node.key("auditor"), &aud, "s1", |_| {}));
    assert!(
        suspended.starts_with("token_not_member") && suspended.contains("suspended"),
        "{suspended}"
    );
}

#[test]
fn a_members_node_may_close_its_catalogue_too() {
    let node = DevNode::start_with(&[
        "--set",
        "api.read=members",
        "--set",
        "api.open_catalogue=false",
    ])
    .unwrap();
    for path in ["/v1/catalogue", "/v1/catalogue/dcat", "/v1/events"] {
        let (status, _, body) = get(&node, path, None);
        assert_eq!(
            (status, body["code"].as_str()),
            (401, Some("token_missing")),
            "{path}"
        );
    }
    assert_eq!(get(&node, "/health", None).0, 200);
    let aud = node.chain().genesis_hash.to_hex();
    let t = signed(&node.key("org1"), &aud, "c", |_| {});
    let (status, _, body) = get(&node, "/v1/catalogue", Some(&format!("Bearer {t}")));
    assert_eq!(status, 200, "{body}");
}

/// A self-signed certificate for 127.0.0.1 and localhost, written as PEM into `dir`:
/// (certificate, key).
fn certificate(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let c =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&cert, c.cert.pem()).unwrap();
    std::fs::write(&key, c.key_pair.serialize_pem()).unwrap();
    (cert, key)
}

/// `shuquand --dev` in `dir` with `extra` flags, its API on `port`.
fn dev_node(dir: &Path, port: u16, extra: &[String]) -> std::process::Child {
    Command::new(bin("shuquand"))
        .args(["--dev", "--no-review", "--data-dir"])
        .arg(dir.join("chain"))
        .args(["--api", &format!("127.0.0.1:{port}")])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("node.log")).unwrap())
        .spawn()
        .unwrap()
}

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_api_speaks_https_from_certificate_files_and_the_cli_trusts_its_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = certificate(dir.path(), "node");
    let (_, stranger_key) = certificate(dir.path(), "other");
    let set = |k: &str, p: &Path| ["--set".to_string(), format!("{k}={}", p.display())];

    // A key that does not belong to the certificate stops the node at once, saying so.
    let mut bad = [
        set("api.tls_cert", &cert),
        set("api.tls_key", &stranger_key),
    ]
    .concat();
    bad.extend(MEMBERS.map(String::from));
    let out = Command::new(bin("shuquand"))
        .args(["--dev", "--no-review", "--data-dir"])
        .arg(dir.path().join("bad"))
        .args(["--api", &format!("127.0.0.1:{}", free_port())])
        .args(&bad)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("api.tls_key") && err.contains("does not fit the certificate"),
        "{err}"
    );

    let port = free_port();
    let mut flags = [set("api.tls_cert", &cert), set("api.tls_key", &key)].concat();
    flags.extend(MEMBERS.map(String::from));
    let mut child = Killed(dev_node(dir.path(), port, &flags));
    let url = format!("https://127.0.0.1:{port}");
    let ca = ureq::tls::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let trusting: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&[ca]))
                .build(),
        )
        .build()
        .into();
    let deadline = Instant::now() + Duration::from_secs(30);
    while trusting.get(&format!("{url}/health")).call().is_err() {
        if let Some(s) = child.0.try_wait().unwrap() {
            panic!(
                "shuquand exited with {s}: {}",
                std::fs::read_to_string(dir.path().join("node.log")).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "no HTTPS within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        ureq::get(&format!("http://127.0.0.1:{port}/health"))
            .call()
            .is_err(),
        "plain HTTP is not served"
    );

    let cli = Cli {
        node: url.clone(),
        dir: dir.path().to_path_buf(),
    };
    let org1 = dir.path().join("chain/keys/org1.key").display().to_string();
    let cert_arg = cert.display().to_string();
    let status = ok(&cli.run(&[
        "--output",
        "json",
        "--ca-cert",
        &cert_arg,
        "--key",
        &org1,
        "status",
    ]));
    assert!(status["genesis_hash"].is_string(), "{status}");
    let out = cli.run(&["--key", &org1, "status"]);
    assert!(
        !out.status.success(),
        "without --ca-cert the self-signed certificate is not trusted"
    );
    let out = cli.run(&["--ca-cert", &cert_arg, "status"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("give --key"), "{err}");
}
