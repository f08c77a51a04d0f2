//! t50: restart and catch-up — from the log, and through a snapshot once the log the
//! node needs has been purged; recovery of a state machine that lost its data.

use shuquan_consensus::Config;

use crate::common::{payload, Cluster, WAIT};

fn snapshot_config() -> Config {
    Config {
        snapshot_every: 20,
        keep_after_snapshot: 5,
        ..Config::for_tests()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t50_restarted_node_catches_up_through_a_snapshot_after_purge() {
    let mut c = Cluster::new(3, snapshot_config(), 50).await;
    let leader = c.leader().await;
    let lagger = c.ids().into_iter().find(|i| *i != leader).unwrap();
    let mut expected = Vec::new();
    for i in 0..5 {
        c.write(payload(i)).await;
        expected.push(payload(i));
    }
    c.crash(lagger).await;
    let mut last = 0;
    for i in 5..120 {
        last = c.write(payload(i)).await.index;
        expected.push(payload(i));
    }
    // The leader has snapshotted and purged past what the lagging node holds.
    let st = c.nodes[&leader]
        .wait_until(WAIT, |s| s.purged.is_some_and(|p| p > 20))
        .await
        .unwrap();
    assert!(st.snapshot.is_some());

    c.restart(lagger, true).await;
    c.wait_applied(last).await;
    let st = c.nodes[&lagger].status().await;
    assert!(
        st.snapshot.is_some_and(|s| s > 20),
        "lagger did not install a snapshot: {st:?}"
    );
    c.assert_all_applied(&expected);
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t51_lost_state_machine_is_rebuilt_from_snapshot_file_and_log() {
    let mut c = Cluster::new(1, snapshot_config(), 51).await;
    c.leader().await;
    let mut expected = Vec::new();
    for i in 0..50 {
        c.write(payload(i)).await;
        expected.push(payload(i));
    }
    c.nodes[&1]
        .wait_until(WAIT, |s| s.purged.is_some())
        .await
        .unwrap();
    c.nodes[&1].shutdown().await.unwrap();
    c.nodes.remove(&1);
    c.net.remove(1);

    // Restart with an empty state machine: snapshot file + re-applied log entries.
    c.restart(1, false).await;
    c.leader().await;
    let last = c.write(payload(50)).await.index;
    expected.push(payload(50));
    c.wait_applied(last).await;
    c.assert_all_applied(&expected);
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t52_manual_snapshot_then_restart_of_every_node() {
    let mut c = Cluster::new(3, Config::for_tests(), 52).await;
    let leader = c.leader().await;
    let mut expected = Vec::new();
    for i in 0..30 {
        c.write(payload(i)).await;
        expected.push(payload(i));
    }
    c.nodes[&leader].trigger_snapshot().await.unwrap();
    c.nodes[&leader]
        .wait_until(WAIT, |s| s.snapshot.is_some())
        .await
        .unwrap();
    for id in c.ids() {
        c.crash(id).await;
    }
    for id in 1..=3 {
        c.restart(id, true).await;
    }
    let last = c.write(payload(30)).await.index;
    expected.push(payload(30));
    c.wait_applied(last).await;
    c.assert_all_applied(&expected);
    c.shutdown().await;
}
