//! `shuquan`: the operator's command line for a Shuquan data-rights ledger — keys,
//! transactions, queries and status.

/// `println!` to stdout that ends the program quietly once stdout is closed (a reader such
/// as `head` went away) instead of panicking.
macro_rules! outln {
    ($($t:tt)*) => { $crate::output::emit(&format!($($t)*), true) };
}

/// `print!` likewise (see [`outln`]).
macro_rules! out {
    ($($t:tt)*) => { $crate::output::emit(&format!($($t)*), false) };
}

mod audit;
mod audit_print;
mod catalogue;
mod client;
mod completions;
mod devnet;
mod fingerprint;
mod gov;
mod keys;
mod man;
mod market;
mod market_print;
mod market_query;
mod output;
mod parse;
mod payload;
mod readable;
mod registry;
mod token;
mod txcmd;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use shuquan_proto::Keypair;

/// Operate a Shuquan data-rights ledger: keys, transactions, queries.
///
/// Start a dev node with `shuquand --dev`, then for example:
///   shuquan --key .shuquan-dev/keys/org1.key tx register --file data.csv --name "Bus GPS 2026" --grade general --jurisdiction CN --wait
#[derive(Debug, Parser)]
#[command(version, about, long_about, propagate_version = true)]
struct Cli {
    /// The node's API.
    #[arg(
        long,
        global = true,
        env = "SHUQUAN_NODE",
        default_value = "http://127.0.0.1:7070"
    )]
    node: String,
    /// Trust only the CA certificate(s) in this PEM file for an https:// node (a private
    /// CA, or the node's self-signed certificate).
    #[arg(long, global = true, env = "SHUQUAN_CA_CERT", value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// Your key file (signs transactions). Give it before the command
    /// (`shuquan --key org1.key tx ...`): after `gov propose`, `--key` is the public key the
    /// action names.
    #[arg(long, env = "SHUQUAN_KEY")]
    key: Option<PathBuf>,
    /// A file holding the passphrase of encrypted key files (else SHUQUAN_KEY_PASSPHRASE,
    /// else a prompt on the terminal).
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// text or json.
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    output: String,
    /// Show times, and read days (`--not-after 2028-12-31`), in UTC rather than in the
    /// chain's time zone (the UTC offset its genesis gives the law: +08:00,
    /// Asia/Shanghai, on the devnet).
    #[arg(long, global = true)]
    utc: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Create and inspect ed25519 key files; encrypt and decrypt them with a passphrase.
    #[command(subcommand)]
    Keys(keys::KeysCmd),
    /// Sign and submit transactions.
    #[command(subcommand)]
    Tx(Box<txcmd::TxCmd>),
    /// Ask the node about assets, grants, members, transactions and blocks.
    #[command(subcommand)]
    Query(QueryCmd),
    /// Govern the consortium: propose admitting, suspending or removing members, revoking
    /// keys, changing parameters or the council; vote on proposals.
    #[command(subcommand)]
    Gov(gov::GovCmd),
    /// The node's role, term, height, last block and peers (every node's, with --devnet).
    Status {
        /// Show every node of the devnet in this directory, one line each.
        #[arg(long, value_name = "DIR")]
        devnet: Option<PathBuf>,
    },
    /// Prove an asset's provenance offline, or re-check a whole chain.
    #[command(subcommand)]
    Audit(audit::AuditCmd),
    /// Search the catalogue of registered data assets.
    #[command(subcommand)]
    Catalogue(CatalogueCmd),
    /// Create a local devnet on 127.0.0.1 (start it with `scripts/devnet start`).
    #[command(subcommand)]
    Devnet(DevnetCmd),
    /// Print a read token (an EdDSA JWT signed with --key, good once, for --ttl seconds) for
    /// a node that lets only members read: paste it into the explorer's sign-in page, or
    /// send it as `Authorization: Bearer <token>`.
    ///
    /// Example: shuquan --key org1.key token
    Token(token::Args),
    /// Print a shell completion script (bash, zsh, fish, ...) to stdout.
    ///
    /// Example: shuquan completions bash > /etc/bash_completion.d/shuquan
    Completions(completions::Args),
    /// Write man pages for shuquan and each subcommand into a directory.
    ///
    /// Example: shuquan man --out /usr/local/share/man/man1
    Man(man::Args),
}

