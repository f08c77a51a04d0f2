//! `IssueGrant`, `RevokeGrant`, `RecordUsage`, and a grant's status at a time (expiry and
//! export approvals are evaluated on read, so block production needs no timer).

use shuquan_proto::codes::FailureCode;
use shuquan_proto::hash::grant_id;
use shuquan_proto::pb::{self, GrantStatus};
use shuquan_proto::views::{action_word, grant_status_word};
use shuquan_proto::Hash32;

use super::{export, id, reject, Ctx, Outcome};
use crate::error::Result;
use crate::ledger::keys;
use crate::ledger::state::State;

/// The jurisdictions of a grant that differ from its asset's.
pub(crate) fn foreign<'g>(terms: &'g pb::IssueGrant, asset_jurisdiction: &str) -> Vec<&'g str> {
    terms
        .jurisdictions
        .iter()
        .map(String::as_str)
        .filter(|j| *j != asset_jurisdiction)
        .collect()
}

/// A grant's status at time `at`: the stored status, turned `expired` after `not_after`
/// and back to `pending-export` when an export approval it relies on is no longer valid.
pub(crate) fn grant_status(st: &State<'_>, g: &pb::GrantRecord, at: u64) -> Result<GrantStatus> {
    let stored = GrantStatus::try_from(g.status).unwrap_or(GrantStatus::Unspecified);
    if matches!(stored, GrantStatus::Revoked | GrantStatus::Exhausted) {
        return Ok(stored);
    }
    let terms = g.terms.clone().unwrap_or_default();
    if at >= terms.not_after_ms {
        return Ok(GrantStatus::Expired);
    }
    if stored == GrantStatus::Active {
        for cover in &g.covers {
            let Some(f) = st.filing(&id(&cover.filing))? else {
                return Ok(GrantStatus::PendingExport);
            };
            if !export::filing_in_force(&f, at) {
                return Ok(GrantStatus::PendingExport);
            }
        }
    }
    Ok(stored)
}

/// Whether a grant may be used now (active and within its window).
pub(super) fn usable_now(ctx: &Ctx<'_, '_>, g: &pb::GrantRecord) -> Result<bool> {
    let terms = g.terms.clone().unwrap_or_default();
    Ok(!g.frozen
        && ctx.now >= terms.not_before_ms
        && grant_status(ctx.st, g, ctx.now)? == GrantStatus::Active)
}

