//! `shuquan audit`: fetch an asset's audit bundle, verify one offline, and re-check a
//! whole chain over a node's API or a stopped node's data directory.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use prost::Message;
use serde_json::json;
use shuquan_ledger::audit::{open_data_dir, ChainAudit, Verdict};
use shuquan_proto::audit::verify_bundle;
use shuquan_proto::genesis::{genesis_hash, GenesisFile};
use shuquan_proto::{pb, views};

use crate::{audit_print, Ctx, Reported};

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCmd {
    /// Fetch an asset's audit bundle from one node (--node) into a file.
    ///
    /// The bundle holds every event of the asset's history with inclusion proofs, the
    /// certified headers, and state proofs of its record and grants at the certified
    /// height. Anyone holding the genesis can verify it offline with `audit verify`.
    ///
    /// Example: shuquan --node http://127.0.0.1:7072 audit bundle 3f2a… --out asset.bundle
    Bundle {
        /// The asset id (64 hex digits).
        asset: String,
        /// Where to write the bundle.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also prove the records of the asset's lineage parents.
        #[arg(long)]
        parents: bool,
    },
    /// Verify an audit bundle offline against a genesis file; no network is used.
    ///
    /// Prints the history, the chain of title, the grants and the verdict, or the exact
    /// reason the bundle fails. Exits 1 if it fails.
    ///
    /// Example: shuquan audit verify asset.bundle --genesis .shuquan-devnet/genesis.toml
    Verify {
        /// The bundle file.
        file: PathBuf,
        /// The chain's genesis file (TOML or JSON): the only thing trusted.
        #[arg(long, value_name = "FILE")]
        genesis: PathBuf,
    },
    /// Re-check a whole chain: hash links, transaction roots, signatures and certificates,
    /// re-executing every block and comparing results and state roots.
    ///
    /// Reads the chain from the node's API (--node), or with --data-dir from a stopped
    /// node's data directory (read only; then every stored row is also compared with
    /// the re-execution). Names the first bad block; exits 1 if there is one.
    ///
    /// Example: shuquan audit chain --genesis .shuquan-devnet/genesis.toml --data-dir .shuquan-devnet/node2
    Chain {
        /// The chain's genesis file: the only thing trusted.
        #[arg(long, value_name = "FILE")]
        genesis: PathBuf,
        /// A stopped node's data directory (or its `ledger` directory) instead of the API.
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// Most blocks allowed above the last certified one (the newest blocks of a live
        /// chain wait a moment for their certificates); more fails the check.
        #[arg(long, value_name = "N", default_value_t = 256)]
        max_uncertified: u64,
    },
}

pub(crate) fn run(ctx: &Ctx, cmd: &AuditCmd) -> anyhow::Result<()> {
    match cmd {
        AuditCmd::Bundle {
            asset,
            out,
            parents,
        } => bundle(ctx, asset, out, *parents),
        AuditCmd::Verify { file, genesis } => verify(ctx, file, genesis),
        AuditCmd::Chain {
            genesis,
            data_dir,
            max_uncertified,
        } => chain(ctx, genesis, data_dir.as_deref(), *max_uncertified),
    }
}

fn load_genesis(path: &Path) -> anyhow::Result<pb::Genesis> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the genesis {}", path.display()))?;
    GenesisFile::parse(&text)
        .and_then(|g| g.to_pb())
        .with_context(|| format!("genesis {}", path.display()))
}

fn bundle(ctx: &Ctx, asset: &str, out: &Path, parents: bool) -> anyhow::Result<()> {
    let asset: shuquan_proto::Hash32 = asset.parse().context("the asset id")?;
    let bytes = ctx
        .client()
        .get_bytes(&format!("/v1/assets/{asset}/bundle?parents={parents}"))?;
    let b = pb::AuditBundle::decode(&bytes[..]).context("the node's bundle does not decode")?;
    let tmp = out.with_extension("partial");
    std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("writing {}", out.display()))?;
    let summary = json!({
        "file": out,
        "asset": asset,
        "height": b.height,
        "events": b.events.len(),
        "blocks": b.headers.len(),
        "grants": b.grants.len(),
        "parents": b.parents.len(),
        "bytes": bytes.len(),
    });
    crate::output::print(ctx, &summary)
}

fn verify(ctx: &Ctx, file: &Path, genesis: &Path) -> anyhow::Result<()> {
    let genesis = load_genesis(genesis)?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    match verify_bundle(&bytes, &genesis) {
        Ok(report) => {
            if ctx.json {
                outln!("{}", json!({"verdict": "verified", "report": report}));
            } else {
                out!("{}", audit_print::report(&report, &genesis));
            }
            Ok(())
        }
        Err(e) => {
            if ctx.json {
                outln!("{}", json!({"verdict": "failed", "reason": e.to_string()}));
            } else {
                outln!("FAILED: {e}");
            }
            Err(Reported(format!("{} does not verify: {e}", file.display())).into())
        }
    }
}