#[derive(Debug, Subcommand)]
enum DevnetCmd {
    /// Write member and node keys, a genesis and one config per node into a directory.
    ///
    /// Example: shuquan devnet init --nodes 3 --dir .shuquan-devnet
    Init(devnet::InitArgs),
    /// Write a key and `nodeN.toml` (next free ports) for one more node of an existing
    /// devnet, without touching its genesis; prints its key and address. Start it with
    /// `shuquand --config DIR/nodeN.toml`: it waits until the council adds it.
    AddNode(devnet::AddNodeArgs),
}

#[derive(Debug, Subcommand)]
enum CatalogueCmd {
    /// A page of assets matching the filters, as a table: registration number, name,
    /// holder, status, sector, grade, sharing class, registration day.
    ///
    /// Example: shuquan catalogue search 公交 --sector transport --sharing conditional
    Search(catalogue::SearchArgs),
}

#[derive(Debug, Subcommand)]
enum QueryCmd {
    /// An asset's record: metadata, holders, lineage, history head.
    Asset { id: String },
    /// Every transaction that touched an asset, with block and result.
    History { id: String },
    /// Who held each right, now or at a height or day.
    Rights {
        id: String,
        #[arg(long)]
        height: Option<u64>,
        /// The end of this day (UTC).
        #[arg(long, value_name = "YYYY-MM-DD", conflicts_with = "height")]
        time: Option<String>,
    },
    /// Grants on an asset, with status: now, or as they were at the start of a day (UTC),
    /// read from the chain's state then (grants issued later are not listed).
    Grants {
        id: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        at: Option<String>,
        /// Grants per page (1 to 1000; the node's default is 100).
        #[arg(long)]
        limit: Option<usize>,
        /// The next page: the grants after this one (the last id of the previous page).
        #[arg(long, value_name = "GRANT_ID")]
        after: Option<String>,
    },
    /// Parents and children of an asset.
    Lineage { id: String },
    /// Cross-border filings of an asset's grants.
    Filings { id: String },
    /// A member (short id such as org1, member id or account key), with the transactions
    /// it signed.
    Member { member: String },
    /// Every member, with status and keys.
    Members,
    /// The council: who votes, the threshold, the voting period.
    Council,
    /// The nodes of the chain (voters and learners), as governance decided them.
    Nodes,
    /// Governance proposals, newest first.
    Proposals {
        /// Only those still open for votes.
        #[arg(long)]
        open: bool,
    },
    /// One proposal: its action, votes, status and the block that decided it.
    Proposal { id: String },
    /// A transaction with payload and result.
    Tx { id: String },
    /// A transaction's Merkle inclusion proof, checked here against its block header.
    Proof { id: String },
    /// A block by height (or `latest`).
    Block { height: String },
    /// The assets registered with a fingerprint.
    Fingerprint { hash: String },
    /// A grant, with its status now or at the start of a day (UTC).
    Grant {
        id: String,
        #[arg(long, value_name = "YYYY-MM-DD")]
        at: Option<String>,
    },
    /// A filing.
    Filing { id: String },
    /// A registration certificate, by asset id or registration number (GX-2026-000123).
    Certificate { id: String },
    /// The objections filed against an asset's applications, and their decisions.
    Objections { id: String },
    #[command(flatten)]
    Market(market_query::MarketQueryCmd),
}

/// What every command needs.
pub(crate) struct Ctx {
    node: String,
    key: Option<PathBuf>,
    passphrase_file: Option<PathBuf>,
    pub(crate) json: bool,
    /// `--ca-cert`: the only roots trusted over HTTPS (empty: the web's).
    ca: Vec<ureq::tls::Certificate<'static>>,
    /// `--key`, once loaded to sign read tokens.
    reader_key: std::cell::OnceCell<Keypair>,
    /// How days are read, once asked of the node.
    days: std::cell::OnceCell<parse::Days>,
    /// `--utc`: times in UTC, not the chain's time zone.
    pub(crate) utc: bool,
}

