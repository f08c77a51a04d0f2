//! Assets: their record, history, holders at a height and lineage.

use serde::{Deserialize, Serialize};

use crate::hash::Hash32;

use super::{KeyRef, MemberRef, ReceiptView};

/// Who holds each of an asset's rights.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldersView {
    /// 数据资源持有权.
    pub hold: MemberRef,
    /// 数据加工使用权.
    #[serde(rename = "use")]
    pub use_: MemberRef,
    /// 数据产品经营权.
    pub operate: MemberRef,
}

/// A lineage edge.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EdgeView {
    /// The other asset.
    pub asset: Hash32,
    /// `use-right`, or the id of the grant with `derive` that allowed it.
    pub via: String,
}

/// An asset's current record.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetView {
    /// Asset id.
    pub id: Hash32,
    /// BLAKE3 of the data.
    pub fingerprint: String,
    /// Size of the data.
    pub size_bytes: u64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Sector.
    pub sector: String,
    /// `general` or `important`.
    pub grade: String,
    /// `public`, `enterprise` or `personal`.
    pub origin: String,
    /// Contains personal information.
    pub contains_pi: bool,
    /// Contains sensitive personal information.
    pub contains_sensitive_pi: bool,
    /// Where the data resides.
    pub jurisdiction: String,
    /// How it may be delivered.
    pub delivery_modes: Vec<String>,
    /// Hash of consent or collection evidence.
    pub evidence_hash: Option<String>,
    /// Who registered it.
    pub registrant: MemberRef,
    /// Registration block.
    pub registered_height: u64,
    /// Registration time.
    pub registered_at_ms: u64,
    /// Registration time, RFC 3339 in the chain's time zone.
    pub registered_at: Option<String>,
    /// Current right holders.
    pub holders: HoldersView,
    /// Parents it was derived from.
    pub parents: Vec<EdgeView>,
    /// Frozen by a regulator.
    pub frozen: bool,
    /// Head of the history hash chain.
    pub history_head: Hash32,
    /// Transactions that touched it.
    pub event_count: u64,
    /// The registering transaction.
    pub tx_id: Hash32,
    /// Registration status: `applied`, `in-review`, `in-notice`, `registered`, `rejected`,
    /// `withdrawn`, `changed`, `renewed`, `cancelled` or `expired`.
    pub status: String,
    /// `unconditional`, `conditional` or `not-shared`.
    pub sharing: String,
    /// The registration number, once certified.
    pub registration_number: Option<String>,
    /// The certificate's validity end (block time), if it has one.
    pub valid_until_ms: Option<u64>,
    /// `valid_until_ms`, RFC 3339 in the chain's time zone.
    pub valid_until: Option<String>,
    /// The application under way, if any.
    pub application: Option<super::ApplicationView>,
    /// Why its last application was refused.
    pub refusal: Option<String>,
}

/// One transaction in an asset's history.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntryView {
    /// Position in the history (0 = registration).
    pub seq: u64,
    /// Payload kind.
    pub kind: String,
    /// Signer (account key).
    pub signer: KeyRef,
    /// Block time.
    pub timestamp_ms: u64,
    /// Block time, RFC 3339 in the chain's time zone.
    pub timestamp: Option<String>,
    /// Outcome and position.
    pub receipt: ReceiptView,
}

/// Who held an asset's rights at a height.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RightsView {
    /// Asset id.
    pub asset: Hash32,
    /// The height asked about.
    pub height: u64,
    /// Holders at that height.
    pub holders: HoldersView,
}

/// An asset's parents and children.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineageView {
    /// Asset id.
    pub asset: Hash32,
    /// What it was derived from.
    pub parents: Vec<EdgeView>,
    /// What was derived from it.
    pub children: Vec<EdgeView>,
}
