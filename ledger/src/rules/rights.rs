//! `TransferRight`: one of the three separable rights moves from its holder to another
//! member, cosigned by the receiver. Moving important or personal data abroad spends an
//! approved filing that names this asset, this right and this receiver; a right of an asset
//! derived under a grant moves only with the parent's Operate holder's consent.

use shuquan_proto::codes::reason as r;
use shuquan_proto::pb::{self, FilingStatus};
use shuquan_proto::views::right_word;
use shuquan_proto::Hash32;

use super::grants::Consent;
use super::status::filing_in_force;
use super::{holder, id, reject, Ctx, Outcome};
use crate::keys;

/// Whether an asset is important or holds personal information: what may leave its
/// jurisdiction only with a regulator's decision.
pub(crate) fn sensitive(asset: &pb::AssetRecord) -> bool {
    asset.grade >= pb::Grade::Important as i32
        || asset
            .pi
            .as_ref()
            .is_some_and(|pi| pi.contains_pi || pi.subjects > 0)
}

pub(super) fn transfer(ctx: &mut Ctx<'_, '_>, p: &pb::TransferRight) -> Outcome {
    transfer_as(ctx, p, Consent::Cosigns)
}

/// Moves the right as `p` says from the signer; the receiver consents by cosigning, or
/// consented before (an order).
pub(super) fn transfer_as(
    ctx: &mut Ctx<'_, '_>,
    p: &pb::TransferRight,
    consent: Consent,
) -> Outcome {
    let asset_id = id(&p.asset);
    let mut asset = ctx.asset(&asset_id)?;
    if asset.frozen {
        return reject(r::asset_frozen(asset_id));
    }
    ctx.require_registered(&asset_id, &asset)?;
    if let (Some(app), Ok(pb::Right::Hold)) = (&asset.application, pb::Right::try_from(p.right)) {
        // The application is its applicant's: it would take effect on the buyer's asset.
        return reject(r::hold_locked_by_application(
            asset_id,
            shuquan_proto::views::application_kind_word(app.kind),
        ));
    }
    let Some(current) = holder(&asset, p.right) else {
        return reject(r::right_missing("right"));
    };
    if current != ctx.signer() {
        return reject(r::not_holder(right_word(p.right), asset_id, current));
    }
    match pb::Right::try_from(p.right) {
        Ok(pb::Right::Hold) => asset.holder_hold.clone_from(&p.to),
        Ok(pb::Right::Use) => asset.holder_use.clone_from(&p.to),
        _ => asset.holder_operate.clone_from(&p.to),
    }
    if consent == Consent::Cosigns {
        ctx.require_cosigner(&p.to, "receiver")?;
    }
    let receiver = match ctx.st.member(&p.to)? {
        Some(m)
            if m.status == pb::MemberStatus::Active as i32
                && m.roles.contains(&(pb::Role::Member as i32)) =>
        {
            m
        }
        _ => return reject(r::receiver_inactive(&p.to)),
    };
    for edge in asset.parents.iter().filter(|e| !e.via_grant.is_empty()) {
        let parent = ctx.asset(&id(&edge.parent))?;
        let receiver_consents = consent == Consent::Given && p.to == parent.holder_operate;
        if !ctx.signed_by(&parent.holder_operate) && !receiver_consents {
            return reject(r::parent_consent_required(
                asset_id,
                &edge.parent,
                &edge.via_grant,
                &parent.holder_operate,
            ));
        }
    }
    let home = asset
        .registration
        .as_ref()
        .map_or(String::new(), |r| r.jurisdiction.clone());
    if receiver.jurisdiction != home && sensitive(&asset) {
        spend_transfer_approval(ctx, &asset_id, p, &receiver)?;
    }
    if p.right == pb::Right::Operate as i32 {
        let from = ctx.signer().to_vec();
        super::requests::readdress(ctx, &asset_id, &from, &p.to)?;
    }
    ctx.st.put(keys::asset(&asset_id), &asset);
    ctx.touch(asset_id);
    Ok(())
}

/// Finds the approval in force, filed by the signer, that names exactly this asset, right
/// and receiver with the receiver's jurisdiction as destination, and marks it used: one
/// approval, one transfer.
fn spend_transfer_approval(
    ctx: &mut Ctx<'_, '_>,
    asset: &Hash32,
    p: &pb::TransferRight,
    receiver: &pb::Member,
) -> Outcome {
    for key in ctx
        .st
        .keys_with_prefix(&keys::prefix("fasset", &[asset.as_bytes()]))?
    {
        let fid = id(&key[key.len() - 32..]);
        let Some(mut f) = ctx.st.filing(&fid)? else {
            continue;
        };
        let req = f.request.clone().unwrap_or_default();
        let names_it = req.transfer.as_ref().is_some_and(|t| {
            t.asset == asset.as_bytes() && t.right == p.right && t.receiver == p.to
        });
        if !names_it
            || req.destination != receiver.jurisdiction
            || f.exporter != ctx.signer()
            || !filing_in_force(&f, ctx.now)
        {
            continue;
        }
        if f.frozen {
            return reject(r::approval_frozen(fid));
        }
        f.status = FilingStatus::Used as i32;
        ctx.st.put(keys::filing(&fid), &f);
        return Ok(());
    }
    reject(r::export_not_approved(
        &receiver.jurisdiction,
        &receiver.id,
        right_word(p.right),
    ))
}
