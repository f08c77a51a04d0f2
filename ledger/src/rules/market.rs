//! Listings, orders and their settlement: the holder of a right (or, for a licence, the
//! Operate holder) lists it at a price; a buyer's order is its consent; the seller's
//! acceptance carries out the transfer or issues the grant in that block, under every rule
//! a direct transfer or grant obeys, and issues the voucher. Payment and delivery happen
//! off chain: each side confirms its part, either may raise a dispute for the regulator.

use shuquan_proto::codes::reason as r;
use shuquan_proto::market::{
    licence_bought, listing_status, order_status, order_total, quantity_fits,
};
use shuquan_proto::pb::{self, ListingStatus, OrderStatus, SharingClass};
use shuquan_proto::views::{
    confirm_kind_word, delivery_word, listing_status_word, order_status_word, right_word,
};
use shuquan_proto::Hash32;

use super::grants::{action_delivered, grant_from_now, issue_as, Consent};
use super::rights::transfer_as;
use super::status::law_year;
use super::{holder, id, reject, requests, Ctx, Outcome};
use crate::keys;

fn load_listing(ctx: &Ctx<'_, '_>, lid: &Hash32) -> Outcome<pb::ListingRecord> {
    match ctx.st.listing(lid)? {
        Some(l) => Ok(l),
        None => reject(r::unknown_listing(lid)),
    }
}

fn load_order(ctx: &Ctx<'_, '_>, oid: &Hash32) -> Outcome<pb::OrderRecord> {
    match ctx.st.order(oid)? {
        Some(o) => Ok(o),
        None => reject(r::unknown_order(oid)),
    }
}

/// A listing that is open at block time.
fn open_listing(ctx: &Ctx<'_, '_>, lid: &Hash32) -> Outcome<pb::ListingRecord> {
    let l = load_listing(ctx, lid)?;
    let status = listing_status(&l, ctx.now);
    if status != ListingStatus::Open {
        return reject(r::listing_closed(lid, listing_status_word(status as i32)));
    }
    Ok(l)
}

/// The longest term a grant may run, in days, for messages.
fn max_days(ctx: &Ctx<'_, '_>) -> u64 {
    ctx.params.max_grant_term_ms / 86_400_000
}

pub(super) fn list(ctx: &mut Ctx<'_, '_>, p: &pb::CreateListing) -> Outcome<Hash32> {
    let asset_id = id(&p.asset);
    let asset = ctx.asset(&asset_id)?;
    if asset.frozen {
        return reject(r::asset_frozen(asset_id));
    }
    ctx.require_registered(&asset_id, &asset)?;
    let reg = asset.registration.clone().unwrap_or_default();
    match &p.licence {
        None => {
            if holder(&asset, p.right) != Some(ctx.signer()) {
                return reject(r::right_not_held(right_word(p.right), asset_id));
            }
        }
        Some(l) => {
            if asset.holder_operate != ctx.signer() {
                return reject(r::not_operator(&asset.holder_operate, asset_id));
            }
            if reg.sharing == SharingClass::NotShared as i32 {
                return reject(r::not_shared_licence(asset_id));
            }
            if let Some(purpose) = l.purposes.iter().find(|x| !ctx.params.purposes.contains(x)) {
                return reject(r::unknown_purpose(purpose));
            }
            if let Some(a) = l
                .actions
                .iter()
                .find(|a| !action_delivered(**a, &reg.delivery_modes))
            {
                return reject(r::action_not_delivered(shuquan_proto::views::action_word(
                    *a,
                )));
            }
            if l.duration_ms > ctx.params.max_grant_term_ms {
                return reject(r::licence_term(max_days(ctx)));
            }
        }
    }
    if let Some(m) = p
        .delivery_modes
        .iter()
        .find(|m| !reg.delivery_modes.contains(m))
    {
        return reject(r::mode_not_offered(delivery_word(*m)));
    }
    ctx.within_term(p.valid_until_ms, |days| {
        r::expiry_term("valid_until_ms", days)
    })?;
    let lid = ctx.h.listing_id(ctx.chain_id, &ctx.tx.id);
    let record = pb::ListingRecord {
        id: lid.to_vec(),
        tx_id: ctx.tx.id.to_vec(),
        terms: Some(p.clone()),
        seller: ctx.signer().to_vec(),
        status: ListingStatus::Open as i32,
        listed_ms: ctx.now,
        listed_height: ctx.height,
        sold: 0,
    };
    ctx.st.put(keys::listing(&lid), &record);
    ctx.st
        .put_raw(keys::listing_of(asset_id.as_bytes(), &lid), Vec::new());
    ctx.touch(asset_id);
    Ok(lid)
}

