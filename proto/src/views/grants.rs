//! Grants, cross-border filings and attestations.

use serde::{Deserialize, Serialize};

use crate::hash::Hash32;
use crate::pb;

use super::{right_word, Directory, MemberRef};

/// A grant.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantView {
    /// Grant id.
    pub id: Hash32,
    /// Asset.
    pub asset: String,
    /// Who granted.
    pub grantor: MemberRef,
    /// Who may use.
    pub grantee: MemberRef,
    /// Allowed actions.
    pub actions: Vec<String>,
    /// Allowed purposes.
    pub purposes: Vec<String>,
    /// Valid from.
    pub not_before_ms: u64,
    /// Valid from, RFC 3339 in the chain's time zone.
    pub not_before: Option<String>,
    /// Valid until.
    pub not_after_ms: u64,
    /// Valid until, RFC 3339 in the chain's time zone.
    pub not_after: Option<String>,
    /// Where the grantee may use it.
    pub jurisdictions: Vec<String>,
    /// Most uses (0 = unlimited).
    pub max_uses: u64,
    /// Uses recorded.
    pub uses: u64,
    /// Allowed recipient systems (empty = any).
    pub recipient_systems: Vec<String>,
    /// Status at `status_at_ms` (`active`, `pending-export`, `revoked`, `exhausted`,
    /// `expired`).
    pub status: String,
    /// The time the status is of: the one asked, or else the last block's time (on an idle
    /// chain that may lie well before the wall clock).
    pub status_at_ms: u64,
    /// `status_at_ms`, RFC 3339 in the chain's time zone.
    pub status_at: Option<String>,
    /// The height whose state the grant is read from (the last block at or before the time
    /// asked).
    pub as_of_height: u64,
    /// Filings covering its foreign jurisdictions: `CC=filing id`.
    pub covers: Vec<String>,
    /// Frozen by a regulator.
    pub frozen: bool,
    /// Issuing block.
    pub issued_height: u64,
    /// Issuing transaction.
    pub tx_id: Hash32,
}

/// A cross-border filing.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FilingView {
    /// Filing id.
    pub id: Hash32,
    /// The exporter (the member that filed).
    pub exporter: MemberRef,
    /// The exporter's short id, as the filing recorded it.
    pub exporter_member: String,
    /// Grants covered (a grant filing).
    pub grants: Vec<String>,
    /// The transfer abroad it covers (a transfer filing): asset, right and receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<TransferExportView>,
    /// Destination jurisdiction.
    pub destination: String,
    /// Chosen path.
    pub path: String,
    /// Reason, for an exempt path.
    pub exempt_reason: String,
    /// Declared PI subjects.
    pub pi_subjects: u64,
    /// Declared sensitive-PI subjects.
    pub spi_subjects: u64,
    /// Declared important data.
    pub important: bool,
    /// Hash of the filing's evidence.
    pub evidence_hash: String,
    /// `filed`, `approved`, `acknowledged`, `rejected`, `revoked`, `expired`, or `used`
    /// (a transfer approval its transfer spent).
    pub status: String,
    /// The time the status is of (the last block's time).
    pub status_at_ms: u64,
    /// `status_at_ms`, RFC 3339 in the chain's time zone.
    pub status_at: Option<String>,
    /// Approval valid until.
    pub valid_until_ms: u64,
    /// `valid_until_ms`, RFC 3339 in the chain's time zone (null: none).
    pub valid_until: Option<String>,
    /// Filing block.
    pub filed_height: u64,
    /// Regulator who decided.
    pub decided_by: Option<MemberRef>,
    /// Frozen by a regulator.
    pub frozen: bool,
    /// Filing transaction.
    pub tx_id: Hash32,
}

/// The transfer a filing covers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferExportView {
    /// Asset.
    pub asset: String,
    /// `hold`, `use` or `operate`.
    pub right: String,
    /// The receiver (member id).
    pub receiver: MemberRef,
}

impl TransferExportView {
    /// The view of a filing's transfer; `d` names the receiver.
    pub fn new(t: &pb::TransferExport, d: &Directory) -> Self {
        TransferExportView {
            asset: hex::encode(&t.asset),
            right: right_word(t.right),
            receiver: d.member(&t.receiver),
        }
    }
}

/// An attestation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttestationView {
    /// Attestation id.
    pub id: Hash32,
    /// The auditor (member id).
    pub issuer: MemberRef,
    /// Subject.
    pub subject: String,
    /// Kind.
    pub kind: String,
    /// `pass`, `fail` or `info`.
    pub result: String,
    /// Hash of the report.
    pub report_hash: String,
    /// Valid until (0 = open).
    pub valid_until_ms: u64,
    /// `valid_until_ms`, RFC 3339 in the chain's time zone (null: open).
    pub valid_until: Option<String>,
    /// `valid`, `expired` (past `valid_until_ms`) or `superseded`, at `status_at_ms`.
    pub status: String,
    /// The time the status is of (the last block's time).
    pub status_at_ms: u64,
    /// `status_at_ms`, RFC 3339 in the chain's time zone.
    pub status_at: Option<String>,
    /// The attestation that replaced it.
    pub superseded_by: Option<String>,
    /// Block.
    pub height: u64,
}
