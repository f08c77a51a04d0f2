//! `RequestAccess` and `AnswerRequest`: a member asks the Operate holder of a registered
//! asset for access; the request carries the requester's signature on the terms, so an
//! approval issues the grant with no second signature. An `unconditional` asset's request
//! within its catalogue terms (its own jurisdiction) is granted in the same block; a
//! `not-shared` asset takes none. Requests lapse at their expiry; open ones follow the
//! Operate right when it moves.

use shuquan_proto::codes::reason as r;
use shuquan_proto::market::request_status;
use shuquan_proto::pb::{self, RequestStatus, SharingClass};
use shuquan_proto::views::request_status_word;
use shuquan_proto::Hash32;

use super::grants::{check_grant, grant_from_now, issue_as, Consent};
use super::{id, reject, Ctx, Outcome};
use crate::keys;

/// Loads a request or fails with `unknown_request`.
pub(super) fn load(ctx: &Ctx<'_, '_>, rid: &Hash32) -> Outcome<pb::RequestRecord> {
    match ctx.st.request(rid)? {
        Some(r) => Ok(r),
        None => reject(r::unknown_request(rid)),
    }
}

/// The grant a request's terms make when issued at block time: it runs `duration_ms` from
/// now.
fn grant_terms(ctx: &Ctx<'_, '_>, requester: &[u8], t: &pb::RequestAccess) -> pb::IssueGrant {
    let access = pb::Licence {
        actions: t.actions.clone(),
        purposes: t.purposes.clone(),
        jurisdictions: t.jurisdictions.clone(),
        duration_ms: t.duration_ms,
        max_uses: t.max_uses,
    };
    grant_from_now(ctx, &t.asset, requester, &access, t.duration_ms, t.max_uses)
}

/// Files a request; returns the grant when it is granted at once, else the request.
pub(super) fn request(ctx: &mut Ctx<'_, '_>, p: &pb::RequestAccess) -> Outcome<Hash32> {
    let asset_id = id(&p.asset);
    let asset = ctx.asset(&asset_id)?;
    if asset.frozen {
        return reject(r::asset_frozen(asset_id));
    }
    ctx.require_registered(&asset_id, &asset)?;
    let reg = asset.registration.clone().unwrap_or_default();
    if reg.sharing == SharingClass::NotShared as i32 {
        return reject(r::not_shared(asset_id));
    }
    if asset.holder_operate == ctx.signer() {
        return reject(r::own_asset(asset_id));
    }
    ctx.within_term(p.expires_ms, |days| r::expiry_term("expires_ms", days))?;
    let requester = ctx.signer().to_vec();
    let grantor = asset.holder_operate.clone();
    let terms = grant_terms(ctx, &requester, p);
    let rid = ctx.h.request_id(ctx.chain_id, &ctx.tx.id);
    let mut record = pb::RequestRecord {
        id: rid.to_vec(),
        tx_id: ctx.tx.id.to_vec(),
        terms: Some(p.clone()),
        requester: requester.clone(),
        addressee: grantor.clone(),
        status: RequestStatus::Open as i32,
        filed_ms: ctx.now,
        filed_height: ctx.height,
        signer_key: ctx.tx.signer.to_vec(),
        ..Default::default()
    };
    // Granted at once only within the catalogue's terms (no export), and only while the
    // holder could grant itself (a suspended member's assets wait).
    let home_only = p.jurisdictions.iter().all(|j| *j == reg.jurisdiction);
    let holder_active = ctx.st.member(&grantor)?.is_some_and(|m| {
        m.status == pb::MemberStatus::Active as i32 && m.roles.contains(&(pb::Role::Member as i32))
    });
    let automatic = reg.sharing == SharingClass::Unconditional as i32 && home_only && holder_active;
    let created = if automatic {
        let gid = issue_as(ctx, &terms, &grantor, Consent::Given)?;
        record.status = RequestStatus::Granted as i32;
        record.grant = gid.to_vec();
        record.answered_ms = ctx.now;
        record.answered_height = ctx.height;
        record.automatic = true;
        gid
    } else {
        // Refuse now what no approval could grant.
        check_grant(ctx, &terms, &grantor, Consent::Given)?;
        rid
    };
    ctx.st.put(keys::request(&rid), &record);
    ctx.st.put_raw(keys::request_to(&grantor, &rid), Vec::new());
    ctx.st
        .put_raw(keys::request_of(asset_id.as_bytes(), &rid), Vec::new());
    ctx.touch(asset_id);
    Ok(created)
}

