//! A devnet of real `shuquand` processes for end-to-end tests, on 127.0.0.1 (or one per
//! network namespace, see [`crate::netns`]): created with `shuquan devnet init` on free
//! ports in a temporary directory; nodes can be killed (SIGKILL), paused and restarted one
//! by one. Every node is killed when it drops.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;
use shuquan_proto::Keypair;

use crate::netns::Netns;
use crate::{agent, bin};

/// The chain id of test devnets.
pub const CHAIN: &str = "shuquan-devnet";

/// `n` consecutive free ports on 127.0.0.1 (checked by binding them), never overlapping a
/// range handed out earlier in this process, and below Linux's ephemeral range (32768 up),
/// where the nodes' own outgoing connections could take a port before a node binds it.
pub fn free_ports(n: u16) -> u16 {
    use std::hash::{BuildHasher, Hasher};
    static GIVEN: std::sync::Mutex<Vec<(u16, u16)>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|p| p.into_inner());
    for _ in 0..1000 {
        // RandomState is seeded randomly per process and differs per call.
        let r = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let base = 20_000 + (r % 12_000) as u16;
        if given.iter().any(|(b, len)| base < b + len && *b < base + n) {
            continue;
        }
        let held: Vec<_> = (0..n)
            .map_while(|i| TcpListener::bind(("127.0.0.1", base + i)).ok())
            .collect();
        if held.len() == usize::from(n) {
            given.push((base, n));
            return base;
        }
    }
    panic!("no {n} consecutive free ports");
}

/// One node of a [`Cluster`].
#[derive(Debug)]
pub struct ClusterNode {
    /// 1-based, as in `nodeN.toml`.
    pub index: usize,
    /// API address.
    pub host: String,
    /// API port.
    pub api_port: u16,
    /// The network namespace it runs in, if not the caller's.
    netns: Option<String>,
    config: PathBuf,
    log: PathBuf,
    extra: Vec<String>,
    child: Option<Child>,
    /// Removed from the chain by governance (stopped for good; its ledger ends there).
    pub retired: bool,
}

impl ClusterNode {
    /// The API's base URL.
    pub fn url(&self) -> String {
        format!("http://{}:{}", self.host, self.api_port)
    }

