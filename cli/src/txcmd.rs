//! `shuquan tx ...`: build, sign and submit transactions, online in one step or offline
//! (`tx build`, `tx sign`, `tx submit`) for parties on different machines.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use clap::Subcommand;
use serde_json::{json, Value};
use shuquan_proto::hash::{HashFunction, Hashing};
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::{ChainRef, Unsigned};
use shuquan_proto::views::SubmitView;
use shuquan_proto::{Hash32, Keypair};

use crate::parse as p;
use crate::payload::PayloadCmd;
use crate::{output, Ctx};

/// Transaction commands.
#[derive(Debug, Subcommand)]
pub(crate) enum TxCmd {
    #[command(flatten)]
    Payload(PayloadCmd),
    /// Build a transaction without signing it, for signing elsewhere (`tx sign`).
    Build {
        /// Where to write the unsigned transaction.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The signer's public key (default: the public key of --key).
        #[arg(long, value_name = "PUBKEY")]
        signer: Option<String>,
        /// A cosigner's public key; repeatable.
        #[arg(long = "cosigner", value_name = "PUBKEY")]
        cosigners: Vec<String>,
        /// The chain's genesis file, whose id and hash the signatures bind (default: asked
        /// from --node).
        #[arg(long, value_name = "FILE")]
        genesis: Option<PathBuf>,
        #[command(subcommand)]
        payload: PayloadCmd,
    },
    /// Add the signature of --key to a transaction file.
    Sign {
        /// The transaction file (from `tx build`).
        file: PathBuf,
    },
    /// Submit a fully signed transaction file.
    Submit {
        /// The transaction file.
        file: PathBuf,
        /// Wait for the block.
        #[arg(long)]
        wait: bool,
    },
}

