//! `shuquan-bench fill`: a ledger of many transactions, built quickly through the real
//! executor, so storage and query figures can be measured without days of load.
//!
//! A generator thread signs blocks of the benchmark workload (asset lives: register, grant,
//! three usage records) for the chain's CN members while the main thread applies them with
//! [`Ledger::apply_blocks_with`] and strict signature checks, as a node re-executing a chain
//! would. It then reports the bytes written and stored per transaction, the time to reopen
//! the ledger, the latency of the `asset`, `history` and `grants` queries, and what a node
//! joining this chain would spend: the state snapshot's size and the time to build and
//! install it, and the rate block sync stores the chain's blocks at (all in this process,
//! no network).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde::Serialize;
use shuquan_ledger::{verdicts::Strict, GrantsOf, Ledger, Page};
use shuquan_proto::genesis::{dev_member, GenesisFile, ParamsFile};
use shuquan_proto::tx::ChainRef;
use shuquan_proto::{pb, Hash32, Keypair};

use crate::procstat::dir_bytes;
use crate::workload::{self, PER_ASSET};

/// What to build.
#[derive(Debug, Clone)]
pub struct FillArgs {
    /// A new directory: the genesis file and the ledger go there.
    pub dir: PathBuf,
    /// Transactions to commit (rounded up to whole blocks).
    pub txs: u64,
    /// Transactions per block (rounded down to whole asset lives).
    pub block_txs: usize,
    /// Member institutions in the genesis.
    pub members: usize,
    /// Queries of each kind to time at the end.
    pub queries: usize,
    /// Also measure a node joining by state snapshot and block sync.
    pub catch_up: bool,
}

/// What joining the filled chain costs a new node.
#[derive(Debug, Clone, Serialize)]
pub struct CatchUp {
    /// Bytes of the state snapshot.
    pub snapshot_bytes: u64,
    /// Seconds to write it.
    pub export_secs: f64,
    /// Seconds to install it (state ready).
    pub install_secs: f64,
    /// Blocks and transactions stored by block sync, and its rate.
    pub synced_blocks: u64,
    /// Transactions in them.
    pub synced_txs: u64,
    /// Transactions per second block sync stored.
    pub sync_tx_per_s: f64,
}

/// Latency of one query kind, ms.
#[derive(Debug, Clone, Serialize)]
pub struct QueryTimes {
    /// Query name.
    pub query: &'static str,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
}

/// What a fill measured.
#[derive(Debug, Clone, Serialize)]
pub struct FillReport {
    /// Transactions committed.
    pub txs: u64,
    /// Of which failed (the workload expects none).
    pub failed: u64,
    /// Blocks.
    pub blocks: u64,
    /// Seconds spent applying (signing runs beside it).
    pub secs: f64,
    /// Transactions applied per second.
    pub tx_per_s: f64,
    /// Bytes this process caused to be written to storage, per transaction.
    pub written_per_tx: f64,
    /// Size of the ledger directory at the end, per transaction.
    pub stored_per_tx: f64,
    /// Size of the ledger directory at the end, bytes.
    pub stored_bytes: u64,
    /// Seconds to open the ledger again.
    pub reopen_secs: f64,
    /// Query latencies on the filled ledger.
    pub queries: Vec<QueryTimes>,
    /// A node joining it, if measured.
    pub catch_up: Option<CatchUp>,
}

/// The CN institutions with the member role of a dev genesis of `n` members: `org1`, then
/// `org3`, `org4`, ... (`org2` is abroad, the regulator and auditor sign no lives).
fn workers(n: usize) -> Vec<usize> {
    (0..n)
        .filter(|&i| i == 0 || i >= shuquan_proto::genesis::DEV_MEMBERS.len())
        .collect()
}

