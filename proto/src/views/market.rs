//! The market as the API shows it: access requests, listings, orders, vouchers and the
//! price statistics of completed trades.

use serde::{Deserialize, Serialize};

use crate::hash::Hash32;
use crate::market::{listing_status, offer_kind, order_status, request_status};
use crate::pb;

use super::words::*;
use super::{Directory, MemberRef};

fn id(b: &[u8]) -> Hash32 {
    Hash32::from_slice(b).unwrap_or_default()
}

fn nonzero(v: u64) -> Option<u64> {
    (v != 0).then_some(v)
}

/// An access request.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestView {
    /// Request id.
    pub id: Hash32,
    /// The asset.
    pub asset: Hash32,
    /// The requester.
    pub requester: MemberRef,
    /// The Operate holder it was addressed to.
    pub addressee: MemberRef,
    /// Requested actions.
    pub actions: Vec<String>,
    /// Requested purposes.
    pub purposes: Vec<String>,
    /// Where it would be used.
    pub jurisdictions: Vec<String>,
    /// The grant's term from its issue.
    pub duration_ms: u64,
    /// Uses (absent: unlimited).
    pub max_uses: Option<u64>,
    /// The requester's message hash.
    pub message_hash: Option<String>,
    /// `open`, `granted`, `declined`, `cancelled` or `expired` (now).
    pub status: String,
    /// When it lapses unanswered (block time).
    pub expires_ms: u64,
    /// `expires_ms`, RFC 3339 in the chain's time zone.
    pub expires: Option<String>,
    /// Block time it was made.
    pub filed_ms: u64,
    /// `filed_ms`, RFC 3339 in the chain's time zone.
    pub filed: Option<String>,
    /// Its block.
    pub filed_height: u64,
    /// Block time of the answer.
    pub answered_ms: Option<u64>,
    /// `answered_ms`, RFC 3339 in the chain's time zone.
    pub answered: Option<String>,
    /// How long the answer took.
    pub answer_ms: Option<u64>,
    /// The grant it issued.
    pub grant: Option<String>,
    /// Why it was declined.
    pub reason: Option<String>,
    /// Granted in its own block by the asset's unconditional sharing class.
    pub automatic: bool,
    /// The requesting transaction.
    pub tx_id: String,
}

impl RequestView {
    /// The view of a stored request at block time `now`; `d` names parties and times.
    pub fn of(r: &pb::RequestRecord, now: u64, d: &Directory) -> Self {
        let t = r.terms.clone().unwrap_or_default();
        let answered = r.answered_height != 0;
        RequestView {
            id: id(&r.id),
            asset: id(&t.asset),
            requester: d.member(&r.requester),
            addressee: d.member(&r.addressee),
            actions: t.actions.iter().map(|a| action_word(*a)).collect(),
            purposes: t.purposes,
            jurisdictions: t.jurisdictions,
            duration_ms: t.duration_ms,
            max_uses: nonzero(t.max_uses),
            message_hash: opt_hex(&t.message_hash),
            status: request_status_word(request_status(r, now) as i32),
            expires_ms: t.expires_ms,
            expires: d.time(t.expires_ms),
            filed_ms: r.filed_ms,
            filed: d.time(r.filed_ms),
            filed_height: r.filed_height,
            answered_ms: answered.then_some(r.answered_ms),
            answered: d.opt_time(answered.then_some(r.answered_ms)),
            answer_ms: answered.then(|| r.answered_ms.saturating_sub(r.filed_ms)),
            grant: opt_hex(&r.grant),
            reason: (r.reason != 0).then(|| decline_reason_word(r.reason)),
            automatic: r.automatic,
            tx_id: hex::encode(&r.tx_id),
        }
    }
}

/// A listing.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListingView {
    /// Listing id.
    pub id: Hash32,
    /// The asset.
    pub asset: Hash32,
    /// The seller.
    pub seller: MemberRef,
    /// `hold`, `use`, `operate` (a right transfer) or `licence`.
    pub offer: String,
    /// A licence's terms (actions, purposes, jurisdictions, duration_ms, max_uses).
    pub licence: Option<serde_json::Value>,
    /// Unit price in minor units (hundredths).
    pub price_minor: u64,
    /// ISO 4217 currency.
    pub currency: String,
    /// `1200.00 CNY`.
    pub price: String,
    /// `one-off`, `per-use`, `per-month` or `per-year`.
    pub unit: String,
    /// Delivery modes.
    pub delivery_modes: Vec<String>,
    /// Open until (block time).
    pub valid_until_ms: u64,
    /// `valid_until_ms`, RFC 3339 in the chain's time zone.
    pub valid_until: Option<String>,
    /// `open`, `sold`, `cancelled` or `expired` (now).
    pub status: String,
    /// Orders accepted on it.
    pub sold: u64,
    /// Block time it was listed.
    pub listed_ms: u64,
    /// `listed_ms`, RFC 3339 in the chain's time zone.
    pub listed: Option<String>,
    /// Its block.
    pub listed_height: u64,
    /// The listing transaction.
    pub tx_id: String,
}

