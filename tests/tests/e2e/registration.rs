//! Registration on a 3-node devnet that reviews registrations: the leader is killed with
//! SIGKILL while an application is in public notice; the new leader's empty block issues
//! the certificate by block time, every node holds the same one, and the killed node,
//! restarted, catches up to it.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::Value;
use shuquan_tests::cluster::Cluster;

/// The certificate of `asset` as node `i` serves it, once it has one (within `timeout`).
fn certificate(c: &Cluster, i: usize, asset: &str, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let (code, body) = c.node(i).get(&format!("/v1/certificates/{asset}"));
        if code == 200 {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "node {i}: no certificate: {body}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_notice_ends_with_a_certificate_after_the_leader_is_killed() {
    let mut c = Cluster::start_reviewing(3).unwrap();
    let leader = c.wait_leader(Duration::from_secs(30)).unwrap();
    let follower = (1..=3).find(|&i| i != leader).unwrap();
    let cli = c.cli(follower);
    let org1 = c.key_file("org1").display().to_string();
    let regulator = c.key_file("regulator").display().to_string();
    let reg = cli.json(&[
        "--key",
        &org1,
        "tx",
        "register",
        "--fingerprint",
        &"ab".repeat(32),
        "--size",
        "10",
        "--name",
        "Port container moves",
        "--grade",
        "general",
        "--jurisdiction",
        "CN",
        "--wait",
    ]);
    assert_eq!(reg["registration"], "applied", "{reg}");
    let asset = reg["asset"].as_str().unwrap().to_string();
    let r = cli.json(&[
        "--key", &regulator, "tx", "review", "--asset", &asset, "--accept", "--wait",
    ]);
    assert_eq!(r["status"], "committed", "{r}");
    // The leader dies during the notice; nothing else is sent.
    c.kill9(leader);
    let first = certificate(&c, follower, &asset, Duration::from_secs(60));
    assert_eq!(first["status"], "registered", "{first}");
    assert!(
        first["number"].as_str().unwrap().starts_with("GX-"),
        "{first}"
    );
    for i in (1..=3).filter(|&i| i != leader) {
        assert_eq!(certificate(&c, i, &asset, Duration::from_secs(30)), first);
    }
    // The killed node comes back and holds the same certificate.
    c.restart(leader).unwrap();
    assert_eq!(
        certificate(&c, leader, &asset, Duration::from_secs(60)),
        first
    );
    let h = c.wait_same_height(Duration::from_secs(60)).unwrap();
    c.assert_same_chain(h);
}