    /// The node's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The PID of the running process.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let mut cmd = match &self.netns {
            // `ip netns exec` execs the program: the child's PID is the node's.
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(bin("shuquand"));
                c
            }
            None => Command::new(bin("shuquand")),
        };
        let child = cmd
            .arg("--config")
            .arg(&self.config)
            .args(&self.extra)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting shuquand")?;
        self.child = Some(child);
        let (what, url, path) = (format!("node {}", self.index), self.url(), self.log.clone());
        crate::wait_serving(&mut self.child, &url, &what, || {
            std::fs::read_to_string(&path).unwrap_or_default()
        })
    }

    /// SIGKILL, no goodbye.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, then waits (up to 15 s, then SIGKILL): the node flushes its ledger.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if matches!(c.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Whether the process is running.
    pub fn is_up(&self) -> bool {
        self.child.is_some()
    }

    /// `GET path` as JSON with its status (`(0, Null)` when the node does not answer).
    pub fn get(&self, path: &str) -> (u16, Value) {
        match agent().get(&format!("{}{path}", self.url())).call() {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let body = resp.body_mut().read_to_string().unwrap_or_default();
                (status, serde_json::from_str(&body).unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        }
    }

    /// `GET /v1/status`.
    pub fn status(&self) -> Value {
        self.get("/v1/status").1
    }

    /// `POST /v1/tx` of raw bytes, with the status and JSON answer (`(0, Null)` when the
    /// node does not answer).
    pub fn post_tx(&self, raw: &[u8], wait: bool) -> (u16, Value) {
        let path = if wait { "/v1/tx?wait=commit" } else { "/v1/tx" };
        match agent()
            .post(&format!("{}{path}", self.url()))
            .header("content-type", "application/x-protobuf")
            .send(raw)
        {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let body = resp.body_mut().read_to_string().unwrap_or_default();
                (status, serde_json::from_str(&body).unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        }
    }

    /// The hash of the block at `height`, if this node has it.
    pub fn block_hash(&self, height: u64) -> Option<String> {
        let (code, v) = self.get(&format!("/v1/blocks/{height}"));
        (code == 200).then(|| v["hash"].as_str().unwrap_or_default().to_string())
    }
}

/// A devnet of `shuquand` processes.
#[derive(Debug)]
pub struct Cluster {
    /// Holds keys, genesis, configs, data and logs.
    pub dir: tempfile::TempDir,
    /// The nodes, `nodes[0]` is node 1.
    pub nodes: Vec<ClusterNode>,
}

impl Cluster {
    /// Creates an `n`-node devnet and starts every node; `extra` flags go to every
    /// `shuquand` (e.g. `--set raft.snapshot_every=50`).
    pub fn start(n: u16, extra: &[&str]) -> anyhow::Result<Cluster> {
        Self::start_in(n, extra, None)
    }

    /// As [`Cluster::start`], on a chain that reviews registrations as the README's devnet
    /// does (the others certify registrations at once: `devnet init --no-review`).
    pub fn start_reviewing(n: u16) -> anyhow::Result<Cluster> {
        Self::launch(n, None, true, &[], |_| Vec::new())
    }

    /// As [`Cluster::start_reviewing`], on the national algorithms (`devnet init --crypto
    /// sm`): SM3 hashes, SM2 certificate keys, org1 and the regulator signing with SM2.
    pub fn start_sm(n: u16) -> anyhow::Result<Cluster> {
        Self::launch(n, None, true, &["--crypto", "sm"], |_| Vec::new())
    }

    /// As [`Cluster::start`], with node `i` in namespace `netns.ns(i)` at
    /// `Netns::host(i)` when `netns` is given (the caller runs in the hub namespace).
    pub fn start_in(n: u16, extra: &[&str], netns: Option<&Netns>) -> anyhow::Result<Cluster> {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        Self::start_with(n, netns, |_| extra.clone())
    }

    /// Creates an `n`-node devnet and starts node `i` (1-based) with the flags `flags(i)`.
    pub fn start_each(n: u16, flags: impl Fn(usize) -> Vec<String>) -> anyhow::Result<Cluster> {
        Self::start_with(n, None, flags)
    }

    fn start_with(
        n: u16,
        netns: Option<&Netns>,
        flags: impl Fn(usize) -> Vec<String>,
    ) -> anyhow::Result<Cluster> {
        Self::launch(n, netns, false, &[], flags)
    }

    fn launch(
        n: u16,
        netns: Option<&Netns>,
        review: bool,
        init: &[&str],
        flags: impl Fn(usize) -> Vec<String>,
    ) -> anyhow::Result<Cluster> {
        let dir = tempfile::tempdir()?;
        let net = dir.path().join("net");
        let hosts: Vec<String> = (1..=usize::from(n))
            .map(|i| netns.map_or("127.0.0.1".into(), |_| Netns::host(i)))
            .collect();
        // One range for both, so the API and p2p ports cannot overlap. Namespaces are
        // fresh: every port is free there.
        let api = match netns {
            Some(_) => 7071,
            None => free_ports(2 * n),
        };
        let p2p = api + n;
        let out = Command::new(bin("shuquan"))
            .args(["devnet", "init", "--nodes", &n.to_string()])
            .args((!review).then_some("--no-review"))
            .args(init)
            .arg("--dir")
            .arg(&net)
            .args([
                "--api-port",
                &api.to_string(),
                "--p2p-port",
                &p2p.to_string(),
                "--hosts",
                &hosts.join(","),
            ])
            .output()?;
        if !out.status.success() {
            bail!(
                "devnet init failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut nodes = Vec::new();
        for i in 0..n {
            let index = usize::from(i) + 1;
            nodes.push(ClusterNode {
                index,
                host: hosts[index - 1].clone(),
                netns: netns.map(|ns| ns.ns(index)),
                api_port: api + i,
                config: net.join(format!("node{index}.toml")),
                log: net.join(format!("node{index}.log")),
                extra: flags(index),
                child: None,
                retired: false,
            });
        }
        let mut cluster = Cluster { dir, nodes };
        // Start them together so they elect a leader without waiting for stragglers.
        for node in &mut cluster.nodes {
            node.spawn()?;
        }
        cluster.wait_leader(Duration::from_secs(30))?;
        Ok(cluster)
    }

    /// Node `i` (1-based).
    pub fn node(&self, i: usize) -> &ClusterNode {
        &self.nodes[i - 1]
    }

    /// SIGKILLs node `i`.
    pub fn kill9(&mut self, i: usize) {
        self.nodes[i - 1].kill9();
    }

    /// Starts node `i` again on its directory.
    pub fn restart(&mut self, i: usize) -> anyhow::Result<()> {
        self.nodes[i - 1].kill9();
        self.nodes[i - 1].spawn()
    }

    /// Adds one node with `shuquan devnet add-node` (on free ports) and starts it; it waits
    /// until the council adds it. Returns its index, node key (hex) and p2p address.
    pub fn add_node(&mut self, extra: &[&str]) -> anyhow::Result<(usize, String, String)> {
        self.add_node_in(extra, None)
    }

    /// As [`Cluster::add_node`], in namespace `netns.ns(N)` at `Netns::host(N)` when given
    /// (the namespace must exist: `scripts/chaos` makes spares).
    pub fn add_node_in(
        &mut self,
        extra: &[&str],
        netns: Option<&Netns>,
    ) -> anyhow::Result<(usize, String, String)> {
        let net = self.dir.path().join("net");
        let index = self.nodes.len() + 1;
        let (host, api) = match netns {
            Some(_) => (Netns::host(index), 7071),
            None => ("127.0.0.1".to_string(), free_ports(2)),
        };
        let out = Command::new(bin("shuquan"))
            .args(["--output", "json", "devnet", "add-node", "--dir"])
            .arg(&net)
            .args([
                "--api-port",
                &api.to_string(),
                "--p2p-port",
                &(api + 1).to_string(),
                "--host",
                &host,
            ])
            .output()?;
        if !out.status.success() {
            bail!(
                "devnet add-node failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let v: Value = serde_json::from_slice(&out.stdout)?;
        let made = v["node"].as_u64().context("add-node printed no node")? as usize;
        if made != index {
            bail!("devnet add-node made node {made}, expected node {index}");
        }
        let key = v["node_key"].as_str().context("no node_key")?.to_string();
        let addr = v["addr"].as_str().context("no addr")?.to_string();
        let mut node = ClusterNode {
            index,
            host,
            netns: netns.map(|ns| ns.ns(index)),
            api_port: api,
            config: net.join(format!("node{index}.toml")),
            log: net.join(format!("node{index}.log")),
            extra: extra.iter().map(|s| s.to_string()).collect(),
            child: None,
            retired: false,
        };
        node.spawn()?;
        self.nodes.push(node);
        Ok((index, key, addr))
    }

    /// The devnet's chain.
    pub fn chain(&self) -> shuquan_proto::tx::ChainRef {
        crate::chain_of(&self.dir.path().join("net").join("genesis.toml"))
    }

    /// A member's key (`org1`, `org2`, `regulator`, `auditor`).
    pub fn key(&self, who: &str) -> Keypair {
        Keypair::read_file(&self.key_file(who)).expect("member key")
    }

    /// A member's key file.
    pub fn key_file(&self, who: &str) -> PathBuf {
        self.dir.path().join("net/keys").join(format!("{who}.key"))
    }

    /// The CLI pointed at node `i`, run in the devnet directory.
    pub fn cli(&self, i: usize) -> crate::Cli {
        crate::Cli {
            node: self.node(i).url(),
            dir: self.dir.path().join("net"),
        }
    }

    /// The ledger directory of node `i` (open it only while the node is stopped).
    pub fn ledger_dir(&self, i: usize) -> PathBuf {
        self.path(&format!("node{i}")).join("ledger")
    }

    /// The chain's genesis, as nodes load it.
    pub fn genesis(&self) -> anyhow::Result<shuquan_proto::pb::Genesis> {
        let text = std::fs::read_to_string(self.path("genesis.toml"))?;
        Ok(shuquan_proto::genesis::GenesisFile::parse(&text)?.to_pb()?)
    }

    /// The path of a file in the devnet directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join("net").join(name)
    }

    /// Waits until a running node is leader and every running node knows it; returns its
    /// 1-based index.
    pub fn wait_leader(&self, timeout: Duration) -> anyhow::Result<usize> {
        let deadline = Instant::now() + timeout;
        loop {
            let up: Vec<&ClusterNode> = self.nodes.iter().filter(|n| n.is_up()).collect();
            let statuses: Vec<Value> = up.iter().map(|n| n.status()).collect();
            let leader = up
                .iter()
                .zip(&statuses)
                .find(|(_, s)| s["role"] == "leader")
                .map(|(n, s)| (n.index, s["node_id"].as_u64()));
            if let Some((index, Some(id))) = leader {
                if statuses.iter().all(|s| s["leader_id"].as_u64() == Some(id)) {
                    return Ok(index);
                }
            }
            if Instant::now() > deadline {
                bail!("no leader known to every running node after {timeout:?}: {statuses:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until every running node has the same height, and returns it.
    pub fn wait_same_height(&self, timeout: Duration) -> anyhow::Result<u64> {
        let deadline = Instant::now() + timeout;
        loop {
            let heights: Vec<u64> = self
                .nodes
                .iter()
                .filter(|n| n.is_up())
                .map(|n| n.status()["height"].as_u64().unwrap_or(0))
                .collect();
            if heights.windows(2).all(|w| w[0] == w[1]) {
                return Ok(heights[0]);
            }
            if Instant::now() > deadline {
                bail!("heights {heights:?} did not converge within {timeout:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Asserts every running node has the same block hashes for heights `1..=h`.
    pub fn assert_same_chain(&self, h: u64) {
        for height in 1..=h {
            let hashes: Vec<Option<String>> = self
                .nodes
                .iter()
                .filter(|n| n.is_up())
                .map(|n| n.block_hash(height))
                .collect();
            assert!(hashes[0].is_some(), "no block {height}");
            assert!(
                hashes.windows(2).all(|w| w[0] == w[1]),
                "block {height} differs between nodes: {hashes:?}"
            );
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for n in &mut self.nodes {
            n.kill9();
        }
    }
}
