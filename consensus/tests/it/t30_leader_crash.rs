//! t30: the leader crashes; a new one takes over without losing acknowledged writes.

use shuquan_consensus::Config;

use crate::common::{payload, Cluster};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t30_leader_crash_keeps_acknowledged_writes() {
    let mut c = Cluster::new(3, Config::for_tests(), 30).await;
    let old = c.leader().await;
    let old_term = c.nodes[&old].status().await.term;
    let mut expected = Vec::new();
    for i in 0..20 {
        c.write(payload(i)).await;
        expected.push(payload(i));
    }
    c.crash(old).await;

    let new = c.leader().await;
    assert_ne!(new, old);
    assert!(c.nodes[&new].status().await.term > old_term);
    let mut last = 0;
    for i in 20..40 {
        last = c.write(payload(i)).await.index;
        expected.push(payload(i));
    }

    c.restart(old, true).await;
    c.wait_applied(last).await;
    c.assert_all_applied(&expected);
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t31_repeated_leader_crashes() {
    let mut c = Cluster::new(5, Config::for_tests(), 31).await;
    let mut expected = Vec::new();
    let mut i = 0;
    for _round in 0..3 {
        for _ in 0..5 {
            c.write(payload(i)).await;
            expected.push(payload(i));
            i += 1;
        }
        let leader = c.leader().await;
        c.crash(leader).await;
        c.leader().await;
        c.restart(leader, true).await;
    }
    let last = c.write(payload(i)).await.index;
    expected.push(payload(i));
    c.wait_applied(last).await;
    c.assert_all_applied(&expected);
    c.shutdown().await;
}
