//! The node's configuration: one TOML file per node, every key overridable.
//!
//! Precedence, lowest first: built-in defaults, the TOML file (`--config`), environment
//! variables, command-line flags. A key `section.name` is set by the environment variable
//! `SHUQUAN_SECTION_NAME` (e.g. `raft.snapshot_every` ← `SHUQUAN_RAFT_SNAPSHOT_EVERY`,
//! `api.read` ← `SHUQUAN_API_READ`) and by the flag `--set section.name=VALUE`; the common
//! keys also have their own flags. Relative paths in the file are relative to the file's
//! directory. The API's address is `api.listen`; `api = "HOST:PORT"`, `SHUQUAN_API` and
//! `--set api=HOST:PORT` still set it.
//! [`NodeConfig::validate`] names the key of every problem and says what to do.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

use crate::error::{Error, Result};

/// Everything a node is told at start.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NodeConfig {
    /// Where the node keeps its ledger, Raft log and snapshots.
    pub data_dir: PathBuf,
    /// The genesis file (TOML or JSON).
    pub genesis: PathBuf,
    /// This node's key file (its ed25519 identity on the network and in blocks).
    pub node_key: PathBuf,
    /// The key file this node signs block certificates with, when the chain names one for
    /// it (`cert_key` in the genesis or the add-node proposal: SM chains name an SM2 key);
    /// empty: the node key signs them.
    pub cert_key: PathBuf,
    /// A file holding the node key's passphrase when the key file is encrypted (empty:
    /// `SHUQUAN_KEY_PASSPHRASE`, else a prompt when stdin is a terminal).
    pub key_passphrase_file: PathBuf,
    /// The HTTP API: its address, who may read, TLS.
    pub api: ApiSection,
    /// The API's public base URL (`https://node1.example.org`), what the DCAT catalogue's
    /// IRIs start with; empty: `http://` and the request's Host header.
    pub public_url: String,
    /// `text` or `json` (filter with `RUST_LOG`).
    pub log_format: String,
    /// Longest time to read a request and answer it (a slow client gets 408), ms.
    /// `?wait=commit` waits at most a second less.
    pub request_timeout_ms: u64,
    /// Longest time a client may take to send a request's headers (also on an idle
    /// connection); slower connections are closed, ms.
    pub header_timeout_ms: u64,
    /// Most API connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Peer-to-peer network.
    pub p2p: P2pSection,
    /// The mempool.
    pub mempool: MempoolSection,
    /// Block production.
    pub block: BlockSection,
    /// Raft timing and log compaction.
    pub raft: RaftSection,
    /// The node's clock.
    pub clock: ClockSection,
    /// The ledger's storage.
    pub storage: StorageSection,
}

/// `[api]`
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ApiSection {
    /// `HOST:PORT` to listen on (`api = "HOST:PORT"` in a file says the same).
    pub listen: String,
    /// Who may read: `public` (anyone who reaches the API) or `members` (a request carries
    /// a short-lived token signed by an account key in force of an active member).
    pub read: String,
    /// In `members` mode, whether `/v1/catalogue` and `/v1/catalogue/dcat` stay open.
    pub open_catalogue: bool,
    /// PEM certificate chain; with `tls_key`, the API speaks HTTPS only.
    pub tls_cert: PathBuf,
    /// PEM private key of `tls_cert`.
    pub tls_key: PathBuf,
}

impl Default for ApiSection {
    fn default() -> Self {
        ApiSection {
            listen: "127.0.0.1:7070".into(),
            read: "public".into(),
            open_catalogue: true,
            tls_cert: PathBuf::new(),
            tls_key: PathBuf::new(),
        }
    }
}

impl ApiSection {
    /// Whether reads need a member's token (`api.read = "members"`).
    pub fn members_only(&self) -> bool {
        self.read == "members"
    }

    /// The certificate and key files, when TLS is configured.
    pub fn tls(&self) -> Option<(&Path, &Path)> {
        let set = |p: &PathBuf| !p.as_os_str().is_empty();
        (set(&self.tls_cert) && set(&self.tls_key))
            .then_some((self.tls_cert.as_path(), self.tls_key.as_path()))
    }

