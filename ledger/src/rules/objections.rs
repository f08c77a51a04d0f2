//! Objections to an application in public notice: any active member files one, with an
//! evidence hash, before the notice ends (block time); a registrar of another member than
//! the applicant's and the objector's upholds it (the application is rejected) or dismisses
//! it. While an objection is open, no certificate is issued.

use shuquan_proto::codes::reason as r;
use shuquan_proto::pb::{self, ApplicationStage as Stage, ObjectionStatus};
use shuquan_proto::views::{application_stage_word, objection_status_word};
use shuquan_proto::Hash32;

use super::certify::{self, Ending};
use super::{id, reject, Ctx, Outcome};
use crate::keys;

/// `Object`: files an objection to the asset's application in notice.
pub(super) fn object(ctx: &mut Ctx<'_, '_>, p: &pb::Object) -> Outcome<Hash32> {
    let asset_id = id(&p.asset);
    let mut asset = ctx.asset(&asset_id)?;
    let Some(mut app) = asset.application.clone() else {
        return reject(r::no_application(asset_id));
    };
    if app.stage != Stage::InNotice as i32 {
        return reject(r::not_in_notice(
            asset_id,
            application_stage_word(app.stage),
        ));
    }
    if ctx.now >= app.notice_ends_ms {
        return reject(r::notice_over(asset_id, app.notice_ends_ms));
    }
    // A registrar decides objections; were it to file one, only another registrar could
    // decide it, and a chain with one registrar would hold the application for good.
    if ctx.has_role(pb::Role::Registrar) {
        return reject(r::registrar_objects(asset_id));
    }
    // One open objection per member: a member cannot hold a notice open by filing more.
    for open in &app.open_objections {
        let o = ctx.st.objection(&id(open))?;
        if o.is_some_and(|o| o.objector == ctx.signer()) {
            return reject(r::objection_open(asset_id, id(open)));
        }
    }
    let oid = ctx.h.objection_id(ctx.chain_id, &ctx.tx.id);
    let record = pb::ObjectionRecord {
        id: oid.to_vec(),
        tx_id: ctx.tx.id.to_vec(),
        asset: asset_id.to_vec(),
        application: app.tx_id.clone(),
        objector: ctx.signer().to_vec(),
        reason: p.reason,
        evidence_hash: p.evidence_hash.clone(),
        filed_height: ctx.height,
        status: ObjectionStatus::Open as i32,
        ..Default::default()
    };
    ctx.st.put(keys::objection(&oid), &record);
    ctx.st
        .put_raw(keys::objection_of(&asset_id, &oid), Vec::new());
    app.open_objections.push(oid.to_vec());
    asset.application = Some(app);
    ctx.st.put(keys::asset(&asset_id), &asset);
    ctx.touch(asset_id);
    Ok(oid)
}

/// `DecideObjection`: a registrar upholds or dismisses an open objection. Upheld, the
/// application is rejected (its other objections become moot); dismissed as the last open
/// one after the notice ended, the application is certified by the next block.
pub(super) fn decide(ctx: &mut Ctx<'_, '_>, p: &pb::DecideObjection) -> Outcome {
    let oid = id(&p.objection);
    let Some(mut obj) = ctx.st.objection(&oid)? else {
        return reject(r::unknown_objection(oid));
    };
    if obj.status != ObjectionStatus::Open as i32 {
        return reject(r::objection_decided(oid, objection_status_word(obj.status)));
    }
    let asset_id = id(&obj.asset);
    let mut asset = ctx.asset(&asset_id)?;
    let Some(mut app) = asset.application.clone() else {
        return reject(r::no_application(asset_id));
    };
    if obj.objector == ctx.signer() || app.applicant == ctx.signer() {
        return reject(r::own_case(asset_id));
    }
    obj.decided_by = ctx.signer().to_vec();
    obj.decided_height = ctx.height;
    ctx.touch(asset_id);
    if p.uphold {
        obj.status = ObjectionStatus::Upheld as i32;
        ctx.st.put(keys::objection(&oid), &obj);
        certify::end(
            ctx.st,
            &asset_id,
            asset,
            Ending::Refused(pb::ReviewReason::ObjectionUpheld),
        )?;
        return Ok(());
    }
    obj.status = ObjectionStatus::Dismissed as i32;
    ctx.st.put(keys::objection(&oid), &obj);
    app.open_objections
        .retain(|o| o.as_slice() != oid.as_bytes());
    if app.open_objections.is_empty() && ctx.now >= app.notice_ends_ms {
        // The notice is over and nothing stands against it any more: the next block
        // certifies it (the queue is read at block start).
        ctx.st
            .put_raw(keys::notice_due(ctx.now, &asset_id), Vec::new());
    }
    asset.application = Some(app);
    ctx.st.put(keys::asset(&asset_id), &asset);
    Ok(())
}
