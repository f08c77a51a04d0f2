//! In-process tests of the p2p layer: real swarms on 127.0.0.1 with ephemeral ports, every
//! wait bounded. The harness is here; the scenarios are in the files named for them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod gossip;
mod membership;
mod rpc;

use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures::future::BoxFuture;
use shuquan_proto::{Keypair, PublicKey};

use super::{Config, Inbound, P2p, Peer, Request, Response, Verdict};

/// The longest any test waits for something to happen.
const WAIT: Duration = Duration::from_secs(20);
/// The topic of the test chain.
const TOPIC: &str = "shuquan/test/tx/1";

fn key(n: u8) -> Keypair {
    Keypair::from_seed([n; 32]).unwrap()
}

/// An [`Inbound`] that records what it is asked. Gossip starting with `bad` is rejected;
/// `Raft(x)` is answered `Raft("re:" + x)`, and `Raft("panic")` panics.
#[derive(Default)]
struct Recorder {
    gossip: Mutex<Vec<(PublicKey, Vec<u8>)>>,
    requests: Mutex<Vec<(PublicKey, Request)>>,
}

impl Recorder {
    fn gossip_seen(&self) -> Vec<Vec<u8>> {
        self.gossip
            .lock()
            .unwrap()
            .iter()
            .map(|(_, raw)| raw.clone())
            .collect()
    }
}

impl Inbound for Recorder {
    fn check_gossip(&self, from: &PublicKey, raw: &[u8]) -> Verdict {
        self.gossip.lock().unwrap().push((*from, raw.to_vec()));
        if raw.starts_with(b"bad") {
            Verdict::Reject("test says bad".into())
        } else {
            Verdict::Accept
        }
    }

    fn request(&self, from: PublicKey, req: Request) -> BoxFuture<'static, Response> {
        self.requests.lock().unwrap().push((from, req.clone()));
        let resp = match req {
            Request::Raft(bytes) if bytes == b"panic" => panic!("test handler panics"),
            Request::Raft(bytes) => Response::Raft([b"re:".as_slice(), &bytes].concat()),
            Request::Txs(txs) => Response::Queued(txs.len() as u32),
            Request::Signatures { .. } => Response::Signatures(Vec::new()),
            Request::Time => Response::Time(42),
            Request::Blocks { .. } => Response::Blocks(Vec::new()),
            Request::Nodes => Response::Nodes(Default::default()),
        };
        Box::pin(async move { resp })
    }
}

/// A started node.
struct Node {
    key: Keypair,
    p2p: P2p,
    inbound: Arc<Recorder>,
    addr: String,
}

impl Node {
    fn peer(&self) -> Peer {
        Peer {
            node_key: self.key.public(),
            addr: self.addr.clone(),
        }
    }

    fn pk(&self) -> PublicKey {
        self.key.public()
    }
}

/// A config on an ephemeral loopback port, short redial, given members and peers.
fn config(key: &Keypair, members: &[&Keypair], peers: &[&Node]) -> Config {
    let mut cfg = Config::new(key.clone(), "/ip4/127.0.0.1/tcp/0", TOPIC);
    cfg.members = members.iter().map(|k| k.public()).collect();
    cfg.peers = peers.iter().map(|n| n.peer()).collect();
    cfg.request_timeout = Duration::from_secs(5);
    cfg.redial_every = Duration::from_millis(300);
    cfg
}

async fn start(cfg: Config) -> Node {
    logs();
    let key = cfg.key.clone();
    let inbound = Arc::new(Recorder::default());
    let p2p = P2p::start(cfg, inbound.clone()).await.unwrap();
    let addr = p2p.listen_addrs().await.into_iter().next().unwrap();
    Node {
        key,
        p2p,
        inbound,
        addr,
    }
}

/// Polls `check` every 50 ms until it holds; panics after [`WAIT`].
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Waits until each node is connected to exactly the nodes given for it.
async fn wait_connected(links: &[(&Node, Vec<&Node>)]) {
    for (node, others) in links {
        let mut want: Vec<PublicKey> = others.iter().map(|n| n.pk()).collect();
        want.sort();
        eventually("members to connect", || {
            let got = node.p2p.peers();
            let want = want.clone();
            async move { got == want }
        })
        .await;
    }
}

/// Waits until `node` sees `n` peers subscribed to the topic.
async fn wait_gossip_peers(node: &Node, n: usize) {
    eventually("gossip subscriptions", || async move {
        node.p2p.gossip_peers().await == n
    })
    .await;
}

/// Everything logged by any test, when the capturing subscriber could be installed.
fn logs() -> Option<&'static Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Option<&'static Mutex<Vec<u8>>>> = OnceLock::new();
    *LOGS.get_or_init(|| {
        let buf: &'static Mutex<Vec<u8>> = Box::leak(Box::new(Mutex::new(Vec::new())));
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Capture(buf))
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .ok()
            .map(|()| buf)
    })
}

/// The captured log text, if capturing works in this test binary.
fn log_text() -> Option<String> {
    logs().map(|buf| String::from_utf8_lossy(&buf.lock().unwrap()).into_owned())
}

struct Capture(&'static Mutex<Vec<u8>>);

impl Write for Capture {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
