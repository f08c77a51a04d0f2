//! t40: partitions — a minority cut off, the majority side, an isolated leader.

use std::time::Duration;

use shuquan_consensus::{Config, Role};

use crate::common::{payload, Cluster};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t40_minority_partition_lags_then_catches_up() {
    let c = Cluster::new(5, Config::for_tests(), 40).await;
    let leader = c.leader().await;
    let others: Vec<u64> = c.ids().into_iter().filter(|i| *i != leader).collect();
    let minority = [others[0], others[1]];
    let majority = [leader, others[2], others[3]];
    c.net.partition(&[&minority, &majority]);

    // The majority side (with the leader) keeps committing.
    let mut expected = Vec::new();
    let mut last = 0;
    for i in 0..20 {
        last = c.nodes[&leader].write(payload(i)).await.unwrap().index;
        expected.push(payload(i));
    }
    for id in minority {
        let st = c.nodes[&id].status().await;
        assert!(
            st.last_applied < Some(last),
            "minority node {id} applied across a partition"
        );
        assert_ne!(st.role, Role::Leader);
    }

    c.net.heal();
    c.wait_applied(last).await;
    c.assert_all_applied(&expected);
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t41_minority_side_cannot_commit() {
    let c = Cluster::new(3, Config::for_tests(), 41).await;
    let leader = c.leader().await;
    c.write(payload(0)).await;
    let others: Vec<u64> = c.ids().into_iter().filter(|i| *i != leader).collect();
    // The leader alone is a minority: it cannot commit anything.
    c.net.partition(&[&[leader], &others]);
    let w = tokio::time::timeout(
        Duration::from_millis(800),
        c.nodes[&leader].write(b"lost".to_vec()),
    )
    .await;
    assert!(
        !matches!(w, Ok(Ok(_))),
        "a minority leader acknowledged a write: {w:?}"
    );

    // The majority elects a new leader and goes on.
    let new_leader = loop {
        let mut found = None;
        for id in &others {
            if c.nodes[id].status().await.role == Role::Leader {
                found = Some(*id);
            }
        }
        if let Some(l) = found {
            break l;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let last = c.nodes[&new_leader].write(payload(1)).await.unwrap().index;

    c.net.heal();
    c.wait_applied(last).await;
    // The unacknowledged write of the isolated leader was discarded everywhere.
    c.assert_all_applied(&[payload(0), payload(1)]);
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t42_isolated_leader_steps_down_after_heal() {
    let c = Cluster::new(3, Config::for_tests(), 42).await;
    let old = c.leader().await;
    let old_term = c.nodes[&old].status().await.term;
    c.net.isolate(old, &c.ids());
    // Wait for the others to elect a new leader in a higher term.
    let others: Vec<u64> = c.ids().into_iter().filter(|i| *i != old).collect();
    c.nodes[&others[0]]
        .wait_until(crate::common::WAIT, |s| {
            s.leader_id.is_some_and(|l| l != old) && s.term > old_term
        })
        .await
        .unwrap();
    c.net.heal();
    let leader = c.leader().await;
    assert_ne!(leader, old);
    let st = c.nodes[&old].status().await;
    assert_eq!(st.role, Role::Follower);
    assert!(st.term > old_term);
    let last = c.write(payload(7)).await.index;
    c.wait_applied(last).await;
    c.assert_all_applied(&[payload(7)]);
    c.shutdown().await;
}
