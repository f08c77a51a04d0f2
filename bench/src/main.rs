//! `shuquan-bench`: Shuquan against etcd, side by side, on this machine (`scripts/bench`).
//!
//! `compare` starts a fresh 3-member etcd cluster and a fresh 3-node Shuquan devnet for each
//! concurrency level, one system at a time, drives each with the same number of closed-loop
//! clients for the same time, reads the servers' CPU, peak memory and disk writes from
//! `/proc`, stops them by PID, and prints one table (and JSON with `--json`).
//! `load` drives a running devnet with the same Shuquan workload.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};

use shuquan_bench::report::{Level, Report};
use shuquan_bench::servers::{self, Servers};
use shuquan_bench::stats::{self, Stats};
use shuquan_bench::{etcd_load, fill, procstat, shuquan_load, workload};

#[derive(Parser, Debug)]
#[command(name = "shuquan-bench", about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run etcd and Shuquan one after the other at each concurrency level and print the
    /// side-by-side table.
    ///
    /// Example: shuquan-bench compare --clients 1,16,64,256 --secs 15 --json bench.json
    Compare(CompareArgs),
    /// Drive a running devnet (from `shuquan devnet init`) with the benchmark workload.
    ///
    /// Example: shuquan-bench load --devnet .shuquan-devnet --clients 64 --secs 10
    Load(LoadArgs),
    /// Build a ledger of many transactions through the real executor (no network, no
    /// Raft), then report bytes written and stored per transaction, the time to reopen
    /// it and query latencies. Progress goes to stderr, the report (JSON) to stdout.
    ///
    /// Example: shuquan-bench fill --dir /tmp/fill --txs 1000000
    Fill(FillCli),
}

