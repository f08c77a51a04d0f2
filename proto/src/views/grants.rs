//! Grants, cross-border filings and attestations.

use serde::{Deserialize, Serialize};

use crate::hash::Hash32;
use crate::pb;

use super::right_word;

/// A grant.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantView {
    /// Grant id.
    pub id: Hash32,
    /// Asset.
    pub asset: String,
    /// Who granted.
    pub grantor: String,
    /// Who may use.
    pub grantee: String,
    /// Allowed actions.
    pub actions: Vec<String>,
    /// Allowed purposes.
    pub purposes: Vec<String>,
    /// Valid from.
    pub not_before_ms: u64,
    /// Valid until.
    pub not_after_ms: u64,
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
    /// Exporter's key.
    pub exporter: String,
    /// Exporter's member id.
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
    /// Approval valid until.
    pub valid_until_ms: u64,
    /// Filing block.
    pub filed_height: u64,
    /// Regulator who decided.
    pub decided_by: Option<String>,
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
    /// The receiver's key.
    pub receiver: String,
}

impl TransferExportView {
    /// The view of a filing's transfer.
    pub fn new(t: &pb::TransferExport) -> Self {
        TransferExportView {
            asset: hex::encode(&t.asset),
            right: right_word(t.right),
            receiver: hex::encode(&t.receiver),
        }
    }
}

/// An attestation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttestationView {
    /// Attestation id.
    pub id: Hash32,
    /// Auditor's key.
    pub issuer: String,
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
    /// `valid`, `expired` (past `valid_until_ms`) or `superseded`, at `status_at_ms`.
    pub status: String,
    /// The time the status is of (the last block's time).
    pub status_at_ms: u64,
    /// The attestation that replaced it.
    pub superseded_by: Option<String>,
    /// Block.
    pub height: u64,
}
