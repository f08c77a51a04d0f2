//! SIGKILL the dev node mid-load and start it again: every transaction acknowledged as
//! committed is there, at the same height, and the blocks' hashes are unchanged.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use shuquan_tests::{now_ms, register, sign, DevNode};

#[test]
fn acknowledged_transactions_survive_sigkill() {
    let mut node = DevNode::start().unwrap();
    let chain = node.chain();
    let org1 = node.key("org1");
    let acked: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicU64::new(0));
    let url_port = node.port;
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (acked, stop, next, key, chain) = (
            acked.clone(),
            stop.clone(),
            next.clone(),
            org1.clone(),
            chain.clone(),
        );
        workers.push(std::thread::spawn(move || {
            let agent = shuquan_tests::agent();
            // Bounded: at most 10 s of load, stopping at the kill.
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while !stop.load(Ordering::Relaxed) && std::time::Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let raw = sign(&chain, &key, &[], register(n), now_ms());
                let resp = agent
                    .post(&format!("http://127.0.0.1:{url_port}/v1/tx?wait=commit"))
                    .header("content-type", "application/x-protobuf")
                    .send(&raw[..]);
                let Ok(mut resp) = resp else { continue };
                if resp.status().as_u16() != 200 {
                    continue;
                }
                let v: serde_json::Value =
                    serde_json::from_str(&resp.body_mut().read_to_string().unwrap_or_default())
                        .unwrap_or_default();
                if v["status"] == "committed" {
                    let id = v["tx_id"].as_str().unwrap().to_string();
                    acked
                        .lock()
                        .unwrap()
                        .push((id, v["receipt"]["height"].as_u64().unwrap()));
                }
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(1500));
    node.kill9();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 10,
        "only {} transactions were acknowledged before the kill",
        acked.len()
    );
    let max_height = acked.iter().map(|(_, h)| *h).max().unwrap();

    node.restart().unwrap();
    let (_, status) = node.get("/v1/status");
    assert!(status["height"].as_u64().unwrap() >= max_height, "{status}");
    for (id, height) in &acked {
        let (code, tx) = node.get(&format!("/v1/txs/{id}"));
        assert_eq!(code, 200, "acknowledged transaction {id} is lost");
        assert_eq!(tx["receipt"]["height"].as_u64(), Some(*height));
        assert_eq!(tx["receipt"]["result"], "committed");
    }
    // The chain links up and goes on.
    let mut prev = "0".repeat(64);
    for h in 1..=max_height {
        let (_, b) = node.get(&format!("/v1/blocks/{h}"));
        assert_eq!(
            b["prev_hash"].as_str().unwrap(),
            prev,
            "block {h} does not link"
        );
        prev = b["hash"].as_str().unwrap().to_string();
    }
    let (code, v) = node.post_tx(
        &sign(&chain, &org1, &[], register(1_000_000), now_ms()),
        true,
    );
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["status"], "committed");
}
