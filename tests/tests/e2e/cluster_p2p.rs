//! The member network against strangers and bad members, with real `shuquand` processes:
//! an outsider (valid libp2p key, not in genesis) is refused and none of its gossip lands;
//! a member gossiping an invalid transaction is rejected, the transaction is not
//! forwarded, and the nodes keep serving. The outsider and the misbehaving member are
//! in-process `shuquan_node::p2p` instances.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use prost::Message;
use shuquan_node::p2p::{self, Inbound, P2p, Request, Response, Verdict};
use shuquan_proto::genesis::GenesisFile;
use shuquan_proto::{pb, Keypair, PublicKey};
use shuquan_tests::cluster::{Cluster, CHAIN};
use shuquan_tests::{now_ms, register, sign};

/// A peer that accepts nothing and serves nothing.
struct Quiet;

impl Inbound for Quiet {
    fn check_gossip(&self, _from: &PublicKey, _raw: &[u8]) -> Verdict {
        Verdict::Ignore
    }
    fn request(&self, _from: PublicKey, _req: Request) -> BoxFuture<'static, Response> {
        Box::pin(async { Response::Error("test peer".into()) })
    }
}

/// The genesis member nodes: (node key, p2p address).
fn member_nodes(c: &Cluster) -> Vec<(PublicKey, String)> {
    let text = std::fs::read_to_string(c.path("genesis.toml")).unwrap();
    GenesisFile::parse(&text)
        .unwrap()
        .members
        .into_iter()
        .filter_map(|m| m.node_key.map(|k| (k, m.node_addr)))
        .collect()
}

fn peer_config(key: Keypair, listen: &str, nodes: &[(PublicKey, String)]) -> p2p::Config {
    let mut cfg = p2p::Config::new(key.clone(), listen, format!("shuquan/{CHAIN}/tx/1"));
    cfg.members = nodes
        .iter()
        .map(|(k, _)| *k)
        .chain([key.public()])
        .collect();
    cfg.peers = nodes
        .iter()
        .filter(|(k, _)| *k != key.public())
        .map(|(k, a)| p2p::Peer {
            node_key: *k,
            addr: a.clone(),
        })
        .collect();
    cfg.redial_every = Duration::from_millis(300);
    cfg
}

fn tx_id(raw: &[u8]) -> String {
    let body = pb::TxRaw::decode(raw).unwrap().body;
    shuquan_proto::hash::Hashing::BLAKE3
        .tx_id(CHAIN, &body)
        .to_string()
}