impl Ctx {
    pub(crate) fn client(&self) -> client::Client<'_> {
        client::Client::with(&self.node, &self.ca, Some(self))
    }

    /// How this command reads days (`YYYY-MM-DD`): as UTC days with `--utc`, else in the
    /// chain's time zone, asked of the node once.
    pub(crate) fn days(&self) -> anyhow::Result<parse::Days> {
        if self.utc {
            return Ok(parse::Days::UTC);
        }
        if let Some(d) = self.days.get() {
            return Ok(*d);
        }
        let g: Value = self.client().get("/v1/genesis").context(
            "asking the node for the chain's time zone, to read days in it (or give --utc)",
        )?;
        let minutes = g["params"]["law_utc_offset_minutes"]
            .as_i64()
            .and_then(|m| i32::try_from(m).ok())
            .ok_or_else(|| anyhow!("the node's genesis names no params.law_utc_offset_minutes"))?;
        let d = parse::Days::east(minutes);
        let _ = self.days.set(d);
        Ok(d)
    }

    /// Whether `--key` was given.
    pub(crate) fn has_key(&self) -> bool {
        self.key.is_some()
    }

    /// The `--key` that signs read tokens and transactions, loaded once (one passphrase
    /// prompt per command).
    pub(crate) fn reader_key(&self) -> anyhow::Result<&Keypair> {
        if self.reader_key.get().is_none() {
            let path = self
                .key
                .as_ref()
                .ok_or_else(|| anyhow!("this command signs: give --key FILE or set SHUQUAN_KEY"))?;
            let _ = self
                .reader_key
                .set(keys::load(self, path).context("loading --key")?);
        }
        self.reader_key
            .get()
            .ok_or_else(|| anyhow!("the --key could not be kept"))
    }

    pub(crate) fn key(&self) -> anyhow::Result<Keypair> {
        self.reader_key().cloned()
    }
}

/// `?at=MS` for a day given as `YYYY-MM-DD` (in the chain's time zone), or nothing.
fn at_query(ctx: &Ctx, day: Option<&str>) -> anyhow::Result<String> {
    Ok(day
        .map(|d| ctx.days()?.start(d))
        .transpose()?
        .map(|t| format!("?at={t}"))
        .unwrap_or_default())
}

