//! `IssueGrant`, `RevokeGrant`, `RecordUsage`: who may grant to whom, the constraint set,
//! the grantee's jurisdiction as an export fact, the bounds a derived asset's grants keep,
//! and the uses a grant allows.

use shuquan_proto::codes::reason as r;
use shuquan_proto::codes::Rejection;
use shuquan_proto::pb::{self, GrantStatus};
use shuquan_proto::views::{action_word, grant_status_word};
use shuquan_proto::Hash32;

use super::status::foreign;
use super::{grant_unfrozen, id, reject, Ctx, Outcome};
use crate::keys;

pub(super) fn action_delivered(action: i32, modes: &[i32]) -> bool {
    use pb::{Action as A, DeliveryMode as D};
    let has = |m: D| modes.contains(&(m as i32));
    match A::try_from(action) {
        Ok(A::Read) => has(D::Download),
        Ok(A::Query) => has(D::Query),
        Ok(A::Compute) => has(D::Compute),
        Ok(A::Verify) => has(D::Verify),
        Ok(A::Derive) => has(D::Download) || has(D::Compute),
        _ => false,
    }
}

/// How the grantee consents to a grant.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Consent {
    /// It cosigns the issuing transaction.
    Cosigns,
    /// It signed the terms before, in an access request or an order.
    Given,
}

/// The terms of a grant on `asset` to `grantee` that starts at block time and runs `term`
/// ms with `uses` uses (0: unlimited), for the actions, purposes and places of `l`: what an
/// approved request or an accepted licence order grants.
pub(super) fn grant_from_now(
    ctx: &Ctx<'_, '_>,
    asset: &[u8],
    grantee: &[u8],
    l: &pb::Licence,
    term: u64,
    uses: u64,
) -> pb::IssueGrant {
    pb::IssueGrant {
        asset: asset.to_vec(),
        grantee: grantee.to_vec(),
        actions: l.actions.clone(),
        purposes: l.purposes.clone(),
        not_before_ms: ctx.now,
        // An overflow is refused later as a term too long.
        not_after_ms: ctx.now.saturating_add(term),
        jurisdictions: l.jurisdictions.clone(),
        max_uses: uses,
        recipient_systems: Vec::new(),
        policy_doc_hash: Vec::new(),
    }
}

pub(super) fn issue(ctx: &mut Ctx<'_, '_>, p: &pb::IssueGrant) -> Outcome<Hash32> {
    let grantor = ctx.signer().to_vec();
    issue_as(ctx, p, &grantor, Consent::Cosigns)
}

/// Issues a grant on terms `p` from `grantor` (who must hold Operate) once every rule
/// holds; its id is derived from this transaction (one grant per transaction).
pub(super) fn issue_as(
    ctx: &mut Ctx<'_, '_>,
    p: &pb::IssueGrant,
    grantor: &[u8],
    consent: Consent,
) -> Outcome<Hash32> {
    let (asset_id, status) = check_grant(ctx, p, grantor, consent)?;
    let gid = ctx.h.grant_id(ctx.chain_id, &ctx.tx.id);
    let record = pb::GrantRecord {
        id: gid.to_vec(),
        tx_id: ctx.tx.id.to_vec(),
        terms: Some(p.clone()),
        grantor: grantor.to_vec(),
        status: status as i32,
        uses: 0,
        covers: Vec::new(),
        frozen: false,
        issued_height: ctx.height,
    };
    ctx.st.put(keys::grant(&gid), &record);
    ctx.st
        .put_raw(keys::grant_by_asset(&asset_id, &gid), Vec::new());
    ctx.st
        .put_raw(keys::grant_by_grantee(&p.grantee, &gid), Vec::new());
    ctx.st
        .put_raw(keys::grant_by_grantor(grantor, &gid), Vec::new());
    ctx.touch(asset_id);
    Ok(gid)
}

/// Every rule a grant on terms `p` from `grantor` must satisfy, without writing anything:
/// the asset and the status the grant would start in.
pub(super) fn check_grant(
    ctx: &Ctx<'_, '_>,
    p: &pb::IssueGrant,
    grantor: &[u8],
    consent: Consent,
) -> Outcome<(Hash32, GrantStatus)> {
    let asset_id = id(&p.asset);
    let asset = ctx.asset(&asset_id)?;
    if asset.frozen {
        return reject(r::asset_frozen(asset_id));
    }
    ctx.require_registered(&asset_id, &asset)?;
    if asset.holder_operate != grantor {
        return reject(r::not_operator(&asset.holder_operate, asset_id));
    }
    if consent == Consent::Cosigns {
        ctx.require_cosigner(&p.grantee, "grantee")?;
    }
    // A foreign party's access is an export, whatever jurisdictions the grant names: the
    // grant must name where its grantee is, so that the export gate below sees it.
    let grantee = ctx.member_of(&p.grantee)?;
    let active = grantee.status == pb::MemberStatus::Active as i32
        && grantee.roles.contains(&(pb::Role::Member as i32));
    if consent == Consent::Given && !active {
        // Its consent was given earlier: it must still be a member that may hold access.
        return reject(r::receiver_inactive(&grantee.id));
    }
    if !p.jurisdictions.contains(&grantee.jurisdiction) {
        return reject(r::grantee_place_unnamed(&grantee.id, &grantee.jurisdiction));
    }
    ctx.within_term(p.not_after_ms, r::grant_term)?;
    for purpose in &p.purposes {
        if !ctx.params.purposes.contains(purpose) {
            return reject(r::unknown_purpose(purpose));
        }
    }
    let reg = asset.registration.clone().unwrap_or_default();
    for a in &p.actions {
        if !action_delivered(*a, &reg.delivery_modes) {
            return reject(r::action_not_delivered(action_word(*a)));
        }
    }
    let abroad = foreign(p, &reg.jurisdiction);
    if asset.grade == pb::Grade::Important as i32
        && p.actions.contains(&(pb::Action::Read as i32))
        && !abroad.is_empty()
    {
        return reject(r::important_read_abroad(abroad.join(", ")));
    }
    within_parent_grants(ctx, &asset, p, consent)?;
    let status = if abroad.is_empty() {
        GrantStatus::Active
    } else {
        GrantStatus::PendingExport
    };
    Ok((asset_id, status))
}

