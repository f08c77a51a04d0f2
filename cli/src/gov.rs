//! `shuquan gov ...`: the council's proposals and votes. A council member proposes an
//! action (its own yes vote comes with it); the others vote; the action is carried out in
//! the block whose vote takes the proposal past the council's threshold.

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use shuquan_proto::pb::{self, propose::Action, tx_body::Payload};

use crate::parse as p;
use crate::txcmd::{chain, member_ref, sign_and_submit};
use crate::Ctx;

/// Governance commands.
#[derive(Debug, Subcommand)]
pub(crate) enum GovCmd {
    /// Propose an action to the council (prints `proposal <id>`; your vote is yes).
    Propose {
        #[command(subcommand)]
        action: ProposeCmd,
        #[command(flatten)]
        wait: Wait,
    },
    /// Vote on an open proposal (council members, once each).
    ///
    /// Example: shuquan --key keys/org2.key gov vote 3f1c... --yes --wait
    Vote {
        /// The proposal id (from `gov propose` or `query proposals --open`).
        id: String,
        /// Vote for it.
        #[arg(long, conflicts_with = "no", required_unless_present = "no")]
        yes: bool,
        /// Vote against it.
        #[arg(long)]
        no: bool,
        #[command(flatten)]
        wait: Wait,
    },
}

/// `--wait`, as for `tx`.
#[derive(Debug, Args)]
pub(crate) struct Wait {
    /// Wait until the transaction is in a block and print its result (exit 1 if it failed).
    #[arg(long, global = true)]
    wait: bool,
}

/// The actions a proposal may carry. MEMBER is a short id (org2), a member id or an
/// account key.
#[derive(Debug, Subcommand)]
pub(crate) enum ProposeCmd {
    /// Admit an institution as a member with its first account key(s).
    ///
    /// Example: shuquan gov propose admit-member --name org5 --key <64 hex> --roles member --jurisdiction CN
    AdmitMember {
        /// Its short id, for good (lowercase letters, digits, - and _): how everyone names it.
        #[arg(long)]
        name: String,
        /// An account key (from `shuquan keys new`: 64 hex, or 66 for SM2 on sm3 chains); repeatable.
        #[arg(long = "key", value_name = "PUBHEX", required = true)]
        keys: Vec<String>,
        /// Roles, comma-separated: member, registrar, regulator, auditor, evaluator.
        #[arg(long, default_value = "member")]
        roles: String,
        /// Where the institution is (ISO 3166-1 alpha-2, e.g. CN).
        #[arg(long)]
        jurisdiction: String,
        /// The institution's full name (default: the short id).
        #[arg(long)]
        institution: Option<String>,
        /// Unified social credit code or similar.
        #[arg(long, default_value = "")]
        org_code: String,
        /// It operates critical information infrastructure.
        #[arg(long)]
        ciio: bool,
    },
    /// Suspend a member: its keys sign nothing until it is reinstated.
    SuspendMember {
        /// The member.
        member: String,
    },
    /// Reinstate a suspended member.
    ReinstateMember {
        /// The member.
        member: String,
    },
    /// Remove a member for good (its history stays; it is never reinstated).
    RemoveMember {
        /// The member.
        member: String,
    },
    /// Revoke a member's account key without its signature (a stolen key), optionally
    /// with a replacement key the member gave you.
    RevokeKey {
        /// The member.
        #[arg(long)]
        member: String,
        /// The key to revoke (64 hex, or 66 for SM2).
        #[arg(long, value_name = "PUBHEX")]
        key: String,
        /// The key that takes its place (64 hex, or 66 for SM2); needed when it is the member's last key.
        #[arg(long, value_name = "PUBHEX")]
        replacement: Option<String>,
    },
    /// Change a chain parameter (checked as the genesis is). Purposes take a comma list.
    ///
    /// Example: shuquan gov propose set-param max_block_txs 500
    SetParam {
        /// One of the parameters of `GET /v1/genesis` (max_tx_bytes stays the genesis's).
        name: String,
        /// The new value.
        value: String,
    },
    /// Add a node, run by a member, as a learner: it catches up and signs blocks; its
    /// signature counts once it is promoted. Start it first (`shuquan devnet add-node`).
    ///
    /// Example: shuquan gov propose add-node --key <node key hex> --addr /ip4/127.0.0.1/tcp/7103 --operator org1
    AddNode {
        /// The node's public key (64 hex; `shuquan devnet add-node` prints it).
        #[arg(long, value_name = "NODEPUBHEX")]
        key: String,
        /// Its p2p address.
        #[arg(long, value_name = "MULTIADDR")]
        addr: String,
        /// The member that runs it.
        #[arg(long, value_name = "MEMBER")]
        operator: String,
        /// The key it signs block certificates with, if not its node key: on an sm3 chain
        /// an SM2 key, required (66 hex; `shuquan devnet add-node` prints it).
        #[arg(long, value_name = "CERTPUBHEX")]
        cert_key: Option<String>,
    },
    /// Make a learner a voter (its signature then counts toward certificates).
    PromoteNode {
        /// The node's public key (64 hex).
        node_key: String,
    },
    /// Make a voter a learner again.
    DemoteNode {
        /// The node's public key (64 hex).
        node_key: String,
    },
    /// Remove a node for good (its key is never admitted again).
    RemoveNode {
        /// The node's public key (64 hex).
        node_key: String,
    },
    /// Replace the council: who votes, the share that must agree, how long votes stay open.
    SetCouncil {
        /// The voting members, comma-separated.
        #[arg(long)]
        members: String,
        /// More than this share must vote yes, as n/d.
        #[arg(long, default_value = "2/3")]
        threshold: String,
        /// Days a proposal stays open.
        #[arg(long, default_value_t = 7)]
        voting_days: u64,
    },
}