/// What a transaction creates, named by its id.
fn created(
    h: Hashing,
    chain_id: &str,
    tx: &Hash32,
    payload: &Payload,
) -> Option<(&'static str, Hash32)> {
    match payload {
        Payload::RegisterAsset(_) => Some(("asset", h.asset_id(chain_id, tx))),
        Payload::IssueGrant(_) => Some(("grant", h.grant_id(chain_id, tx))),
        Payload::FileCrossBorder(_) => Some(("filing", h.filing_id(chain_id, tx))),
        Payload::Attest(_) => Some(("attestation", h.attestation_id(chain_id, tx))),
        Payload::Propose(_) => Some(("proposal", h.proposal_id(chain_id, tx))),
        Payload::Object(_) => Some(("objection", h.objection_id(chain_id, tx))),
        p => crate::market::created(h, chain_id, tx, p),
    }
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The member id `name` names: a short id (`org2`, worked out here), or a member id or an
/// account key in hex (asked from the node, which knows every member and key).
pub(crate) fn member_ref(
    ctx: &Ctx,
    chain: &ChainRef,
    name: &str,
    flag: &str,
) -> anyhow::Result<Vec<u8>> {
    if shuquan_proto::gov::is_short_id(name) && !p::is_id_or_key_hex(name) {
        return Ok(chain.hash.member_id(&chain.id, name).to_vec());
    }
    if !p::is_id_or_key_hex(name) {
        bail!("{flag} {name:?} names no member: give a short id such as org2, a member id (64 hex) or an account key (64 hex, or 66 for SM2)");
    }
    let m: Value = ctx
        .client()
        .get(&format!("/v1/members/{name}"))
        .with_context(|| {
            format!(
                "{flag} {name}: asking the node which member this is (a member id or account key)"
            )
        })?;
    let id = m["member_id"]
        .as_str()
        .ok_or_else(|| anyhow!("the node's answer about {name} has no member_id"))?;
    Ok(hex::decode(id)?)
}

/// Signs `payload` with `key` and `cosigners` for the node's chain and submits it.
pub(crate) fn sign_and_submit(
    ctx: &Ctx,
    chain: &ChainRef,
    key: &Keypair,
    cosigners: &[Keypair],
    payload: Payload,
    wait: bool,
) -> anyhow::Result<()> {
    let body = pb::TxBody {
        chain_id: chain.id.clone(),
        timestamp_ms: now_ms(),
        signer: key.public().to_vec(),
        cosigners: cosigners.iter().map(|k| k.public().to_vec()).collect(),
        payload: Some(payload),
    };
    let mut tx = Unsigned::new(body, chain);
    tx.sign(key)?;
    for c in cosigners {
        tx.sign(c)?;
    }
    submit(ctx, &tx, wait)
}

/// The chain to sign for: from a genesis file, or asked from the node.
pub(crate) fn chain(ctx: &Ctx, genesis: Option<&Path>) -> anyhow::Result<ChainRef> {
    if let Some(path) = genesis {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading --genesis {}", path.display()))?;
        let g = shuquan_proto::genesis::GenesisFile::parse(&text)
            .and_then(|g| g.to_pb())
            .with_context(|| format!("--genesis {}", path.display()))?;
        return Ok(ChainRef::of(&g));
    }
    let g: Value = ctx
        .client()
        .get("/v1/genesis")
        .context("asking the node for the chain id and genesis hash (or give --genesis FILE)")?;
    let id = g["chain_id"]
        .as_str()
        .ok_or_else(|| anyhow!("the node's genesis has no chain_id"))?;
    let hash: Hash32 = g["genesis_hash"]
        .as_str()
        .ok_or_else(|| anyhow!("the node's genesis has no genesis_hash"))?
        .parse()
        .context("the node's genesis_hash")?;
    let function = g["hash"].as_str().unwrap_or("blake3");
    let function = HashFunction::from_name(function).ok_or_else(|| {
        anyhow!("the node's chain hashes with {function:?}, which this shuquan does not know: upgrade it")
    })?;
    Ok(ChainRef {
        id: id.to_string(),
        genesis_hash: hash,
        hash: function.hashing(),
    })
}

/// How `tx build` reads days: in the time zone of the `--genesis` file's chain, or else as
/// [`Ctx::days`] does.
fn days(ctx: &Ctx, genesis: Option<&Path>) -> anyhow::Result<p::Days> {
    let Some(path) = genesis.filter(|_| !ctx.utc) else {
        return ctx.days();
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading --genesis {}", path.display()))?;
    let g = shuquan_proto::genesis::GenesisFile::parse(&text)
        .with_context(|| format!("--genesis {}", path.display()))?;
    Ok(p::Days::east(g.params.law_utc_offset_minutes))
}

/// The file `tx build` writes and `tx sign` and `tx submit` read.
#[derive(serde::Serialize, serde::Deserialize)]
struct TxFile {
    kind: String,
    tx_id: Hash32,
    /// The genesis hash every signature binds.
    genesis_hash: Hash32,
    /// The chain's hash function, which names the transaction (`blake3` when absent).
    #[serde(default = "blake3_name")]
    hash: String,
    tx: String,
}

fn blake3_name() -> String {
    HashFunction::Blake3.name().into()
}

const TX_FILE_KIND: &str = "shuquan-tx-v2";

fn write_tx_file(path: &Path, tx: &Unsigned) -> anyhow::Result<()> {
    let file = TxFile {
        kind: TX_FILE_KIND.into(),
        tx_id: tx.id(),
        genesis_hash: tx.genesis_hash,
        hash: tx.hash.function().name().into(),
        tx: hex::encode(tx.encode()),
    };
    std::fs::write(path, serde_json::to_string_pretty(&file)? + "\n")
        .with_context(|| format!("writing {}", path.display()))
}

fn read_tx_file(path: &Path) -> anyhow::Result<Unsigned> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file: TxFile = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a transaction file from `shuquan tx build`",
            path.display()
        )
    })?;
    if file.kind != TX_FILE_KIND {
        bail!(
            "{} is a {:?} file; this shuquan reads {TX_FILE_KIND:?} (build it again with `shuquan tx build`)",
            path.display(),
            file.kind
        );
    }
    let bytes =
        hex::decode(&file.tx).with_context(|| format!("{}: tx is not hex", path.display()))?;
    let hash = HashFunction::from_name(&file.hash).ok_or_else(|| {
        anyhow!(
            "{}: hash {:?} is not blake3 or sm3",
            path.display(),
            file.hash
        )
    })?;
    Unsigned::from_raw(&bytes, file.genesis_hash, hash.hashing())
        .with_context(|| format!("{}: not a valid transaction", path.display()))
}

