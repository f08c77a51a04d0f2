//! [`Entry`], one asset as the catalogue holds it, and the closed vocabularies of its words.

use serde::{Deserialize, Serialize};

/// Security grades.
pub const GRADES: &[&str] = &["general", "important", "core"];
/// Data origins.
pub const ORIGINS: &[&str] = &["public", "enterprise", "personal"];
/// Stored status words.
pub const STATUSES: &[&str] = &[
    "applied",
    "in-review",
    "in-notice",
    "registered",
    "rejected",
    "withdrawn",
    "changed",
    "renewed",
    "cancelled",
];
/// The status word derived at read time for a certificate past its validity end.
pub const EXPIRED: &str = "expired";
/// The status filter word for every registration in force: registered, changed or
/// renewed, and not expired (what the DCAT catalogue publishes).
pub const IN_FORCE: &str = "in-force";
/// Stored statuses of a live certificate, the ones that can expire.
pub const CERTIFIED_STATUSES: &[&str] = &["registered", "changed", "renewed"];
/// Effective statuses that take an entry with a registration number out of the DCAT output.
const NOT_CERTIFIED: &[&str] = &["rejected", "withdrawn", "cancelled", EXPIRED];
/// Delivery modes.
pub const DELIVERY_MODES: &[&str] = &["download", "query", "compute", "verify"];
/// Sharing classes.
pub const SHARING: &[&str] = &["unconditional", "conditional", "not-shared"];

/// One asset as the catalogue holds it (plain values; the node converts ledger records).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// Asset id, 64 lowercase hex characters; the document key.
    pub asset: String,
    /// Registration number, e.g. "GX-2026-000123" (None until certified).
    pub number: Option<String>,
    /// Name (any script).
    pub name: String,
    /// Description.
    pub description: String,
    /// Sector code, e.g. "transport".
    pub sector: String,
    /// "general" | "important" | "core".
    pub grade: String,
    /// "public" | "enterprise" | "personal".
    pub origin: String,
    /// Jurisdiction code, e.g. "CN-GX".
    pub jurisdiction: String,
    /// The Hold-right holder's member id, 64 hex.
    pub holder: String,
    /// Its short member id, e.g. "org1".
    pub holder_short: String,
    /// Its institution name (for `dct:publisher`).
    pub holder_name: String,
    /// Stored status word, one of [`STATUSES`].
    pub status: String,
    /// Certificate validity end in ms since the epoch, 0 = none / not certified.
    pub valid_until_ms: u64,
    /// A subset of [`DELIVERY_MODES`].
    pub delivery_modes: Vec<String>,
    /// One of [`SHARING`].
    pub sharing: String,
    /// Block of the first application (never changes).
    pub applied_height: u64,
    /// Its block time in ms (never changes).
    pub applied_at_ms: u64,
    /// Certificate effective time in ms, 0 until certified.
    pub registered_at_ms: u64,
    /// Data fingerprint, 64 hex.
    pub fingerprint: String,
    /// Data size in bytes.
    pub size_bytes: u64,
}

impl Entry {
    /// The status as of `now_ms`: "expired" when a live certificate (registered, changed,
    /// renewed) has `0 < valid_until_ms <= now_ms`, otherwise the stored status.
    pub fn effective_status(&self, now_ms: u64) -> &str {
        if is_expired(&self.status, self.valid_until_ms, now_ms) {
            EXPIRED
        } else {
            &self.status
        }
    }

    /// Whether the entry is certified as of `now_ms`, which is what the DCAT rendering
    /// publishes: it has a registration number and its effective status is none of
    /// rejected, withdrawn, cancelled or expired.
    pub fn is_certified(&self, now_ms: u64) -> bool {
        self.number.as_deref().is_some_and(|n| !n.is_empty())
            && !NOT_CERTIFIED.contains(&self.effective_status(now_ms))
    }
}

/// Whether a stored status with this validity end is expired at `now_ms`.
pub(crate) fn is_expired(status: &str, valid_until_ms: u64, now_ms: u64) -> bool {
    // As the ledger: expired from the validity's end on (`now >= valid_until`).
    CERTIFIED_STATUSES.contains(&status) && valid_until_ms > 0 && valid_until_ms <= now_ms
}

/// Whether `s` is 64 lowercase hex characters (an asset or member id).
pub fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
