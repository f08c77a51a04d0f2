//! Helpers for end-to-end tests that drive the real `shuquand` and `shuquan` binaries on
//! 127.0.0.1: start and kill nodes, run the CLI, build and post transactions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use shuquan_proto::pb;
use shuquan_proto::tx::ChainRef;
use shuquan_proto::Keypair;

pub mod chaos;
mod chaos_members;
pub mod cluster;
pub mod load;
pub mod netns;
pub mod walkthrough;

/// The `shuquan` CLI pointed at one node's API, run in a working directory.
#[derive(Clone, Debug)]
pub struct Cli {
    /// The node's API base URL.
    pub node: String,
    /// Where the CLI runs.
    pub dir: PathBuf,
}

impl Cli {
    /// Runs `shuquan args...`.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(bin("shuquan"))
            .args(args)
            .env("SHUQUAN_NODE", &self.node)
            .env_remove("SHUQUAN_KEY")
            .current_dir(&self.dir)
            .output()
            .expect("running shuquan")
    }

    /// Runs it with `--output json` and parses stdout; fails on a non-zero exit.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--output", "json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "shuquan {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        serde_json::from_slice(&out.stdout).expect("JSON output")
    }
}

/// The directory holding the workspace's binaries (`target/debug`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/debug/deps/<test> -> target/debug; target/debug/<binary> -> target/debug
    let dir = exe.parent().expect("target dir");
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.parent().expect("target dir").to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

/// Path of a workspace binary.
pub fn bin(name: &str) -> PathBuf {
    let p = bin_dir().join(name);
    assert!(
        p.exists(),
        "{} is not built: run `cargo build --workspace` (or `cargo test --workspace`)",
        p.display()
    );
    p
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running `shuquand --dev`.
pub struct DevNode {
    /// The data directory (kept across restarts).
    pub dir: tempfile::TempDir,
    /// API address.
    pub port: u16,
    child: Option<Child>,
    extra: Vec<String>,
}

impl DevNode {
    /// Starts a dev node in a fresh directory and waits until it serves. Its chain
    /// certifies registrations at once (`--no-review`): tests of everything after a
    /// registration need not run its review; [`DevNode::start_reviewing`] keeps it.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(&[])
    }

    /// Starts a dev node as the README's: registrations are reviewed by the regulator and
    /// noticed for 10 s.
    pub fn start_reviewing() -> anyhow::Result<Self> {
        Self::launch(Vec::new())
    }

    /// Starts a dev node with extra `shuquand` flags (and `--no-review`, as [`DevNode::start`]).
    pub fn start_with(extra: &[&str]) -> anyhow::Result<Self> {
        let mut flags = vec!["--no-review".to_string()];
        flags.extend(extra.iter().map(|s| s.to_string()));
        Self::launch(flags)
    }

    fn launch(extra: Vec<String>) -> anyhow::Result<Self> {
        let mut node = DevNode {
            dir: tempfile::tempdir()?,
            port: free_port(),
            child: None,
            extra,
        };
        node.spawn()?;
        Ok(node)
    }

    /// The API's base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("node.log"))?;
        let child = Command::new(bin("shuquand"))
            .args(["--dev", "--data-dir"])
            .arg(self.dir.path().join("chain"))
            .args(["--api", &format!("127.0.0.1:{}", self.port)])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting shuquand")?;
        self.child = Some(child);
        let (log, url) = (self.dir.path().join("node.log"), self.url());
        wait_serving(&mut self.child, &url, "shuquand", || {
            std::fs::read_to_string(&log).unwrap_or_default()
        })
    }

    /// The node's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("node.log")).unwrap_or_default()
    }

    /// SIGKILL, no goodbye.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the node again on the same directory and port.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill9();
        self.spawn()
    }

    /// The dev chain this node runs.
    pub fn chain(&self) -> ChainRef {
        chain_of(&self.dir.path().join("chain").join("genesis.toml"))
    }

    /// A dev member's key file.
    pub fn key_file(&self, who: &str) -> PathBuf {
        self.dir
            .path()
            .join("chain")
            .join("keys")
            .join(format!("{who}.key"))
    }

    /// A dev member's key.
    pub fn key(&self, who: &str) -> Keypair {
        Keypair::read_file(&self.key_file(who)).expect("dev key")
    }

    /// The CLI pointed at this node, run in its directory.
    pub fn shuquan(&self) -> Cli {
        Cli {
            node: self.url(),
            dir: self.dir.path().to_path_buf(),
        }
    }

    /// Runs the CLI against this node.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.shuquan().run(args)
    }

    /// Runs the CLI with `--output json` and parses stdout; fails on a non-zero exit.
    pub fn cli_json(&self, args: &[&str]) -> serde_json::Value {
        self.shuquan().json(args)
    }

    /// `GET path` as JSON with its status.
    pub fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let agent = agent();
        let mut resp = agent
            .get(&format!("{}{path}", self.url()))
            .call()
            .expect("GET");
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        )
    }

    /// `POST /v1/tx` of raw bytes, with the status and JSON answer.
    pub fn post_tx(&self, raw: &[u8], wait: bool) -> (u16, serde_json::Value) {
        self.post_tx_query(raw, if wait { "?wait=commit" } else { "" })
    }

    /// `POST /v1/tx{query}` with protobuf bytes; the status and the JSON answer.
    pub fn post_tx_query(&self, raw: &[u8], query: &str) -> (u16, serde_json::Value) {
        let mut resp = agent()
            .post(&format!("{}/v1/tx{query}", self.url()))
            .header("content-type", "application/x-protobuf")
            .send(raw)
            .expect("POST");
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        )
    }
}

