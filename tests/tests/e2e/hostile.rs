//! Bad input gets a clear error with the right HTTP status, and the node keeps serving.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use prost::Message;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::Keypair;
use shuquan_tests::{closed_by_peer, now_ms, register, register_in, sign, DevNode};
use std::time::Duration;

#[test]
fn bad_transactions_are_refused_with_clear_errors() {
    let node = DevNode::start().unwrap();
    let chain = node.chain();
    let org1 = node.key("org1");
    let good = sign(&chain, &org1, &[], register(1), now_ms());
    let expect = |raw: &[u8], status: u16, code: &str| {
        let (s, v) = node.post_tx(raw, false);
        assert_eq!((s, v["code"].as_str().unwrap_or("")), (status, code), "{v}");
        assert!(!v["message"].as_str().unwrap_or("").is_empty());
    };
    expect(b"\xff\xff\xff", 400, "malformed");
    let mut noncanon = good.clone();
    noncanon.extend([0x78, 0x01]);
    expect(&noncanon, 400, "non_canonical");
    let mut raw = pb::TxRaw::decode(good.as_slice()).unwrap();
    raw.signatures[0].signature[0] ^= 1;
    expect(&raw.encode_to_vec(), 400, "bad_signature");
    raw.signatures.clear();
    expect(&raw.encode_to_vec(), 400, "missing_signature");
    let mut dup = pb::TxRaw::decode(good.as_slice()).unwrap();
    dup.signatures.push(dup.signatures[0].clone());
    expect(&dup.encode_to_vec(), 400, "duplicate_signature");
    // Wrong chain.
    let body = pb::TxBody {
        chain_id: "elsewhere".into(),
        timestamp_ms: now_ms(),
        signer: org1.public().to_vec(),
        cosigners: vec![],
        payload: Some(register(2)),
    };
    let mut other = shuquan_proto::tx::Unsigned::new(body, &chain);
    other.sign(&org1).expect("signing");
    expect(&other.encode(), 400, "wrong_chain");
    // The same chain id, another genesis: the signature binds the genesis, so it fails.
    let twin = shuquan_proto::tx::ChainRef {
        id: chain.id.clone(),
        genesis_hash: shuquan_proto::Hash32([9; 32]),
        hash: chain.hash,
    };
    expect(
        &sign(&twin, &org1, &[], register(4), now_ms()),
        400,
        "bad_signature",
    );
    // Non-member and missing role.
    let stranger = Keypair::from_seed([77; 32]).unwrap();
    expect(
        &sign(&chain, &stranger, &[], register(3), now_ms()),
        403,
        "unknown_signer",
    );
    let freeze = Payload::Freeze(pb::Freeze {
        subject: vec![1; 32],
        reason_hash: vec![2; 32],
    });
    expect(
        &sign(&chain, &org1, &[], freeze, now_ms()),
        403,
        "missing_role",
    );
    // Replay: the same transaction after it is committed.
    let (s, v) = node.post_tx(&good, true);
    assert_eq!((s, v["status"].as_str()), (200, Some("committed")), "{v}");
    expect(&good, 409, "replay");
    // Oversize bodies: 413.
    let huge = vec![0u8; 300_000];
    let (s, v) = node.post_tx(&huge, false);
    assert_eq!(
        (s, v["code"].as_str()),
        (413, Some("too_large")),
        "a JSON error: {v}"
    );
    // The last event id a client could send: the stream starts (after it), nothing panics.
    let resp = shuquan_tests::agent()
        .get(&format!("{}/v1/events", node.url()))
        .header("last-event-id", u64::MAX.to_string())
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    drop(resp);
    assert_eq!(node.get("/health").0, 200);
    let mut big = register(4);
    if let Payload::RegisterAsset(r) = &mut big {
        r.description = "x".repeat(66_000);
    }
    expect(&sign(&chain, &org1, &[], big, now_ms()), 413, "too_large");
    // JSON with bad hex, unknown routes and unknown assets.
    let resp = shuquan_tests::agent()
        .post(&format!("{}/v1/tx", node.url()))
        .header("content-type", "application/json")
        .send("{\"tx\": \"zz\"}")
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let (s, v) = node.get(&format!("/v1/assets/{}", "ab".repeat(32)));
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")));
    let (s, _) = node.get("/v1/assets/not-hex");
    assert_eq!(s, 400);
    let (s, _) = node.get("/v1/nothing");
    assert_eq!(s, 404);
    // Through all of it the node kept serving and applied only the good transaction.
    let (s, status) = node.get("/v1/status");
    assert_eq!(s, 200);
    assert_eq!(status["height"], 1);
    // A transaction that fails at apply time is kept with its code (unknown asset).
    let grant = Payload::RevokeGrant(pb::RevokeGrant {
        grant: vec![5; 32],
        reason_hash: vec![],
    });
    let (s, v) = node.post_tx(&sign(&chain, &org1, &[], grant, now_ms()), true);
    assert_eq!(s, 200);
    assert_eq!(v["status"], "failed");
    assert_eq!(v["receipt"]["code_name"], "unknown_grant");
}

