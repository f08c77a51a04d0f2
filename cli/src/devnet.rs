//! `shuquan devnet init`: everything a local permissioned devnet needs, on 127.0.0.1 (or on
//! given addresses, one per node, e.g. inside network namespaces) — a
//! node key and a member key per institution, a genesis naming the nodes and their p2p
//! addresses, and one `shuquand` configuration file per node. `scripts/devnet` starts and
//! stops the nodes; `shuquan status --devnet DIR` shows them side by side.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use serde::Serialize;
use serde_json::{json, Value};
use shuquan_proto::genesis::{dev_member, GenesisFile, ParamsFile};
use shuquan_proto::hash::HashFunction;
use shuquan_proto::keys::Scheme;
use shuquan_proto::Keypair;

use crate::client::Client;

/// Options of `shuquan devnet init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Member nodes to create (3 tolerates one failure, 5 tolerates two).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=64))]
    nodes: u16,
    /// How many of them vote (Raft and certificates); the others start as learners, which
    /// apply, serve and sign every block (default: all).
    #[arg(long)]
    voters: Option<u16>,
    /// Directory to write into (must not exist or be empty).
    #[arg(long, default_value = ".shuquan-devnet")]
    dir: PathBuf,
    /// API port of node 1; node N listens on API_PORT + N - 1.
    #[arg(long, default_value_t = 7071)]
    api_port: u16,
    /// P2p port of node 1; node N listens on P2P_PORT + N - 1.
    #[arg(long, default_value_t = 7101)]
    p2p_port: u16,
    /// Member institutions in the genesis (at least one per node, and at least 4): the
    /// dev institutions, then org3, org4, ...; each gets a key in `DIR/keys`. Benchmarks
    /// use many (`--members 1000`).
    #[arg(long, default_value_t = 4)]
    members: usize,
    /// IPv4 address of each node, comma separated (default: 127.0.0.1 for all). Node N
    /// listens on the Nth, e.g. `--hosts 10.77.0.1,10.77.0.2,10.77.0.3` for nodes in
    /// network namespaces.
    #[arg(long, value_delimiter = ',')]
    hosts: Vec<std::net::Ipv4Addr>,
    /// Chain id of the new chain.
    #[arg(long, default_value = "shuquan-devnet")]
    chain_id: String,
    /// Raft: build a snapshot and purge the log every this many entries.
    #[arg(long)]
    snapshot_every: Option<u64>,
    /// Certify registrations in their own block, without a registrar's review and public
    /// notice (by default the regulator reviews and the notice lasts 10 s). The same as
    /// `registration_review = false` under `[params]` in a genesis file.
    #[arg(long)]
    no_review: bool,
    /// The algorithms: `standard` (BLAKE3, ed25519) or `sm`, the national algorithms
    /// (GM/T): SM3 for every hash, SM2 certificate keys for the nodes, and a mixed
    /// membership where org1, the regulator and every second new member sign with SM2 and
    /// the others with ed25519.
    #[arg(long, value_enum, default_value_t = Crypto::Standard)]
    crypto: Crypto,
}

/// The algorithms of a devnet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Crypto {
    /// BLAKE3 and ed25519.
    Standard,
    /// SM3, with SM2 node certificate keys and some SM2 members.
    Sm,
}

impl Crypto {
    /// The scheme of the `i`-th member's account key.
    fn member_scheme(self, i: usize) -> Scheme {
        match self {
            Crypto::Sm if i.is_multiple_of(2) => Scheme::Sm2,
            _ => Scheme::Ed25519,
        }
    }
}

/// Options of `shuquan devnet add-node`.
#[derive(Debug, Args)]
pub(crate) struct AddNodeArgs {
    /// The devnet directory (from `shuquan devnet init`).
    #[arg(long, default_value = ".shuquan-devnet")]
    dir: PathBuf,
    /// The new node's API port (default: the next port above every port the devnet uses).
    #[arg(long)]
    api_port: Option<u16>,
    /// Its p2p port (default: the one after the API port).
    #[arg(long)]
    p2p_port: Option<u16>,
    /// The IPv4 address it listens on (default: the last node's).
    #[arg(long)]
    host: Option<std::net::Ipv4Addr>,
}