fn genesis(dir: &Path, keys: &[Keypair]) -> anyhow::Result<pb::Genesis> {
    let file = GenesisFile {
        council: Default::default(),
        chain_id: "shuquan-fill".into(),
        genesis_time_ms: workload::now_ms(),
        hash: Default::default(),
        // The bench measures the rules, not the registrar: registrations certify at once.
        params: ParamsFile {
            registration_review: false,
            ..ParamsFile::default()
        },
        members: keys
            .iter()
            .enumerate()
            .map(|(i, k)| dev_member(i, k.public()))
            .collect(),
    };
    std::fs::write(dir.join("genesis.toml"), file.to_toml()?)
        .with_context(|| format!("writing {}", dir.join("genesis.toml").display()))?;
    Ok(file.to_pb()?)
}

/// One block of lives, and the assets it registers.
struct Batch {
    txs: Vec<Vec<u8>>,
    assets: Vec<Hash32>,
}

/// Signs `blocks` blocks of `lives` asset lives each into `out`.
fn generate(
    chain: &ChainRef,
    keys: &[workload::Member],
    blocks: u64,
    lives: usize,
    out: mpsc::SyncSender<Batch>,
) -> Result<(), shuquan_proto::Error> {
    let who = workers(keys.len());
    let seed = workload::now_ms();
    let mut n = 0usize;
    for _ in 0..blocks {
        let c = workload::Chain {
            id: chain,
            home: "CN",
            now_ms: workload::now_ms(),
            seed,
        };
        let mut batch = Batch {
            txs: Vec::with_capacity(lives * PER_ASSET),
            assets: Vec::with_capacity(lives),
        };
        for _ in 0..lives {
            let h = who[n % who.len()];
            let g = who[(n / who.len() + 1 + n) % who.len()];
            let g = if g == h { who[(n + 1) % who.len()] } else { g };
            let life = workload::life(&c, &keys[h], &keys[g], &n.to_string())?;
            if let Some(reg) = life.first() {
                let body = <pb::TxRaw as prost::Message>::decode(reg.as_slice())
                    .map(|r| r.body)
                    .unwrap_or_default();
                batch.assets.push(
                    chain
                        .hash
                        .asset_id(&chain.id, &chain.hash.tx_id(&chain.id, &body)),
                );
            }
            batch.txs.extend(life);
            n += 1;
        }
        if out.send(batch).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// Bytes this process has caused to be written to storage (`/proc/self/io`).
fn written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("write_bytes:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

fn times(query: &'static str, mut ms: Vec<f64>) -> QueryTimes {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| {
        ms.get(((ms.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    QueryTimes {
        query,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
    }
}

/// Runs `f` on each of `items`, timing each call.
fn time_each<T>(
    items: &[T],
    mut f: impl FnMut(&T) -> anyhow::Result<usize>,
) -> anyhow::Result<Vec<f64>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let t = Instant::now();
        let found = f(item)?;
        out.push(t.elapsed().as_secs_f64() * 1e3);
        if found == 0 {
            bail!("a query of the filled ledger found nothing");
        }
    }
    Ok(out)
}

fn query_times(
    ledger: &Ledger,
    assets: &[Hash32],
    grantees: &[workload::Member],
) -> anyhow::Result<Vec<QueryTimes>> {
    let q = ledger.queries();
    let asset = time_each(assets, |a| Ok(q.asset(a)?.map_or(0, |_| 1)))?;
    let history = time_each(assets, |a| Ok(q.history(a)?.len()))?;
    let grants = time_each(assets, |a| {
        Ok(q.grants(GrantsOf::Asset(a), None, Page::default())?.len())
    })?;
    let grantee = time_each(grantees, |k| {
        Ok(q.grants(GrantsOf::Grantee(&k.id), None, Page::default())?
            .len())
    })?;
    Ok(vec![
        times("asset", asset),
        times("history", history),
        times("grants of an asset", grants),
        times("grants to a member", grantee),
    ])
}

/// Builds the ledger and measures it.
pub fn fill(a: &FillArgs) -> anyhow::Result<FillReport> {
    if a.txs == 0 || a.block_txs < PER_ASSET || a.queries == 0 {
        bail!("give --txs > 0, --block-txs ≥ {PER_ASSET} and --queries > 0");
    }
    if a.members < shuquan_proto::genesis::DEV_MEMBERS.len() + 2 {
        bail!(
            "give --members ≥ {} (three CN institutions to register, grant and use)",
            shuquan_proto::genesis::DEV_MEMBERS.len() + 2
        );
    }
    if a.dir.exists() && std::fs::read_dir(&a.dir)?.next().is_some() {
        bail!("{} is not empty: fill builds a new ledger", a.dir.display());
    }
    std::fs::create_dir_all(&a.dir).with_context(|| format!("creating {}", a.dir.display()))?;
    let keys = (0..a.members)
        .map(|_| Keypair::generate())
        .collect::<Result<Vec<_>, _>>()?;
    let genesis = genesis(&a.dir, &keys)?;
    let chain = ChainRef::of(&genesis);
    let keys: Vec<workload::Member> = keys
        .into_iter()
        .zip(&genesis.members)
        .map(|(k, m)| workload::Member::new(&chain, &m.id, k))
        .collect();
    let ledger_dir = a.dir.join("ledger");
    let ledger = Ledger::open(&ledger_dir, genesis.clone())?;

    let lives = a.block_txs / PER_ASSET;
    let per_block = (lives * PER_ASSET) as u64;
    let blocks = a.txs.div_ceil(per_block);
    let (tx, rx) = mpsc::sync_channel(4);
    let gen_chain = chain.clone();
    let gen_keys = keys.clone();
    let generator = std::thread::spawn(move || generate(&gen_chain, &gen_keys, blocks, lives, tx));

    let written_before = written();
    let started = Instant::now();
    let mut last_report = Instant::now();
    let (mut txs, mut failed) = (0u64, 0u64);
    let mut sample = Vec::new();
    let every = (blocks / a.queries as u64).max(1);
    for (b, batch) in rx.into_iter().enumerate() {
        let proposal = pb::Proposal {
            timestamp_ms: workload::now_ms(),
            proposer: Vec::new(),
            txs: batch.txs,
        };
        let applied = ledger.apply_blocks_with(std::slice::from_ref(&proposal), &[], &Strict)?;
        for block in &applied {
            txs += block.receipts.len() as u64;
            failed += block.receipts.iter().filter(|r| r.code != 0).count() as u64;
        }
        if (b as u64).is_multiple_of(every) {
            sample.extend(batch.assets.first().copied());
        }
        if last_report.elapsed() >= Duration::from_secs(5) {
            last_report = Instant::now();
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "fill: {txs} of {} transactions ({:.0} tx/s, {} failed), {:.0} MB on disk",
                blocks * per_block,
                txs as f64 / secs,
                failed,
                dir_bytes(&ledger_dir) as f64 / 1e6
            );
        }
    }
    match generator.join() {
        Err(_) => bail!("the transaction generator panicked"),
        Ok(Err(e)) => bail!("the transaction generator failed: {e}"),
        Ok(Ok(())) => {}
    }
    ledger.flush()?;
    let secs = started.elapsed().as_secs_f64();
    let written_bytes = written().saturating_sub(written_before);
    drop(ledger);
    let stored = dir_bytes(&ledger_dir);

    let t = Instant::now();
    let ledger = Ledger::open_existing(&ledger_dir, genesis)?;
    let reopen_secs = t.elapsed().as_secs_f64();
    let grantees: Vec<workload::Member> = workers(keys.len())
        .into_iter()
        .map(|i| keys[i].clone())
        .collect();
    let queries = query_times(&ledger, &sample, &grantees)?;
    let catch_up = if a.catch_up {
        Some(catch_up(&ledger, &a.dir)?)
    } else {
        None
    };
    let n = txs.max(1) as f64;
    Ok(FillReport {
        txs,
        failed,
        blocks,
        secs,
        tx_per_s: txs as f64 / secs,
        written_per_tx: written_bytes as f64 / n,
        stored_per_tx: stored as f64 / n,
        stored_bytes: stored,
        reopen_secs,
        queries,
        catch_up,
    })
}

/// A second ledger joins the filled one: its state snapshot through a file, then every
/// block by block sync, top down, in ranges as a peer would serve them.
fn catch_up(src: &Ledger, dir: &Path) -> anyhow::Result<CatchUp> {
    eprintln!("fill: measuring a node that joins by state snapshot and block sync ...");
    let file = dir.join("state.snapshot");
    let t = Instant::now();
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        src.snapshots().export_state(&mut out)?;
        std::io::Write::flush(&mut out)?;
    }
    let export_secs = t.elapsed().as_secs_f64();
    let snapshot_bytes = std::fs::metadata(&file)?.len();
    let joined_dir = dir.join("joined");
    let joined = Ledger::open(&joined_dir, src.genesis().clone())?;
    let t = Instant::now();
    joined
        .snapshots()
        .install_state(&mut std::fs::File::open(&file)?, b"")?;
    let install_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (mut blocks, mut txs) = (0u64, 0u64);
    let mut last_report = Instant::now();
    while let Some(gap) = joined.gap()? {
        let count = (gap.hi - gap.lo + 1).min(shuquan_ledger::SYNC_BATCH);
        let range = src.blocks_for_sync(gap.hi, count, 32 << 20)?;
        let n: u64 = range.iter().map(|b| b.txs.len() as u64).sum();
        match joined.fill_gap(&range)? {
            Ok(stored) => {
                blocks += stored;
                txs += n;
            }
            Err(why) => bail!("block sync refused the chain's own blocks: {why}"),
        }
        if last_report.elapsed() >= Duration::from_secs(5) {
            last_report = Instant::now();
            eprintln!(
                "fill: block sync {blocks} blocks, {:.0} tx/s",
                txs as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
    joined.flush()?;
    let sync_secs = t.elapsed().as_secs_f64();
    if joined.snapshots().digest()? != src.snapshots().digest()? {
        bail!("the joined ledger differs from the filled one");
    }
    drop(joined);
    std::fs::remove_dir_all(&joined_dir)?;
    std::fs::remove_file(&file)?;
    Ok(CatchUp {
        snapshot_bytes,
        export_secs,
        install_secs,
        synced_blocks: blocks,
        synced_txs: txs,
        sync_tx_per_s: txs as f64 / sync_secs.max(1e-9),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn fill_commits_every_transaction_and_measures_the_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let args = FillArgs {
            dir: dir.path().join("fill"),
            txs: 300,
            block_txs: 50,
            members: 8,
            queries: 3,
            catch_up: true,
        };
        let r = fill(&args).unwrap();
        assert_eq!((r.txs, r.failed, r.blocks), (300, 0, 6));
        assert!(r.stored_bytes > 0 && r.stored_per_tx > 0.0);
        assert_eq!(r.queries.len(), 4);
        let c = r.catch_up.as_ref().unwrap();
        assert_eq!((c.synced_blocks, c.synced_txs), (6, 300));
        assert!(c.snapshot_bytes > 0);
        // The ledger is there, with every block.
        let text = std::fs::read_to_string(args.dir.join("genesis.toml")).unwrap();
        let genesis = GenesisFile::parse(&text).unwrap().to_pb().unwrap();
        let ledger = Ledger::open_existing(&args.dir.join("ledger"), genesis).unwrap();
        assert_eq!(ledger.applied().unwrap().height, 6);
        // A second fill into the same directory is refused.
        assert!(fill(&args).unwrap_err().to_string().contains("not empty"));
    }
}
