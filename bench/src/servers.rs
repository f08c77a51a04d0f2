//! The clusters under test, on 127.0.0.1 in a temporary directory: a 3-member etcd
//! cluster, or a Shuquan devnet made by `shuquan devnet init` with many member keys. Every
//! process is started here and killed here, by PID, when the cluster is stopped or
//! dropped.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use shuquan_proto::genesis::GenesisFile;
use shuquan_proto::hash::HashFunction;
use shuquan_proto::keys::Scheme;
use shuquan_proto::tx::ChainRef;
use shuquan_proto::Keypair;

/// A running cluster.
#[derive(Debug)]
pub struct Servers {
    /// Client URLs, one per member.
    pub urls: Vec<String>,
    /// Data, logs and keys.
    pub dir: tempfile::TempDir,
    children: Vec<Child>,
}

/// `n` consecutive free ports on 127.0.0.1.
fn free_ports(n: u16) -> anyhow::Result<u16> {
    for attempt in 0..200u16 {
        let base = 20_000 + (std::process::id() as u16 % 997) * 37 + attempt * 61;
        let held: Vec<_> = (0..n)
            .map_while(|i| TcpListener::bind(("127.0.0.1", base + i)).ok())
            .collect();
        if held.len() == usize::from(n) {
            return Ok(base);
        }
    }
    bail!("no {n} consecutive free ports on 127.0.0.1")
}

/// Waits until `url` answers 200.
fn wait_ok(url: &str, timeout: Duration) -> anyhow::Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(2)))
        .build()
        .into();
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if agent
            .get(url)
            .call()
            .is_ok_and(|r| r.status().as_u16() == 200)
        {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("{url} did not answer 200 within {timeout:?}")
}

fn log_file(dir: &Path, name: &str) -> anyhow::Result<std::fs::File> {
    std::fs::File::create(dir.join(format!("{name}.log"))).context("creating a log file")
}

impl Servers {
    /// PIDs of the server processes.
    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().map(Child::id).collect()
    }

    /// Starts a 3-member etcd cluster (`etcd` is the binary).
    pub fn etcd(etcd: &str, members: u16) -> anyhow::Result<Servers> {
        let dir = tempfile::tempdir()?;
        let base = free_ports(2 * members)?;
        let peer = |i: u16| format!("http://127.0.0.1:{}", base + members + i);
        let client = |i: u16| format!("http://127.0.0.1:{}", base + i);
        let cluster = (0..members)
            .map(|i| format!("e{i}={}", peer(i)))
            .collect::<Vec<_>>()
            .join(",");
        let mut s = Servers {
            urls: (0..members).map(client).collect(),
            dir,
            children: Vec::new(),
        };
        for i in 0..members {
            let name = format!("e{i}");
            let child = Command::new(etcd)
                .args(["--name", &name, "--data-dir"])
                .arg(s.dir.path().join(&name))
                .args(["--listen-client-urls", &client(i)])
                .args(["--advertise-client-urls", &client(i)])
                .args(["--listen-peer-urls", &peer(i)])
                .args(["--initial-advertise-peer-urls", &peer(i)])
                .args(["--initial-cluster", &cluster])
                .args(["--initial-cluster-state", "new"])
                .args(["--initial-cluster-token", "shuquan-bench"])
                .args(["--logger", "zap", "--log-level", "error"])
                .stdout(Stdio::null())
                .stderr(log_file(s.dir.path(), &name)?)
                .spawn()
                .with_context(|| {
                    format!("starting {etcd} (install it: apt-get install etcd-server)")
                })?;
            s.children.push(child);
        }
        for url in &s.urls {
            wait_ok(&format!("{url}/health"), Duration::from_secs(30))?;
        }
        Ok(s)
    }

    /// Creates and starts a Shuquan devnet of `nodes` nodes and `members` member keys with
    /// the binaries in `bin_dir`; returns it with the member keys and the chain id.
    pub fn shuquan(
        bin_dir: &Path,
        nodes: u16,
        members: usize,
        sm: bool,
    ) -> anyhow::Result<(Servers, DevnetChain)> {
        let dir = tempfile::tempdir()?;
        let net = dir.path().join("net");
        let base = free_ports(2 * nodes)?;
        let chain_id = "shuquan-bench";
        let out = Command::new(bin_dir.join("shuquan"))
            .args([
                "devnet",
                "init",
                "--no-review",
                "--nodes",
                &nodes.to_string(),
            ])
            .args(["--members", &members.to_string(), "--chain-id", chain_id])
            .args(["--crypto", if sm { "sm" } else { "standard" }])
            .args(["--api-port", &base.to_string()])
            .args(["--p2p-port", &(base + nodes).to_string(), "--dir"])
            .arg(&net)
            .output()
            .context("running shuquan devnet init")?;
        if !out.status.success() {
            bail!(
                "devnet init failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let chain = devnet_chain(&net)?;
        let mut s = Servers {
            urls: (0..nodes)
                .map(|i| format!("http://127.0.0.1:{}", base + i))
                .collect(),
            dir,
            children: Vec::new(),
        };
        for i in 1..=nodes {
            let child = Command::new(bin_dir.join("shuquand"))
                .arg("--config")
                .arg(net.join(format!("node{i}.toml")))
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(log_file(&net, &format!("node{i}"))?)
                .spawn()
                .context("starting shuquand")?;
            s.children.push(child);
        }
        for url in &s.urls {
            wait_ok(&format!("{url}/ready"), Duration::from_secs(60))?;
        }
        Ok((s, chain))
    }

    /// Kills every process (SIGKILL, by PID) and waits for it.
    pub fn stop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        self.children.clear();
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A devnet's chain, as the workload needs it.
pub struct DevnetChain {
    /// Chain id and genesis hash.
    pub chain: ChainRef,
    /// The most common jurisdiction of its `org*` members.
    pub home: String,
    /// The account keys of the `org*` members in `home`: the workload registers, grants and
    /// uses data at home, so none of its transactions is an export.
    pub keys: Vec<crate::workload::Member>,
}

/// The chain of a devnet directory (from `shuquan devnet init`).
pub fn devnet_chain(dir: &Path) -> anyhow::Result<DevnetChain> {
    let path = dir.join("genesis.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let genesis = GenesisFile::parse(&text)?.to_pb()?;
    let chain = ChainRef::of(&genesis);
    let mut count: std::collections::BTreeMap<&str, usize> = Default::default();
    for m in genesis.members.iter().filter(|m| m.id.starts_with("org")) {
        *count.entry(m.jurisdiction.as_str()).or_default() += 1;
    }
    let home = count
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(j, _)| j.to_string())
        .unwrap_or_default();
    let mut keys = Vec::new();
    for m in genesis
        .members
        .iter()
        .filter(|m| m.id.starts_with("org") && m.jurisdiction == home)
    {
        let p = dir.join("keys").join(format!("{}.key", m.id));
        let key = Keypair::read_file(&p).with_context(|| format!("reading {}", p.display()))?;
        // On an SM chain the workload signs with its SM2 members only: the national
        // algorithms throughout.
        if chain.hash.function() == HashFunction::Sm3 && key.scheme() != Scheme::Sm2 {
            continue;
        }
        keys.push(crate::workload::Member::new(&chain, &m.id, key));
    }
    if keys.len() < 2 {
        bail!(
            "{} has fewer than two org* members in one jurisdiction",
            path.display()
        );
    }
    Ok(DevnetChain { chain, home, keys })
}
