//! Live membership on real processes, under load: a 4th node made by `shuquan devnet
//! add-node` is refused until the council adds it, catches up as a Raft learner, is
//! promoted to voter; then an original node is removed and the chain keeps committing.
//! Every acknowledged transaction is on every remaining node, and the audit bundle of an
//! asset whose history spans the changes verifies offline with the genesis alone. A node
//! demoted to learner, its operator suspended, is cut off until the operator is reinstated.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::Value;
use shuquan_tests::cluster::Cluster;
use shuquan_tests::load::{Load, LoadPlan};
use shuquan_tests::Cli;

const WAIT: Duration = Duration::from_secs(60);

fn json(cli: &Cli, args: &[&str]) -> Value {
    let mut all = vec!["--output", "json"];
    all.extend_from_slice(args);
    let out = cli.run(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// org1 proposes, org2 and the regulator vote yes: the devnet council decides.
fn decide(cli: &Cli, k: &dyn Fn(&str) -> String, action: &[&str]) -> String {
    let org1 = k("org1");
    let mut args = vec!["--key", org1.as_str(), "gov", "propose"];
    args.extend_from_slice(action);
    args.push("--wait");
    let p = json(cli, &args);
    assert_eq!(p["status"], "committed", "{p}");
    let id = p["proposal"].as_str().unwrap().to_string();
    for who in ["org2", "regulator"] {
        let v = json(
            cli,
            &["--key", &k(who), "gov", "vote", &id, "--yes", "--wait"],
        );
        assert_eq!(v["status"], "committed", "{v}");
    }
    let prop = json(cli, &["query", "proposal", &id]);
    assert_eq!(prop["status"], "executed", "{prop}");
    id
}

fn until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The Raft ids a node's status lists under `field` (`raft_voters`, `raft_learners`).
fn ids(st: &Value, field: &str) -> Vec<u64> {
    st[field]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .collect()
}

/// Every Raft member (voters and learners) a node's status lists.
fn raft_members(st: &Value) -> Vec<u64> {
    let mut all = ids(st, "raft_voters");
    all.extend(ids(st, "raft_learners"));
    all
}

/// The last lines of every node's log, for a failure message.
fn logs(c: &Cluster) -> String {
    let mut out = String::new();
    for n in &c.nodes {
        let log = n.log();
        let lines: Vec<&str> = log.lines().collect();
        out += &format!("--- node {} ---\n", n.index);
        for l in &lines[lines.len().saturating_sub(15)..] {
            out += l;
            out.push('\n');
        }
    }
    out
}

#[test]
fn a_node_joins_by_vote_is_promoted_and_an_original_node_leaves_while_the_chain_commits() {
    let mut cluster = Cluster::start(3, &[]).unwrap();
    let leader = cluster.wait_leader(WAIT).unwrap();
    let dir = cluster.path("keys");
    let k = move |who: &str| dir.join(format!("{who}.key")).display().to_string();
    // The node that leaves: a follower (removing the leader's own node waits for a new
    // leader; see the README).
    let leaving = (1..=3).find(|&i| i != leader).unwrap();
    let stays = (1..=3).find(|&i| i != leader && i != leaving).unwrap();
    let cli = cluster.cli(leader);

    // An asset registered before any change; load throughout.
    let reg = json(
        &cli,
        &[
            "--key",
            &k("org1"),
            "tx",
            "register",
            "--fingerprint",
            &"ab".repeat(32),
            "--size",
            "10",
            "--name",
            "spans the changes",
            "--grade",
            "general",
            "--jurisdiction",
            "CN",
            "--wait",
        ],
    );
    let asset = reg["asset"].as_str().unwrap().to_string();
    let urls = |c: &Cluster, skip: &[usize]| -> Vec<String> {
        (1..=c.nodes.len())
            .filter(|i| !skip.contains(i))
            .map(|i| c.node(i).url())
            .collect()
    };
    let load = Load::start(
        LoadPlan {
            urls: urls(&cluster, &[leaving]),
            clients: 2,
            wait_ms: 10_000,
            first_seed: 7_000_000,
            max: Duration::from_secs(120),
            chain: cluster.chain(),
        },
        &cluster.key("org1"),
    );

    // A new node: refused by the members until added.
    let (new, new_key, new_addr) = cluster.add_node(&[]).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let st = cluster.node(new).status();
    assert_eq!(
        st["height"], 0,
        "a node nobody added receives nothing: {st}"
    );
    assert!(st["peers"].as_array().unwrap().is_empty(), "{st}");

    decide(
        &cli,
        &k,
        &[
            "add-node",
            "--key",
            &new_key,
            "--addr",
            &new_addr,
            "--operator",
            "auditor",
        ],
    );
    let nodes = json(&cli, &["query", "nodes"]);
    assert_eq!(nodes.as_array().unwrap().len(), 4, "{nodes}");
    // It catches up as a learner.
    until("the new node caught up", || {
        let h = cluster.node(leader).status()["height"]
            .as_u64()
            .unwrap_or(0);
        cluster.node(new).status()["height"].as_u64().unwrap_or(0) + 5 >= h
    });
    let st = cluster.node(new).status();
    assert_eq!(st["role"], "learner", "{st}");

    decide(&cli, &k, &["promote-node", &new_key]);
    let new_id = cluster.node(new).status()["node_id"].as_u64().unwrap();
    until("Raft counts the new node as a voter", || {
        let voters = ids(&cluster.node(leader).status(), "raft_voters");
        voters.contains(&new_id) && voters.len() == 4
    });

    let leaving_key = cluster.node(leaving).status()["node_key"]
        .as_str()
        .unwrap()
        .to_string();
    decide(&cli, &k, &["remove-node", &leaving_key]);
    until("Raft drops the removed node", || {
        let members = raft_members(&cluster.node(leader).status());
        members.len() == 3 && members.contains(&new_id)
    });
    // The removed node sees itself out of the chain and of Raft, and stops.
    until("the removed node stopped", || {
        cluster.node(leaving).get("/health").0 == 0
    });
    cluster.nodes[leaving - 1].stop();

    // The chain keeps committing on the three that remain, the new node among them.
    let moved = json(
        &cluster.cli(new),
        &[
            "--key",
            &k("org1"),
            "tx",
            "transfer",
            "--asset",
            &asset,
            "--right",
            "use",
            "--to",
            "org2",
            "--cosign-key",
            &k("org2"),
            "--wait",
        ],
    );
    assert_eq!(moved["status"], "committed", "{moved}");
    let acked = load.finish();
    assert!(!acked.is_empty());
    let h = cluster.wait_same_height(WAIT).unwrap();
    cluster.assert_same_chain(h);
    for id in &acked {
        for i in [leader, stays, new] {
            let (code, v) = cluster.node(i).get(&format!("/v1/txs/{id}"));
            assert_eq!(code, 200, "acknowledged {id} missing on node {i}: {v}");
        }
    }

    // The bundle spans the add, the promote and the removal; offline, genesis only.
    let file = cluster.path("spans.bundle");
    let file = file.to_str().unwrap();
    until("the transfer is certified", || {
        let st = cluster.node(new).status();
        st["certified_height"].as_u64() >= moved["height"].as_u64()
    });
    json(
        &cluster.cli(new),
        &["audit", "bundle", &asset, "--out", file],
    );
    let offline = Cli {
        node: "http://127.0.0.1:9".into(),
        dir: cli.dir.clone(),
    };
    let genesis = cluster.path("genesis.toml");
    let v = json(
        &offline,
        &[
            "audit",
            "verify",
            file,
            "--genesis",
            genesis.to_str().unwrap(),
        ],
    );
    assert_eq!(v["verdict"], "verified", "{v}");
    assert_eq!(v["report"]["events"].as_array().unwrap().len(), 2, "{v}");

    // Demoted, it is a learner again (Raft follows); its operator suspended, it is cut
    // off; reinstated, it is back. (A member running a voter node is not suspended.)
    let refused = cli.run(&[
        "--key",
        &k("org1"),
        "gov",
        "propose",
        "suspend-member",
        "auditor",
        "--wait",
    ]);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("action_refused"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    decide(&cli, &k, &["demote-node", &new_key]);
    until("Raft demotes the node", || {
        ids(&cluster.node(leader).status(), "raft_learners").contains(&new_id)
    });
    decide(&cli, &k, &["suspend-member", "auditor"]);
    // The others refuse it (it keeps dialing, and is cut at every handshake).
    let listed_by = |i: usize| {
        cluster.node(i).status()["peers"]
            .as_array()
            .is_some_and(|p| p.iter().any(|k| k.as_str() == Some(new_key.as_str())))
    };
    let deadline = Instant::now() + WAIT;
    while listed_by(leader) || listed_by(stays) {
        assert!(
            Instant::now() < deadline,
            "the suspended operator's node {new_key} is not cut off: leader {} sees {}, node {stays} sees {}\n{}",
            leader,
            cluster.node(leader).status()["peers"],
            cluster.node(stays).status()["peers"],
            logs(&cluster)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    decide(&cluster.cli(stays), &k, &["reinstate-member", "auditor"]);
    until("the reinstated operator's node reconnects", || {
        listed_by(leader) && listed_by(stays)
    });
}

/// The node that leads Raft is removed by the council: it hands the chain over (a new
/// leader among the others is elected once it leaves) and the chain keeps committing.
#[test]
fn removing_the_leaders_own_node_hands_over_and_the_chain_commits() {
    let mut cluster = Cluster::start(3, &[]).unwrap();
    let leader = cluster.wait_leader(WAIT).unwrap();
    let dir = cluster.path("keys");
    let k = move |who: &str| dir.join(format!("{who}.key")).display().to_string();
    let (new, new_key, new_addr) = cluster.add_node(&[]).unwrap();
    let via = (1..=3).find(|&i| i != leader).unwrap();
    let cli = cluster.cli(via);
    decide(
        &cli,
        &k,
        &[
            "add-node",
            "--key",
            &new_key,
            "--addr",
            &new_addr,
            "--operator",
            "org1",
        ],
    );
    decide(&cli, &k, &["promote-node", &new_key]);
    let new_id = cluster.node(new).status()["node_id"].as_u64().unwrap();
    until("Raft counts the new node as a voter", || {
        let voters = ids(&cluster.node(via).status(), "raft_voters");
        voters.contains(&new_id) && voters.len() == 4
    });
    let leader_key = cluster.node(leader).status()["node_key"]
        .as_str()
        .unwrap()
        .to_string();
    let leader_id = cluster.node(leader).status()["node_id"].as_u64().unwrap();
    decide(&cli, &k, &["remove-node", &leader_key]);
    until(
        "another node leads and Raft no longer lists the removed one",
        || {
            let st = cluster.node(via).status();
            let listed = raft_members(&st).contains(&leader_id);
            !listed && st["leader_id"].as_u64().is_some_and(|l| l != leader_id)
        },
    );
    let deadline = Instant::now() + WAIT;
    while cluster.node(leader).get("/health").0 != 0 {
        assert!(
            Instant::now() < deadline,
            "the removed leader did not stop:\n{}",
            logs(&cluster)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    cluster.nodes[leader - 1].stop();
    let reg = json(
        &cluster.cli(new),
        &[
            "--key",
            &k("org1"),
            "tx",
            "register",
            "--fingerprint",
            &"cd".repeat(32),
            "--size",
            "10",
            "--name",
            "after the leader left",
            "--grade",
            "general",
            "--jurisdiction",
            "CN",
            "--wait",
        ],
    );
    assert_eq!(reg["status"], "committed", "{reg}");
    let h = cluster.wait_same_height(WAIT).unwrap();
    cluster.assert_same_chain(h);
}
