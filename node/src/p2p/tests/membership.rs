//! The allow list: an outsider with a valid key is refused, and bad settings fail at start.

use std::time::Duration;

use super::super::behaviour::peer_id_of;
use super::super::RequestError;
use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outsider_is_refused_and_its_gossip_never_arrives() {
    let (ka, kb, ko) = (key(51), key(52), key(59));
    let a = start(config(&ka, &[&ka, &kb], &[])).await;
    // The outsider thinks A is a fellow member; it dials once (no redial during the test).
    let mut cfg_o = config(&ko, &[&ko, &ka], &[&a]);
    cfg_o.redial_every = Duration::from_secs(3600);
    let o = start(cfg_o).await;

    eventually("A to refuse the outsider", || async {
        a.p2p.stats().refused_connections > 0
    })
    .await;
    assert!(
        a.p2p.peers().is_empty(),
        "A never counts the outsider as a peer"
    );
    eventually("the outsider to see the connection closed", || async {
        o.p2p.peers().is_empty()
    })
    .await;
    if let Some(text) = log_text() {
        let outsider = super::super::peer_id(&ko.public()).unwrap();
        assert!(
            text.lines()
                .any(|l| l.contains("refused") && l.contains(&outsider)),
            "the refusal is logged with the outsider's peer id"
        );
    }

    o.p2p.publish_tx(b"from outside".to_vec()).await.unwrap();
    let resp = o
        .p2p
        .request(a.pk(), Request::Raft(vec![1]), Duration::from_secs(3))
        .await;
    assert!(
        matches!(
            resp,
            Err(RequestError::Unreachable(_) | RequestError::Network(_))
        ),
        "{resp:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(a.inbound.gossip_seen().is_empty());
    assert!(a.inbound.requests.lock().unwrap().is_empty());
    assert!(a.p2p.peers().is_empty());
    assert_eq!(a.p2p.stats().requests_in, 0);

    for n in [a, o] {
        n.p2p.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_fail_at_start_with_a_reason() {
    let ka = key(61);
    let a = start(config(&ka, &[&ka], &[])).await;
    let inbound = Arc::new(Recorder::default());

    let mut cfg = config(&key(62), &[&ka], &[]);
    cfg.listen = a.addr.clone();
    let err = P2p::start(cfg, inbound.clone())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot listen"), "{err}");

    let mut cfg = config(&key(62), &[&ka], &[]);
    cfg.listen = "127.0.0.1:7100".into();
    let err = P2p::start(cfg, inbound.clone())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("listen"), "{err}");

    let mut cfg = config(&key(62), &[&ka], &[]);
    cfg.peers = vec![Peer {
        node_key: key(63).public(),
        addr: "/ip4/127.0.0.1/tcp/1".into(),
    }];
    let err = P2p::start(cfg, inbound.clone())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a member"), "{err}");

    let mut cfg = config(&key(62), &[&ka], &[]);
    let other = peer_id_of(&key(64).public()).unwrap();
    cfg.peers = vec![Peer {
        node_key: ka.public(),
        addr: format!("/ip4/127.0.0.1/tcp/1/p2p/{other}"),
    }];
    let err = P2p::start(cfg, inbound.clone())
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("names another peer"), "{err}");

    let mut cfg = config(&key(62), &[&ka], &[]);
    cfg.redial_every = Duration::ZERO;
    assert!(P2p::start(cfg, inbound).await.is_err());

    a.p2p.shutdown().await;
}