impl Drop for DevNode {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Waits up to 30 s until the process in `child` answers `GET /health` at `url`; fails
/// with its log if it exits or does not answer.
pub fn wait_serving(
    child: &mut Option<Child>,
    url: &str,
    what: &str,
    log: impl Fn() -> String,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if ureq::get(&format!("{url}/health")).call().is_ok() {
            return Ok(());
        }
        if let Some(status) = child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
            bail!("{what} exited with {status}; log:\n{}", log());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("{what} did not serve within 30 s; log:\n{}", log())
}

/// Reads from `s` until the peer closes the connection (EOF or reset), answering false if
/// it is still open after `wait`. What the peer sends meanwhile (e.g. a 408) is skipped.
pub fn closed_by_peer(s: &mut std::net::TcpStream, wait: Duration) -> bool {
    use std::io::Read;
    if s.set_read_timeout(Some(wait)).is_err() {
        return false;
    }
    let mut buf = [0u8; 512];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) => {
                return !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                )
            }
        }
    }
}

/// An agent that returns error statuses as answers.
pub fn agent() -> ureq::Agent {
    // One pool for the whole process: checks that read tens of thousands of blocks would
    // otherwise open a connection per request and run out of ephemeral ports (TIME_WAIT).
    // Idle connections are dropped before the node's 10 s header timeout closes them.
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT
        .get_or_init(|| {
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(40)))
                .max_idle_age(Duration::from_secs(5))
                .max_idle_connections_per_host(16)
                .build()
                .into()
        })
        .clone()
}

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A transaction for `chain`, signed by `signer` and every cosigner, stamped `ts`.
pub fn sign(
    chain: &ChainRef,
    signer: &Keypair,
    cosigners: &[&Keypair],
    payload: pb::tx_body::Payload,
    ts: u64,
) -> Vec<u8> {
    shuquan_proto::tx::sign_all(chain, ts, signer, cosigners, payload).expect("signing")
}

/// The chain a genesis file begins (chain id and genesis hash: what signatures bind).
pub fn chain_of(genesis_file: &std::path::Path) -> ChainRef {
    let text = std::fs::read_to_string(genesis_file).expect("genesis file");
    let genesis = shuquan_proto::genesis::GenesisFile::parse(&text)
        .and_then(|g| g.to_pb())
        .expect("a valid genesis");
    ChainRef::of(&genesis)
}

/// A registration of a general CN data set whose fingerprint is derived from `n`.
pub fn register(n: u64) -> pb::tx_body::Payload {
    register_in(n, "CN")
}

/// A registration of a general data set in `jurisdiction` (the registrant's own: org2 of
/// the dev chains is in VN) whose fingerprint is derived from `n`.
pub fn register_in(n: u64, jurisdiction: &str) -> pb::tx_body::Payload {
    let mut fp = [0u8; 32];
    fp[..8].copy_from_slice(&n.to_be_bytes());
    fp[8] = 0x5a;
    pb::tx_body::Payload::RegisterAsset(pb::RegisterAsset {
        fingerprint: fp.to_vec(),
        size_bytes: 1000 + n,
        name: format!("load data set {n}"),
        grade: pb::Grade::General as i32,
        origin: pb::Origin::Enterprise as i32,
        jurisdiction: jurisdiction.into(),
        delivery_modes: vec![pb::DeliveryMode::Compute as i32],
        sharing: pb::SharingClass::Conditional as i32,
        ..Default::default()
    })
}
