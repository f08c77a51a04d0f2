//! What a verified audit bundle proves, in plain data: the history, the chain of title, the
//! grants and the lineage parents, ready to print or serialise.

use serde::Serialize;

use crate::Hash32;

/// The verdict of a bundle that holds: everything in here is proven against the genesis.
#[derive(Clone, Debug, Serialize)]
pub struct AuditReport {
    /// The chain.
    pub chain_id: String,
    /// The asset.
    pub asset: Hash32,
    /// The asset's registered name.
    pub name: String,
    /// The certified height whose state the bundle proves.
    pub height: u64,
    /// That block's time: the bundle shows the asset as of then.
    pub time_ms: u64,
    /// That block's hash.
    pub block_hash: Hash32,
    /// Distinct certified blocks the bundle relies on.
    pub blocks: usize,
    /// Every event of the asset's history, in order.
    pub events: Vec<AuditEvent>,
    /// Every change of a right's holder, registration first.
    pub title: Vec<TitleChange>,
    /// Who holds each right at `height` (hex public keys).
    pub holders: Holders,
    /// Whether the asset is frozen at `height`.
    pub frozen: bool,
    /// The asset's grants at `height`.
    pub grants: Vec<AuditGrant>,
    /// Lineage parents: proven records when the bundle holds them.
    pub parents: Vec<AuditParent>,
    /// Registration status at `height` (`registered`, `in-notice`, `expired`, ...).
    pub status: String,
    /// The proven registration certificate, once the asset was certified.
    pub certificate: Option<AuditCertificate>,
    /// The proven voucher of every order the events accepted.
    pub vouchers: Vec<crate::views::VoucherView>,
}

/// A registration certificate, as its proven row says.
#[derive(Clone, Debug, Serialize)]
pub struct AuditCertificate {
    /// The registration number.
    pub number: String,
    /// 1, then one more per certified later application.
    pub sequence: u32,
    /// `initial`, `change`, `renewal` or `cancellation`.
    pub kind: String,
    /// The Hold holder (member id, hex).
    pub holder: String,
    /// Fingerprint of the certified version.
    pub fingerprint: String,
    /// The registrar that accepted it (hex member id), if the chain reviews.
    pub registrar: Option<String>,
    /// Effective from (block time).
    pub effective_ms: u64,
    /// Valid until (block time; 0: no end).
    pub valid_until_ms: u64,
    /// The block that issued it.
    pub height: u64,
}

/// One event of an asset's history.
#[derive(Clone, Debug, Serialize)]
pub struct AuditEvent {
    /// 1-based position in the history.
    pub seq: usize,
    /// Block height.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
    /// The transaction id.
    pub tx_id: Hash32,
    /// The payload kind (`register_asset`, `transfer_right`, ...).
    pub kind: String,
    /// The signer (hex public key).
    pub signer: String,
    /// The block's timestamp.
    pub timestamp_ms: u64,
}

/// A right changing hands.
#[derive(Clone, Debug, Serialize)]
pub struct TitleChange {
    /// The event that changed it.
    pub seq: usize,
    /// `hold`, `use`, `operate`, or `all` at registration.
    pub right: String,
    /// The new holder (hex public key).
    pub holder: String,
}

/// The holders of the three rights.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Holders {
    /// Holding right.
    pub hold: String,
    /// Processing-and-use right.
    #[serde(rename = "use")]
    pub use_: String,
    /// Product-operation right.
    pub operate: String,
}

/// A grant of the asset, as its proven record says.
#[derive(Clone, Debug, Serialize)]
pub struct AuditGrant {
    /// The grant id.
    pub id: Hash32,
    /// The event that issued it.
    pub issued_by: usize,
    /// The grantee (hex public key).
    pub grantee: String,
    /// Status word (`active`, `revoked`, ...).
    pub status: String,
    /// Recorded uses.
    pub uses: u64,
    /// Purposes allowed.
    pub purposes: Vec<String>,
    /// Jurisdictions allowed.
    pub jurisdictions: Vec<String>,
    /// End of validity.
    pub not_after_ms: u64,
}

/// A lineage parent.
#[derive(Clone, Debug, Serialize)]
pub struct AuditParent {
    /// The parent asset.
    pub id: Hash32,
    /// Its name, when its record is in the bundle (and proven).
    pub name: Option<String>,
    /// Its event count, when its record is in the bundle.
    pub event_count: Option<u64>,
}