/// A node's configuration file, with the keys `shuquand --config` reads.
#[derive(Serialize, serde::Deserialize)]
struct NodeFile {
    data_dir: String,
    genesis: String,
    node_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cert_key: Option<String>,
    api: String,
    p2p: P2pFile,
    #[serde(skip_serializing_if = "Option::is_none")]
    raft: Option<RaftFile>,
}

#[derive(Serialize, serde::Deserialize)]
struct P2pFile {
    listen: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    peers: Vec<String>,
}

#[derive(Serialize, serde::Deserialize)]
struct RaftFile {
    snapshot_every: u64,
}

fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Writes the devnet and returns a summary.
pub(crate) fn init(a: &InitArgs) -> anyhow::Result<Value> {
    let n = usize::from(a.nodes);
    let last_port = |base: u16, what: &str| {
        base.checked_add(a.nodes - 1)
            .with_context(|| format!("--{what} {base} + {} nodes passes 65535", a.nodes))
    };
    last_port(a.api_port, "api-port")?;
    last_port(a.p2p_port, "p2p-port")?;
    if a.voters.is_some_and(|v| v == 0 || v > a.nodes) {
        bail!("--voters must be 1 to --nodes ({})", a.nodes);
    }
    if !a.hosts.is_empty() && a.hosts.len() != n {
        bail!(
            "--hosts names {} addresses for {n} nodes: give one per node",
            a.hosts.len()
        );
    }
    let host = |i: usize| {
        a.hosts
            .get(i)
            .copied()
            .unwrap_or(std::net::Ipv4Addr::LOCALHOST)
    };
    if a.dir.exists()
        && std::fs::read_dir(&a.dir)
            .with_context(|| format!("reading {}", a.dir.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty: it may hold a devnet already (stop it with `scripts/devnet stop`); \
             remove it or choose another --dir",
            a.dir.display()
        );
    }
    let keys = a.dir.join("keys");
    std::fs::create_dir_all(&keys).with_context(|| format!("creating {}", keys.display()))?;
    // Members: the dev institutions (org1, org2, regulator, auditor), plus org3.. when
    // there are more nodes; the first `n` run a node.
    let count = n.max(4).max(a.members);
    let mut members = Vec::new();
    let mut nodes = Vec::new();
    for i in 0..count {
        let account = Keypair::generate_with(a.crypto.member_scheme(i))?;
        let mut m = dev_member(i, account.public());
        account.write_file(&keys.join(format!("{}.key", m.id)))?;
        if i < n {
            let node = Keypair::generate()?;
            let k = i + 1;
            node.write_file(&keys.join(format!("node{k}.key")))?;
            m.node_key = Some(node.public());
            let cert_key = cert_key_file(a.crypto, &keys, k)?;
            m.cert_key = cert_key.as_ref().map(|(_, key)| *key);
            m.learner = a.voters.is_some_and(|v| i >= usize::from(v));
            m.node_addr = format!("/ip4/{}/tcp/{}", host(i), a.p2p_port + i as u16);
            nodes.push(json!({
                "node": k,
                "member": m.id,
                "config": a.dir.join(format!("node{k}.toml")),
                "api": format!("http://{}:{}", host(i), a.api_port + i as u16),
                "p2p": m.node_addr,
                "node_key": node.public(),
                "cert_key": m.cert_key,
            }));
            let file = NodeFile {
                data_dir: format!("node{k}"),
                genesis: "genesis.toml".into(),
                node_key: format!("keys/node{k}.key"),
                cert_key: cert_key.map(|(file, _)| file),
                api: format!("{}:{}", host(i), a.api_port + i as u16),
                p2p: P2pFile {
                    listen: m.node_addr.clone(),
                    peers: Vec::new(),
                },
                raft: a
                    .snapshot_every
                    .map(|snapshot_every| RaftFile { snapshot_every }),
            };
            let text = format!(
                "# shuquand --config node{k}.toml  (member {}; see the README for every key)\n{}",
                m.id,
                toml::to_string(&file)?
            );
            write_new(&a.dir.join(format!("node{k}.toml")), &text)?;
        }
        members.push(m);
    }
    let genesis = GenesisFile {
        council: Default::default(),
        chain_id: a.chain_id.clone(),
        genesis_time_ms: now_ms(),
        hash: match a.crypto {
            Crypto::Standard => HashFunction::Blake3,
            Crypto::Sm => HashFunction::Sm3,
        },
        params: ParamsFile {
            registration_review: !a.no_review,
            ..ParamsFile::dev()
        },
        members,
    };
    genesis.to_pb().context("checking the new genesis")?;
    write_new(&a.dir.join("genesis.toml"), &genesis.to_toml()?)?;
    Ok(json!({
        "dir": a.dir,
        "chain_id": a.chain_id,
        "hash": genesis.hash.name(),
        "genesis": a.dir.join("genesis.toml"),
        "member_keys": keys,
        "nodes": nodes,
        "start": format!("scripts/devnet start --dir {}", a.dir.display()),
    }))
}