/// The asset's Operate holder approves (issuing the grant) or declines an open request.
pub(super) fn answer(ctx: &mut Ctx<'_, '_>, p: &pb::AnswerRequest) -> Outcome<Option<Hash32>> {
    let rid = id(&p.request);
    let mut record = load(ctx, &rid)?;
    let status = request_status(&record, ctx.now);
    if status != RequestStatus::Open {
        return reject(r::request_closed(rid, request_status_word(status as i32)));
    }
    let terms = record.terms.clone().unwrap_or_default();
    let asset_id = id(&terms.asset);
    let asset = ctx.asset(&asset_id)?;
    if asset.holder_operate != ctx.signer() {
        return reject(r::not_addressee(rid, &asset.holder_operate));
    }
    if record.requester == ctx.signer() {
        // The requester came to hold the Operate right since: it answers no request of its
        // own (no direct grant goes to its own grantor, and answer times stay honest).
        return reject(r::own_asset(asset_id));
    }
    let created = if p.approve {
        ctx.require_key_in_force(&rid, &record.signer_key)?;
        let grant = grant_terms(ctx, &record.requester, &terms);
        let grantor = ctx.signer().to_vec();
        let gid = issue_as(ctx, &grant, &grantor, Consent::Given)?;
        record.status = RequestStatus::Granted as i32;
        record.grant = gid.to_vec();
        Some(gid)
    } else {
        record.status = RequestStatus::Declined as i32;
        record.reason = p.reason;
        None
    };
    record.answered_ms = ctx.now;
    record.answered_height = ctx.height;
    ctx.st.put(keys::request(&rid), &record);
    ctx.touch(asset_id);
    Ok(created)
}

/// The requester withdraws its open request.
pub(super) fn cancel(
    ctx: &mut Ctx<'_, '_>,
    rid: &Hash32,
    mut record: pb::RequestRecord,
) -> Outcome {
    if record.requester != ctx.signer() {
        return reject(r::not_maker(rid, &record.requester));
    }
    let status = request_status(&record, ctx.now);
    if status != RequestStatus::Open {
        return reject(r::request_closed(rid, request_status_word(status as i32)));
    }
    record.status = RequestStatus::Cancelled as i32;
    ctx.st.put(keys::request(rid), &record);
    ctx.touch(id(&record.terms.unwrap_or_default().asset));
    Ok(())
}

/// The Operate right of `asset` moved from `from` to `to`: the requests still open that
/// were addressed to `from` are now `to`'s to answer (and to be timed on).
pub(super) fn readdress(ctx: &mut Ctx<'_, '_>, asset: &Hash32, from: &[u8], to: &[u8]) -> Outcome {
    for key in ctx
        .st
        .keys_with_prefix(&keys::requests_of(asset.as_bytes()))?
    {
        let rid = id(key.get(key.len().saturating_sub(32)..).unwrap_or_default());
        let Some(mut r) = ctx.st.request(&rid)? else {
            continue;
        };
        if r.addressee != from || request_status(&r, ctx.now) != RequestStatus::Open {
            continue;
        }
        ctx.st.delete(keys::request_to(from, &rid));
        ctx.st.put_raw(keys::request_to(to, &rid), Vec::new());
        r.addressee = to.to_vec();
        ctx.st.put(keys::request(&rid), &r);
    }
    Ok(())
}
