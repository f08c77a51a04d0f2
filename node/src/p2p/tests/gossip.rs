//! Transaction gossip: delivery to every member, and rejected gossip stopping at the node that
//! rejects it.

use std::time::Duration;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_members_connect_and_a_published_tx_reaches_the_others() {
    let (ka, kb, kc) = (key(11), key(12), key(13));
    let members = [&ka, &kb, &kc];
    let a = start(config(&ka, &members, &[])).await;
    let b = start(config(&kb, &members, &[&a])).await;
    let c = start(config(&kc, &members, &[&a, &b])).await;
    wait_connected(&[(&a, vec![&b, &c]), (&b, vec![&a, &c]), (&c, vec![&a, &b])]).await;
    wait_gossip_peers(&a, 2).await;

    a.p2p.publish_tx(b"tx-1".to_vec()).await.unwrap();
    for node in [&b, &c] {
        eventually("the transaction to arrive", || async move {
            node.inbound.gossip_seen() == vec![b"tx-1".to_vec()]
        })
        .await;
    }
    // The member accountable is the node that handed the message on (the publisher, or
    // the other member if its copy came first), and the later copy is a duplicate
    // gossipsub drops before asking the node again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for (node, other) in [(&b, &c), (&c, &b)] {
        let seen = node.inbound.gossip.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].1, b"tx-1".to_vec());
        assert!(seen[0].0 == a.pk() || seen[0].0 == other.pk(), "{seen:?}");
        assert_eq!(node.p2p.stats().gossip_accepted, 1);
    }
    assert!(
        a.inbound.gossip_seen().is_empty(),
        "no echo to the publisher"
    );
    // Publishing the same transaction again is not an error.
    a.p2p.publish_tx(b"tx-1".to_vec()).await.unwrap();

    for n in [a, b, c] {
        n.p2p.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_gossip_is_not_forwarded_and_valid_gossip_is() {
    // A line: A - B - C. A and C know only B; all three are members.
    let (ka, kb, kc) = (key(21), key(22), key(23));
    let members = [&ka, &kb, &kc];
    let a = start(config(&ka, &members, &[])).await;
    let b = start(config(&kb, &members, &[&a])).await;
    let c = start(config(&kc, &members, &[&b])).await;
    wait_connected(&[(&a, vec![&b]), (&b, vec![&a, &c]), (&c, vec![&b])]).await;
    wait_gossip_peers(&b, 2).await;
    wait_gossip_peers(&a, 1).await;
    wait_gossip_peers(&c, 1).await;

    a.p2p.publish_tx(b"bad-1".to_vec()).await.unwrap();
    eventually("B to reject", || async {
        b.p2p.stats().gossip_rejected == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        c.inbound.gossip_seen().is_empty(),
        "a rejected transaction must not be forwarded"
    );
    if let Some(text) = log_text() {
        assert!(text.contains("rejected gossip"), "the reject is logged");
    }

    a.p2p.publish_tx(b"good-1".to_vec()).await.unwrap();
    eventually("C to get the valid transaction", || async {
        c.inbound.gossip_seen() == vec![b"good-1".to_vec()]
    })
    .await;
    let stats = b.p2p.stats();
    assert_eq!((stats.gossip_rejected, stats.gossip_accepted), (1, 1));
    assert_eq!(c.p2p.stats().gossip_accepted, 1);
    // Gossip is anonymous: C holds B, which handed it on, accountable for it.
    assert_eq!(c.inbound.gossip.lock().unwrap()[0].0, b.pk());

    for n in [a, b, c] {
        n.p2p.shutdown().await;
    }
}