    fn validate(&self) -> Result<()> {
        self.listen.parse::<SocketAddr>().map_err(|e| {
            bad(
                "api.listen",
                format!(
                    "{:?} is not HOST:PORT ({e}), e.g. 127.0.0.1:7070 (also set by --api)",
                    self.listen
                ),
            )
        })?;
        if !["public", "members"].contains(&self.read.as_str()) {
            return Err(bad(
                "api.read",
                format!("{:?}: use public or members", self.read),
            ));
        }
        let (cert, key) = (self.tls_cert.as_os_str(), self.tls_key.as_os_str());
        if cert.is_empty() != key.is_empty() {
            return Err(bad(
                "api.tls_cert",
                "give both api.tls_cert and api.tls_key (PEM files), or neither",
            ));
        }
        Ok(())
    }
}

/// `[storage]`
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSection {
    /// Applied blocks wait in memory at most this long before they go to the ledger's
    /// database in one batch (the Raft log holds them durably meanwhile), ms.
    pub persist_every_ms: u64,
    /// ... or until this many bytes of them wait.
    pub persist_bytes: usize,
    /// The ledger database's page cache, bytes.
    pub cache_bytes: u64,
}

impl Default for StorageSection {
    fn default() -> Self {
        let t = shuquan_ledger::Tuning::default();
        StorageSection {
            persist_every_ms: t.batching.every.as_millis() as u64,
            persist_bytes: t.batching.max_bytes,
            cache_bytes: t.cache_bytes,
        }
    }
}

impl StorageSection {
    /// The ledger's tuning.
    pub fn tuning(&self) -> shuquan_ledger::Tuning {
        shuquan_ledger::Tuning {
            batching: shuquan_ledger::Batching {
                every: Duration::from_millis(self.persist_every_ms),
                max_bytes: self.persist_bytes,
            },
            cache_bytes: self.cache_bytes,
        }
    }
}

/// `[clock]`
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ClockSection {
    /// Shift this node's reading of the host clock by this many ms (negative: slow). Fault
    /// injection, for testing a node whose clock is wrong; leave it 0. The node corrects its
    /// clock toward the other member nodes' median anyway (see `clock` in the node crate).
    pub skew_ms: i64,
}

/// `[p2p]`
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct P2pSection {
    /// The multiaddr to listen on.
    pub listen: String,
    /// Member nodes as `NODE_KEY_HEX@MULTIADDR`: dialed and allowed, even before this node's
    /// chain knows them (a node added by governance names the nodes running now), and their
    /// addresses override genesis `node_addr`.
    pub peers: Vec<String>,
    /// Connections still in the handshake (not yet authenticated) at once.
    pub max_pending_incoming: u32,
    /// Connections per member node.
    pub max_established_per_peer: u32,
    /// Deadline of one request to a peer (Raft RPC, forwarded transactions), ms.
    pub request_timeout_ms: u64,
    /// Largest request or response frame between nodes, bytes.
    pub max_frame_bytes: usize,
    /// How often to redial member nodes that are not connected, ms.
    pub redial_ms: u64,
}

/// `[mempool]`
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MempoolSection {
    /// Most transactions waiting; more are refused with HTTP 503.
    pub size: usize,
    /// Most transactions waiting from one signing key; more are refused with HTTP 429.
    pub per_signer: usize,
    /// A follower forwards transactions to the leader when they waited this long, ms.
    pub forward_after_ms: u64,
}

/// `[block]`
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BlockSection {
    /// How long the leader waits for more transactions before proposing a block, ms.
    pub linger_ms: u64,
    /// Propose at once, without lingering, when no block is in flight (a lone transaction
    /// then commits without waiting; under load blocks are in flight and batch anyway).
    pub eager: bool,
    /// Most transaction bytes in one block.
    pub max_bytes: usize,
    /// Most blocks replicating at once.
    pub max_in_flight: usize,
}