impl ListingView {
    /// The view of a stored listing at block time `now`; `d` names parties and times.
    pub fn of(l: &pb::ListingRecord, now: u64, d: &Directory) -> Self {
        let t = l.terms.clone().unwrap_or_default();
        let price = t.price.clone().unwrap_or_default();
        ListingView {
            id: id(&l.id),
            asset: id(&t.asset),
            seller: d.member(&l.seller),
            offer: offer_kind(t.right),
            licence: t.licence.as_ref().map(super::payload::licence_json),
            price_minor: price.amount_minor,
            price: price_text(&price),
            currency: price.currency,
            unit: price_unit_word(t.unit),
            delivery_modes: t.delivery_modes.iter().map(|m| delivery_word(*m)).collect(),
            valid_until_ms: t.valid_until_ms,
            valid_until: d.time(t.valid_until_ms),
            status: listing_status_word(listing_status(l, now) as i32),
            sold: l.sold,
            listed_ms: l.listed_ms,
            listed: d.time(l.listed_ms),
            listed_height: l.listed_height,
            tx_id: hex::encode(&l.tx_id),
        }
    }
}

/// An order.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderView {
    /// Order id.
    pub id: Hash32,
    /// Its listing.
    pub listing: Hash32,
    /// The asset.
    pub asset: Hash32,
    /// The buyer.
    pub buyer: MemberRef,
    /// The seller.
    pub seller: MemberRef,
    /// Units of the listing's price.
    pub quantity: u64,
    /// Total in minor units.
    pub total_minor: u64,
    /// `2400.00 CNY`.
    pub total: String,
    /// `placed`, `accepted`, `settled`, `disputed`, `cancelled` or `expired` (now); a
    /// placed order whose listing closed (sold, cancelled, expired) reads `listing-closed`.
    pub status: String,
    /// Lapses unaccepted at (block time).
    pub expires_ms: u64,
    /// `expires_ms`, RFC 3339 in the chain's time zone.
    pub expires: Option<String>,
    /// Block time it was placed.
    pub placed_ms: u64,
    /// `placed_ms`, RFC 3339 in the chain's time zone.
    pub placed: Option<String>,
    /// Its block.
    pub placed_height: u64,
    /// Block of the acceptance.
    pub accepted_height: Option<u64>,
    /// Block time of the acceptance.
    pub accepted_ms: Option<u64>,
    /// `accepted_ms`, RFC 3339 in the chain's time zone.
    pub accepted: Option<String>,
    /// The grant a licence order issued.
    pub grant: Option<String>,
    /// Its voucher's number.
    pub voucher: Option<String>,
    /// Payment reference hash.
    pub payment_ref_hash: Option<String>,
    /// Delivery receipt hash.
    pub delivery_ref_hash: Option<String>,
    /// The buyer confirmed delivery.
    pub delivery_confirmed: bool,
    /// The seller confirmed payment.
    pub payment_confirmed: bool,
    /// The dispute's evidence hash.
    pub dispute_evidence: Option<String>,
    /// Who raised the dispute.
    pub disputed_by: Option<MemberRef>,
    /// The ordering transaction.
    pub tx_id: String,
}

impl OrderView {
    /// The view of a stored order at block time `now`; `d` names parties and times.
    pub fn of(o: &pb::OrderRecord, now: u64, d: &Directory) -> Self {
        let t = o.terms.clone().unwrap_or_default();
        let total = o.total.clone().unwrap_or_default();
        let accepted = o.accepted_height != 0;
        OrderView {
            id: id(&o.id),
            listing: id(&t.listing),
            asset: id(&o.asset),
            buyer: d.member(&t.buyer),
            seller: d.member(&o.seller),
            quantity: t.quantity,
            total_minor: total.amount_minor,
            total: price_text(&total),
            status: order_status_word(order_status(o, now) as i32),
            expires_ms: t.expires_ms,
            expires: d.time(t.expires_ms),
            placed_ms: o.placed_ms,
            placed: d.time(o.placed_ms),
            placed_height: o.placed_height,
            accepted_height: accepted.then_some(o.accepted_height),
            accepted_ms: accepted.then_some(o.accepted_ms),
            accepted: d.opt_time(accepted.then_some(o.accepted_ms)),
            grant: opt_hex(&o.grant),
            voucher: (!o.voucher.is_empty()).then(|| o.voucher.clone()),
            payment_ref_hash: opt_hex(&o.payment_ref_hash),
            delivery_ref_hash: opt_hex(&o.delivery_ref_hash),
            delivery_confirmed: o.delivery_confirmed,
            payment_confirmed: o.payment_confirmed,
            dispute_evidence: opt_hex(&o.dispute_evidence),
            disputed_by: d.opt_member(&o.disputed_by),
            tx_id: hex::encode(&o.tx_id),
        }
    }
}

