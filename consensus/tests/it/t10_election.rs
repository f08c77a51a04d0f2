//! t10: leader election.

use shuquan_consensus::{Config, Role};

use crate::common::Cluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t10_three_nodes_elect_exactly_one_leader() {
    let c = Cluster::new(3, Config::for_tests(), 10).await;
    let leader = c.leader().await;
    let mut leaders = 0;
    let mut terms = Vec::new();
    for n in c.nodes.values() {
        let st = n.status().await;
        if st.role == Role::Leader {
            leaders += 1;
        }
        assert_eq!(st.leader_id, Some(leader));
        assert_eq!(st.membership.voters().len(), 3);
        terms.push(st.term);
    }
    assert_eq!(leaders, 1);
    assert!(
        terms.iter().all(|t| *t == terms[0] && *t >= 1),
        "terms differ: {terms:?}"
    );
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t11_single_node_elects_itself_and_reinitialize_is_harmless() {
    let c = Cluster::new(1, Config::for_tests(), 11).await;
    assert_eq!(c.leader().await, 1);
    // Running genesis again on an initialised node changes nothing.
    c.nodes[&1]
        .initialize([(1, crate::common::info(1))].into_iter().collect())
        .await
        .unwrap();
    assert_eq!(c.leader().await, 1);
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t12_five_nodes_elect_a_leader_all_agree() {
    let c = Cluster::new(5, Config::for_tests(), 12).await;
    let leader = c.leader().await;
    assert!((1..=5).contains(&leader));
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t10_until_role_waits_for_leadership_without_polling() {
    let mut c = Cluster::new(3, Config::for_tests(), 11).await;
    let leader = c.leader().await;
    let wait = std::time::Duration::from_millis(300);
    // The leader is leader already; a follower is not, and waits.
    assert!(
        tokio::time::timeout(wait, c.nodes[&leader].until_role(Role::Leader))
            .await
            .is_ok()
    );
    let follower = *c.nodes.keys().find(|id| **id != leader).unwrap();
    let waiting = c.nodes[&follower].clone();
    assert!(tokio::time::timeout(wait, waiting.until_role(Role::Leader))
        .await
        .is_err());
    // Once the leader crashes, one of the others becomes leader and its wait resolves.
    let others: Vec<_> = c
        .nodes
        .keys()
        .filter(|id| **id != leader)
        .copied()
        .collect();
    let watchers: Vec<_> = others
        .iter()
        .map(|id| {
            let n = c.nodes[id].clone();
            tokio::spawn(async move { n.until_role(Role::Leader).await })
        })
        .collect();
    c.crash(leader).await;
    let first = any_finishes(watchers).await;
    assert!(
        first,
        "no follower's wait resolved after the leader crashed"
    );
    c.shutdown().await;
}

/// Whether any of the tasks finishes within 10 s.
async fn any_finishes(tasks: Vec<tokio::task::JoinHandle<()>>) -> bool {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while tokio::time::Instant::now() < deadline {
        if tasks.iter().any(|t| t.is_finished()) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}