fn chain(
    ctx: &Ctx,
    genesis: &Path,
    data_dir: Option<&Path>,
    max_uncertified: u64,
) -> anyhow::Result<()> {
    let genesis = load_genesis(genesis)?;
    let mut audit = ChainAudit::new(genesis.clone())?;
    let started = Instant::now();
    let outcome = match data_dir {
        Some(dir) => chain_from_dir(&mut audit, dir, genesis),
        None => chain_from_api(ctx, &mut audit, &genesis),
    };
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let finding = match outcome {
        Ok(()) => None,
        Err(e) => match e.downcast_ref::<shuquan_ledger::Error>() {
            Some(shuquan_ledger::Error::Audit { height, reason }) => {
                Some((*height, reason.clone()))
            }
            _ => return Err(e),
        },
    };
    let verdict = audit.finish()?;
    let unproven = verdict.blocks - verdict.last_certified;
    let finding = finding.or_else(|| {
        (unproven > max_uncertified || (verdict.blocks > 0 && verdict.last_certified == 0)).then(|| {
            (
                verdict.last_certified + 1,
                format!(
                    "blocks {}..{} carry no majority certificate: nothing proves them (allowed: {max_uncertified} at the tip, --max-uncertified)",
                    verdict.last_certified + 1,
                    verdict.blocks
                ),
            )
        })
    });
    match finding {
        None => {
            let line = ok_line(&verdict, secs);
            if ctx.json {
                outln!(
                    "{}",
                    json!({"verdict": "ok", "blocks": verdict.blocks, "txs": verdict.txs,
                           "tip": verdict.tip, "state_root": verdict.state_root,
                           "last_certified": verdict.last_certified, "seconds": secs})
                );
            } else {
                outln!("{line}");
            }
            Ok(())
        }
        Some((height, reason)) => {
            if ctx.json {
                outln!(
                    "{}",
                    json!({"verdict": "failed", "height": height, "reason": reason})
                );
            } else {
                outln!("FAILED at block {height}: {reason}");
            }
            Err(Reported(format!("the chain fails at block {height}")).into())
        }
    }
}

fn ok_line(v: &Verdict, secs: f64) -> String {
    let mut line = format!(
        "OK: {} blocks and {} transactions re-verified and re-executed in {secs:.1} s ({:.0} blocks/s, {:.0} tx/s); tip {}, state root {}",
        v.blocks,
        v.txs,
        v.blocks as f64 / secs,
        v.txs as f64 / secs,
        v.tip,
        v.state_root
    );
    if v.last_certified < v.blocks {
        line.push_str(&format!(
            "; proven up to block {} (certified), blocks {}..{} not certified yet",
            v.last_certified,
            v.last_certified + 1,
            v.blocks
        ));
    }
    line
}

fn progress(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} block {pos}/{len} {wide_bar} {per_sec} {msg} (eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn chain_from_dir(audit: &mut ChainAudit, dir: &Path, genesis: pb::Genesis) -> anyhow::Result<()> {
    let ledger = open_data_dir(dir, genesis).with_context(|| {
        format!(
            "opening {} (a running node holds its data directory: stop it, or audit over --node)",
            dir.display()
        )
    })?;
    let tip = ledger.applied()?.height;
    let bar = progress(tip);
    for h in 1..=tip {
        let block = ledger
            .bundles()
            .raw_block(h)?
            .ok_or_else(|| shuquan_ledger::Error::Audit {
                height: h,
                reason: "the block is missing from the data directory".into(),
            })?;
        audit.check(&block)?;
        bar.inc(1);
        bar.set_message(format!("{} tx", audit.txs()));
    }
    bar.set_message("comparing every row with the re-execution");
    audit.compare_rows(&ledger)?;
    bar.finish_and_clear();
    Ok(())
}

fn chain_from_api(ctx: &Ctx, audit: &mut ChainAudit, genesis: &pb::Genesis) -> anyhow::Result<()> {
    let client = ctx.client();
    let status: views::StatusView = client.get("/v1/status")?;
    let ours = genesis_hash(genesis);
    if status.genesis_hash != ours {
        bail!(
            "the node serves genesis {}, the given genesis is {ours}",
            status.genesis_hash
        );
    }
    let bar = progress(status.height);
    loop {
        let from = audit.height() + 1;
        let bytes = client.get_bytes(&format!("/v1/chain?from={from}"))?;
        let seg = pb::ChainSegment::decode(&bytes[..]).map_err(|e| {
            anyhow!("the node's chain segment from block {from} does not decode: {e}")
        })?;
        if seg.blocks.is_empty() {
            break;
        }
        for block in &seg.blocks {
            audit.check(block)?;
            if audit.height() > bar.length().unwrap_or(0) {
                bar.set_length(audit.height());
            }
            bar.inc(1);
            bar.set_message(format!("{} tx", audit.txs()));
        }
    }
    bar.finish_and_clear();
    Ok(())
}