impl ProposeCmd {
    fn action(
        &self,
        member: &dyn Fn(&str, &str) -> anyhow::Result<Vec<u8>>,
    ) -> anyhow::Result<Action> {
        let status = |name: &str, status: pb::MemberStatus| -> anyhow::Result<Action> {
            Ok(Action::SetMemberStatus(pb::SetMemberStatus {
                member: member(name, "MEMBER")?,
                status: status as i32,
            }))
        };
        Ok(match self {
            ProposeCmd::AdmitMember {
                name,
                keys,
                roles,
                jurisdiction,
                institution,
                org_code,
                ciio,
            } => {
                if !shuquan_proto::gov::is_short_id(name) {
                    bail!("--name {name:?}: a short id is 1 to 64 lowercase letters, digits, - or _ (like org5)");
                }
                let mut role_codes = Vec::new();
                for r in p::list(roles) {
                    let Some((_, role)) = shuquan_proto::genesis::ROLE_NAMES
                        .iter()
                        .find(|(n, _)| *n == r)
                    else {
                        bail!("--roles: unknown role {r:?}; one of member, registrar, regulator, auditor, evaluator");
                    };
                    role_codes.push(*role as i32);
                }
                Action::AdmitMember(pb::AdmitMember {
                    id: name.clone(),
                    name: institution.clone().unwrap_or_else(|| name.clone()),
                    org_code: org_code.clone(),
                    jurisdiction: jurisdiction.to_ascii_uppercase(),
                    roles: role_codes,
                    account_keys: keys
                        .iter()
                        .map(|k| p::key(k, "--key"))
                        .collect::<Result<_, _>>()?,
                    is_ciio: *ciio,
                })
            }
            ProposeCmd::SuspendMember { member } => status(member, pb::MemberStatus::Suspended)?,
            ProposeCmd::ReinstateMember { member } => status(member, pb::MemberStatus::Active)?,
            ProposeCmd::RemoveMember { member } => status(member, pb::MemberStatus::Removed)?,
            ProposeCmd::RevokeKey {
                member: m,
                key,
                replacement,
            } => Action::RevokeKey(pb::RevokeKey {
                member: member(m, "--member")?,
                key: p::key(key, "--key")?,
                replacement_key: replacement
                    .as_deref()
                    .map(|r| p::key(r, "--replacement"))
                    .transpose()?
                    .unwrap_or_default(),
            }),
            ProposeCmd::SetParam { name, value } => {
                if !shuquan_proto::gov::PARAM_NAMES.contains(&name.as_str()) {
                    bail!(
                        "{name:?} is no parameter governance may change; one of {}",
                        shuquan_proto::gov::PARAM_NAMES.join(", ")
                    );
                }
                if name == "purposes" {
                    Action::SetParam(pb::SetParam {
                        name: name.clone(),
                        value: 0,
                        words: p::purposes(value)?,
                    })
                } else {
                    let v: i64 = value
                        .trim()
                        .parse()
                        .with_context(|| format!("{name} takes a whole number, not {value:?}"))?;
                    Action::SetParam(pb::SetParam {
                        name: name.clone(),
                        value: v,
                        words: vec![],
                    })
                }
            }
            ProposeCmd::AddNode {
                key,
                addr,
                operator,
                cert_key,
            } => {
                if !addr.starts_with('/') {
                    bail!("--addr {addr:?} is not a multiaddr such as /ip4/127.0.0.1/tcp/7103");
                }
                Action::AddNode(pb::AddNode {
                    node_key: p::key(key, "--key")?,
                    addr: addr.clone(),
                    operator: member(operator, "--operator")?,
                    cert_key: match cert_key {
                        Some(k) => p::key(k, "--cert-key")?,
                        None => Vec::new(),
                    },
                })
            }
            ProposeCmd::PromoteNode { node_key } => Action::PromoteNode(pb::ChangeNode {
                node_key: p::key(node_key, "NODEPUBHEX")?,
            }),
            ProposeCmd::DemoteNode { node_key } => Action::DemoteNode(pb::ChangeNode {
                node_key: p::key(node_key, "NODEPUBHEX")?,
            }),
            ProposeCmd::RemoveNode { node_key } => Action::RemoveNode(pb::ChangeNode {
                node_key: p::key(node_key, "NODEPUBHEX")?,
            }),
            ProposeCmd::SetCouncil {
                members,
                threshold,
                voting_days,
            } => {
                let Some((num, den)) = shuquan_proto::gov::parse_threshold(threshold) else {
                    bail!("--threshold {threshold:?}: give n/d with n < d <= 100, e.g. 2/3");
                };
                Action::SetCouncil(pb::Council {
                    members: p::list(members)
                        .iter()
                        .map(|m| member(m, "--members"))
                        .collect::<Result<_, _>>()?,
                    threshold_num: num,
                    threshold_den: den,
                    voting_period_ms: voting_days.saturating_mul(86_400_000),
                })
            }
        })
    }
}

/// Runs a `gov` command.
pub(crate) fn run(ctx: &Ctx, cmd: &GovCmd) -> anyhow::Result<()> {
    let key = ctx.key()?;
    let chain = chain(ctx, None)?;
    let member = |name: &str, flag: &str| member_ref(ctx, &chain, name, flag);
    let (payload, wait) = match cmd {
        GovCmd::Propose { action, wait } => (
            Payload::Propose(pb::Propose {
                action: Some(action.action(&member)?),
            }),
            wait.wait,
        ),
        GovCmd::Vote { id, yes, no, wait } => (
            Payload::Vote(pb::Vote {
                proposal: p::hash(id, "proposal id")?,
                approve: *yes && !*no,
            }),
            wait.wait,
        ),
    };
    sign_and_submit(ctx, &chain, &key, &[], payload, wait)
}
