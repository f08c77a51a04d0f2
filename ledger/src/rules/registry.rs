//! Registration as exchanges run it (docs/REGISTRATION.md): an application — the first
//! registration, or a later change, renewal or cancellation — is reviewed by a registrar
//! (`Review`: accept, reject, ask for evidence), answered by its applicant
//! (`SupplyEvidence`, `Withdraw`), and once accepted stays in public notice, open to
//! objections (`objections`), until the block after the notice ends certifies it
//! (`certify`). Without review (`params.registration_review` off) an application is
//! certified in its own block.

use shuquan_proto::codes::reason as r;
use shuquan_proto::pb::{self, ApplicationKind as Kind, ApplicationStage as Stage};
use shuquan_proto::views::{
    application_kind_word, application_stage_word, registration_status_word,
};
use shuquan_proto::Hash32;

use super::certify::{self, Ending};
use super::status::{in_force, registration_status};
use super::{id, reject, Ctx, Outcome};
use crate::keys;

impl Ctx<'_, '_> {
    /// Fails with `not_registered` unless the asset's registration is in force at block
    /// time: what moving a right, granting, exporting and deriving need.
    pub(crate) fn require_registered(&self, asset_id: &Hash32, a: &pb::AssetRecord) -> Outcome {
        let s = registration_status(a, self.now);
        if in_force(s) {
            return Ok(());
        }
        reject(r::not_registered(
            asset_id,
            registration_status_word(s as i32),
        ))
    }
}

/// A new application by the signer, at the first stage.
fn application(ctx: &Ctx<'_, '_>, kind: Kind, evidence: &[u8]) -> pb::Application {
    pb::Application {
        kind: kind as i32,
        tx_id: ctx.tx.id.to_vec(),
        applicant: ctx.signer().to_vec(),
        filed_height: ctx.height,
        stage: Stage::Applied as i32,
        evidence_hash: evidence.to_vec(),
        filed_at_ms: ctx.now,
        ..Default::default()
    }
}

/// Files the first application of a new asset record (`RegisterAsset`) and stores the
/// record: under review when the chain reviews registrations, else certified at once.
pub(super) fn file_initial(
    ctx: &mut Ctx<'_, '_>,
    asset_id: &Hash32,
    mut asset: pb::AssetRecord,
    evidence: &[u8],
) -> Outcome {
    asset.application = Some(application(ctx, Kind::Initial, evidence));
    asset.status = pb::RegistrationStatus::Applied as i32;
    if ctx.params.registration_review {
        ctx.st.put(keys::asset(asset_id), &asset);
        return Ok(());
    }
    certify::issue(ctx.st, ctx.params, ctx.now, ctx.height, asset_id, asset)?;
    Ok(())
}

/// The asset's open application, or `no_application`.
fn open(asset_id: &Hash32, a: &pb::AssetRecord) -> Outcome<pb::Application> {
    match &a.application {
        Some(app) => Ok(app.clone()),
        None => reject(r::no_application(asset_id)),
    }
}

fn stage(app: &pb::Application) -> Stage {
    Stage::try_from(app.stage).unwrap_or(Stage::Unspecified)
}

/// Stores the application's new stage, and the asset's status while it is its first one.
fn set_stage(a: &mut pb::AssetRecord, mut app: pb::Application, s: Stage) {
    app.stage = s as i32;
    if app.kind == Kind::Initial as i32 {
        a.status = match s {
            Stage::InReview => pb::RegistrationStatus::InReview,
            Stage::InNotice => pb::RegistrationStatus::InNotice,
            _ => pb::RegistrationStatus::Applied,
        } as i32;
    }
    a.application = Some(app);
}

/// `Review`: a registrar (not of the applicant's member) accepts the application into
/// public notice, rejects it with a reason, or asks its applicant for evidence.
pub(super) fn review(ctx: &mut Ctx<'_, '_>, p: &pb::Review) -> Outcome {
    let asset_id = id(&p.asset);
    let mut asset = ctx.asset(&asset_id)?;
    let app = open(&asset_id, &asset)?;
    if !matches!(stage(&app), Stage::Applied | Stage::InReview) {
        return reject(r::not_under_review(
            asset_id,
            application_stage_word(app.stage),
        ));
    }
    if app.applicant == ctx.signer() {
        return reject(r::own_case(asset_id));
    }
    match pb::ReviewDecision::try_from(p.decision) {
        Ok(pb::ReviewDecision::Accept) => {
            let mut app = app;
            let ends = ctx.now.saturating_add(ctx.params.notice_period_ms);
            app.registrar = ctx.signer().to_vec();
            app.notice_ends_ms = ends;
            app.evidence_request = 0;
            set_stage(&mut asset, app, Stage::InNotice);
            ctx.st
                .put_raw(keys::notice_due(ends, &asset_id), Vec::new());
            ctx.st.put(keys::asset(&asset_id), &asset);
        }
        Ok(pb::ReviewDecision::RequestEvidence) => {
            let mut app = app;
            app.evidence_request = p.reason;
            set_stage(&mut asset, app, Stage::InReview);
            ctx.st.put(keys::asset(&asset_id), &asset);
        }
        _ => {
            let reason = pb::ReviewReason::try_from(p.reason).unwrap_or_default();
            certify::end(ctx.st, &asset_id, asset, Ending::Refused(reason))?;
        }
    }
    ctx.touch(asset_id);
    Ok(())
}