/// `[raft]`
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RaftSection {
    /// Leader heartbeat interval, ms.
    pub heartbeat_ms: u64,
    /// Lower bound of the election timeout, ms.
    pub election_min_ms: u64,
    /// Upper bound of the election timeout, ms.
    pub election_max_ms: u64,
    /// Build a snapshot (and purge the log) after this many entries.
    pub snapshot_every: u64,
    /// Entries kept in the log behind a snapshot, for followers slightly behind.
    pub keep_after_snapshot: u64,
    /// Most entries (blocks) in one replication message.
    pub max_payload_entries: u64,
    /// Snapshot chunk size on the wire, bytes.
    pub snapshot_chunk_bytes: u64,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            data_dir: PathBuf::from("shuquan-data"),
            genesis: PathBuf::new(),
            node_key: PathBuf::new(),
            cert_key: PathBuf::new(),
            key_passphrase_file: PathBuf::new(),
            api: ApiSection::default(),
            public_url: String::new(),
            log_format: "text".into(),
            request_timeout_ms: 35_000,
            header_timeout_ms: 10_000,
            max_connections: 1024,
            p2p: P2pSection::default(),
            mempool: MempoolSection::default(),
            block: BlockSection::default(),
            raft: RaftSection::default(),
            clock: ClockSection::default(),
            storage: StorageSection::default(),
        }
    }
}

impl Default for P2pSection {
    fn default() -> Self {
        use crate::p2p as p;
        P2pSection {
            listen: "/ip4/127.0.0.1/tcp/7100".into(),
            peers: Vec::new(),
            max_pending_incoming: p::DEFAULT_MAX_PENDING_INCOMING,
            max_established_per_peer: p::DEFAULT_MAX_ESTABLISHED_PER_PEER,
            request_timeout_ms: p::DEFAULT_REQUEST_TIMEOUT.as_millis() as u64,
            max_frame_bytes: p::DEFAULT_MAX_REQUEST_BYTES,
            redial_ms: p::DEFAULT_REDIAL_EVERY.as_millis() as u64,
        }
    }
}

impl Default for MempoolSection {
    fn default() -> Self {
        MempoolSection {
            size: 50_000,
            per_signer: 12_500,
            forward_after_ms: 1_000,
        }
    }
}

impl Default for BlockSection {
    fn default() -> Self {
        BlockSection {
            linger_ms: 2,
            eager: true,
            max_bytes: 4 << 20,
            max_in_flight: 4,
        }
    }
}

impl Default for RaftSection {
    fn default() -> Self {
        let c = shuquan_consensus::Config::default();
        let ms = |d: Duration| d.as_millis() as u64;
        RaftSection {
            heartbeat_ms: ms(c.heartbeat_interval),
            election_min_ms: ms(c.election_timeout_min),
            election_max_ms: ms(c.election_timeout_max),
            snapshot_every: c.snapshot_every,
            keep_after_snapshot: c.keep_after_snapshot,
            max_payload_entries: c.max_payload_entries,
            snapshot_chunk_bytes: c.snapshot_chunk_bytes,
        }
    }
}

fn bad(key: &str, message: impl Into<String>) -> Error {
    Error::Config {
        key: key.into(),
        message: message.into(),
    }
}

/// Parses an override as the type of the key's default: strings stay strings; anything
/// else is read as a TOML value (`42`, `true`, `["a", "b"]`).
fn typed(key: &str, default: &Value, text: &str) -> Result<Value> {
    if default.is_str() {
        return Ok(Value::String(text.to_string()));
    }
    let doc: Table = toml::from_str(&format!("v = {text}")).map_err(|e| {
        bad(
            key,
            format!("{text:?} is not a {}: {e}", default.type_str()),
        )
    })?;
    let v = doc
        .get("v")
        .cloned()
        .ok_or_else(|| bad(key, format!("{text:?} is not a {}", default.type_str())))?;
    if v.type_str() != default.type_str() {
        return Err(bad(
            key,
            format!(
                "{text:?} is a {}, expected a {}",
                v.type_str(),
                default.type_str()
            ),
        ));
    }
    Ok(v)
}

/// Every key of the defaults as (`a.b` path, default value).
fn keys(defaults: &Table, prefix: &str, out: &mut Vec<(String, Value)>) {
    for (k, v) in defaults {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Table(t) => keys(t, &path, out),
            other => out.push((path, other.clone())),
        }
    }
}

