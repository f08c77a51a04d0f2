//! t60: membership — learner first, then voter, one at a time; ids are never reused.

use shuquan_consensus::{Config, Error, MemStateMachine, NodeInfo, Role};

use crate::common::{info, payload, Cluster, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t60_add_learner_then_promote_to_voter() {
    let mut c = Cluster::new(3, Config::for_tests(), 60).await;
    let leader = c.leader().await;
    let mut expected = Vec::new();
    for i in 0..10 {
        c.write(payload(i)).await;
        expected.push(payload(i));
    }
    c.start(4, MemStateMachine::new()).await;
    c.nodes[&leader].add_learner(4, info(4)).await.unwrap();
    // add_learner returned once the learner's log caught up; applying follows shortly.
    let target = c.nodes[&leader].status().await.last_applied.map(|a| a - 1);
    let st = c.nodes[&4]
        .wait_until(WAIT, |s| {
            s.membership.learners().contains(&4) && s.last_applied >= target
        })
        .await
        .unwrap();
    assert_eq!(st.role, Role::Learner);

    c.nodes[&leader].promote(4).await.unwrap();
    let m = c.nodes[&leader].membership();
    assert_eq!(m.voters(), [1, 2, 3, 4].into_iter().collect());
    assert!(!m.is_joint());
    c.nodes[&4]
        .wait_until(WAIT, |s| s.role == Role::Follower)
        .await
        .unwrap();

    let last = c.write(payload(10)).await.index;
    expected.push(payload(10));
    c.wait_applied(last).await;
    c.assert_all_applied(&expected);
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t61_id_reuse_and_bad_promotions_are_refused() {
    let c = Cluster::new(3, Config::for_tests(), 61).await;
    let leader = c.leader().await;
    let node = &c.nodes[&leader];
    // An existing id with another key.
    let err = node
        .add_learner(2, NodeInfo::new("ff".repeat(32), "mem://x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Membership(_)), "{err:?}");
    // A new id with an existing member's key.
    let err = node.add_learner(9, info(3)).await.unwrap_err();
    assert!(matches!(err, Error::Membership(_)), "{err:?}");
    // Promoting an unknown node.
    let err = node.promote(9).await.unwrap_err();
    assert!(matches!(err, Error::Membership(_)), "{err:?}");
    // Promoting a voter is a no-op.
    node.promote(2).await.unwrap();
    assert_eq!(node.membership().voters().len(), 3);
    c.shutdown().await;
}