/// `SupplyEvidence`: the applicant answers a registrar's request; the application stays
/// with the registrar.
pub(super) fn supply(ctx: &mut Ctx<'_, '_>, p: &pb::SupplyEvidence) -> Outcome {
    let asset_id = id(&p.asset);
    let mut asset = ctx.asset(&asset_id)?;
    let mut app = open(&asset_id, &asset)?;
    if app.applicant != ctx.signer() {
        return reject(r::not_applicant(asset_id, &app.applicant));
    }
    if stage(&app) != Stage::InReview || app.evidence_request == 0 {
        return reject(r::evidence_not_requested(
            asset_id,
            application_stage_word(app.stage),
        ));
    }
    app.evidence_hash.clone_from(&p.evidence_hash);
    app.evidence_request = 0;
    set_stage(&mut asset, app, Stage::InReview);
    ctx.st.put(keys::asset(&asset_id), &asset);
    ctx.touch(asset_id);
    Ok(())
}

/// `Withdraw`: the applicant ends its application before the certificate.
pub(super) fn withdraw(ctx: &mut Ctx<'_, '_>, p: &pb::Withdraw) -> Outcome {
    let asset_id = id(&p.asset);
    let asset = ctx.asset(&asset_id)?;
    let app = open(&asset_id, &asset)?;
    if app.applicant != ctx.signer() {
        return reject(r::not_applicant(asset_id, &app.applicant));
    }
    certify::end(ctx.st, &asset_id, asset, Ending::Withdrawn)?;
    ctx.touch(asset_id);
    Ok(())
}

/// `Amend`: the Hold holder applies for a change (new metadata or a new version of the
/// data), a renewal or a cancellation of a registered asset; one application at a time. An
/// expired registration may be renewed or cancelled, not changed.
pub(super) fn amend(ctx: &mut Ctx<'_, '_>, p: &pb::Amend) -> Outcome {
    use pb::RegistrationStatus as S;
    let asset_id = id(&p.asset);
    let mut asset = ctx.asset(&asset_id)?;
    if asset.holder_hold != ctx.signer() {
        return reject(r::not_hold_holder(asset_id, &asset.holder_hold));
    }
    if let Some(app) = &asset.application {
        return reject(r::application_pending(
            asset_id,
            application_kind_word(app.kind),
        ));
    }
    let kind = match pb::AmendKind::try_from(p.kind) {
        Ok(pb::AmendKind::Change) => Kind::Change,
        Ok(pb::AmendKind::Renewal) => Kind::Renewal,
        _ => Kind::Cancellation,
    };
    let status = registration_status(&asset, ctx.now);
    let allowed = in_force(status) || (status == S::Expired && kind != Kind::Change);
    if !allowed {
        return reject(r::amend_unregistered(
            asset_id,
            registration_status_word(status as i32),
        ));
    }
    if asset.frozen {
        return reject(r::asset_frozen(asset_id));
    }
    if let Some(c) = &p.change {
        // How the asset is shared and delivered decides what grants may be issued in the
        // Operate holder's name (an unconditional asset's requests are granted at once):
        // the Hold holder alone does not change it.
        let shares = c.sharing != 0 || !c.delivery_modes.is_empty();
        if shares && !ctx.signed_by(&asset.holder_operate) {
            return reject(r::must_cosign("Operate holder", &asset.holder_operate));
        }
    }
    let mut app = application(ctx, kind, &p.evidence_hash);
    if let Some(change) = &p.change {
        if !change.fingerprint.is_empty() {
            super::register::claim_fingerprint(ctx, &change.fingerprint, &asset_id)?;
        }
        app.change = Some(change.clone());
    }
    asset.application = Some(app);
    ctx.touch(asset_id);
    if ctx.params.registration_review {
        ctx.st.put(keys::asset(&asset_id), &asset);
        return Ok(());
    }
    certify::issue(ctx.st, ctx.params, ctx.now, ctx.height, &asset_id, asset)?;
    Ok(())
}
