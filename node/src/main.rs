//! `shuquand`: the Shuquan node daemon.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Parser;
use shuquan_node::config::NodeConfig;
use shuquan_node::daemon::Daemon;
use shuquan_node::dev;
use shuquan_proto::genesis::GenesisFile;

/// The Shuquan node: keeps the data-rights ledger with the other member nodes (Raft over
/// libp2p) and serves its API.
///
/// A member node runs from one TOML file: `shuquand --config node1.toml` (write a local
/// three-node devnet's files with `shuquan devnet init`). Settings come, lowest first, from
/// defaults, the file, `SHUQUAN_*` environment variables (`raft.snapshot_every` ←
/// `SHUQUAN_RAFT_SNAPSHOT_EVERY`) and flags (`--set raft.snapshot_every=100`).
///
/// `shuquand --dev` starts a one-member development chain instead: it creates a data
/// directory with four member keys (org1, org2, regulator, auditor) and a genesis, then
/// serves the API on 127.0.0.1:7070. Stop it with Ctrl-C; start it again to continue the
/// same chain.
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
struct Args {
    /// The node's TOML configuration file.
    #[arg(long, short = 'c')]
    config: Option<PathBuf>,
    /// Run a one-member development chain (creates keys and genesis on first start;
    /// data directory `.shuquan-dev` unless set).
    #[arg(long)]
    dev: bool,
    /// With --dev, on the first start: certify registrations in their own block, without
    /// the registrar's review and the 10 s public notice (`registration_review = false`).
    #[arg(long, requires = "dev")]
    no_review: bool,
    /// Data directory (key `data_dir`).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Address of the HTTP API (key `api`), e.g. 127.0.0.1:7070.
    #[arg(long)]
    api: Option<String>,
    /// Genesis file, TOML or JSON (key `genesis`; not with --dev).
    #[arg(long)]
    genesis: Option<PathBuf>,
    /// This node's key file (key `node_key`; not with --dev).
    #[arg(long)]
    node_key: Option<PathBuf>,
    /// The key file this node signs block certificates with, when the genesis (or the
    /// add-node proposal) names one for it, as SM chains do (key `cert_key`).
    #[arg(long)]
    cert_key: Option<PathBuf>,
    /// A file holding the node key's passphrase, if the key file is encrypted (key
    /// `key_passphrase_file`; else SHUQUAN_KEY_PASSPHRASE, else a prompt when stdin is a
    /// terminal).
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Multiaddr to listen on for member nodes (key `p2p.listen`).
    #[arg(long)]
    p2p_listen: Option<String>,
    /// Log format: text or json (key `log_format`; filter with RUST_LOG).
    #[arg(long, value_parser = ["text", "json"])]
    log_format: Option<String>,
    /// Set any configuration key: `--set mempool.size=1000` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Write this program's man page, shuquand.8, into DIR and exit (`shuquan man` writes
    /// the CLI's).
    #[arg(long, value_name = "DIR")]
    man_dir: Option<PathBuf>,
}

