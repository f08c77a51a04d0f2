//! `TransferRight`: one of the three separable rights moves from its holder to another
//! member, cosigned by the receiver; abroad, important or personal data needs an export
//! approval that covers the receiver.

use shuquan_proto::codes::FailureCode;
use shuquan_proto::pb;
use shuquan_proto::views::right_word;

use super::{export, id, reject, Ctx, Outcome};
use crate::ledger::keys;

pub(super) fn transfer(ctx: &mut Ctx<'_, '_>, p: &pb::TransferRight) -> Outcome {
    let asset_id = id(&p.asset);
    let mut asset = ctx.asset(&asset_id)?;
    if asset.frozen {
        return reject(FailureCode::Frozen, format!("asset {asset_id} is frozen"));
    }
    let right = pb::Right::try_from(p.right).unwrap_or(pb::Right::Unspecified);
    let holder = match right {
        pb::Right::Hold => &mut asset.holder_hold,
        pb::Right::Use => &mut asset.holder_use,
        pb::Right::Operate => &mut asset.holder_operate,
        pb::Right::Unspecified => return reject(FailureCode::InvalidField, "right is missing"),
    };
    if holder.as_slice() != ctx.signer() {
        return reject(
            FailureCode::NotHolder,
            format!(
                "the {} right of {asset_id} is held by {}, not the signer",
                right_word(p.right),
                hex::encode(&*holder)
            ),
        );
    }
    *holder = p.to.clone();
    ctx.require_cosigner(&p.to, "receiver")?;
    let receiver = match ctx.st.member_of_key(&p.to)? {
        Some(m)
            if m.status == pb::MemberStatus::Active as i32
                && m.roles.contains(&(pb::Role::Member as i32)) =>
        {
            m
        }
        _ => {
            return reject(
                FailureCode::ReceiverInactive,
                format!(
                    "receiver {} is not an active member with the member role",
                    hex::encode(&p.to)
                ),
            )
        }
    };
    let reg = asset.registration.clone().unwrap_or_default();
    let sensitive = asset.grade == pb::Grade::Important as i32
        || asset.pi.as_ref().is_some_and(|pi| pi.contains_pi);
    if receiver.jurisdiction != reg.jurisdiction
        && sensitive
        && !export::export_covered(ctx, &asset_id, &p.to, &receiver.jurisdiction)?
    {
        return reject(
            FailureCode::ExportNotApproved,
            format!(
                "moving important or personal data to {} needs an approved filing covering a grant of this asset to the receiver",
                receiver.jurisdiction
            ),
        );
    }
    ctx.st.put_raw(
        keys::rights(&asset_id, p.right, ctx.height, ctx.index),
        p.to.clone(),
    );
    ctx.st.put(keys::asset(&asset_id), &asset);
    ctx.touch(asset_id);
    Ok(())
}
