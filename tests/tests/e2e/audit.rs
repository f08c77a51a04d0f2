//! Auditing a devnet end to end: the README walkthrough's asset is bundled from a
//! follower, verified offline against the genesis file (and refused once a byte of the
//! file is flipped), and the whole chain is re-checked over a follower's API and from a
//! stopped node's data directory.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use shuquan_tests::cluster::Cluster;
use shuquan_tests::walkthrough;

#[test]
fn the_walkthrough_asset_is_bundled_from_a_follower_and_verified_offline() {
    walkthrough_then_audit(Cluster::start_reviewing(3).unwrap());
}

/// The same on the national algorithms (`devnet init --crypto sm`): SM3 everywhere, the
/// nodes certifying with SM2, org1 and the regulator signing with SM2 and org2 with
/// ed25519.
#[test]
fn on_an_sm_devnet_with_mixed_keys_the_walkthrough_bundle_and_chain_verify() {
    let cluster = Cluster::start_sm(3).unwrap();
    let genesis = cluster.genesis().unwrap();
    assert_eq!(genesis.hash, shuquan_proto::pb::HashFunction::Sm3 as i32);
    let scheme = |who: &str| cluster.key(who).scheme();
    use shuquan_proto::keys::Scheme;
    assert_eq!(
        [scheme("org1"), scheme("org2"), scheme("regulator")],
        [Scheme::Sm2, Scheme::Ed25519, Scheme::Sm2]
    );
    let (_, g) = cluster.node(1).get("/v1/genesis");
    assert_eq!(g["hash"], "sm3", "{g}");
    walkthrough_then_audit(cluster);
}

fn walkthrough_then_audit(cluster: Cluster) {
    let leader = cluster.wait_leader(Duration::from_secs(30)).unwrap();
    let follower = (1..=3).find(|&i| i != leader).unwrap();
    let cli = cluster.cli(follower);
    let (asset, org2) = walkthrough::run(&cli, |who| cluster.key_file(who));

    let file = cluster.path("walkthrough.bundle");
    let file = file.to_str().unwrap();
    let got = cli.json(&["audit", "bundle", &asset, "--out", file]);
    // register, review, transfer, grant, filing, decision, usage (the failed early
    // transfer and usage are no events: they changed nothing).
    assert_eq!(got["events"], 7, "{got}");

    let genesis = cluster.path("genesis.toml");
    let genesis = genesis.to_str().unwrap();
    // Offline: point the CLI at a port nothing listens on.
    let offline = shuquan_tests::Cli {
        node: "http://127.0.0.1:9".into(),
        dir: cli.dir.clone(),
    };
    let v = offline.json(&["audit", "verify", file, "--genesis", genesis]);
    assert_eq!(v["verdict"], "verified", "{v}");
    let r = &v["report"];
    assert_eq!(r["asset"], asset.as_str());
    assert_eq!(r["holders"]["use"], org2.as_str());
    assert_eq!(r["grants"][0]["status"], "active");
    assert_eq!(r["status"], "registered");
    assert!(r["certificate"]["number"]
        .as_str()
        .is_some_and(|n| n.starts_with("GX-")));
    assert_eq!(r["events"].as_array().unwrap().len(), 7);
    let text = offline.run(&["audit", "verify", file, "--genesis", genesis]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("VERIFIED"), "{text}");
    assert!(text.contains("Chain of title"), "{text}");
    assert!(text.contains("Registration: registered"), "{text}");
    assert!(text.contains("certificate GX-"), "{text}");
    assert!(text.contains("registrar regulator"), "{text}");

    let mut bytes = std::fs::read(file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x10;
    std::fs::write(file, &bytes).unwrap();
    let bad = offline.run(&[
        "--output",
        "json",
        "audit",
        "verify",
        file,
        "--genesis",
        genesis,
    ]);
    assert!(!bad.status.success());
    let out: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(out["verdict"], "failed", "{out}");

    let chain = cli.json(&["audit", "chain", "--genesis", genesis]);
    assert_eq!(chain["verdict"], "ok", "{chain}");
    assert!(chain["blocks"].as_u64().unwrap() >= 6, "{chain}");
    assert!(chain["txs"].as_u64().unwrap() >= 7, "{chain}");

    // A stopped node's data directory, every row compared with the re-execution.
    let mut cluster = cluster;
    cluster.nodes[follower - 1].stop();
    let dir = cluster.path(&format!("node{follower}"));
    let local = offline.json(&[
        "audit",
        "chain",
        "--genesis",
        genesis,
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(local["verdict"], "ok", "{local}");
    assert!(local["blocks"].as_u64().unwrap() >= chain["blocks"].as_u64().unwrap());
}