pub(super) fn order(ctx: &mut Ctx<'_, '_>, p: &pb::PlaceOrder) -> Outcome<Hash32> {
    if p.buyer != ctx.signer() {
        return reject(r::buyer_not_signer(&p.buyer));
    }
    let lid = id(&p.listing);
    let listing = open_listing(ctx, &lid)?;
    let terms = listing.terms.clone().unwrap_or_default();
    let asset_id = id(&terms.asset);
    let asset = ctx.asset(&asset_id)?;
    if asset.frozen {
        return reject(r::asset_frozen(asset_id));
    }
    ctx.require_registered(&asset_id, &asset)?;
    if listing.seller == ctx.signer() {
        return reject(r::own_listing(lid));
    }
    if terms.right != 0 && holder(&asset, terms.right) == Some(ctx.signer()) {
        return reject(r::holds_already(right_word(terms.right), asset_id));
    }
    if !quantity_fits(terms.unit, p.quantity) {
        let unit = shuquan_proto::views::price_unit_word(terms.unit);
        return reject(r::quantity_for_unit(unit, p.quantity));
    }
    let price = terms.price.clone().unwrap_or_default();
    let Some(total) = order_total(&price, p.quantity) else {
        return reject(r::total_overflows());
    };
    if let Some(l) = &terms.licence {
        let home = ctx.member.jurisdiction.clone();
        if !l.jurisdictions.contains(&home) {
            return reject(r::buyer_place_unlicensed(home));
        }
        match licence_bought(l, terms.unit, p.quantity) {
            Some((term, _)) if term <= ctx.params.max_grant_term_ms => {}
            _ => return reject(r::licence_term(max_days(ctx))),
        }
    }
    ctx.within_term(p.expires_ms, |days| r::expiry_term("expires_ms", days))?;
    let oid = ctx.h.order_id(ctx.chain_id, &ctx.tx.id);
    let record = pb::OrderRecord {
        id: oid.to_vec(),
        tx_id: ctx.tx.id.to_vec(),
        terms: Some(p.clone()),
        asset: asset_id.to_vec(),
        seller: listing.seller.clone(),
        total: Some(total),
        status: OrderStatus::Placed as i32,
        placed_ms: ctx.now,
        placed_height: ctx.height,
        payment_ref_hash: p.payment_ref_hash.clone(),
        listing_valid_until_ms: terms.valid_until_ms,
        signer_key: ctx.tx.signer.to_vec(),
        ..Default::default()
    };
    ctx.st.put(keys::order(&oid), &record);
    ctx.st.put_raw(keys::order_on(&p.listing, &oid), Vec::new());
    ctx.st
        .put_raw(keys::order_of_member(&p.buyer, &oid), Vec::new());
    ctx.st
        .put_raw(keys::order_of_member(&listing.seller, &oid), Vec::new());
    ctx.touch(asset_id);
    Ok(oid)
}