/// `--man-dir DIR`: the man page in section 8 (system daemons), from the same definition
/// as `--help`.
fn write_man_page(dir: &Path) -> anyhow::Result<()> {
    use clap::CommandFactory;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // The package is `shuquan-node`; the program and its page are `shuquand`.
    let man = clap_mangen::Man::new(Args::command().name("shuquand"))
        .section("8")
        .manual("Shuquan Manual");
    let path = man
        .generate_to(dir)
        .with_context(|| format!("writing the man page into {}", dir.display()))?;
    println!("{}", path.display());
    Ok(())
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The configuration: file, environment, then flags (the named flags are `--set`s).
fn load_config(args: &Args) -> anyhow::Result<NodeConfig> {
    let mut sets = Vec::new();
    let path = |p: &PathBuf| p.display().to_string();
    let named = [
        ("data_dir", args.data_dir.as_ref().map(path)),
        ("api", args.api.clone()),
        ("genesis", args.genesis.as_ref().map(path)),
        ("node_key", args.node_key.as_ref().map(path)),
        ("cert_key", args.cert_key.as_ref().map(path)),
        (
            "key_passphrase_file",
            args.passphrase_file.as_ref().map(path),
        ),
        ("p2p.listen", args.p2p_listen.clone()),
        ("log_format", args.log_format.clone()),
    ];
    for (key, value) in named {
        if let Some(v) = value {
            sets.push(format!("{key}={v}"));
        }
    }
    sets.extend(args.sets.iter().cloned());
    let mut cfg = NodeConfig::load(args.config.as_deref(), std::env::vars(), &sets)?;
    if args.dev {
        let defaults = NodeConfig::default();
        if cfg.data_dir == defaults.data_dir {
            cfg.data_dir = PathBuf::from(".shuquan-dev");
        }
        if cfg.p2p.listen == defaults.p2p.listen {
            // One member: nobody dials in, so any free port will do.
            cfg.p2p.listen = "/ip4/127.0.0.1/tcp/0".into();
        }
    }
    cfg.validate()?;
    Ok(cfg)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(dir) = &args.man_dir {
        return write_man_page(dir);
    }
    let cfg = load_config(&args)?;
    init_logs(&cfg.log_format);
    let passphrase_file =
        Some(cfg.key_passphrase_file.clone()).filter(|p| !p.as_os_str().is_empty());
    let passphrases = shuquan_keystore::Passphrases::from_env(passphrase_file);
    let (genesis, node_key) = if args.dev {
        let setup = dev::prepare(&cfg.data_dir, !args.no_review, &passphrases)
            .with_context(|| format!("preparing the dev chain in {}", cfg.data_dir.display()))?;
        eprintln!(
            "dev chain {:?} in {}",
            setup.genesis.chain_id,
            cfg.data_dir.display()
        );
        for (id, path) in &setup.key_files {
            let key = shuquan_keystore::public_key(path, &passphrases)?;
            eprintln!("  {id:<10} {key}  {}", path.display());
        }
        (setup.genesis, setup.node_key)
    } else {
        if cfg.genesis.as_os_str().is_empty() || cfg.node_key.as_os_str().is_empty() {
            bail!(
                "no genesis or node key: give --config FILE (see `shuquan devnet init`), \
                 or --genesis FILE and --node-key FILE, or run a development chain with --dev"
            );
        }
        let text = std::fs::read_to_string(&cfg.genesis)
            .with_context(|| format!("reading the genesis {}", cfg.genesis.display()))?;
        let genesis = GenesisFile::parse(&text)
            .with_context(|| format!("parsing the genesis {}", cfg.genesis.display()))?;
        let key = shuquan_keystore::load(&cfg.node_key, &passphrases)
            .with_context(|| format!("reading the node key {}", cfg.node_key.display()))?;
        (genesis, key)
    };
    let cert_key = if cfg.cert_key.as_os_str().is_empty() {
        None
    } else {
        Some(
            shuquan_keystore::load(&cfg.cert_key, &passphrases).with_context(|| {
                format!("reading the certificate key {}", cfg.cert_key.display())
            })?,
        )
    };
    let genesis = genesis.to_pb().context("checking the genesis")?;
    let listener = tokio::net::TcpListener::bind(&cfg.api.listen)
        .await
        .with_context(|| {
            format!(
                "binding the API to {}: is another node running there? choose another with --api",
                cfg.api.listen
            )
        })?;
    let daemon = Daemon::start(&cfg, genesis, node_key, cert_key)
        .await
        .context("starting the node")?;
    let scheme = cfg.api.tls().map_or("http", |_| "https");
    eprintln!("API listening on {scheme}://{}", cfg.api.listen);
    daemon.serve(listener, stop_signal()).await?;
    Ok(())
}