fn action_delivered(action: i32, modes: &[i32]) -> bool {
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

pub(super) fn issue(ctx: &mut Ctx<'_, '_>, p: &pb::IssueGrant) -> Outcome<Hash32> {
    let asset_id = id(&p.asset);
    let asset = ctx.asset(&asset_id)?;
    if asset.frozen {
        return reject(FailureCode::Frozen, format!("asset {asset_id} is frozen"));
    }
    if asset.holder_operate != ctx.signer() {
        return reject(
            FailureCode::NotOperator,
            format!(
                "only the Operate holder ({}) may grant access to {asset_id}",
                hex::encode(&asset.holder_operate)
            ),
        );
    }
    ctx.require_cosigner(&p.grantee, "grantee")?;
    if p.not_after_ms <= ctx.now {
        return reject(
            FailureCode::InvalidWindow,
            "not_after is already past at block time",
        );
    }
    for purpose in &p.purposes {
        if !ctx.params.purposes.contains(purpose) {
            return reject(
                FailureCode::UnknownPurpose,
                format!(
                    "purpose {purpose:?} is not in the genesis purpose list ({})",
                    ctx.params.purposes.join(", ")
                ),
            );
        }
    }
    let reg = asset.registration.clone().unwrap_or_default();
    for a in &p.actions {
        if !action_delivered(*a, &reg.delivery_modes) {
            return reject(
                FailureCode::ActionNotDelivered,
                format!(
                    "action {} does not fit the asset's delivery modes",
                    action_word(*a)
                ),
            );
        }
    }
    let abroad = foreign(p, &reg.jurisdiction);
    if asset.grade == pb::Grade::Important as i32
        && p.actions.contains(&(pb::Action::Read as i32))
        && !abroad.is_empty()
    {
        return reject(
            FailureCode::ImportantReadAbroad,
            format!("important data may not be read in {}", abroad.join(", ")),
        );
    }
    let status = if abroad.is_empty() {
        GrantStatus::Active
    } else {
        GrantStatus::PendingExport
    };
    let gid = grant_id(ctx.chain_id, &ctx.tx.id);
    let record = pb::GrantRecord {
        id: gid.to_vec(),
        tx_id: ctx.tx.id.to_vec(),
        terms: Some(p.clone()),
        grantor: ctx.signer().to_vec(),
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
        .put_raw(keys::grant_by_grantor(ctx.signer(), &gid), Vec::new());
    ctx.touch(asset_id);
    Ok(gid)
}

pub(super) fn revoke(ctx: &mut Ctx<'_, '_>, p: &pb::RevokeGrant) -> Outcome {
    let gid = id(&p.grant);
    let mut g = ctx.grant(&gid)?;
    if g.frozen {
        return reject(FailureCode::Frozen, format!("grant {gid} is frozen"));
    }
    let terms = g.terms.clone().unwrap_or_default();
    let asset_id = id(&terms.asset);
    let asset = ctx.asset(&asset_id)?;
    let allowed = asset.holder_operate == ctx.signer()
        || terms.grantee == ctx.signer()
        || ctx.has_role(pb::Role::Regulator);
    if !allowed {
        return reject(
            FailureCode::NotOperator,
            "only the asset's Operate holder, a regulator, or the grantee (renouncing) may revoke a grant",
        );
    }
    let status = grant_status(ctx.st, &g, ctx.now)?;
    if matches!(
        status,
        GrantStatus::Revoked | GrantStatus::Exhausted | GrantStatus::Expired
    ) {
        return reject(
            FailureCode::WrongState,
            format!(
                "grant {gid} is already {}",
                grant_status_word(status as i32)
            ),
        );
    }
    g.status = GrantStatus::Revoked as i32;
    ctx.st.put(keys::grant(&gid), &g);
    ctx.touch(asset_id);
    Ok(())
}

pub(super) fn usage(ctx: &mut Ctx<'_, '_>, p: &pb::RecordUsage) -> Outcome {
    let gid = id(&p.grant);
    let mut g = ctx.grant(&gid)?;
    let terms = g.terms.clone().unwrap_or_default();
    let asset_id = id(&terms.asset);
    let asset = ctx.asset(&asset_id)?;
    if g.frozen || asset.frozen {
        return reject(
            FailureCode::Frozen,
            format!("grant {gid} or its asset is frozen"),
        );
    }
    if terms.grantee != ctx.signer() {
        return reject(
            FailureCode::NotGrantee,
            "only the grantee may record usage of a grant",
        );
    }
    let status = grant_status(ctx.st, &g, ctx.now)?;
    if status == GrantStatus::Exhausted {
        return reject(
            FailureCode::UsesExhausted,
            format!("all {} uses are recorded", terms.max_uses),
        );
    }
    if status != GrantStatus::Active || ctx.now < terms.not_before_ms {
        return reject(
            FailureCode::GrantInactive,
            format!(
                "grant {gid} is {} at block time",
                if status == GrantStatus::Active {
                    "not yet valid".to_string()
                } else {
                    grant_status_word(status as i32)
                }
            ),
        );
    }
    if !terms.actions.contains(&p.action) {
        return reject(
            FailureCode::ActionNotGranted,
            format!("action {} is not granted", action_word(p.action)),
        );
    }
    if !terms.purposes.contains(&p.purpose) {
        return reject(
            FailureCode::PurposeNotGranted,
            format!("purpose {:?} is not granted", p.purpose),
        );
    }
    if !terms.jurisdictions.contains(&p.jurisdiction) {
        return reject(
            FailureCode::JurisdictionNotGranted,
            format!("use in {} is not granted", p.jurisdiction),
        );
    }
    if !terms.recipient_systems.is_empty() && !terms.recipient_systems.contains(&p.recipient_system)
    {
        return reject(
            FailureCode::RecipientNotGranted,
            format!("recipient system {:?} is not granted", p.recipient_system),
        );
    }
    if terms.max_uses > 0 && g.uses >= terms.max_uses {
        return reject(
            FailureCode::UsesExhausted,
            format!("all {} uses are recorded", terms.max_uses),
        );
    }
    g.uses += 1;
    if terms.max_uses > 0 && g.uses == terms.max_uses {
        g.status = GrantStatus::Exhausted as i32;
    }
    ctx.st.put(keys::grant(&gid), &g);
    ctx.touch(asset_id);
    Ok(())
}