#[test]
fn a_full_mempool_refuses_with_503_and_drains() {
    // A long linger (even for a lone transaction) keeps transactions waiting, so the bound
    // of 2 is reached.
    let node = DevNode::start_with(&[
        "--set",
        "mempool.size=2",
        "--set",
        "block.linger_ms=1500",
        "--set",
        "block.eager=false",
    ])
    .unwrap();
    let chain = node.chain();
    let org1 = node.key("org1");
    let codes: Vec<u16> = (0..3)
        .map(|i| {
            node.post_tx(&sign(&chain, &org1, &[], register(i), now_ms()), false)
                .0
        })
        .collect();
    assert_eq!(codes, [202, 202, 503]);
    let (s, v) = node.post_tx(&sign(&chain, &org1, &[], register(10), now_ms()), false);
    assert_eq!((s, v["code"].as_str()), (503, Some("mempool_full")));
    // Once the block is sealed there is room again, and the queued ones committed.
    let (s, v) = node.post_tx(&sign(&chain, &org1, &[], register(11), now_ms()), true);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let (mut s, mut v) = (s, v);
    while s == 503 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        (s, v) = node.post_tx(&sign(&chain, &org1, &[], register(11), now_ms()), true);
    }
    assert_eq!((s, v["status"].as_str()), (200, Some("committed")), "{v}");
    let (_, status) = node.get("/v1/status");
    assert!(status["height"].as_u64().unwrap() >= 2);
}

#[test]
fn a_flooding_member_hits_its_quota_and_others_still_get_through() {
    let node = DevNode::start_with(&[
        "--set",
        "mempool.size=100",
        "--set",
        "mempool.per_signer=3",
        "--set",
        "block.linger_ms=1500",
        "--set",
        "block.eager=false",
    ])
    .unwrap();
    let chain = node.chain();
    let (org1, org2) = (node.key("org1"), node.key("org2"));
    let flood: Vec<u16> = (0..6)
        .map(|i| {
            node.post_tx(
                &sign(&chain, &org1, &[], register(100 + i), now_ms()),
                false,
            )
            .0
        })
        .collect();
    assert_eq!(flood, [202, 202, 202, 429, 429, 429]);
    let (s, v) = node.post_tx(&sign(&chain, &org1, &[], register(200), now_ms()), false);
    assert_eq!((s, v["code"].as_str()), (429, Some("signer_quota")), "{v}");
    let (s, v) = node.post_tx(
        &sign(&chain, &org2, &[], register_in(300, "VN"), now_ms()),
        true,
    );
    assert_eq!((s, v["status"].as_str()), (200, Some("committed")), "{v}");
}

#[test]
fn stale_and_future_timestamps_are_refused_at_admission() {
    let node = DevNode::start().unwrap();
    let chain = node.chain();
    let org1 = node.key("org1");
    let window = 600_000;
    for (n, ts) in [
        (400, now_ms() - window - 60_000),
        (401, now_ms() + window + 60_000),
    ] {
        let (s, v) = node.post_tx(&sign(&chain, &org1, &[], register(n), ts), true);
        assert_eq!(
            (s, v["code"].as_str()),
            (400, Some("stale_timestamp")),
            "{v}"
        );
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .contains("check the signer's clock"),
            "{v}"
        );
    }
    // The node goes on serving.
    let (s, v) = node.post_tx(&sign(&chain, &org1, &[], register(402), now_ms()), true);
    assert_eq!((s, v["status"].as_str()), (200, Some("committed")), "{v}");
}

#[test]
fn a_slow_client_gets_408_and_others_are_served() {
    use std::io::{Read, Write};
    let node = DevNode::start_with(&["--set", "request_timeout_ms=3000"]).unwrap();
    let chain = node.chain();
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", node.port)).unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    // Promise 100 bytes of body, send 10, then stall.
    slow.write_all(
        b"POST /v1/tx HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100\r\n\r\n0123456789",
    )
    .unwrap();
    // Meanwhile everyone else is served.
    let raw = sign(&chain, &node.key("org1"), &[], register(500), now_ms());
    assert_eq!(node.post_tx(&raw, true).0, 200);
    let mut answer = vec![0u8; 64];
    let n = slow.read(&mut answer).unwrap();
    let head = String::from_utf8_lossy(&answer[..n]).to_string();
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
}

