//! A short chaos run in the suite: 3 nodes, kill and restart, and the council adding,
//! promoting and removing nodes, 25 s under load. Nothing acknowledged is lost or
//! duplicated, the chains agree, no node panics.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use shuquan_tests::chaos::{run, Plan};

#[test]
fn short_chaos_run_keeps_every_promise() {
    let plan = Plan {
        nodes: 3,
        secs: 25,
        clients: 4,
        pauses: false,
        seed: shuquan_tests::now_ms(),
        netns: None,
        membership: true,
    };
    let report = run(&plan).unwrap();
    eprintln!("chaos seed {}: {}", plan.seed, report.to_json());
    assert!(
        report.faults.values().sum::<u64>() >= 5,
        "{:?}",
        report.faults
    );
    assert!(report.acked > 20, "{}", report.to_json());
    assert!(
        report.faults.get("add_node").is_some_and(|n| *n >= 1),
        "no node was added: {:?}",
        report.faults
    );
    assert_eq!(
        (
            report.lost,
            report.duplicated,
            report.panicked,
            report.digests_agree
        ),
        (0, 0, 0, true),
        "{}",
        report.to_json()
    );
}