/// On an SM devnet, a new SM2 certificate key for node `k` in `keys`: its file (relative to
/// the devnet directory) and public key.
fn cert_key_file(
    crypto: Crypto,
    keys: &Path,
    k: usize,
) -> anyhow::Result<Option<(String, shuquan_proto::PublicKey)>> {
    if crypto != Crypto::Sm {
        return Ok(None);
    }
    let key = Keypair::generate_with(Scheme::Sm2)?;
    let name = format!("node{k}-cert.key");
    let path = keys.join(&name);
    if path.exists() {
        bail!("{} exists already", path.display());
    }
    key.write_file(&path)?;
    Ok(Some((format!("keys/{name}"), key.public())))
}

/// Adds a node to an existing devnet without touching its genesis: a new node key and
/// `nodeN.toml` on the next free ports. The node, once started, waits, refused by the
/// members, until the council adds it (`gov propose add-node`, printed here).
pub(crate) fn add_node(a: &AddNodeArgs) -> anyhow::Result<Value> {
    let genesis = a.dir.join("genesis.toml");
    if !genesis.exists() {
        bail!(
            "{} holds no devnet (no genesis.toml): create one with `shuquan devnet init`",
            a.dir.display()
        );
    }
    let mut existing: Vec<(u16, NodeFile)> = Vec::new();
    for e in std::fs::read_dir(&a.dir).with_context(|| format!("reading {}", a.dir.display()))? {
        let path = e?.path();
        let Some(n) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.strip_prefix("node"))
            .and_then(|s| s.parse::<u16>().ok())
        else {
            continue;
        };
        if path.extension().and_then(|s| s.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        let file: NodeFile =
            toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
        existing.push((n, file));
    }
    let Some((last_n, last)) = existing.iter().max_by_key(|(n, _)| *n) else {
        bail!("{} holds no node*.toml", a.dir.display());
    };
    let port_of = |addr: &str| -> anyhow::Result<u16> {
        addr.rsplit(['/', ':'])
            .next()
            .and_then(|p| p.parse().ok())
            .with_context(|| format!("no port in {addr:?}"))
    };
    let mut highest = 0;
    for (_, f) in &existing {
        highest = highest.max(port_of(&f.api)?).max(port_of(&f.p2p.listen)?);
    }
    let api_port = match a.api_port {
        Some(p) => p,
        None => highest
            .checked_add(1)
            .context("no port above the devnet's: give --api-port")?,
    };
    let p2p_port = match a.p2p_port {
        Some(p) => p,
        None => api_port
            .checked_add(1)
            .context("no port above --api-port: give --p2p-port")?,
    };
    let k = last_n + 1;
    let given = a.host.map(|h| h.to_string());
    let api_host = given
        .as_deref()
        .unwrap_or_else(|| last.api.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h));
    let p2p_host = given.as_deref().unwrap_or_else(|| {
        last.p2p
            .listen
            .strip_prefix("/ip4/")
            .and_then(|r| r.split('/').next())
            .unwrap_or("127.0.0.1")
    });
    let api = format!("{api_host}:{api_port}");
    let listen = format!("/ip4/{p2p_host}/tcp/{p2p_port}");
    // The nodes of the devnet now: the new node dials and allows them before its chain
    // knows them (a removed one just refuses it).
    let mut peers = Vec::new();
    for (_, f) in &existing {
        let key = crate::keys::public_key(&a.dir.join(&f.node_key))
            .with_context(|| format!("reading {}", f.node_key))?;
        peers.push(format!("{key}@{}", f.p2p.listen));
    }
    let key = Keypair::generate()?;
    let key_file = a.dir.join("keys").join(format!("node{k}.key"));
    if key_file.exists() {
        bail!("{} exists already", key_file.display());
    }
    key.write_file(&key_file)?;
    // An sm3 devnet's nodes certify with SM2 keys: the new one too.
    let genesis_text = std::fs::read_to_string(&genesis)
        .with_context(|| format!("reading {}", genesis.display()))?;
    let crypto = match GenesisFile::parse(&genesis_text)?.hash {
        HashFunction::Sm3 => Crypto::Sm,
        HashFunction::Blake3 => Crypto::Standard,
    };
    let cert_key = cert_key_file(crypto, &a.dir.join("keys"), usize::from(k))?;
    let propose_cert = cert_key
        .as_ref()
        .map(|(_, c)| format!(" --cert-key {c}"))
        .unwrap_or_default();
    let file = NodeFile {
        data_dir: format!("node{k}"),
        genesis: "genesis.toml".into(),
        node_key: format!("keys/node{k}.key"),
        cert_key: cert_key.as_ref().map(|(f, _)| f.clone()),
        api: api.clone(),
        p2p: P2pFile {
            listen: listen.clone(),
            peers,
        },
        raft: None,
    };
    let text = format!(
        "# shuquand --config node{k}.toml  (a node added after genesis: it joins once the council adds it)\n{}",
        toml::to_string(&file)?
    );
    write_new(&a.dir.join(format!("node{k}.toml")), &text)?;
    Ok(json!({
        "node": k,
        "config": a.dir.join(format!("node{k}.toml")),
        "node_key": key.public(),
        "cert_key": cert_key.map(|(_, c)| c),
        "addr": listen,
        "api": format!("http://{api}"),
        "start": format!("target/release/shuquand --config {}", a.dir.join(format!("node{k}.toml")).display()),
        "propose": format!("shuquan gov propose add-node --key {} --addr {listen} --operator MEMBER{propose_cert}", key.public()),
    }))
}