fn query(ctx: &Ctx, q: &QueryCmd) -> anyhow::Result<Value> {
    let c = ctx.client();
    Ok(match q {
        QueryCmd::Asset { id } => c.get(&format!("/v1/assets/{id}"))?,
        QueryCmd::History { id } => c.get(&format!("/v1/assets/{id}/history"))?,
        QueryCmd::Rights { id, height, time } => {
            let q = match (height, time) {
                (Some(h), _) => format!("?height={h}"),
                (None, Some(t)) => format!("?time={}", ctx.days()?.end(t)? - 1),
                _ => String::new(),
            };
            c.get(&format!("/v1/assets/{id}/rights{q}"))?
        }
        QueryCmd::Grants {
            id,
            at,
            limit,
            after,
        } => {
            let mut q = at_query(ctx, at.as_deref())?;
            for (name, value) in [
                ("limit", limit.map(|l| l.to_string())),
                ("after", after.clone()),
            ] {
                if let Some(v) = value {
                    q.push(if q.is_empty() { '?' } else { '&' });
                    q.push_str(&format!("{name}={v}"));
                }
            }
            c.get(&format!("/v1/assets/{id}/grants{q}"))?
        }
        QueryCmd::Lineage { id } => c.get(&format!("/v1/assets/{id}/lineage"))?,
        QueryCmd::Filings { id } => c.get(&format!("/v1/assets/{id}/filings"))?,
        QueryCmd::Member { member: key } => {
            let member: Value = c.get(&format!("/v1/members/{key}"))?;
            let txs: Value = c.get(&format!("/v1/members/{key}/txs?limit=100"))?;
            json!({"member": member, "transactions": txs})
        }
        QueryCmd::Members => c.get("/v1/members")?,
        QueryCmd::Council => c.get("/v1/council")?,
        QueryCmd::Nodes => c.get("/v1/nodes")?,
        QueryCmd::Proposals { open } => c.get(&format!("/v1/proposals?open={open}"))?,
        QueryCmd::Proposal { id } => c.get(&format!("/v1/proposals/{id}"))?,
        QueryCmd::Tx { id } => c.get(&format!("/v1/txs/{id}"))?,
        QueryCmd::Proof { id } => {
            let proof: shuquan_proto::views::InclusionProofView =
                c.get(&format!("/v1/txs/{id}/proof"))?;
            let hashing = crate::txcmd::chain(ctx, None)?.hash;
            let verdict = match proof.verify(hashing) {
                Ok(()) => "valid".to_string(),
                Err(e) => format!("INVALID: {e}"),
            };
            let mut v = serde_json::to_value(&proof)?;
            v["verdict"] = json!(verdict);
            v
        }
        QueryCmd::Block { height } => c.get(&format!("/v1/blocks/{height}"))?,
        QueryCmd::Fingerprint { hash } => c.get(&format!("/v1/fingerprints/{hash}"))?,
        QueryCmd::Grant { id, at } => {
            c.get(&format!("/v1/grants/{id}{}", at_query(ctx, at.as_deref())?))?
        }
        QueryCmd::Filing { id } => c.get(&format!("/v1/filings/{id}"))?,
        QueryCmd::Certificate { id } => c.get(&format!("/v1/certificates/{id}"))?,
        QueryCmd::Objections { id } => c.get(&format!("/v1/assets/{id}/objections"))?,
        QueryCmd::Market(_) => anyhow::bail!("market queries print themselves"),
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx {
        node: cli.node,
        key: cli.key,
        passphrase_file: cli.passphrase_file,
        json: cli.output == "json",
        ca: match &cli.ca_cert {
            Some(path) => client::ca_certs(path)?,
            None => Vec::new(),
        },
        reader_key: std::cell::OnceCell::new(),
        days: std::cell::OnceCell::new(),
        utc: cli.utc,
    };
    match &cli.cmd {
        Cmd::Keys(k) => keys::run(&ctx, k),
        Cmd::Tx(t) => txcmd::run(&ctx, t),
        Cmd::Gov(g) => gov::run(&ctx, g),
        Cmd::Query(QueryCmd::Market(m)) => market_query::run(&ctx, m),
        Cmd::Query(q @ QueryCmd::History { .. }) if !ctx.json => {
            let r = readable::Readable::load(&ctx, ctx.utc);
            out!("{}", readable::history_table(&r, &query(&ctx, q)?));
            Ok(())
        }
        Cmd::Query(q @ QueryCmd::Grants { .. }) if !ctx.json => {
            let r = readable::Readable::load(&ctx, ctx.utc);
            out!("{}", readable::grants_table(&r, &query(&ctx, q)?));
            Ok(())
        }
        Cmd::Query(q) => output::print(&ctx, &query(&ctx, q)?),
        Cmd::Status { devnet: None } => {
            let s: Value = ctx.client().get("/v1/status")?;
            output::print(&ctx, &s)
        }
        Cmd::Status { devnet: Some(dir) } => {
            let rows = devnet::statuses(dir)?;
            if ctx.json {
                outln!("{}", json!({ "nodes": rows }));
            } else {
                out!("{}", devnet::status_table(&rows));
            }
            Ok(())
        }
        Cmd::Audit(a) => audit::run(&ctx, a),
        Cmd::Catalogue(CatalogueCmd::Search(a)) => catalogue::search(&ctx, a),
        Cmd::Devnet(DevnetCmd::Init(a)) => {
            let summary = devnet::init(a)?;
            output::print(&ctx, &summary)
        }
        Cmd::Devnet(DevnetCmd::AddNode(a)) => output::print(&ctx, &devnet::add_node(a)?),
        Cmd::Token(a) => token::run(&ctx, a),
        Cmd::Completions(a) => completions::run(a),
        Cmd::Man(a) => man::run(&ctx, a),
    }
}

/// An error whose details were already printed as the command's output.
#[derive(Debug)]
pub(crate) struct Reported(pub(crate) String);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Reported {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.output == "json";
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json && e.downcast_ref::<Reported>().is_none() {
                outln!("{}", json!({"error": format!("{e:#}")}));
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_command_and_flag_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