#[test]
fn slowloris_headers_and_silent_connections_are_cut_off() {
    use std::io::Write;
    let node = DevNode::start_with(&["--set", "header_timeout_ms=1000"]).unwrap();
    let chain = node.chain();
    let addr = ("127.0.0.1", node.port);
    let mut silent = std::net::TcpStream::connect(addr).unwrap();
    let mut dribble = std::net::TcpStream::connect(addr).unwrap();
    // Headers a byte every 100 ms, never finished: 2 s, twice the limit.
    for b in b"POST /v1/tx HTTP/1.1\r\nHost: t\r\nX-Slow: a" {
        if dribble.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Meanwhile everyone else is served.
    let raw = sign(&chain, &node.key("org1"), &[], register(600), now_ms());
    assert_eq!(node.post_tx(&raw, true).0, 200);
    assert!(
        closed_by_peer(&mut dribble, Duration::from_secs(10)),
        "a dribbling client was kept"
    );
    assert!(
        closed_by_peer(&mut silent, Duration::from_secs(10)),
        "a silent connection was kept"
    );
}

#[test]
fn idle_connections_beyond_the_limit_do_not_lock_others_out() {
    let node = DevNode::start_with(&[
        "--set",
        "max_connections=4",
        "--set",
        "header_timeout_ms=1500",
    ])
    .unwrap();
    let chain = node.chain();
    // Eight sockets that never send a byte: four hold every slot, four queue behind them.
    let idle: Vec<_> = (0..8)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", node.port)).unwrap())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(200));
    // A real client is served once the idle ones time out.
    let raw = sign(&chain, &node.key("org1"), &[], register(601), now_ms());
    let (code, v) = node.post_tx(&raw, true);
    assert_eq!(
        (code, v["status"].as_str()),
        (200, Some("committed")),
        "{v}"
    );
    drop(idle);
    assert_eq!(node.get("/health").0, 200);
}

#[test]
fn a_frozen_asset_refuses_changes_with_frozen() {
    let node = DevNode::start().unwrap();
    let chain = node.chain();
    let (org1, regulator) = (node.key("org1"), node.key("regulator"));
    let (s, v) = node.post_tx(&sign(&chain, &org1, &[], register(700), now_ms()), true);
    assert_eq!((s, v["status"].as_str()), (200, Some("committed")), "{v}");
    let asset = hex::decode(v["receipt"]["created"].as_str().unwrap()).unwrap();
    let freeze = Payload::Freeze(pb::Freeze {
        subject: asset.clone(),
        reason_hash: vec![2; 32],
    });
    let (s, v) = node.post_tx(&sign(&chain, &regulator, &[], freeze, now_ms()), true);
    assert_eq!((s, v["status"].as_str()), (200, Some("committed")), "{v}");
    let transfer = Payload::TransferRight(pb::TransferRight {
        asset,
        right: pb::Right::Use as i32,
        to: shuquan_proto::hash::Hashing::BLAKE3
            .member_id(&chain.id, "org2")
            .to_vec(),
        price: None,
        consideration_hash: vec![],
    });
    let raw = sign(&chain, &org1, &[&node.key("org2")], transfer, now_ms());
    let (s, v) = node.post_tx(&raw, true);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "failed", "{v}");
    assert_eq!(v["receipt"]["code_name"], "frozen", "{v}");
    // The node goes on serving.
    let (s, v) = node.post_tx(&sign(&chain, &org1, &[], register(701), now_ms()), true);
    assert_eq!((s, v["status"].as_str()), (200, Some("committed")), "{v}");
}

/// `?wait=commit` that runs out of time answers `202 pending` (the transaction stays queued
/// and commits later), never an error.
#[test]
fn a_wait_that_runs_out_answers_202_pending_and_the_transaction_commits_later() {
    let node = DevNode::start_with(&[
        "--set",
        "block.eager=false",
        "--set",
        "block.linger_ms=3000",
    ])
    .unwrap();
    let chain = node.chain();
    let raw = sign(&chain, &node.key("org1"), &[], register(800), now_ms());
    let started = std::time::Instant::now();
    let (s, v) = node.post_tx_query(&raw, "?wait=commit&timeout_ms=300");
    assert_eq!((s, v["status"].as_str()), (202, Some("pending")), "{v}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "it waited its 300 ms only"
    );
    let id = v["tx_id"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (code, tx) = node.get(&format!("/v1/txs/{id}"));
        if code == 200 {
            assert_eq!(tx["receipt"]["result"], "committed", "{tx}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never committed");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