/// The API URL of every node configuration (`node*.toml`) in a devnet directory.
pub(crate) fn node_urls(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "reading {} (create it with `shuquan devnet init`)",
            dir.display()
        )
    })?;
    for e in entries {
        let path = e?.path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        if !name.starts_with("node") || path.extension().and_then(|s| s.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        let table: toml::Table =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let api = table
            .get("api")
            .and_then(|v| v.as_str())
            .with_context(|| format!("{} has no api key", path.display()))?;
        out.push((name, format!("http://{api}")));
    }
    out.sort_by_key(|(name, _)| name[4..].parse::<u32>().unwrap_or(u32::MAX));
    if out.is_empty() {
        bail!("no node*.toml in {}", dir.display());
    }
    Ok(out)
}

/// Every node's status; an unreachable node is reported, not fatal.
pub(crate) fn statuses(dir: &Path) -> anyhow::Result<Vec<Value>> {
    let mut rows = Vec::new();
    for (name, url) in node_urls(dir)? {
        let row = match Client::new(&url).get::<Value>("/v1/status") {
            Ok(mut s) => {
                if let Some(obj) = s.as_object_mut() {
                    obj.insert("node".into(), json!(name));
                    obj.insert("url".into(), json!(url));
                }
                s
            }
            Err(e) => json!({"node": name, "url": url, "role": "down", "error": format!("{e:#}")}),
        };
        rows.push(row);
    }
    Ok(rows)
}

/// One line per node: role, term, height, last block hash, leader, peers.
pub(crate) fn status_table(rows: &[Value]) -> String {
    let mut out = format!(
        "{:<7} {:<24} {:<9} {:>5} {:>8}  {:<16} {:>6} {:>5}\n",
        "NODE", "API", "ROLE", "TERM", "HEIGHT", "LAST BLOCK", "LEADER", "PEERS"
    );
    for r in rows {
        let s = |k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or("-").to_string();
        let u = |k: &str| {
            r.get(k)
                .and_then(|v| v.as_u64())
                .map_or("-".into(), |v| v.to_string())
        };
        let hash = s("last_block_hash");
        let peers = r
            .get("peers")
            .and_then(|p| p.as_array())
            .map_or("-".into(), |p| p.len().to_string());
        out.push_str(&format!(
            "{:<7} {:<24} {:<9} {:>5} {:>8}  {:<16} {:>6} {:>5}\n",
            s("node"),
            s("url"),
            s("role"),
            u("term"),
            u("height"),
            hash.get(..16).unwrap_or(&hash),
            u("leader_id"),
            peers
        ));
    }
    out
}
