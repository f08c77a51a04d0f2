//! The registration commands of `shuquan tx` (docs/REGISTRATION.md): a registrar's review
//! and decisions on objections, the applicant's answers, any member's objection, and the
//! Hold holder's later applications (change, renew, cancel); `cancel --id` also withdraws
//! one's own open access request, listing or order.

use std::path::PathBuf;

use clap::Subcommand;
use shuquan_proto::pb::{self, tx_body::Payload};

use crate::fingerprint::Fingerprinter;
use crate::parse::{self as p, DELIVERY, OBJECTION_REASONS, REVIEW_REASONS, SHARING};
use crate::payload::Submit;

/// Registration payloads.
#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCmd {
    /// As a registrar, decide an application under review: accept it into public notice,
    /// reject it, or ask the applicant for evidence.
    #[command(group(clap::ArgGroup::new("decision").required(true).args(["accept", "reject", "request_evidence"])))]
    Review {
        /// The asset whose application you decide.
        #[arg(long)]
        asset: String,
        /// Accept: the public notice starts (its length is the chain's notice_period_ms).
        #[arg(long)]
        accept: bool,
        /// Reject, with a reason code: incomplete, evidence-insufficient, rights-unclear,
        /// unlawful-source, personal-info-unresolved, not-a-data-resource, duplicate.
        #[arg(long, value_name = "CODE")]
        reject: Option<String>,
        /// Ask the applicant for evidence, with a reason code (as for --reject).
        #[arg(long, value_name = "CODE")]
        request_evidence: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// As the applicant, answer a registrar's request for evidence.
    SupplyEvidence {
        /// The asset.
        #[arg(long)]
        asset: String,
        /// The hash of the evidence, with the chain's hash function (the evidence stays off chain).
        #[arg(long, value_name = "HEX")]
        evidence: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// As the applicant, withdraw an application before its certificate.
    Withdraw {
        /// The asset.
        #[arg(long)]
        asset: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// Object to an application in public notice (any member; before the notice ends).
    Object {
        /// The asset.
        #[arg(long)]
        asset: String,
        /// Why, as a code: ownership ("this data is ours"), unlawful-source, personal-info,
        /// inaccurate, other. The reasoning itself goes in the evidence.
        #[arg(long, value_name = "CODE")]
        reason: String,
        /// The hash of the evidence (the chain's hash function).
        #[arg(long, value_name = "HEX")]
        evidence: String,
        #[command(flatten)]
        submit: Submit,
    },
    /// As a registrar, uphold an objection (the application is rejected) or dismiss it.
    #[command(group(clap::ArgGroup::new("verdict").required(true).args(["uphold", "dismiss"])))]
    DecideObjection {
        /// The objection id (printed by `tx object`, listed by `query objections`).
        #[arg(long)]
        objection: String,
        /// Uphold it.
        #[arg(long)]
        uphold: bool,
        /// Dismiss it.
        #[arg(long)]
        dismiss: bool,
        #[command(flatten)]
        submit: Submit,
    },
    /// As the Hold holder, apply to change a registered asset: new metadata or a new version
    /// of the data. Reviewed and noticed like the first application.
    Change {
        /// The asset.
        #[arg(long)]
        asset: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// A new sector.
        #[arg(long)]
        sector: Option<String>,
        /// A new version of the data, fingerprinted from this file.
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
        /// New delivery modes: download,query,compute,verify.
        #[arg(long)]
        delivery: Option<String>,
        /// A new sharing class: unconditional, conditional, not-shared.
        #[arg(long)]
        sharing: Option<String>,
        /// Hash of supporting evidence.
        #[arg(long, value_name = "HEX")]
        evidence: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// As the Hold holder, apply to renew a registration (its validity runs on).
    Renew {
        /// The asset.
        #[arg(long)]
        asset: String,
        /// Hash of supporting evidence.
        #[arg(long, value_name = "HEX")]
        evidence: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
    /// Cancel a registration (--asset), or your open request, listing or order (--id).
    ///
    /// With --asset, as the Hold holder, apply to cancel a registration (reviewed like the
    /// first application; once certified, nothing moves). With --id, as its maker, cancel
    /// your open access request, listing or placed order; nothing else changes.
    ///
    /// Example: shuquan --key org1.key tx cancel --id 5d1b… --wait
    #[command(group(clap::ArgGroup::new("what").required(true).args(["asset", "id"])))]
    Cancel {
        /// The asset whose registration to cancel.
        #[arg(long)]
        asset: Option<String>,
        /// The access request, listing or order to cancel (from `tx request`, `tx list`,
        /// `tx order`).
        #[arg(long, value_name = "ID")]
        id: Option<String>,
        /// Hash of supporting evidence (a registration's cancellation).
        #[arg(long, value_name = "HEX", conflicts_with = "id")]
        evidence: Option<String>,
        #[command(flatten)]
        submit: Submit,
    },
}

impl RegistryCmd {
    pub(crate) fn submit(&self) -> &Submit {
        match self {
            RegistryCmd::Review { submit, .. }
            | RegistryCmd::SupplyEvidence { submit, .. }
            | RegistryCmd::Withdraw { submit, .. }
            | RegistryCmd::Object { submit, .. }
            | RegistryCmd::DecideObjection { submit, .. }
            | RegistryCmd::Change { submit, .. }
            | RegistryCmd::Renew { submit, .. }
            | RegistryCmd::Cancel { submit, .. } => submit,
        }
    }

    /// The payload (a new version's file is fingerprinted with `fp`).
    pub(crate) fn payload(&self, fp: Fingerprinter) -> anyhow::Result<Payload> {
        let asset = |a: &str| p::hash(a, "--asset");
        Ok(match self {
            RegistryCmd::Review {
                asset: a,
                accept,
                reject,
                request_evidence,
                ..
            } => {
                let (decision, reason) = match (accept, reject, request_evidence) {
                    (true, _, _) => (pb::ReviewDecision::Accept, 0),
                    (_, Some(code), _) => (
                        pb::ReviewDecision::Reject,
                        p::word(code, "--reject", REVIEW_REASONS)?,
                    ),
                    (_, _, Some(code)) => (
                        pb::ReviewDecision::RequestEvidence,
                        p::word(code, "--request-evidence", REVIEW_REASONS)?,
                    ),
                    _ => anyhow::bail!("give --accept, --reject CODE or --request-evidence CODE"),
                };
                Payload::Review(pb::Review {
                    asset: asset(a)?,
                    decision: decision as i32,
                    reason,
                })
            }
            RegistryCmd::SupplyEvidence {
                asset: a, evidence, ..
            } => Payload::SupplyEvidence(pb::SupplyEvidence {
                asset: asset(a)?,
                evidence_hash: p::hash(evidence, "--evidence")?,
            }),
            RegistryCmd::Withdraw { asset: a, .. } => {
                Payload::Withdraw(pb::Withdraw { asset: asset(a)? })
            }
            RegistryCmd::Object {
                asset: a,
                reason,
                evidence,
                ..
            } => Payload::Object(pb::Object {
                asset: asset(a)?,
                reason: p::word(reason, "--reason", OBJECTION_REASONS)?,
                evidence_hash: p::hash(evidence, "--evidence")?,
            }),
            RegistryCmd::DecideObjection {
                objection, uphold, ..
            } => Payload::DecideObjection(pb::DecideObjection {
                objection: p::hash(objection, "--objection")?,
                uphold: *uphold,
            }),
            RegistryCmd::Change {
                asset: a,
                name,
                description,
                sector,
                file,
                delivery,
                sharing,
                evidence,
                ..
            } => {
                let (fingerprint, size_bytes) = match file {
                    Some(f) => {
                        let (h, n) = fp.of_file(f)?;
                        (h.to_vec(), n)
                    }
                    None => (Vec::new(), 0),
                };
                let change = pb::AssetChange {
                    name: name.clone().unwrap_or_default(),
                    description: description.clone().unwrap_or_default(),
                    sector: sector.clone().unwrap_or_default(),
                    fingerprint,
                    size_bytes,
                    delivery_modes: match delivery {
                        Some(d) => p::words(d, "--delivery", DELIVERY)?,
                        None => Vec::new(),
                    },
                    sharing: match sharing {
                        Some(s) => p::word(s, "--sharing", SHARING)?,
                        None => 0,
                    },
                };
                amend(a, pb::AmendKind::Change, Some(change), evidence.as_deref())?
            }
            RegistryCmd::Renew {
                asset: a, evidence, ..
            } => amend(a, pb::AmendKind::Renewal, None, evidence.as_deref())?,
            RegistryCmd::Cancel {
                asset: a,
                id,
                evidence,
                ..
            } => match (a, id) {
                (Some(a), _) => amend(a, pb::AmendKind::Cancellation, None, evidence.as_deref())?,
                (None, Some(id)) => Payload::Cancel(pb::Cancel {
                    subject: p::hash(id, "--id")?,
                }),
                (None, None) => anyhow::bail!("give --asset ASSET or --id ID"),
            },
        })
    }
}

fn amend(
    asset: &str,
    kind: pb::AmendKind,
    change: Option<pb::AssetChange>,
    evidence: Option<&str>,
) -> anyhow::Result<Payload> {
    Ok(Payload::Amend(pb::Amend {
        asset: p::hash(asset, "--asset")?,
        kind: kind as i32,
        change,
        evidence_hash: p::opt_hash(evidence, "--evidence")?,
    }))
}
