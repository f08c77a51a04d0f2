//! Members.

use serde::{Deserialize, Serialize};

use crate::hash::Hashing;
use crate::pb;

use super::{member_status_word, opt_hex, role_word};

/// A member.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    /// Short id (`org1`).
    pub id: String,
    /// Member id: what rights, grants and filings name (hex).
    pub member_id: String,
    /// Institution.
    pub name: String,
    /// Organisation code.
    pub org_code: String,
    /// Jurisdiction.
    pub jurisdiction: String,
    /// Roles.
    pub roles: Vec<String>,
    /// Account keys.
    pub account_keys: Vec<String>,
    /// Node key.
    pub node_key: Option<String>,
    /// The key its genesis node certifies blocks with, when not the node key (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_key: Option<String>,
    /// Critical information infrastructure operator.
    pub is_ciio: bool,
    /// `active`, `suspended` or `removed`.
    pub status: String,
    /// Keys it signed with before (rotated out or revoked).
    #[serde(default)]
    pub former_keys: Vec<String>,
}

impl MemberView {
    /// The view of a member record of chain `chain_id` (whose hashing is `h`).
    pub fn new(h: Hashing, chain_id: &str, m: &pb::Member) -> Self {
        MemberView {
            id: m.id.clone(),
            member_id: h.member_id(chain_id, &m.id).to_hex(),
            name: m.name.clone(),
            org_code: m.org_code.clone(),
            jurisdiction: m.jurisdiction.clone(),
            roles: m.roles.iter().map(|r| role_word(*r)).collect(),
            account_keys: m.account_keys.iter().map(hex::encode).collect(),
            node_key: opt_hex(&m.node_key),
            cert_key: opt_hex(&m.cert_key),
            is_ciio: m.is_ciio,
            status: member_status_word(m.status),
            former_keys: m.former_keys.iter().map(hex::encode).collect(),
        }
    }
}