#[derive(clap::Args, Debug)]
struct FillCli {
    /// A new (or empty) directory for the genesis file and the ledger.
    #[arg(long)]
    dir: PathBuf,
    /// Transactions to commit (rounded up to whole blocks).
    #[arg(long, default_value_t = 100_000)]
    txs: u64,
    /// Transactions per block (rounded down to whole asset lives of 5).
    #[arg(long, default_value_t = 100)]
    block_txs: usize,
    /// Member institutions in the genesis.
    #[arg(long, default_value_t = 100)]
    members: usize,
    /// Queries of each kind timed at the end.
    #[arg(long, default_value_t = 1000)]
    queries: usize,
    /// Also measure a node joining the filled chain: state snapshot out and in, then block
    /// sync of every block (in this process).
    #[arg(long)]
    catch_up: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
enum System {
    Shuquan,
    Etcd,
}

/// Which Shuquan devnets a comparison runs.
#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
enum Crypto {
    /// BLAKE3 and ed25519 only.
    Standard,
    /// Also, in the same run, a devnet on the national algorithms (SM3, SM2 certificate
    /// keys, the workload signed with SM2), for the SM/standard ratios.
    Sm,
}

#[derive(clap::Args, Debug)]
struct CompareArgs {
    /// Concurrency levels, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64,256")]
    clients: Vec<usize>,
    /// Measured seconds per system and level.
    #[arg(long, default_value_t = 15)]
    secs: u64,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Member institutions (keys) in the Shuquan bench genesis.
    #[arg(long, default_value_t = 1000)]
    members: usize,
    /// Run only this system.
    #[arg(long)]
    only: Option<System>,
    /// The etcd server binary.
    #[arg(long, default_value = "etcd")]
    etcd: String,
    /// `sm`: also run Shuquan on the national algorithms beside the default, one after the
    /// other at each level, and report SM/standard ratios.
    #[arg(long, value_enum, default_value_t = Crypto::Standard)]
    crypto: Crypto,
}

#[derive(clap::Args, Debug)]
struct LoadArgs {
    /// The devnet directory (its node*.toml, genesis.toml and keys/).
    #[arg(long, default_value = ".shuquan-devnet")]
    devnet: PathBuf,
    /// Concurrent clients, each waiting for its transaction to commit.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// How long to run, seconds.
    #[arg(long, default_value_t = 10)]
    secs: u64,
}

/// Transactions to sign per client: enough for a run at `ceiling` tx/s.
fn per_client(secs: u64, clients: usize, ceiling: u64) -> usize {
    let total = usize::try_from(secs.saturating_mul(ceiling)).unwrap_or(usize::MAX);
    (total / clients.max(1)).max(20 * workload::PER_ASSET)
}

/// The same workload's mean transaction size, from a small sample.
fn tx_size() -> anyhow::Result<usize> {
    let chain = shuquan_proto::tx::ChainRef {
        id: "shuquan-bench".into(),
        genesis_hash: shuquan_proto::Hash32::ZERO,
        hash: Default::default(),
    };
    let keys = [
        workload::Member::new(&chain, "org1", shuquan_proto::Keypair::generate()?),
        workload::Member::new(&chain, "org3", shuquan_proto::Keypair::generate()?),
    ];
    Ok(workload::build(&chain, "CN", &keys, 1, 50)?.mean_bytes())
}

fn measure(
    servers: &Servers,
    run: impl FnOnce() -> anyhow::Result<stats::Sample>,
) -> anyhow::Result<Stats> {
    let pids = servers.pids();
    let members = pids.len().max(1) as u64;
    let stored_before = procstat::dir_bytes(servers.dir.path());
    let before = procstat::read_all(&pids)?;
    let sample = run()?;
    let after = procstat::read_all(&pids)?;
    let stored = procstat::dir_bytes(servers.dir.path()).saturating_sub(stored_before) / members;
    let (cpu, bytes, mib) = procstat::delta(&before, &after);
    Ok(Stats::new(sample, cpu, bytes, stored, mib))
}

fn one_level(a: &CompareArgs, system: System, sm: bool, clients: usize) -> anyhow::Result<Stats> {
    let bin_dir = std::env::current_exe()?
        .parent()
        .context("the binary's directory")?
        .to_path_buf();
    match system {
        System::Etcd => {
            let size = tx_size()?;
            let mut s = Servers::etcd(&a.etcd, 3)?;
            let urls = s.urls.clone();
            let stats = measure(&s, || etcd_load::run(&urls, clients, size, a.secs))?;
            s.stop();
            Ok(stats)
        }
        System::Shuquan => {
            let (mut s, net) = Servers::shuquan(&bin_dir, 3, a.members, sm)?;
            let work = workload::build(
                &net.chain,
                &net.home,
                &net.keys,
                clients,
                per_client(a.secs, clients, 6_000),
            )?;
            let urls = s.urls.clone();
            let stats = measure(&s, || Ok(shuquan_load::run(&urls, work.per_client, a.secs)))?;
            s.stop();
            Ok(stats)
        }
    }
}

fn compare(a: &CompareArgs) -> anyhow::Result<Report> {
    if a.clients.is_empty() || a.clients.contains(&0) || a.secs == 0 {
        bail!("give positive --clients levels and --secs");
    }
    // (system, on the national algorithms)
    let mut runs: Vec<(System, bool)> = [System::Etcd, System::Shuquan]
        .into_iter()
        .filter(|s| a.only.is_none_or(|o| o == *s))
        .map(|s| (s, false))
        .collect();
    if a.crypto == Crypto::Sm && a.only != Some(System::Etcd) {
        runs.push((System::Shuquan, true));
    }
    let mut results: Vec<[Option<Stats>; 3]> = vec![[None, None, None]; a.clients.len()];
    for (system, sm) in runs {
        let name = if sm {
            "Shuquan-SM".to_string()
        } else {
            format!("{system:?}")
        };
        for (i, &clients) in a.clients.iter().enumerate() {
            eprintln!("{name}: {clients} clients for {} s ...", a.secs);
            let st = one_level(a, system, sm, clients)
                .with_context(|| format!("{name} at {clients} clients"))?;
            eprintln!(
                "{name}: {clients} clients: {:.0} ops/s, p99 {:.2} ms, {} errors",
                st.tps, st.p99_ms, st.errors
            );
            let slot = match (system, sm) {
                (System::Shuquan, false) => 0,
                (System::Etcd, _) => 1,
                (System::Shuquan, true) => 2,
            };
            results[i][slot] = Some(st);
        }
    }
    Ok(Report {
        levels: a
            .clients
            .iter()
            .zip(results)
            .map(|(&c, [s, e, sm])| Level::new(c, s, e).with_sm(sm))
            .collect(),
    })
}

fn load(a: &LoadArgs) -> anyhow::Result<()> {
    let net = servers::devnet_chain(&a.devnet)?;
    let mut urls = Vec::new();
    for i in 1.. {
        let Ok(cfg) = std::fs::read_to_string(a.devnet.join(format!("node{i}.toml"))) else {
            break;
        };
        let api = cfg
            .lines()
            .find_map(|l| l.strip_prefix("api = "))
            .context("a node*.toml without api")?;
        urls.push(format!("http://{}", api.trim_matches('"')));
    }
    if urls.is_empty() || a.clients == 0 {
        bail!("no node*.toml in {}, or no clients", a.devnet.display());
    }
    eprintln!(
        "signing for {} clients over {} member keys ...",
        a.clients,
        net.keys.len()
    );
    let work = workload::build(
        &net.chain,
        &net.home,
        &net.keys,
        a.clients,
        per_client(a.secs, a.clients, 6_000),
    )?;
    eprintln!(
        "running {} clients for {} s against {} node(s) ...",
        a.clients,
        a.secs,
        urls.len()
    );
    let st = Stats::new(
        shuquan_load::run(&urls, work.per_client, a.secs),
        0,
        0,
        0,
        0.0,
    );
    println!(
        "{}",
        serde_json::json!({
            "clients": a.clients, "tps": st.tps, "p50_ms": st.p50_ms, "p99_ms": st.p99_ms,
            "p999_ms": st.p999_ms, "errors": st.errors,
        })
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Compare(a) => {
            let report = compare(&a)?;
            println!("{}", report.markdown());
            if let Some(path) = &a.json {
                std::fs::write(path, serde_json::to_string_pretty(&report)?)
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            Ok(())
        }
        Cmd::Load(a) => load(&a),
        Cmd::Fill(a) => {
            let report = fill::fill(&fill::FillArgs {
                dir: a.dir,
                txs: a.txs,
                block_txs: a.block_txs,
                members: a.members,
                queries: a.queries,
                catch_up: a.catch_up,
            })?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
    }
}
