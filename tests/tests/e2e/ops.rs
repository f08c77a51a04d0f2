//! Operating a node: JSON logs, readiness, metrics, and configuration errors that name the
//! key at fault.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use shuquan_tests::{bin, now_ms, register, sign, DevNode};

#[test]
fn json_logs_readiness_and_metrics() {
    let node = DevNode::start_with(&["--log-format", "json"]).unwrap();
    let chain = node.chain();
    let deadline = Instant::now() + Duration::from_secs(20);
    while node.get("/ready").0 != 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        node.get("/ready").0,
        200,
        "a one-member chain elects itself"
    );
    let raw = sign(&chain, &node.key("org1"), &[], register(1), now_ms());
    assert_eq!(node.post_tx(&raw, true).0, 200);
    let metrics = ureq::get(&format!("{}/metrics", node.url()))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(metrics.contains("shuquan_height 1"), "{metrics}");
    assert!(
        metrics.contains("shuquan_raft_role{role=\"leader\"} 1"),
        "{metrics}"
    );
    let log = node.log();
    let lines: Vec<&str> = log.lines().filter(|l| l.starts_with('{')).collect();
    assert!(!lines.is_empty(), "no JSON log lines:\n{log}");
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v["level"].is_string() && v["fields"].is_object(), "{l}");
    }
}

#[test]
fn a_bad_setting_stops_the_node_and_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 3] = [
        (&["--set", "mempool.size=0"], &[], "mempool.size"),
        (
            &[],
            &[("SHUQUAN_RAFT_SNAPSHOT_EVERY", "often")],
            "raft.snapshot_every",
        ),
        (&["--set", "p2p.listen=127.0.0.1:1"], &[], "p2p.listen"),
    ];
    for (flags, env, key) in cases {
        let out = std::process::Command::new(bin("shuquand"))
            .args(["--dev", "--data-dir"])
            .arg(dir.path())
            .args(flags)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{flags:?} {env:?} started");
        assert!(err.contains(key), "{key} not named in: {err}");
    }
}

/// Sockets on this machine whose remote end is `port` on 127.0.0.1, from /proc/net/tcp
/// (established or in TIME_WAIT).
fn sockets_to(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let remote = format!("0100007F:{port:04X}");
    table
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && f[2] == remote && (f[3] == "01" || f[3] == "06")
        })
        .count()
}

#[test]
fn a_checker_reading_a_long_chain_reuses_its_connections() {
    // Regression: the chaos checker read ~55,000 blocks over a new connection each and ran
    // out of ephemeral ports ("node 1 lacks block 13890").
    let node = DevNode::start().unwrap();
    for _ in 0..2_000 {
        assert_eq!(node.get("/health").0, 200);
    }
    let open = sockets_to(node.port);
    assert!(open < 100, "{open} client sockets for 2000 requests");
}
