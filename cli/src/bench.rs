//! `shuquan bench load`: a closed-loop load generator. Each client submits pre-signed
//! registrations (signed before the clock starts) to one node of the list and waits for
//! commit (`?wait=commit`) before sending the next; at the end it reports committed
//! transactions per second, latency percentiles and errors.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use serde_json::{json, Value};
use shuquan_proto::{pb, Keypair};

/// Options of `shuquan bench load`.
#[derive(Debug, Args)]
pub(crate) struct LoadArgs {
    /// Node API URLs, comma separated; client i sends to node i mod N.
    #[arg(long, value_delimiter = ',', required = true)]
    nodes: Vec<String>,
    /// Concurrent clients, each waiting for its transaction to commit.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// How long to run, seconds.
    #[arg(long, default_value_t = 10)]
    secs: u64,
    /// The chain id to sign for.
    #[arg(long, default_value = "shuquan-devnet")]
    chain_id: String,
    /// Pre-signed transactions per client (the run stops early when they run out).
    #[arg(long, default_value_t = 20_000)]
    per_client: usize,
}

fn registration(seed: u64, client: usize, n: usize) -> pb::tx_body::Payload {
    let fp = blake3::hash(format!("bench {seed} {client} {n}").as_bytes());
    pb::tx_body::Payload::RegisterAsset(pb::RegisterAsset {
        fingerprint: fp.as_bytes().to_vec(),
        size_bytes: 1 << 20,
        name: format!("bench data set {client}-{n}"),
        grade: pb::Grade::General as i32,
        origin: pb::Origin::Enterprise as i32,
        jurisdiction: "CN".into(),
        delivery_modes: vec![pb::DeliveryMode::Compute as i32],
        ..Default::default()
    })
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Runs the load and returns the report.
pub(crate) fn load(a: &LoadArgs, key: &Keypair) -> anyhow::Result<Value> {
    if a.clients == 0 || a.nodes.is_empty() {
        bail!("give at least one client and one node");
    }
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let now = seed / 1_000_000;
    let per = a
        .per_client
        .min(usize::try_from(a.secs * 5_000).unwrap_or(usize::MAX))
        .max(1);
    eprintln!("signing {} transactions...", per * a.clients);
    let batches: Vec<Vec<Vec<u8>>> = (0..a.clients)
        .map(|c| {
            (0..per)
                .map(|n| {
                    shuquan_proto::tx::sign_all(
                        &a.chain_id,
                        now,
                        key,
                        &[],
                        registration(seed, c, n),
                    )
                })
                .collect()
        })
        .collect();
    eprintln!(
        "running {} clients for {} s against {} node(s)...",
        a.clients,
        a.secs,
        a.nodes.len()
    );
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.secs);
    let mut workers = Vec::new();
    for (c, txs) in batches.into_iter().enumerate() {
        let url = format!(
            "{}/v1/tx?wait=commit",
            a.nodes[c % a.nodes.len()].trim_end_matches('/')
        );
        let stop = stop.clone();
        workers.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .into();
            let mut lat = Vec::with_capacity(txs.len());
            let mut errors = 0u64;
            for raw in txs {
                if stop.load(Ordering::Relaxed) || Instant::now() >= deadline {
                    break;
                }
                let t = Instant::now();
                let ok = agent
                    .post(&url)
                    .header("content-type", "application/x-protobuf")
                    .send(&raw[..])
                    .is_ok_and(|r| r.status().as_u16() == 200);
                if ok {
                    lat.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w
            .join()
            .map_err(|_| anyhow::anyhow!("a client thread panicked"))?;
        lat.extend(l);
        errors += e;
    }
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort();
    let committed = lat.len();
    Ok(json!({
        "clients": a.clients,
        "secs": elapsed,
        "committed": committed,
        "tps": committed as f64 / elapsed,
        "p50_ms": percentile(&lat, 0.50),
        "p99_ms": percentile(&lat, 0.99),
        "p999_ms": percentile(&lat, 0.999),
        "errors": errors,
    }))
}

/// The signing key from `--key`.
pub(crate) fn key(path: Option<&std::path::Path>) -> anyhow::Result<Keypair> {
    let path = path.context("give --key FILE: the member key that signs the load")?;
    Ok(Keypair::read_file(path)?)
}
