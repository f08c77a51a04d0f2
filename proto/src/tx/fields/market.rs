//! Stateless checks of the market's payloads (docs/MARKET.md): requests, answers,
//! listings, orders, confirmations, disputes and cancellations.

use super::{hash, jurisdiction, known, list, opt_hash, time, MAX_LIST};
use crate::codes::reason as r;
use crate::codes::Rejection;
use crate::pb;

/// The terms of access a request or a licence names.
fn access_terms(
    actions: &[i32],
    purposes: &[String],
    jurisdictions: &[String],
    duration_ms: u64,
) -> Result<(), Rejection> {
    list("actions", actions, MAX_LIST, true)?;
    for a in actions {
        known::<pb::Action>("actions", *a)?;
    }
    list("purposes", purposes, MAX_LIST, true)?;
    for p in purposes {
        if !super::is_purpose_code(p) {
            return Err(r::not_purpose_code("purposes"));
        }
    }
    list("jurisdictions", jurisdictions, MAX_LIST, true)?;
    for j in jurisdictions {
        jurisdiction("jurisdictions", j)?;
    }
    if duration_ms == 0 {
        return Err(r::zero_value("duration_ms"));
    }
    time("duration_ms", duration_ms)
}

pub(super) fn request(p: &pb::RequestAccess) -> Result<(), Rejection> {
    hash("asset", &p.asset)?;
    access_terms(&p.actions, &p.purposes, &p.jurisdictions, p.duration_ms)?;
    opt_hash("message_hash", &p.message_hash)?;
    if p.expires_ms == 0 {
        return Err(r::field_missing("expires_ms"));
    }
    time("expires_ms", p.expires_ms)
}

pub(super) fn answer(p: &pb::AnswerRequest) -> Result<(), Rejection> {
    hash("request", &p.request)?;
    match (p.approve, p.reason) {
        (true, 0) => Ok(()),
        (false, 0) | (true, _) => Err(r::answer_reason()),
        (false, reason) => known::<pb::DeclineReason>("reason", reason).map(|_| ()),
    }
}

pub(super) fn listing(p: &pb::CreateListing) -> Result<(), Rejection> {
    hash("asset", &p.asset)?;
    match (p.right, &p.licence) {
        (0, Some(l)) => access_terms(&l.actions, &l.purposes, &l.jurisdictions, l.duration_ms)?,
        (right, None) if right != 0 => {
            known::<pb::Right>("right", right)?;
        }
        _ => return Err(r::listing_offer()),
    }
    let price = p.price.as_ref().ok_or_else(|| r::field_missing("price"))?;
    super::currency(price)?;
    let unit = known::<pb::PriceUnit>("unit", p.unit)?;
    if p.right != 0 && unit != pb::PriceUnit::OneOff {
        return Err(r::right_sold_once());
    }
    list("delivery_modes", &p.delivery_modes, MAX_LIST, true)?;
    for m in &p.delivery_modes {
        known::<pb::DeliveryMode>("delivery_modes", *m)?;
    }
    if p.valid_until_ms == 0 {
        return Err(r::field_missing("valid_until_ms"));
    }
    time("valid_until_ms", p.valid_until_ms)
}

pub(super) fn order(p: &pb::PlaceOrder) -> Result<(), Rejection> {
    hash("listing", &p.listing)?;
    hash("buyer", &p.buyer)?;
    if p.quantity == 0 {
        return Err(r::zero_value("quantity"));
    }
    opt_hash("payment_ref_hash", &p.payment_ref_hash)?;
    if p.expires_ms == 0 {
        return Err(r::field_missing("expires_ms"));
    }
    time("expires_ms", p.expires_ms)
}

pub(super) fn confirm(p: &pb::Confirm) -> Result<(), Rejection> {
    hash("order", &p.order)?;
    known::<pb::ConfirmKind>("kind", p.kind)?;
    opt_hash("ref_hash", &p.ref_hash)
}

pub(super) fn dispute(p: &pb::Dispute) -> Result<(), Rejection> {
    hash("order", &p.order)?;
    hash("evidence_hash", &p.evidence_hash)
}