/// A transaction voucher (交易凭证).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoucherView {
    /// `GX-V-2026-000001`.
    pub number: String,
    /// The order.
    pub order: Hash32,
    /// The listing.
    pub listing: Hash32,
    /// The asset.
    pub asset: Hash32,
    /// The asset's registration certificate number.
    pub registration: String,
    /// The seller.
    pub seller: MemberRef,
    /// The buyer.
    pub buyer: MemberRef,
    /// `hold`, `use`, `operate` (a right transferred) or `licence` (a grant issued).
    pub offer: String,
    /// The grant a licence issued.
    pub grant: Option<String>,
    /// `1200.00 CNY`.
    pub unit_price: String,
    /// `one-off`, `per-use`, `per-month` or `per-year`.
    pub unit: String,
    /// Units bought.
    pub quantity: u64,
    /// Total in minor units.
    pub total_minor: u64,
    /// ISO 4217 currency.
    pub currency: String,
    /// `2400.00 CNY`.
    pub total: String,
    /// The asset's sector.
    pub sector: String,
    /// Block of the trade.
    pub height: u64,
    /// Its block time.
    pub time_ms: u64,
    /// `time_ms`, RFC 3339 in the chain's time zone.
    pub time: Option<String>,
    /// The accepting transaction.
    pub tx_id: String,
}

impl VoucherView {
    /// The view of a stored voucher, naming no one and showing times in UTC (what an
    /// offline auditor, without the members registry, can say).
    pub fn of(v: &pb::VoucherRecord) -> Self {
        Self::named(v, &Directory::default())
    }

    /// The view of a stored voucher; `d` names parties and times.
    pub fn named(v: &pb::VoucherRecord, d: &Directory) -> Self {
        let unit_price = v.unit_price.clone().unwrap_or_default();
        let total = v.total.clone().unwrap_or_default();
        VoucherView {
            number: v.number.clone(),
            order: id(&v.order),
            listing: id(&v.listing),
            asset: id(&v.asset),
            registration: v.registration.clone(),
            seller: d.member(&v.seller),
            buyer: d.member(&v.buyer),
            offer: offer_kind(v.right),
            grant: opt_hex(&v.grant),
            unit_price: price_text(&unit_price),
            unit: price_unit_word(v.unit),
            quantity: v.quantity,
            total_minor: total.amount_minor,
            total: price_text(&total),
            currency: total.currency,
            sector: v.sector.clone(),
            height: v.height,
            time_ms: v.time_ms,
            time: d.time(v.time_ms),
            tx_id: hex::encode(&v.tx_id),
        }
    }
}

/// Unit prices of completed trades in one currency and price unit.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceGroupView {
    /// ISO 4217 currency.
    pub currency: String,
    /// `one-off`, `per-use`, `per-month` or `per-year`.
    pub unit: String,
    /// Completed trades.
    pub count: usize,
    /// Unit prices in minor units: lowest, first quartile, median, third quartile, highest.
    pub min_minor: u64,
    /// See `min_minor`.
    pub q1_minor: u64,
    /// See `min_minor`.
    pub median_minor: u64,
    /// See `min_minor`.
    pub q3_minor: u64,
    /// See `min_minor`.
    pub max_minor: u64,
}

/// Price statistics of completed trades.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricesView {
    /// The sector asked for (absent: all).
    pub sector: Option<String>,
    /// The kind asked for: `hold`, `use`, `operate` or `licence` (absent: all).
    pub kind: Option<String>,
    /// Trades from this block time on (absent: all).
    pub since_ms: Option<u64>,
    /// `since_ms`, RFC 3339 in the chain's time zone.
    pub since: Option<String>,
    /// Trades counted: accepted orders, disputed ones left out.
    pub count: usize,
    /// One group per currency and price unit (prices in different ones do not mix).
    pub groups: Vec<PriceGroupView>,
}

/// How fast a member answers the access requests addressed to it: the public measure of
/// a department's willingness to share.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerTimesView {
    /// The member.
    pub member: MemberRef,
    /// Requests addressed to it.
    pub received: usize,
    /// Answered by it (granted or declined), not counting automatic grants.
    pub answered: usize,
    /// Granted in their own block by an unconditional sharing class.
    pub automatic: usize,
    /// Still open.
    pub open: usize,
    /// Lapsed unanswered, having given it at least a day.
    pub expired: usize,
    /// Median time to answer.
    pub median_answer_ms: Option<u64>,
    /// Longest time to answer.
    pub max_answer_ms: Option<u64>,
}