fn set(table: &mut Table, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else { return };
    let mut t = table;
    for p in parts {
        let entry = t
            .entry(p.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        if !entry.is_table() {
            *entry = Value::Table(Table::new());
        }
        let Value::Table(inner) = entry else { return };
        t = inner;
    }
    t.insert(last.to_string(), value);
}

/// The environment variable for a key: `raft.snapshot_every` → `SHUQUAN_RAFT_SNAPSHOT_EVERY`.
pub fn env_name(key: &str) -> String {
    format!("SHUQUAN_{}", key.replace('.', "_").to_ascii_uppercase())
}

impl NodeConfig {
    /// Builds the configuration: defaults, then `file`, then `env` (pairs of environment
    /// variables; only `SHUQUAN_*` names of known keys are read), then `sets`
    /// (`key=value` from flags). Does not [`validate`](Self::validate).
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        sets: &[String],
    ) -> Result<NodeConfig> {
        let defaults =
            Value::try_from(NodeConfig::default()).map_err(|e| bad("(defaults)", e.to_string()))?;
        let Value::Table(defaults) = defaults else {
            return Err(bad("(defaults)", "not a table"));
        };
        let mut known = Vec::new();
        keys(&defaults, "", &mut known);
        let mut merged = Table::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| bad("--config", format!("cannot read {}: {e}", path.display())))?;
            merged = toml::from_str(&text).map_err(|e| {
                bad(
                    "--config",
                    format!("{} is not valid TOML: {e}", path.display()),
                )
            })?;
            // `api = "HOST:PORT"` is `[api] listen = "HOST:PORT"`.
            if let Some(Value::String(addr)) = merged.get("api") {
                let listen = Value::String(addr.clone());
                merged.insert("api".into(), Value::Table(Table::new()));
                set(&mut merged, "api.listen", listen);
            }
            // Paths written in the file are relative to the file's directory.
            let dir = path.parent().unwrap_or(Path::new(""));
            let relative = |v: Option<&mut Value>| {
                if let Some(Value::String(p)) = v {
                    if Path::new(p.as_str()).is_relative() {
                        *p = dir.join(p.as_str()).display().to_string();
                    }
                }
            };
            for key in [
                "data_dir",
                "genesis",
                "node_key",
                "cert_key",
                "key_passphrase_file",
            ] {
                relative(merged.get_mut(key));
            }
            if let Some(Value::Table(api)) = merged.get_mut("api") {
                for key in ["tls_cert", "tls_key"] {
                    relative(api.get_mut(key).filter(|v| v.as_str() != Some("")));
                }
            }
        }
        let env: std::collections::HashMap<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("SHUQUAN_"))
            .collect();
        for (key, default) in &known {
            // `SHUQUAN_API` (the address) from before the API had a section.
            let legacy = (key == "api.listen")
                .then(|| env.get("SHUQUAN_API"))
                .flatten();
            for text in legacy.into_iter().chain(env.get(&env_name(key))) {
                set(&mut merged, key, typed(key, default, text)?);
            }
        }
        for s in sets {
            let (key, text) = s.split_once('=').ok_or_else(|| {
                bad(
                    s,
                    "write --set KEY=VALUE, e.g. --set raft.snapshot_every=100",
                )
            })?;
            let key = match key.trim() {
                "api" => "api.listen",
                k => k,
            };
            let default = known
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .ok_or_else(|| {
                    bad(
                        key,
                        "no such setting; see the keys in the README's node configuration section",
                    )
                })?;
            set(&mut merged, key, typed(key, default, text.trim())?);
        }
        Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| bad("--config", e.message().to_string()))
    }

    /// Checks every setting; the error names the key and what to do.
    pub fn validate(&self) -> Result<()> {
        self.api.validate()?;
        let url = &self.public_url;
        let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
        if !url.is_empty()
            && (!scheme_ok || url.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(bad(
                "public_url",
                format!("{url:?} is not an http(s) URL, e.g. https://node1.example.org"),
            ));
        }
        if !["text", "json"].contains(&self.log_format.as_str()) {
            return Err(bad("log_format", "use text or json"));
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(bad("data_dir", "give a directory for the chain"));
        }
        let p = &self.p2p;
        p.listen.parse::<libp2p::Multiaddr>().map_err(|e| {
            bad(
                "p2p.listen",
                format!(
                    "{:?} is not a multiaddr ({e}), e.g. /ip4/127.0.0.1/tcp/7100",
                    p.listen
                ),
            )
        })?;
        for peer in &p.peers {
            parse_peer(peer)?;
        }
        if self.request_timeout_ms < 1_000 {
            return Err(bad("request_timeout_ms", "must be at least 1000"));
        }
        if self.header_timeout_ms < 100 {
            return Err(bad("header_timeout_ms", "must be at least 100"));
        }
        let positive = [
            (
                "p2p.max_pending_incoming",
                u64::from(p.max_pending_incoming),
            ),
            (
                "p2p.max_established_per_peer",
                u64::from(p.max_established_per_peer),
            ),
            ("max_connections", self.max_connections as u64),
            ("p2p.request_timeout_ms", p.request_timeout_ms),
            ("p2p.redial_ms", p.redial_ms),
            ("mempool.size", self.mempool.size as u64),
            ("mempool.per_signer", self.mempool.per_signer as u64),
            ("block.max_bytes", self.block.max_bytes as u64),
            ("block.max_in_flight", self.block.max_in_flight as u64),
            ("raft.snapshot_every", self.raft.snapshot_every),
            ("raft.max_payload_entries", self.raft.max_payload_entries),
            ("raft.snapshot_chunk_bytes", self.raft.snapshot_chunk_bytes),
            ("storage.persist_every_ms", self.storage.persist_every_ms),
            ("storage.persist_bytes", self.storage.persist_bytes as u64),
        ];
        for (key, v) in positive {
            if v == 0 {
                return Err(bad(key, "must be at least 1"));
            }
        }
        if self.storage.cache_bytes < 1 << 20 {
            return Err(bad(
                "storage.cache_bytes",
                "must be at least 1048576 (1 MiB)",
            ));
        }
        let need = self.raft.max_payload_entries as usize * self.block.max_bytes + (1 << 20);
        if p.max_frame_bytes < need {
            return Err(bad(
                "p2p.max_frame_bytes",
                format!("must hold raft.max_payload_entries full blocks plus 1 MiB: at least {need}; raise it or lower block.max_bytes"),
            ));
        }
        if (self.raft.snapshot_chunk_bytes as usize) + (1 << 20) > p.max_frame_bytes {
            return Err(bad(
                "raft.snapshot_chunk_bytes",
                "must be at least 1 MiB below p2p.max_frame_bytes",
            ));
        }
        self.consensus("check").validate().map_err(|e| {
            bad(
                "raft",
                format!(
                    "{e}; election_min_ms must exceed heartbeat_ms and be below election_max_ms"
                ),
            )
        })
    }

    /// The Raft settings.
    pub fn consensus(&self, cluster: &str) -> shuquan_consensus::Config {
        let r = &self.raft;
        shuquan_consensus::Config {
            cluster_name: cluster.to_string(),
            heartbeat_interval: Duration::from_millis(r.heartbeat_ms),
            election_timeout_min: Duration::from_millis(r.election_min_ms),
            election_timeout_max: Duration::from_millis(r.election_max_ms),
            snapshot_every: r.snapshot_every,
            keep_after_snapshot: r.keep_after_snapshot,
            max_payload_entries: r.max_payload_entries,
            snapshot_chunk_bytes: r.snapshot_chunk_bytes,
            install_snapshot_timeout: Duration::from_millis(self.p2p.request_timeout_ms),
            unreachable_backoff: Duration::from_millis(200),
        }
    }
}

/// Parses a `p2p.peers` entry, `NODE_KEY_HEX@MULTIADDR`.
pub fn parse_peer(s: &str) -> Result<(shuquan_proto::PublicKey, String)> {
    let (key, addr) = s
        .split_once('@')
        .ok_or_else(|| bad("p2p.peers", format!("{s:?}: write NODE_KEY_HEX@MULTIADDR")))?;
    let key = key.parse().map_err(|e| {
        bad(
            "p2p.peers",
            format!("{s:?}: the node key is not valid: {e}"),
        )
    })?;
    addr.parse::<libp2p::Multiaddr>().map_err(|e| {
        bad(
            "p2p.peers",
            format!("{s:?}: {addr:?} is not a multiaddr: {e}"),
        )
    })?;
    Ok((key, addr.to_string()))
}

#[cfg(test)]
mod tests;
