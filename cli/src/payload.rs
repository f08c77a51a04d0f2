//! The payloads of `shuquan tx`: one subcommand per transaction kind, each turned into its
//! protobuf payload from command-line values (and, for `register`, from the file).

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use shuquan_proto::pb::{self, tx_body::Payload};

use crate::fingerprint::Fingerprinter;
use crate::market::MarketCmd;
use crate::parse::{
    self as p, ACTIONS, ATTEST_KINDS, ATTEST_RESULTS, DELIVERY, GRADES, ORIGINS, PATHS, RIGHTS,
    SHARING,
};
use crate::registry::RegistryCmd;

/// Flags every online transaction command takes.
#[derive(Debug, Args)]
pub(crate) struct Submit {
    /// Wait until the transaction is in a block and print its result (exit 1 if it failed).
    #[arg(long)]
    pub(crate) wait: bool,
    /// Key file of a cosigner (the receiver of a transfer, the grantee of a grant); repeatable.
    #[arg(long = "cosign-key", value_name = "FILE")]
    pub(crate) cosign_keys: Vec<PathBuf>,
}

/// The payloads.
#[derive(Debug, Subcommand)]
pub(crate) enum PayloadCmd {
    /// Register a data set: its fingerprint and metadata (never the data). You become holder of all three rights.
    Register {
        /// The data file to fingerprint (streamed with the chain's hash, BLAKE3 or SM3; only the hash leaves this machine).
        #[arg(long, required_unless_present = "fingerprint")]
        file: Option<PathBuf>,
        /// The fingerprint (`b3sum`, or `openssl dgst -sm3` on SM chains), if the data is elsewhere (give --size too).
        #[arg(long, conflicts_with = "file", requires = "size")]
        fingerprint: Option<String>,
        /// Size in bytes, with --fingerprint.
        #[arg(long)]
        size: Option<u64>,
        /// A name for the data set.
        #[arg(long)]
        name: String,
        /// A description.
        #[arg(long, default_value = "")]
        description: String,
        /// general or important (core data may not be registered).
        #[arg(long)]
        grade: String,
        /// Where the data resides (ISO 3166-1 alpha-2, e.g. CN): your member's own
        /// jurisdiction, or for a derived asset its parents'.
        #[arg(long)]
        jurisdiction: String,
        /// Sector, e.g. transport.
        #[arg(long, default_value = "")]
        sector: String,
        /// public, enterprise or personal.
        #[arg(long, default_value = "enterprise")]
        origin: String,
        /// It contains personal information.
        #[arg(long)]
        contains_pi: bool,
        /// It contains sensitive personal information (implies --contains-pi).
        #[arg(long)]
        contains_spi: bool,
        /// Number of personal-information subjects (more than 0 implies --contains-pi).
        #[arg(long, default_value_t = 0)]
        pi_subjects: u64,
        /// Hash of consent or collection evidence (required for personal data).
        #[arg(long)]
        evidence: Option<String>,
        /// A parent asset it was derived from; repeatable.
        #[arg(long = "derived-from", value_name = "ASSET")]
        derived_from: Vec<String>,
        /// The purpose of deriving under a derive grant (one of the grant's purposes; the
        /// derivation counts as a use of it). Not needed when you hold the parent's Use right.
        #[arg(long, value_name = "PURPOSE", requires = "derived_from")]
        derive_purpose: Option<String>,
        /// How it can be delivered: download,query,compute,verify.
        #[arg(long, default_value = "download,query,compute,verify")]
        delivery: String,
        /// How the catalogue shares it: unconditional, conditional (use needs an access
        /// request and a grant) or not-shared.
        #[arg(long, default_value = "conditional")]
        sharing: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// Transfer one right (hold, use or operate) to another member; the receiver cosigns.
    Transfer {
        /// The asset id (from `tx register`).
        #[arg(long)]
        asset: String,
        /// hold, use or operate.
        #[arg(long)]
        right: String,
        /// The receiving member: its short id (org2), member id or account key.
        #[arg(long)]
        to: String,
        /// The agreed price, e.g. 1200.00CNY (made visible to the market).
        #[arg(long)]
        price: Option<String>,
        /// Hash of the contract.
        #[arg(long)]
        consideration: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// Grant access to a member for purposes, actions, jurisdictions and a time; the grantee cosigns.
    Grant {
        /// The asset id (from `tx register`).
        #[arg(long)]
        asset: String,
        /// The grantee member: its short id (org2), member id or account key.
        #[arg(long)]
        grantee: String,
        /// read, query, compute, verify, derive (comma-separated).
        #[arg(long)]
        actions: String,
        /// Purpose codes from the genesis list, e.g. academic-research (comma-separated).
        #[arg(long)]
        purposes: String,
        /// Valid from this day (UTC; default: now).
        #[arg(long, value_name = "YYYY-MM-DD")]
        not_before: Option<String>,
        /// Valid through this day (UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        not_after: String,
        /// Where the grantee may use it, e.g. CN,VN; it must include the grantee's own
        /// jurisdiction. Any other than the asset's needs a regulator's approval.
        #[arg(long)]
        jurisdictions: String,
        /// Most uses (default: unlimited).
        #[arg(long, default_value_t = 0)]
        max_uses: u64,
        /// Systems allowed to receive results (comma-separated; default: any).
        #[arg(long, default_value = "")]
        recipients: String,
        /// Hash of the policy document.
        #[arg(long)]
        policy: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// Revoke a grant (Operate holder or regulator), or renounce it (grantee).
    Revoke {
        /// The grant id (from `tx grant`).
        #[arg(long)]
        grant: String,
        /// Hash of the reason.
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// Record a use of a grant (grantee).
    Usage {
        /// The grant id (from `tx grant`).
        #[arg(long)]
        grant: String,
        /// read, query, compute, verify or derive.
        #[arg(long)]
        action: String,
        /// The purpose code.
        #[arg(long)]
        purpose: String,
        /// Where it was used.
        #[arg(long)]
        jurisdiction: String,
        /// The system that received the result.
        #[arg(long, default_value = "")]
        recipient: String,
        /// Fingerprint of the output.
        #[arg(long)]
        output_fingerprint: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// File a cross-border export for a regulator's decision: grants (access abroad), or one
    /// transfer of a right to a member abroad. You must hold the Operate right of the granted
    /// assets, or the right you transfer.
    #[command(group(clap::ArgGroup::new("export").required(true).args(["grants", "transfer_asset"])))]
    FileCrossBorder {
        /// Grant ids (comma-separated).
        #[arg(long)]
        grants: Option<String>,
        /// The asset whose right moves abroad (with --transfer-right and --transfer-to).
        #[arg(long, value_name = "ASSET", requires_all = ["transfer_right", "transfer_to"])]
        transfer_asset: Option<String>,
        /// hold, use or operate: the right that moves.
        #[arg(long, value_name = "RIGHT", requires = "transfer_asset")]
        transfer_right: Option<String>,
        /// The receiving member (short id, member id or account key), in --destination.
        #[arg(long, value_name = "PUBKEY", requires = "transfer_asset")]
        transfer_to: Option<String>,
        /// Destination jurisdiction.
        #[arg(long)]
        destination: String,
        /// exempt, standard-contract, certification or security-assessment.
        #[arg(long)]
        path: String,
        /// Personal-information subjects exported (at least the covered assets' own counts).
        #[arg(long, default_value_t = 0)]
        pi_subjects: u64,
        /// Sensitive-PI subjects exported (at least 1 if an asset holds sensitive PI).
        #[arg(long, default_value_t = 0)]
        spi_subjects: u64,
        /// The export includes important data.
        #[arg(long)]
        important: bool,
        /// Hash of the filing's evidence (contract, assessment report).
        #[arg(long)]
        evidence: String,
        /// Why the export is exempt (required with --path exempt).
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// Decide a cross-border filing (regulator).
    #[command(group(clap::ArgGroup::new("decision").required(true).args(["approve", "acknowledge", "reject", "revoke"])))]
    DecideCrossBorder {
        /// The filing id (from `tx file-cross-border`).
        #[arg(long)]
        filing: String,
        /// Approve (needs --valid-until).
        #[arg(long, requires = "valid_until")]
        approve: bool,
        /// Acknowledge a standard-contract or certification filing.
        #[arg(long)]
        acknowledge: bool,
        /// Reject the filing.
        #[arg(long)]
        reject: bool,
        /// Revoke an earlier approval.
        #[arg(long)]
        revoke: bool,
        /// Approval valid through this day (UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        valid_until: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// Record an attestation about an asset, grant or filing (auditor).
    Attest {
        /// The id of an asset, grant or filing.
        #[arg(long)]
        subject: String,
        /// compliance, quality, valuation, anonymisation, security or deletion.
        #[arg(long)]
        kind: String,
        /// pass, fail or info.
        #[arg(long)]
        result: String,
        /// Hash of the report.
        #[arg(long)]
        report: String,
        /// Valid through this day (UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        valid_until: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// Freeze an asset, grant or filing (regulator).
    Freeze {
        /// The id of an asset, grant or filing.
        #[arg(long)]
        subject: String,
        /// Hash of the reason.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// Unfreeze an asset, grant or filing (regulator).
    Unfreeze {
        /// The id of an asset, grant or filing.
        #[arg(long)]
        subject: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// Replace your signing key (--key) with a new one, which cosigns. From the block that
    /// applies it the old key signs nothing; every right, grant and filing stays your
    /// member's. Make the new key with `shuquan keys new --out FILE` first.
    RotateKey {
        /// The new key file.
        #[arg(long, value_name = "FILE")]
        new_key: PathBuf,
        #[command(flatten)]
        submit: Submit,
    },
    #[command(flatten)]
    Registry(RegistryCmd),
    #[command(flatten)]
    Market(MarketCmd),
}

impl PayloadCmd {
    pub(crate) fn submit(&self) -> &Submit {
        match self {
            PayloadCmd::Register { submit, .. }
            | PayloadCmd::Transfer { submit, .. }
            | PayloadCmd::Grant { submit, .. }
            | PayloadCmd::Revoke { submit, .. }
            | PayloadCmd::Usage { submit, .. }
            | PayloadCmd::FileCrossBorder { submit, .. }
            | PayloadCmd::DecideCrossBorder { submit, .. }
            | PayloadCmd::Attest { submit, .. }
            | PayloadCmd::Freeze { submit, .. }
            | PayloadCmd::Unfreeze { submit, .. }
            | PayloadCmd::RotateKey { submit, .. } => submit,
            PayloadCmd::Registry(r) => r.submit(),
            PayloadCmd::Market(m) => m.submit(),
        }
    }

    /// The payload, with progress shown on long work. `signer` is the signing key (an
    /// order's buyer is its member); `member` turns what a flag names (a short id, a member
    /// id or an account key) into a member id; `now` is the time spans (`--expires 30d`)
    /// count from; `days` reads days (`--not-after 2028-12-31`) in the chain's time zone.
    pub(crate) fn payload(
        &self,
        files: Fingerprinter,
        signer: &[u8],
        member: &dyn Fn(&str, &str) -> anyhow::Result<Vec<u8>>,
        now: u64,
        days: p::Days,
    ) -> anyhow::Result<Payload> {
        Ok(match self {
            PayloadCmd::Register {
                file,
                fingerprint: fp,
                size,
                name,
                description,
                grade,
                jurisdiction,
                sector,
                origin,
                contains_pi,
                contains_spi,
                pi_subjects,
                evidence,
                derived_from,
                derive_purpose,
                delivery,
                sharing,
                ..
            } => {
                let (fingerprint, size_bytes) = match (file, fp) {
                    (Some(f), _) => {
                        let (h, n) = files.of_file(f)?;
                        (h.to_vec(), n)
                    }
                    (None, Some(h)) => (p::hash(h, "--fingerprint")?, size.unwrap_or(0)),
                    (None, None) => bail!("give --file PATH (or --fingerprint HASH --size N)"),
                };
                Payload::RegisterAsset(pb::RegisterAsset {
                    fingerprint,
                    size_bytes,
                    name: name.clone(),
                    description: description.clone(),
                    sector: sector.clone(),
                    grade: p::word(grade, "--grade", GRADES)?,
                    pi: (*contains_pi || *contains_spi || *pi_subjects > 0).then_some({
                        pb::PersonalInfo {
                            contains_pi: *contains_pi || *contains_spi || *pi_subjects > 0,
                            contains_sensitive_pi: *contains_spi,
                            subjects: *pi_subjects,
                        }
                    }),
                    origin: p::word(origin, "--origin", ORIGINS)?,
                    evidence_hash: p::opt_hash(evidence.as_deref(), "--evidence")?,
                    jurisdiction: jurisdiction.to_ascii_uppercase(),
                    delivery_modes: p::words(delivery, "--delivery", DELIVERY)?,
                    derived_from: derived_from
                        .iter()
                        .map(|a| p::hash(a, "--derived-from"))
                        .collect::<Result<_, _>>()?,
                    derive_purpose: match derive_purpose {
                        Some(d) => p::purpose(d, "--derive-purpose")?,
                        None => String::new(),
                    },
                    sharing: p::word(sharing, "--sharing", SHARING)?,
                })
            }
            PayloadCmd::Transfer {
                asset,
                right,
                to,
                price,
                consideration,
                ..
            } => Payload::TransferRight(pb::TransferRight {
                asset: p::hash(asset, "--asset")?,
                right: p::word(right, "--right", RIGHTS)?,
                to: member(to, "--to")?,
                price: price.as_deref().map(p::price).transpose()?,
                consideration_hash: p::opt_hash(consideration.as_deref(), "--consideration")?,
            }),
            PayloadCmd::Grant {
                asset,
                grantee,
                actions,
                purposes,
                not_before,
                not_after,
                jurisdictions,
                max_uses,
                recipients,
                policy,
                ..
            } => Payload::IssueGrant(pb::IssueGrant {
                asset: p::hash(asset, "--asset")?,
                grantee: member(grantee, "--grantee")?,
                actions: p::words(actions, "--actions", ACTIONS)?,
                purposes: p::purposes(purposes)?,
                not_before_ms: not_before
                    .as_deref()
                    .map(|d| days.start(d))
                    .transpose()?
                    .unwrap_or(0),
                not_after_ms: days.end(not_after)?,
                jurisdictions: p::jurisdictions(jurisdictions)?,
                max_uses: *max_uses,
                recipient_systems: p::list(recipients),
                policy_doc_hash: p::opt_hash(policy.as_deref(), "--policy")?,
            }),
            PayloadCmd::Revoke { grant, reason, .. } => Payload::RevokeGrant(pb::RevokeGrant {
                grant: p::hash(grant, "--grant")?,
                reason_hash: p::opt_hash(reason.as_deref(), "--reason")?,
            }),
            PayloadCmd::Usage {
                grant,
                action,
                purpose,
                jurisdiction,
                recipient,
                output_fingerprint,
                ..
            } => Payload::RecordUsage(pb::RecordUsage {
                grant: p::hash(grant, "--grant")?,
                action: p::word(action, "--action", ACTIONS)?,
                purpose: purpose.clone(),
                jurisdiction: jurisdiction.to_ascii_uppercase(),
                recipient_system: recipient.clone(),
                output_fingerprint: p::opt_hash(
                    output_fingerprint.as_deref(),
                    "--output-fingerprint",
                )?,
            }),
            PayloadCmd::FileCrossBorder {
                grants,
                transfer_asset,
                transfer_right,
                transfer_to,
                destination,
                path,
                pi_subjects,
                spi_subjects,
                important,
                evidence,
                reason,
                ..
            } => Payload::FileCrossBorder(pb::FileCrossBorder {
                grants: p::list(grants.as_deref().unwrap_or_default())
                    .iter()
                    .map(|g| p::hash(g, "--grants"))
                    .collect::<Result<_, _>>()?,
                transfer: match (transfer_asset, transfer_right, transfer_to) {
                    (Some(a), Some(r), Some(to)) => Some(pb::TransferExport {
                        asset: p::hash(a, "--transfer-asset")?,
                        right: p::word(r, "--transfer-right", RIGHTS)?,
                        receiver: member(to, "--transfer-to")?,
                    }),
                    _ => None,
                },
                destination: destination.to_ascii_uppercase(),
                path: p::word(path, "--path", PATHS)?,
                exempt_reason: reason.clone(),
                declared: Some(pb::Declared {
                    pi_subjects: *pi_subjects,
                    spi_subjects: *spi_subjects,
                    important: *important,
                }),
                evidence_hash: p::hash(evidence, "--evidence")?,
            }),
            PayloadCmd::DecideCrossBorder {
                filing,
                approve,
                acknowledge,
                reject,
                valid_until,
                ..
            } => {
                let decision = if *approve {
                    pb::Decision::Approve
                } else if *acknowledge {
                    pb::Decision::Acknowledge
                } else if *reject {
                    pb::Decision::Reject
                } else {
                    pb::Decision::Revoke
                };
                Payload::DecideCrossBorder(pb::DecideCrossBorder {
                    filing: p::hash(filing, "--filing")?,
                    decision: decision as i32,
                    valid_until_ms: valid_until
                        .as_deref()
                        .map(|d| days.end(d))
                        .transpose()?
                        .unwrap_or(0),
                })
            }
            PayloadCmd::Attest {
                subject,
                kind,
                result,
                report,
                valid_until,
                ..
            } => Payload::Attest(pb::Attest {
                subject: p::hash(subject, "--subject")?,
                kind: p::word(kind, "--kind", ATTEST_KINDS)?,
                result: p::word(result, "--result", ATTEST_RESULTS)?,
                report_hash: p::hash(report, "--report")?,
                valid_until_ms: valid_until
                    .as_deref()
                    .map(|d| days.end(d))
                    .transpose()?
                    .unwrap_or(0),
            }),
            PayloadCmd::Freeze {
                subject, reason, ..
            } => Payload::Freeze(pb::Freeze {
                subject: p::hash(subject, "--subject")?,
                reason_hash: p::hash(reason, "--reason")?,
            }),
            PayloadCmd::Unfreeze { subject, .. } => Payload::Unfreeze(pb::Unfreeze {
                subject: p::hash(subject, "--subject")?,
            }),
            PayloadCmd::Registry(r) => r.payload(files)?,
            PayloadCmd::Market(m) => m.payload(files, signer, member, now, days)?,
            PayloadCmd::RotateKey { new_key, .. } => Payload::RotateKey(pb::RotateKey {
                new_key: crate::keys::public_key(new_key)
                    .map_err(|e| anyhow::anyhow!("--new-key {}: {e:#}", new_key.display()))?
                    .to_vec(),
            }),
        })
    }
}