/// The seller accepts a placed order: the right moves or the grant issues, at the listed
/// price, and the voucher is issued. Returns the grant of a licence.
pub(super) fn accept(ctx: &mut Ctx<'_, '_>, p: &pb::AcceptOrder) -> Outcome<Option<Hash32>> {
    let oid = id(&p.order);
    let mut order = load_order(ctx, &oid)?;
    let status = order_status(&order, ctx.now);
    if status != OrderStatus::Placed {
        return reject(r::order_closed(oid, order_status_word(status as i32)));
    }
    let ot = order.terms.clone().unwrap_or_default();
    let lid = id(&ot.listing);
    let mut listing = open_listing(ctx, &lid)?;
    if listing.seller != ctx.signer() {
        return reject(r::not_seller(oid, &listing.seller));
    }
    ctx.require_key_in_force(&oid, &order.signer_key)?;
    let lt = listing.terms.clone().unwrap_or_default();
    let asset_id = id(&lt.asset);
    let total = order.total.clone().unwrap_or_default();
    let grant = match &lt.licence {
        None => {
            let t = pb::TransferRight {
                asset: lt.asset.clone(),
                right: lt.right,
                to: ot.buyer.clone(),
                price: Some(total.clone()),
                consideration_hash: order.payment_ref_hash.clone(),
            };
            transfer_as(ctx, &t, Consent::Given)?;
            listing.status = ListingStatus::Sold as i32;
            None
        }
        Some(l) => {
            let Some((term, uses)) = licence_bought(l, lt.unit, ot.quantity) else {
                return reject(r::licence_term(max_days(ctx)));
            };
            let g = grant_from_now(ctx, &lt.asset, &ot.buyer, l, term, uses);
            let seller = ctx.signer().to_vec();
            Some(issue_as(ctx, &g, &seller, Consent::Given)?)
        }
    };
    listing.sold += 1;
    let voucher = issue_voucher(ctx, &order, &listing, grant.as_ref())?;
    order.status = OrderStatus::Accepted as i32;
    order.accepted_ms = ctx.now;
    order.accepted_height = ctx.height;
    order.grant = grant.map(|g| g.to_vec()).unwrap_or_default();
    order.voucher = voucher;
    ctx.st.put(keys::order(&oid), &order);
    ctx.st.put(keys::listing(&lid), &listing);
    ctx.touch(asset_id);
    Ok(grant)
}

/// The voucher of an accepted order: the year's next number under the chain's prefix.
fn issue_voucher(
    ctx: &mut Ctx<'_, '_>,
    order: &pb::OrderRecord,
    listing: &pb::ListingRecord,
    grant: Option<&Hash32>,
) -> Outcome<String> {
    let year = law_year(ctx.now, ctx.params.law_utc_offset_minutes);
    let key = keys::voucher_serial(year);
    let serial = ctx
        .st
        .get(&key)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map_or(0, u64::from_be_bytes)
        + 1;
    ctx.st.put_raw(key, serial.to_be_bytes().to_vec());
    let number = format!("{}-V-{year}-{serial:06}", ctx.params.registration_prefix);
    let lt = listing.terms.clone().unwrap_or_default();
    let asset_id = id(&lt.asset);
    let registration = ctx
        .st
        .certificate(&asset_id)?
        .map(|c| c.number)
        .unwrap_or_default();
    let sector = ctx
        .st
        .asset(&asset_id)?
        .and_then(|a| a.registration)
        .map(|r| r.sector)
        .unwrap_or_default();
    let ot = order.terms.clone().unwrap_or_default();
    let v = pb::VoucherRecord {
        number: number.clone(),
        order: order.id.clone(),
        listing: listing.id.clone(),
        asset: lt.asset.clone(),
        registration,
        seller: listing.seller.clone(),
        buyer: ot.buyer,
        right: lt.right,
        grant: grant.map(|g| g.to_vec()).unwrap_or_default(),
        unit_price: lt.price,
        unit: lt.unit,
        quantity: ot.quantity,
        total: order.total.clone(),
        height: ctx.height,
        tx_id: ctx.tx.id.to_vec(),
        time_ms: ctx.now,
        sector,
    };
    ctx.st.put(keys::voucher(&number), &v);
    Ok(number)
}

/// The buyer's member id.
fn buyer_of(o: &pb::OrderRecord) -> Vec<u8> {
    o.terms
        .as_ref()
        .map(|t| t.buyer.clone())
        .unwrap_or_default()
}

