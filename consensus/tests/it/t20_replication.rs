//! t20: log replication and the client write path.

use shuquan_consensus::{Config, Error, Role};

use crate::common::{payload, Cluster};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t20_writes_replicate_in_order_to_every_node() {
    let c = Cluster::new(3, Config::for_tests(), 20).await;
    c.leader().await;
    let mut expected = Vec::new();
    let mut last = 0;
    for i in 0..50 {
        let ack = c.write(payload(i)).await;
        assert!(ack.index > last, "indexes must grow");
        // The reference state machine answers with the entry's position.
        assert_eq!(ack.response, (i).to_le_bytes().to_vec());
        last = ack.index;
        expected.push(payload(i));
    }
    c.wait_applied(last).await;
    c.assert_all_applied(&expected);
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t21_concurrent_writes_are_all_applied_once() {
    let c = Cluster::new(3, Config::for_tests(), 21).await;
    let leader = c.leader().await;
    let node = c.nodes[&leader].clone();
    let mut tasks = Vec::new();
    for i in 0..100u64 {
        let node = node.clone();
        tasks.push(tokio::spawn(async move { node.write(payload(i)).await }));
    }
    let mut max = 0;
    for t in tasks {
        max = max.max(t.await.unwrap().unwrap().index);
    }
    c.wait_applied(max).await;
    let applied = c.applied();
    let first = applied.values().next().unwrap().clone();
    assert_eq!(first.len(), 100);
    let mut sorted = first.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 100, "a payload was applied twice");
    for (id, got) in applied {
        assert_eq!(got, first, "node {id} differs");
    }
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t22_write_on_a_follower_names_the_leader() {
    let c = Cluster::new(3, Config::for_tests(), 22).await;
    let leader = c.leader().await;
    let follower = c.ids().into_iter().find(|i| *i != leader).unwrap();
    assert_eq!(c.nodes[&follower].status().await.role, Role::Follower);
    match c.nodes[&follower].write(b"x".to_vec()).await {
        Err(Error::ForwardToLeader {
            leader_id,
            leader: info,
        }) => {
            assert_eq!(leader_id, Some(leader));
            assert_eq!(info, Some(crate::common::info(leader)));
        }
        other => panic!("expected ForwardToLeader, got {other:?}"),
    }
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t23_malformed_rpc_bytes_are_rejected_without_harm() {
    let c = Cluster::new(1, Config::for_tests(), 23).await;
    c.leader().await;
    let node = &c.nodes[&1];
    for junk in [
        &b""[..],
        b"\x07",
        b"\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff",
    ] {
        assert!(matches!(node.handle_rpc(junk).await, Err(Error::Codec(_))));
    }
    let ack = c.write(b"still fine".to_vec()).await;
    assert!(ack.index >= 1);
    c.shutdown().await;
}
