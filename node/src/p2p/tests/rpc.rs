//! Requests between members: roundtrips, size limits, a panicking handler, the Raft transport
//! and shutdown.

use std::time::Duration;

use shuquan_consensus::{NodeInfo, Transport};

use super::super::{RaftTransport, RequestError};
use super::*;

const T: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_roundtrip_and_oversized_requests_fail_cleanly() {
    let (ka, kb) = (key(31), key(32));
    let a = start(config(&ka, &[&ka, &kb], &[])).await;
    let mut cfg_b = config(&kb, &[&ka, &kb], &[&a]);
    cfg_b.max_request_bytes = 64 * 1024;
    let b = start(cfg_b).await;
    wait_connected(&[(&a, vec![&b]), (&b, vec![&a])]).await;

    let resp = a
        .p2p
        .request(b.pk(), Request::Raft(b"hello".to_vec()), T)
        .await;
    assert_eq!(resp, Ok(Response::Raft(b"re:hello".to_vec())));
    let txs = Request::Txs(vec![b"t1".to_vec(), b"t2".to_vec()]);
    assert_eq!(a.p2p.request(b.pk(), txs, T).await, Ok(Response::Queued(2)));
    assert_eq!(
        b.inbound.requests.lock().unwrap()[0].0,
        a.pk(),
        "B knows who asked"
    );

    // Over B's limit (not A's): B refuses the frame, A gets an error.
    let big = Request::Raft(vec![7; 100 * 1024]);
    let resp = a.p2p.request(b.pk(), big, T).await;
    assert!(matches!(resp, Err(RequestError::Network(_))), "{resp:?}");
    // Over A's own limit: refused before sending.
    let huge = Request::Raft(vec![7; super::super::DEFAULT_MAX_REQUEST_BYTES + 1]);
    let resp = a.p2p.request(b.pk(), huge, T).await;
    assert!(matches!(resp, Err(RequestError::Network(_))), "{resp:?}");
    // A handler that panics becomes an error answer, and the node keeps serving.
    let resp = a
        .p2p
        .request(b.pk(), Request::Raft(b"panic".to_vec()), T)
        .await;
    assert!(matches!(resp, Ok(Response::Error(_))), "{resp:?}");

    let resp = a
        .p2p
        .request(b.pk(), Request::Raft(b"again".to_vec()), T)
        .await;
    assert_eq!(resp, Ok(Response::Raft(b"re:again".to_vec())));
    assert_eq!(
        b.p2p.stats().requests_in,
        4,
        "the oversized frame never became a request"
    );
    assert_eq!(a.p2p.stats().requests_out_failed, 2);
    assert_eq!(b.inbound.requests.lock().unwrap().len(), 4);

    for n in [a, b] {
        n.p2p.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raft_transport_reaches_members_and_reports_unreachable_ones() {
    let (ka, kb, k_down) = (key(41), key(42), key(43));
    let members = [&ka, &kb, &k_down];
    let a = start(config(&ka, &members, &[])).await;
    let b = start(config(&kb, &members, &[&a])).await;
    wait_connected(&[(&a, vec![&b])]).await;
    let transport = RaftTransport::new(a.p2p.clone());

    let info = NodeInfo::new(b.pk().to_hex(), b.addr.clone());
    let got = transport.send(1, 2, &info, b"vote".to_vec(), T).await;
    assert_eq!(got.unwrap(), b"re:vote".to_vec());

    let short = Duration::from_secs(2);
    let cases = [
        ("a member with no address", k_down.public().to_hex()),
        ("not a member", key(44).public().to_hex()),
        ("not a key", "zz".to_string()),
    ];
    for (what, node_key) in cases {
        let info = NodeInfo::new(node_key, "/ip4/127.0.0.1/tcp/1");
        let started = tokio::time::Instant::now();
        let sent = transport.send(1, 3, &info, b"vote".to_vec(), short);
        let got = tokio::time::timeout(short + Duration::from_secs(1), sent)
            .await
            .unwrap_or_else(|_| panic!("{what}: send overran its timeout"));
        assert!(
            matches!(
                got,
                Err(shuquan_consensus::Error::Unreachable(3, _)
                    | shuquan_consensus::Error::Timeout(3))
            ),
            "{what}: {got:?}"
        );
        assert!(
            started.elapsed() <= short + Duration::from_millis(500),
            "{what}"
        );
    }

    // After shutdown the handle fails cleanly.
    a.p2p.shutdown().await;
    a.p2p.shutdown().await;
    let got = a.p2p.request(b.pk(), Request::Raft(vec![1]), T).await;
    assert_eq!(got, Err(RequestError::Stopped));
    assert!(a.p2p.publish_tx(vec![1]).await.is_err());
    assert!(a.p2p.listen_addrs().await.is_empty());
    let got = transport.send(1, 2, &info, b"vote".to_vec(), T).await;
    assert!(
        matches!(got, Err(shuquan_consensus::Error::Unreachable(2, _))),
        "{got:?}"
    );
    b.p2p.shutdown().await;
}