/// A grant of an asset derived under a grant stays within what that grant allowed — its
/// purposes, its jurisdictions, its term, and only while it is not revoked — unless the
/// parent's current Operate holder consents by signing or cosigning.
fn within_parent_grants(
    ctx: &Ctx<'_, '_>,
    asset: &pb::AssetRecord,
    p: &pb::IssueGrant,
    consent: Consent,
) -> Outcome {
    for edge in asset.parents.iter().filter(|e| !e.via_grant.is_empty()) {
        let parent = ctx.asset(&id(&edge.parent))?;
        // The grantee consented by signing: as a cosigner, or earlier (a request, an order).
        let grantee_consents = consent == Consent::Given && p.grantee == parent.holder_operate;
        if ctx.signed_by(&parent.holder_operate) || grantee_consents {
            continue;
        }
        let pg = ctx.grant(&id(&edge.via_grant))?;
        if pg.frozen {
            return reject(r::grant_frozen(&edge.via_grant));
        }
        let pt = pg.terms.clone().unwrap_or_default();
        let (grant, holder) = (&edge.via_grant, &parent.holder_operate);
        if pg.status == GrantStatus::Revoked as i32 {
            return reject(r::parent_grant_revoked(grant, holder));
        }
        if let Some(purpose) = p.purposes.iter().find(|x| !pt.purposes.contains(x)) {
            return reject(r::beyond_parent_purpose(grant, purpose, holder));
        }
        if let Some(j) = p
            .jurisdictions
            .iter()
            .find(|x| !pt.jurisdictions.contains(x))
        {
            return reject(r::beyond_parent_place(grant, j, holder));
        }
        if p.not_after_ms > pt.not_after_ms {
            return reject(r::beyond_parent_term(grant, pt.not_after_ms, holder));
        }
    }
    Ok(())
}

pub(super) fn revoke(ctx: &mut Ctx<'_, '_>, p: &pb::RevokeGrant) -> Outcome {
    let gid = id(&p.grant);
    let (mut g, terms, asset_id, asset) = ctx.grant_with_asset(&gid)?;
    grant_unfrozen(&gid, &g, &asset)?;
    let allowed = asset.holder_operate == ctx.signer()
        || terms.grantee == ctx.signer()
        || ctx.has_role(pb::Role::Regulator);
    if !allowed {
        return reject(r::not_revoker());
    }
    ctx.live_grant_status(&gid, &g)?;
    g.status = GrantStatus::Revoked as i32;
    ctx.st.put(keys::grant(&gid), &g);
    ctx.touch(asset_id);
    Ok(())
}

/// Counts one use of a grant: exhausted when `max_uses` is reached.
pub(super) fn count_use(ctx: &mut Ctx<'_, '_>, gid: &Hash32, g: &mut pb::GrantRecord) {
    let max = g.terms.as_ref().map_or(0, |t| t.max_uses);
    g.uses += 1;
    if max > 0 && g.uses >= max {
        g.status = GrantStatus::Exhausted as i32;
    }
    ctx.st.put(keys::grant(gid), g);
}

pub(super) fn usage(ctx: &mut Ctx<'_, '_>, p: &pb::RecordUsage) -> Outcome {
    let gid = id(&p.grant);
    let (mut g, terms, asset_id, asset) = ctx.grant_with_asset(&gid)?;
    grant_unfrozen(&gid, &g, &asset)?;
    ctx.require_registered(&asset_id, &asset)?;
    if terms.grantee != ctx.signer() {
        return reject(r::not_grantee());
    }
    let status = ctx.grant_status(&g)?;
    if status == GrantStatus::Exhausted {
        return reject(r::uses_exhausted(terms.max_uses));
    }
    if status != GrantStatus::Active || ctx.now < terms.not_before_ms {
        return reject(if status == GrantStatus::Active {
            r::grant_not_yet_valid(gid)
        } else {
            r::grant_inactive(gid, grant_status_word(status as i32))
        });
    }
    if !terms.actions.contains(&p.action) {
        return reject(r::action_not_granted(action_word(p.action)));
    }
    if !terms.purposes.contains(&p.purpose) {
        return reject(r::purpose_not_granted());
    }
    // The declared place of use, and where the grantee is: both must be granted (the
    // grantee's membership is a fact of the chain, the declaration is only its word).
    let home = ctx.member.jurisdiction.clone();
    let declared: fn(&String) -> Rejection = |j| r::place_not_granted(j);
    let own: fn(&String) -> Rejection = |j| r::grantee_place_not_granted(j);
    for (j, why) in [(&p.jurisdiction, declared), (&home, own)] {
        if !terms.jurisdictions.contains(j) {
            return reject(why(j));
        }
    }
    if !terms.recipient_systems.is_empty() && !terms.recipient_systems.contains(&p.recipient_system)
    {
        return reject(r::recipient_not_granted());
    }
    if terms.max_uses > 0 && g.uses >= terms.max_uses {
        return reject(r::uses_exhausted(terms.max_uses));
    }
    count_use(ctx, &gid, &mut g);
    ctx.touch(asset_id);
    Ok(())
}
