//! A three-node devnet of real `shuquand` processes on 127.0.0.1: transactions submitted
//! to any node commit on all; the leader is SIGKILLed under load and nothing acknowledged is
//! lost; a node that missed purged log entries catches up through a state snapshot and
//! block sync, then serves the same history, bundles and `audit chain` as the others.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use prost::Message;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::ChainRef;
use shuquan_tests::cluster::{Cluster, ClusterNode};
use shuquan_tests::load::{Load, LoadPlan};
use shuquan_tests::{now_ms, register, register_in, sign};

const CONVERGE: Duration = Duration::from_secs(30);

fn grant(chain: &ChainRef, asset: &str, grantee: &str) -> Payload {
    Payload::IssueGrant(pb::IssueGrant {
        asset: hex_bytes(asset),
        grantee: shuquan_proto::hash::Hashing::BLAKE3
            .member_id(&chain.id, grantee)
            .to_vec(),
        actions: vec![pb::Action::Compute as i32],
        purposes: vec!["academic-research".into()],
        not_before_ms: 0,
        not_after_ms: now_ms() + 86_400_000,
        // The grantee, org2, is in VN: its access is an export, pending a regulator.
        jurisdictions: vec!["CN".into(), "VN".into()],
        max_uses: 0,
        recipient_systems: vec![],
        policy_doc_hash: vec![],
    })
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Posts and waits for commit; returns (tx id, created id).
fn commit(node: &ClusterNode, raw: &[u8]) -> (String, String) {
    let (code, v) = node.post_tx(raw, true);
    assert_eq!(code, 200, "node {}: {v}", node.index);
    assert_eq!(v["status"], "committed", "node {}: {v}", node.index);
    (
        v["tx_id"].as_str().unwrap().to_string(),
        v["receipt"]["created"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

fn assert_everywhere(c: &Cluster, ids: &[String]) {
    for n in c.nodes.iter().filter(|n| n.is_up()) {
        for id in ids {
            let (code, v) = n.get(&format!("/v1/txs/{id}"));
            assert_eq!(code, 200, "node {} lacks {id}: {v}", n.index);
        }
    }
}

/// Waits until `node` serves a certificate for every block up to `h`, and checks each
/// offline with `shuquan_proto::cert` against the genesis and the block hash it serves.
fn assert_certified(c: &Cluster, node: &ClusterNode, h: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while node.status()["certified_height"].as_u64().unwrap_or(0) < h {
        assert!(
            Instant::now() < deadline,
            "node {} certified only up to {} of {h}",
            node.index,
            node.status()["certified_height"]
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let genesis = c.genesis().unwrap();
    for height in 1..=h {
        let (code, v) = node.get(&format!("/v1/blocks/{height}/certificate"));
        assert_eq!(code, 200, "{v}");
        assert_eq!(v["certified"], true, "{v}");
        let cert = pb::Certificate::decode(
            hex::decode(v["certificate"].as_str().unwrap())
                .unwrap()
                .as_slice(),
        )
        .unwrap();
        let hash: [u8; 32] = hex::decode(node.block_hash(height).unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let signers = shuquan_proto::cert::verify_certificate(
            &genesis,
            height,
            &shuquan_proto::Hash32(hash),
            &cert,
        )
        .unwrap();
        assert!(signers >= 2, "block {height}: {signers} signers");
    }
}

/// The data line of the first block event from `GET /v1/events?from=1`.
fn first_event(node: &ClusterNode) -> String {
    use std::io::BufRead;
    let resp = ureq::get(&format!("{}/v1/events?from=1", node.url()))
        .call()
        .unwrap();
    let mut lines = std::io::BufReader::new(resp.into_body().into_reader()).lines();
    let mut seen_id = false;
    // Bounded: the first event is the first block, already committed.
    for _ in 0..20 {
        let line = lines.next().unwrap().unwrap();
        if line == "id: 1" {
            seen_id = true;
        }
        if let Some(data) = line.strip_prefix("data: ") {
            assert!(seen_id || line.contains("\"height\":1"));
            return data.to_string();
        }
    }
    panic!("no block event in the first 20 lines");
}

#[test]
fn transactions_sent_to_any_node_commit_on_all() {
    let c = Cluster::start(3, &[]).unwrap();
    let chain = c.chain();
    let leader = c.wait_leader(CONVERGE).unwrap();
    let follower = (1..=3).find(|i| *i != leader).unwrap();
    let (org1, org2) = (c.key("org1"), c.key("org2"));
    let mut ids = Vec::new();
    // Registrations through every node, then cosigned grants through a follower.
    let mut assets = Vec::new();
    for (n, node) in (0..6u64).zip([1, 2, 3].iter().cycle()) {
        let (who, home) = if n % 2 == 0 {
            (&org1, "CN")
        } else {
            (&org2, "VN")
        };
        let raw = sign(&chain, who, &[], register_in(n, home), now_ms());
        let (id, asset) = commit(c.node(*node), &raw);
        ids.push(id);
        if n % 2 == 0 {
            assets.push(asset);
        }
    }
    for asset in &assets {
        let raw = sign(
            &chain,
            &org1,
            &[&org2],
            grant(&chain, asset, "org2"),
            now_ms(),
        );
        ids.push(commit(c.node(follower), &raw).0);
    }
    let h = c.wait_same_height(CONVERGE).unwrap();
    assert!(h >= 1);
    c.assert_same_chain(h);
    assert_everywhere(&c, &ids);
    // Every node certifies every block: signatures of a majority of the member nodes.
    for n in &c.nodes {
        assert_certified(&c, n, h);
    }
    // Every node answers the same about the assets.
    let views: Vec<_> = c
        .nodes
        .iter()
        .map(|n| n.get(&format!("/v1/assets/{}/grants", assets[0])).1)
        .collect();
    assert!(views.windows(2).all(|w| w[0] == w[1]), "{views:?}");
    // Followers stream committed blocks to institutions that follow the chain.
    let first = first_event(c.node(follower));
    assert!(
        first.contains("\"height\":1") && first.contains(&ids[0]),
        "{first}"
    );
    for n in &c.nodes {
        assert_eq!(n.get("/ready").0, 200, "node {} not ready", n.index);
    }
    let status = c.node(follower).status();
    assert_eq!(status["role"], "follower");
    assert_eq!(status["peers"].as_array().unwrap().len(), 2, "{status}");
    assert_eq!(
        status["leader_id"].as_u64(),
        c.node(leader).status()["node_id"].as_u64()
    );
}

#[test]
fn sigkill_of_the_leader_under_load_loses_nothing_acknowledged() {
    let mut c = Cluster::start(3, &[]).unwrap();
    let load = Load::start(
        LoadPlan {
            urls: c.nodes.iter().map(|n| n.url()).collect(),
            clients: 6,
            wait_ms: 5000,
            first_seed: 1_000,
            max: Duration::from_secs(40),
            chain: c.chain(),
        },
        &c.key("org1"),
    );
    std::thread::sleep(Duration::from_secs(2));
    let before_kill = load.acked();
    let old = c.wait_leader(CONVERGE).unwrap();
    c.kill9(old);
    let new = c.wait_leader(CONVERGE).unwrap();
    assert_ne!(new, old);
    // Load goes on under the new leader.
    let at_election = load.acked();
    let until = Instant::now() + Duration::from_secs(15);
    while load.acked() < at_election + 20 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(100));
    }
    c.restart(old).unwrap();
    std::thread::sleep(Duration::from_secs(1));
    let acked = load.finish();
    assert!(
        before_kill > 5,
        "only {before_kill} acknowledged before the kill"
    );
    assert!(
        acked.len() >= at_election + 20,
        "load did not continue under the new leader: {} then {}",
        at_election,
        acked.len()
    );
    let h = c.wait_same_height(CONVERGE).unwrap();
    c.assert_same_chain(h);
    assert_everywhere(&c, &acked);
}

#[test]
fn a_node_behind_a_purged_log_catches_up_by_state_snapshot_and_block_sync() {
    let mut c = Cluster::start(
        3,
        &[
            "--set",
            "raft.snapshot_every=20",
            "--set",
            "raft.keep_after_snapshot=5",
        ],
    )
    .unwrap();
    let chain = c.chain();
    let leader = c.wait_leader(CONVERGE).unwrap();
    let down = (1..=3).rev().find(|i| *i != leader).unwrap();
    // One asset the down node saw, then one it did not.
    let org1 = c.key("org1");
    let (_, seen) = commit(
        c.node(leader),
        &sign(&chain, &org1, &[], register(4_999), now_ms()),
    );
    c.kill9(down);
    // One block per transaction: 60 log entries, three snapshots, the log purged.
    let mut ids = Vec::new();
    let mut assets = vec![seen];
    for n in 0..60 {
        let (id, asset) = commit(
            c.node(leader),
            &sign(&chain, &org1, &[], register(5_000 + n), now_ms()),
        );
        ids.push(id);
        assets.push(asset);
    }
    c.restart(down).unwrap();
    let h = c.wait_same_height(CONVERGE).unwrap();
    assert!(h >= 61, "height {h}");
    // Block sync fills what the state snapshot left out.
    let node = c.node(down);
    let deadline = Instant::now() + CONVERGE;
    while !node.status()["blocks"]["missing"].is_null() {
        assert!(
            Instant::now() < deadline,
            "block sync did not finish: {}",
            node.status()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = node.status();
    assert_eq!(status["blocks"]["from"], 1, "{status}");
    assert!(
        status["blocks"]["state_from"].as_u64().unwrap() > 2,
        "{status}"
    );
    // The sync task says so on its next round.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !node.log().contains("block sync complete") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = node.log();
    assert!(
        log.contains("installed a state snapshot"),
        "node {down} caught up without a snapshot:\n{log}"
    );
    assert!(log.contains("block sync complete"), "{log}");
    c.assert_same_chain(h);
    assert_everywhere(&c, &ids);
    // It also collects the signatures it missed while down.
    assert_certified(&c, c.node(down), h);
    assert_certified(&c, c.node(leader), h);
    // The same history and the same bundles as a node that applied every block (proving
    // the same facts; the certificates may carry different sets of signatures).
    let genesis_pb = c.genesis().unwrap();
    for asset in [&assets[0], &assets[30]] {
        let history = |i: usize| c.node(i).get(&format!("/v1/assets/{asset}/history"));
        assert_eq!(history(down), history(leader), "history of {asset}");
        let report = |i: usize| {
            let resp = ureq::get(&format!("{}/v1/assets/{asset}/bundle", c.node(i).url()))
                .call()
                .unwrap();
            let bytes = resp.into_body().read_to_vec().unwrap();
            let r = shuquan_proto::audit::verify_bundle(&bytes, &genesis_pb).unwrap();
            serde_json::to_value(r).unwrap()
        };
        assert_eq!(report(down), report(leader), "bundle of {asset}");
    }
    let genesis = c.path("genesis.toml");
    let audit = c
        .cli(down)
        .json(&["audit", "chain", "--genesis", genesis.to_str().unwrap()]);
    assert_eq!(audit["verdict"], "ok", "{audit}");
    assert!(audit["blocks"].as_u64().unwrap() >= h, "{audit}");
}