fn metric(c: &Cluster, i: usize, name: &str) -> f64 {
    let text = ureq::get(&format!("{}/metrics", c.node(i).url()))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn an_outsider_node_is_refused_and_its_gossip_never_lands() {
    let c = Cluster::start(3, &[]).unwrap();
    let chain = c.chain();
    let nodes = member_nodes(&c);
    let outsider = Keypair::generate().unwrap();
    let outsider_peer = p2p::peer_id(&outsider.public()).unwrap();
    let raw = sign(&chain, &c.key("org1"), &[], register(4_242), now_ms());
    let rt = runtime();
    let peers_left = rt.block_on(async {
        let mut cfg = peer_config(outsider, "/ip4/127.0.0.1/tcp/0", &nodes);
        // Dial once at start; whatever connects must then be closed by the members.
        cfg.redial_every = Duration::from_secs(600);
        let net = P2p::start(cfg, Arc::new(Quiet)).await.unwrap();
        // Bounded: 4 s of publishing.
        for _ in 0..8 {
            let _ = net.publish_tx(raw.clone()).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let left = net.peers().len();
        net.shutdown().await;
        left
    });
    assert_eq!(peers_left, 0, "a connection to the outsider survived");
    let id = tx_id(&raw);
    for n in &c.nodes {
        assert_eq!(
            n.get(&format!("/v1/txs/{id}")).0,
            404,
            "node {} took outsider gossip",
            n.index
        );
        let peers = n.status()["peers"].as_array().unwrap().clone();
        assert_eq!(peers.len(), 2, "node {}: {peers:?}", n.index);
    }
    let refusals: f64 = (1..=3)
        .map(|i| metric(&c, i, "shuquan_refused_connections"))
        .sum();
    assert!(refusals > 0.0, "no refusal counted");
    let logged = c.nodes.iter().any(|n| {
        n.log()
            .lines()
            .any(|l| l.contains("refused") && l.contains(&outsider_peer))
    });
    assert!(logged, "no node logged refusing {outsider_peer}");

    // Not even libp2p: junk, HTTP and a cut-off handshake on every node's p2p port. The
    // nodes drop these connections and keep committing.
    use std::io::Write;
    let junk: [&'static [u8]; 3] = [
        &[0xff; 4096],
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x13/multistream/1.0.0\n\x07/noise",
    ];
    // libp2p closes a connection that has not finished its upgrade within 10 s, so the
    // probes run side by side.
    let probes: Vec<_> = nodes
        .iter()
        .flat_map(|(_, addr)| {
            let port: u16 = addr.rsplit('/').next().unwrap().parse().unwrap();
            junk.map(|bytes| (port, bytes))
        })
        .map(|(port, bytes)| {
            std::thread::spawn(move || {
                let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
                let _ = s.write_all(bytes);
                // The node closes the connection (EOF or reset) rather than hold it.
                shuquan_tests::closed_by_peer(&mut s, Duration::from_secs(20))
            })
        })
        .collect();
    for p in probes {
        assert!(p.join().unwrap(), "a node held a junk connection open");
    }
    let raw = sign(&chain, &c.key("org1"), &[], register(4_243), now_ms());
    let (code, v) = c.node(2).post_tx(&raw, true);
    assert_eq!(
        (code, v["status"].as_str()),
        (200, Some("committed")),
        "{v}"
    );
    // Committed means on a majority: every node applies it shortly after.
    let id = tx_id(&raw);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    for n in &c.nodes {
        while n.get(&format!("/v1/txs/{id}")).0 != 200 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(n.get(&format!("/v1/txs/{id}")).0, 200, "node {}", n.index);
    }
}

#[test]
fn invalid_gossip_from_a_member_is_rejected_and_the_nodes_keep_serving() {
    let mut c = Cluster::start(3, &[]).unwrap();
    let chain = c.chain();
    let nodes = member_nodes(&c);
    // Node 3's key, held by an in-process peer that gossips what it likes.
    c.kill9(3);
    c.wait_leader(Duration::from_secs(30)).unwrap();
    let key = Keypair::read_file(&c.path("keys/node3.key")).unwrap();
    let addr = nodes
        .iter()
        .find(|(k, _)| *k == key.public())
        .unwrap()
        .1
        .clone();
    let org1 = c.key("org1");
    let good = sign(&chain, &org1, &[], register(7_001), now_ms());
    let mut bad =
        pb::TxRaw::decode(&sign(&chain, &org1, &[], register(7_002), now_ms())[..]).unwrap();
    bad.signatures[0].signature[0] ^= 1;
    let bad = bad.encode_to_vec();
    let rt = runtime();
    rt.block_on(async {
        let net = P2p::start(peer_config(key, &addr, &nodes), Arc::new(Quiet))
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while net.peers().len() < 2 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(net.peers().len(), 2, "the member peer did not connect");
        // Let gossipsub exchange subscriptions.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        net.publish_tx(bad.clone()).await.unwrap();
        net.publish_tx(good.clone()).await.unwrap();
        // Bounded: the valid one commits within 20 s.
        let good_id = tx_id(&good);
        let deadline = Instant::now() + Duration::from_secs(20);
        while c.node(1).get(&format!("/v1/txs/{good_id}")).0 != 200 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        net.shutdown().await;
    });
    let (good_id, bad_id) = (tx_id(&good), tx_id(&bad));
    assert_eq!(
        c.node(1).get(&format!("/v1/txs/{good_id}")).0,
        200,
        "valid gossip did not commit"
    );
    for i in [1, 2] {
        assert_eq!(c.node(i).get(&format!("/v1/txs/{bad_id}")).0, 404);
    }
    let rejected: f64 = (1..=2)
        .map(|i| metric(&c, i, "shuquan_gossip_transactions{verdict=\"rejected\"}"))
        .sum();
    assert!(
        rejected >= 1.0,
        "no node counted the invalid gossip as rejected"
    );
    assert!(
        (1..=2).any(|i| c.node(i).log().contains("rejected gossip")),
        "no node logged the rejected gossip"
    );
    // Both keep serving.
    for i in [1, 2] {
        let raw = sign(&chain, &org1, &[], register(7_100 + i as u64), now_ms());
        let (code, v) = c.node(i).post_tx(&raw, true);
        assert_eq!(
            (code, v["status"].as_str()),
            (200, Some("committed")),
            "{v}"
        );
    }
}
