//! `shuquand`: the Shuquan node daemon.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Parser;
use shuquan_node::api::{self, App};
use shuquan_node::dev;
use shuquan_node::ledger::Ledger;
use shuquan_node::mempool::Mempool;
use shuquan_node::producer::{self, LocalSequencer};
use shuquan_proto::genesis::GenesisFile;
use shuquan_proto::Keypair;
use tokio::sync::{broadcast, watch};

/// The Shuquan node: keeps the data-rights ledger and serves its API.
///
/// Start a single-node development chain with `shuquand --dev`: it creates a data
/// directory with four member keys (org1, org2, regulator, auditor) and a genesis, then
/// serves the API on 127.0.0.1:7070. Stop it with Ctrl-C; start it again to continue the
/// same chain.
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
struct Args {
    /// Run a single-node development chain (creates keys and genesis on first start).
    #[arg(long)]
    dev: bool,
    /// Data directory (chain, state, and with --dev the keys and genesis).
    #[arg(long, env = "SHUQUAN_DATA_DIR", default_value = ".shuquan-dev")]
    data_dir: PathBuf,
    /// Address of the HTTP API.
    #[arg(long, env = "SHUQUAN_API", default_value = "127.0.0.1:7070")]
    api: SocketAddr,
    /// Genesis file (TOML or JSON), without --dev.
    #[arg(long, env = "SHUQUAN_GENESIS")]
    genesis: Option<PathBuf>,
    /// This node's key file, without --dev.
    #[arg(long, env = "SHUQUAN_NODE_KEY")]
    node_key: Option<PathBuf>,
    /// Most transactions waiting for a block; more are refused with HTTP 503.
    #[arg(long, env = "SHUQUAN_MEMPOOL", default_value_t = 50_000)]
    mempool: usize,
    /// How long the producer waits for more transactions before sealing a block (ms).
    #[arg(long, env = "SHUQUAN_LINGER_MS", default_value_t = 2)]
    linger_ms: u64,
    /// Log format: text or json (filter with RUST_LOG).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    init_logs(&args.log_format);
    let (genesis, node_key) = if args.dev {
        let setup = dev::prepare(&args.data_dir)
            .with_context(|| format!("preparing the dev chain in {}", args.data_dir.display()))?;
        eprintln!(
            "dev chain {:?} in {}",
            setup.genesis.chain_id,
            args.data_dir.display()
        );
        for (id, path) in &setup.key_files {
            let key = Keypair::read_file(path)?;
            eprintln!("  {id:<10} {}  {}", key.public(), path.display());
        }
        (setup.genesis, setup.node_key)
    } else {
        let (Some(g), Some(k)) = (&args.genesis, &args.node_key) else {
            bail!("give --genesis FILE and --node-key FILE, or run a development chain with --dev");
        };
        let text =
            std::fs::read_to_string(g).with_context(|| format!("reading {}", g.display()))?;
        (GenesisFile::parse(&text)?, Keypair::read_file(k)?)
    };
    let genesis = genesis.to_pb().context("checking the genesis")?;
    let db_dir = args.data_dir.join("ledger");
    let ledger = Arc::new(Ledger::open(&db_dir, genesis).context("opening the ledger")?);
    let applied = ledger.applied()?;
    tracing::info!(
        height = applied.height,
        chain = ledger.chain_id(),
        "ledger opened"
    );

    let mempool = Arc::new(Mempool::new(args.mempool));
    let (events, _) = broadcast::channel(1024);
    let (stop_tx, stop_rx) = watch::channel(false);
    let cfg = producer::Config {
        linger: Duration::from_millis(args.linger_ms),
        max_block_txs: ledger.params().max_block_txs as usize,
        proposer: node_key.public(),
    };
    let sequencer = Arc::new(LocalSequencer::new(ledger.clone()));
    let durable = Arc::new(AtomicU64::new(applied.height));
    let producer = tokio::spawn(producer::run(
        cfg,
        mempool.clone(),
        sequencer,
        events.clone(),
        durable.clone(),
        stop_rx,
    ));

    let app = Arc::new(App {
        ledger: ledger.clone(),
        mempool,
        events,
        node_key: node_key.public(),
        durable,
        max_wait: Duration::from_secs(30),
    });
    let listener = tokio::net::TcpListener::bind(args.api)
        .await
        .with_context(|| {
            format!(
                "binding the API to {}: is another node running there? choose another with --api",
                args.api
            )
        })?;
    eprintln!("API listening on http://{}", args.api);
    let server = axum::serve(listener, api::router(app)).with_graceful_shutdown(stop_signal());
    tokio::select! {
        r = server => r.context("API server")?,
        r = producer => {
            r.context("block producer task")?.context("block producer stopped")?;
        }
    }
    let _ = stop_tx.send(true);
    ledger.flush()?;
    tracing::info!("stopped");
    Ok(())
}