/// Runs a `tx` command.
pub(crate) fn run(ctx: &Ctx, cmd: &TxCmd) -> anyhow::Result<()> {
    match cmd {
        TxCmd::Payload(pc) => {
            let key = ctx.key()?;
            let mut cosigners: Vec<Keypair> = pc
                .submit()
                .cosign_keys
                .iter()
                .map(|f| {
                    crate::keys::load(ctx, f)
                        .with_context(|| format!("--cosign-key {}", f.display()))
                })
                .collect::<Result<_, _>>()?;
            if let PayloadCmd::RotateKey { new_key, .. } = pc {
                let new = crate::keys::load(ctx, new_key)
                    .with_context(|| format!("--new-key {}", new_key.display()))?;
                cosigners.push(new);
            }
            let chain = chain(ctx, None)?;
            let payload = pc.payload(
                crate::fingerprint::Fingerprinter {
                    hash: chain.hash,
                    progress: !ctx.json,
                },
                &key.public().to_vec(),
                &|name, flag| member_ref(ctx, &chain, name, flag),
                now_ms(),
                ctx.days()?,
            )?;
            sign_and_submit(ctx, &chain, &key, &cosigners, payload, pc.submit().wait)
        }
        TxCmd::Build {
            out,
            signer,
            cosigners,
            genesis,
            payload,
        } => {
            let signer = match signer {
                Some(s) => p::key(s, "--signer")?,
                None => ctx
                    .key()
                    .context("give --signer PUBKEY or --key FILE")?
                    .public()
                    .to_vec(),
            };
            let chain = chain(ctx, genesis.as_deref())?;
            let payload = payload.payload(
                crate::fingerprint::Fingerprinter {
                    hash: chain.hash,
                    progress: !ctx.json,
                },
                &signer,
                &|name, flag| member_ref(ctx, &chain, name, flag),
                now_ms(),
                days(ctx, genesis.as_deref())?,
            )?;
            let body = pb::TxBody {
                chain_id: chain.id.clone(),
                timestamp_ms: now_ms(),
                signer,
                cosigners: cosigners
                    .iter()
                    .map(|c| p::key(c, "--cosigner"))
                    .collect::<Result<_, _>>()?,
                payload: Some(payload),
            };
            let tx = Unsigned::new(body, &chain);
            write_tx_file(out, &tx)?;
            let needs: Vec<String> = tx.signers()?.iter().map(|(k, _)| hex::encode(k)).collect();
            output::print(
                ctx,
                &json!({"tx_id": tx.id(), "file": out, "needs_signatures_from": needs}),
            )
        }
        TxCmd::Sign { file } => {
            let key = ctx.key()?;
            let mut tx = read_tx_file(file)?;
            if !tx
                .signers()?
                .iter()
                .any(|(k, _)| *k == key.public().to_vec())
            {
                bail!(
                    "{} is neither the signer nor a cosigner of this transaction",
                    key.public()
                );
            }
            tx.sign(&key)?;
            write_tx_file(file, &tx)?;
            let missing: Vec<String> = tx
                .signers()?
                .iter()
                .filter(|(_, s)| !s)
                .map(|(k, _)| hex::encode(k))
                .collect();
            output::print(
                ctx,
                &json!({"tx_id": tx.id(), "signed_by": key.public(), "missing": missing}),
            )
        }
        TxCmd::Submit { file, wait } => submit(ctx, &read_tx_file(file)?, *wait),
    }
}

fn submit(ctx: &Ctx, tx: &Unsigned, wait: bool) -> anyhow::Result<()> {
    let body = tx.body()?;
    let id = tx.id();
    let made = body
        .payload
        .as_ref()
        .and_then(|p| created(tx.hash, &tx.chain_id, &id, p));
    let path = if wait { "/v1/tx?wait=commit" } else { "/v1/tx" };
    let answer: SubmitView = ctx.client().post_bytes(path, &tx.encode())?;
    let mut out = json!({"tx_id": id, "status": answer.status});
    if let Some((kind, cid)) = made {
        out[kind] = json!(cid);
    }
    // A registration is an application: say where it stands (and what comes next).
    let applied = answer.receipt.as_ref().is_some_and(|r| r.committed());
    if let (Some(("asset", asset)), true) = (made, applied) {
        let view: shuquan_proto::views::AssetView =
            ctx.client().get(&format!("/v1/assets/{asset}"))?;
        out["registration"] = json!(view.status);
        if let Some(number) = view.registration_number {
            out["registration_number"] = json!(number);
        } else if view.status == "applied" {
            out["next"] = json!(format!(
                "a registrar (on a devnet: the regulator) reviews it: shuquan --key REGISTRAR.key tx review --asset {asset} --accept; then the public notice runs, and the block after it issues the certificate (shuquan query certificate {asset})"
            ));
        }
    }
    if let Some(r) = &answer.receipt {
        out["height"] = json!(r.height);
        if let (Some(p), true) = (&body.payload, r.committed()) {
            crate::market::after_commit(ctx, tx.hash, &tx.chain_id, p, r, &mut out)?;
        }
        if !r.committed() {
            out["code"] = json!(r.code_name);
            out["rule"] = json!(r.rule);
            out["message"] = json!(r.message);
        }
    }
    output::print(ctx, &out)?;
    match answer.receipt {
        Some(r) if !r.committed() => Err(crate::Reported(format!(
            "transaction failed in block {}: {} ({}, rule {}): {}",
            r.height, r.code_name, r.code, r.rule, r.message
        ))
        .into()),
        None if wait => Err(crate::Reported(format!(
            "transaction {id} is accepted but no block holds it yet; it may still commit: \
             shuquan query tx {id}"
        ))
        .into()),
        _ => Ok(()),
    }
}
