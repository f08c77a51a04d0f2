//! Governance proposals and the council, as the API serves them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pb;

use super::{action_json, proposal_status_word, Directory, MemberRef};

/// One vote.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteView {
    /// The voter.
    pub member: MemberRef,
    /// Yes or no.
    pub approve: bool,
    /// The block that recorded it.
    pub height: u64,
}

/// A governance proposal.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalView {
    /// Proposal id (hex).
    pub id: String,
    /// The proposing transaction.
    pub tx_id: String,
    /// The action and its fields (`action`: `admit-member`, `set-member-status`, ...).
    pub action: Value,
    /// The proposer.
    pub proposer: MemberRef,
    /// `open`, `executed`, `rejected`, `expired` or `failed`, at `status_at_ms`.
    pub status: String,
    /// The time the status is reported at (the latest block's).
    pub status_at_ms: u64,
    /// `status_at_ms`, RFC 3339 in the chain's time zone.
    pub status_at: Option<String>,
    /// The block that recorded the proposal.
    pub created_height: u64,
    /// When it stops taking votes.
    pub expires_at_ms: u64,
    /// `expires_at_ms`, RFC 3339 in the chain's time zone.
    pub expires_at: Option<String>,
    /// Yes votes, no votes, and how many council members vote.
    pub yes: usize,
    /// No votes.
    pub no: usize,
    /// Voters (the council when it was proposed).
    pub voters: usize,
    /// The share that must vote yes, as `n/d` (more than it passes).
    pub threshold: String,
    /// The votes, in order.
    pub votes: Vec<VoteView>,
    /// The block where it was executed, rejected or failed.
    pub decided_height: Option<u64>,
    /// Why a passed proposal failed (the receipt's sentence).
    pub failure: Option<String>,
}

impl ProposalView {
    /// The view of `p` at time `now_ms`; `d` names the members and shows the times.
    pub fn new(p: &pb::ProposalRecord, now_ms: u64, d: &Directory) -> Self {
        let council = p.council.clone().unwrap_or_default();
        let mut status = p.status;
        if status == pb::ProposalStatus::Open as i32 && now_ms >= p.expires_at_ms {
            status = pb::ProposalStatus::Expired as i32;
        }
        let failure = (p.failure_code != 0).then(|| {
            let receipt = pb::Receipt {
                code: p.failure_code,
                detail: p.failure_detail,
                args: p.failure_args.clone(),
                ..Default::default()
            };
            crate::codes::Rejection::of_receipt(&receipt)
                .map_or_else(|| format!("code {}", p.failure_code), |r| r.to_string())
        });
        ProposalView {
            id: hex::encode(&p.id),
            tx_id: hex::encode(&p.tx_id),
            action: action_json(p.propose.as_ref().unwrap_or(&pb::Propose::default())),
            proposer: d.member(&p.proposer),
            status: proposal_status_word(status),
            status_at_ms: now_ms,
            status_at: d.time(now_ms),
            created_height: p.created_height,
            expires_at_ms: p.expires_at_ms,
            expires_at: d.time(p.expires_at_ms),
            yes: p.votes.iter().filter(|v| v.approve).count(),
            no: p.votes.iter().filter(|v| !v.approve).count(),
            voters: council.members.len(),
            threshold: format!("{}/{}", council.threshold_num, council.threshold_den),
            votes: p
                .votes
                .iter()
                .map(|v| VoteView {
                    member: d.member(&v.member),
                    approve: v.approve,
                    height: v.height,
                })
                .collect(),
            decided_height: (p.decided_height != 0).then_some(p.decided_height),
            failure,
        }
    }
}

/// The council in force.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CouncilView {
    /// Its members.
    pub members: Vec<MemberRef>,
    /// The share that must vote yes, as `n/d` (more than it passes).
    pub threshold: String,
    /// How long a proposal stays open.
    pub voting_period_ms: u64,
}

/// A node of the chain, as governance decided it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NodeView {
    /// Its Raft id.
    pub id: u64,
    /// Its node key (hex).
    pub node_key: String,
    /// The key it signs block certificates with, when not its node key (hex; SM2 on SM
    /// chains).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_key: Option<String>,
    /// Its p2p address.
    pub addr: String,
    /// The member that runs it.
    pub operator: MemberRef,
    /// `voter` or `learner`.
    pub role: String,
    /// The block that added it (0: the genesis).
    pub added_height: u64,
}

impl NodeView {
    /// The view of `n`; `d` names the operator.
    pub fn new(n: &pb::NodeRecord, d: &Directory) -> Self {
        NodeView {
            id: n.id,
            node_key: hex::encode(&n.node_key),
            cert_key: (!n.cert_key.is_empty()).then(|| hex::encode(&n.cert_key)),
            addr: n.addr.clone(),
            operator: d.member(&n.operator),
            role: super::node_role_word(n.role),
            added_height: n.added_height,
        }
    }
}