/// An order that was accepted (whatever came after): confirmations and disputes need one.
fn accepted_order(ctx: &Ctx<'_, '_>, oid: &Hash32) -> Outcome<pb::OrderRecord> {
    let order = load_order(ctx, oid)?;
    let status = order_status(&order, ctx.now);
    if !matches!(
        status,
        OrderStatus::Accepted | OrderStatus::Settled | OrderStatus::Disputed
    ) {
        return reject(r::order_not_accepted(oid, order_status_word(status as i32)));
    }
    Ok(order)
}

pub(super) fn confirm(ctx: &mut Ctx<'_, '_>, p: &pb::Confirm) -> Outcome {
    let oid = id(&p.order);
    let mut order = accepted_order(ctx, &oid)?;
    let buyer = buyer_of(&order);
    let kind = confirm_kind_word(p.kind);
    let delivery = p.kind == pb::ConfirmKind::Delivery as i32;
    let party = if delivery { &buyer } else { &order.seller };
    if party != ctx.signer() {
        return reject(r::wrong_side(oid, kind, party));
    }
    if delivery {
        if order.delivery_confirmed {
            return reject(r::already_confirmed(oid, kind));
        }
        order.delivery_confirmed = true;
        order.delivery_ref_hash.clone_from(&p.ref_hash);
    } else {
        if order.payment_confirmed {
            return reject(r::already_confirmed(oid, kind));
        }
        if p.ref_hash.is_empty() && order.payment_ref_hash.is_empty() {
            return reject(r::payment_ref_missing(oid));
        }
        if !p.ref_hash.is_empty() {
            order.payment_ref_hash.clone_from(&p.ref_hash);
        }
        order.payment_confirmed = true;
    }
    if order.delivery_confirmed
        && order.payment_confirmed
        && order.status == OrderStatus::Accepted as i32
    {
        order.status = OrderStatus::Settled as i32;
    }
    ctx.st.put(keys::order(&oid), &order);
    ctx.touch(id(&order.asset));
    Ok(())
}

pub(super) fn dispute(ctx: &mut Ctx<'_, '_>, p: &pb::Dispute) -> Outcome {
    let oid = id(&p.order);
    let mut order = accepted_order(ctx, &oid)?;
    let buyer = buyer_of(&order);
    if buyer != ctx.signer() && order.seller != ctx.signer() {
        return reject(r::not_trader(oid));
    }
    if order.status == OrderStatus::Disputed as i32 {
        return reject(r::already_disputed(oid));
    }
    order.status = OrderStatus::Disputed as i32;
    order.dispute_evidence.clone_from(&p.evidence_hash);
    order.disputed_by = ctx.signer().to_vec();
    ctx.st.put(keys::order(&oid), &order);
    ctx.touch(id(&order.asset));
    Ok(())
}

/// Its maker cancels an open request, listing or placed order.
pub(super) fn cancel(ctx: &mut Ctx<'_, '_>, p: &pb::Cancel) -> Outcome {
    let sid = id(&p.subject);
    if let Some(req) = ctx.st.request(&sid)? {
        return requests::cancel(ctx, &sid, req);
    }
    if let Some(mut l) = ctx.st.listing(&sid)? {
        if l.seller != ctx.signer() {
            return reject(r::not_maker(sid, &l.seller));
        }
        let status = listing_status(&l, ctx.now);
        if status != ListingStatus::Open {
            return reject(r::listing_closed(sid, listing_status_word(status as i32)));
        }
        l.status = ListingStatus::Cancelled as i32;
        ctx.st.put(keys::listing(&sid), &l);
        ctx.touch(id(&l.terms.unwrap_or_default().asset));
        return Ok(());
    }
    if let Some(mut o) = ctx.st.order(&sid)? {
        let buyer = buyer_of(&o);
        if buyer != ctx.signer() {
            return reject(r::not_maker(sid, &buyer));
        }
        let status = order_status(&o, ctx.now);
        if status != OrderStatus::Placed {
            return reject(r::order_closed(sid, order_status_word(status as i32)));
        }
        o.status = OrderStatus::Cancelled as i32;
        ctx.st.put(keys::order(&sid), &o);
        ctx.touch(id(&o.asset));
        return Ok(());
    }
    reject(r::unknown_offer(sid))
}
