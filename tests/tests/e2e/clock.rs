//! A leader with a wrong clock (issue 13, finding 5): on a 3-node devnet whose node 1 runs
//! 30 minutes fast, and leads, none of six honest transactions used to commit (each failed
//! its timestamp) and block time ran 30 minutes ahead. Now node 1 corrects its clock toward
//! the other nodes' and the chain bounds block time by its transactions' own timestamps:
//! honest clients commit through every node, with a leader 30 minutes fast and with one
//! 30 minutes slow.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use shuquan_tests::cluster::Cluster;
use shuquan_tests::{now_ms, register, sign};

const SKEW_MS: i64 = 30 * 60 * 1000;

/// Node 1 runs `skew` ms off and elects itself first (short election timeouts); the others
/// wait ten times longer before they stand.
fn skewed_devnet(skew: i64) -> Cluster {
    Cluster::start_each(3, |i| {
        let (lo, hi) = if i == 1 { (300, 450) } else { (3_000, 4_500) };
        let mut flags = vec![
            "--set".to_string(),
            format!("raft.election_min_ms={lo}"),
            "--set".into(),
            format!("raft.election_max_ms={hi}"),
        ];
        if i == 1 {
            flags.extend(["--set".into(), format!("clock.skew_ms={skew}")]);
        }
        flags
    })
    .unwrap()
}

/// Makes node 1 the leader: while another node leads, restart that one.
fn node1_leads(c: &mut Cluster) {
    for _ in 0..5 {
        let leader = c.wait_leader(Duration::from_secs(30)).unwrap();
        if leader == 1 {
            return;
        }
        c.restart(leader).unwrap();
    }
    panic!("node 1 never became leader");
}

fn run(skew: i64) {
    let mut c = skewed_devnet(skew);
    node1_leads(&mut c);
    // Node 1 learns the others' clocks within seconds of starting.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let offset = c.node(1).status()["clock_offset_ms"].as_i64().unwrap_or(0);
        if (offset + skew).abs() < 5_000 {
            break;
        }
        assert!(Instant::now() < deadline, "node 1 still {offset} ms off");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(c.node(1).log().contains("clock.skew_ms is set"));
    let chain = c.chain();
    let org1 = c.key("org1");
    for n in 0..6u64 {
        let node = c.node(1 + (n as usize) % 3);
        let raw = sign(&chain, &org1, &[], register(90_000 + n), now_ms());
        let (status, v) = node.post_tx(&raw, true);
        assert_eq!(
            (status, v["status"].as_str()),
            (200, Some("committed")),
            "via node {}: {v}",
            node.index
        );
        let height = v["receipt"]["height"].as_u64().unwrap();
        let (_, block) = node.get(&format!("/v1/blocks/{height}"));
        let block_time = block["timestamp_ms"].as_u64().unwrap();
        let off = block_time.abs_diff(now_ms());
        assert!(
            off < 90_000,
            "block {height} is {off} ms off the wall clock"
        );
    }
    assert_eq!(
        c.wait_leader(Duration::from_secs(5)).unwrap(),
        1,
        "node 1 led throughout"
    );
    let h = c.wait_same_height(Duration::from_secs(10)).unwrap();
    c.assert_same_chain(h);
}

#[test]
fn a_leader_30_minutes_fast_does_not_stop_the_chain() {
    run(SKEW_MS);
}

#[test]
fn a_leader_30_minutes_slow_does_not_stop_the_chain() {
    run(-SKEW_MS);
}
