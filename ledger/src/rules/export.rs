//! Cross-border export: `FileCrossBorder` (of grants, or of one transfer of a right) with
//! its minimum path, and `DecideCrossBorder` with the exporter's yearly counters (summed on
//! approval, so splitting a filing cannot lower the path). The exporter is whoever holds
//! the right now: the Operate holder for grants, the right's holder for a transfer. The
//! assets' own grade, PI flags and subject counts are lower bounds of every declaration.

use shuquan_proto::codes::reason as r;
use shuquan_proto::pb::{self, ExportPath, FilingStatus, GrantStatus};
use shuquan_proto::views::{filing_status_word, path_word, right_word};
use shuquan_proto::Hash32;

use super::status::{foreign, law_year};
use super::{grant_unfrozen, holder, id, reject, Ctx, Outcome};
use crate::keys;

fn rank(path: ExportPath) -> u8 {
    match path {
        ExportPath::Unspecified => 0,
        ExportPath::Exempt => 1,
        ExportPath::StandardContract | ExportPath::Certification => 2,
        ExportPath::SecurityAssessment => 3,
    }
}

/// The minimum path (docs/DATA-RIGHTS.md) for an export by `exporter` of assets with the given grade
/// and PI flags, with `counter` already exported this year.
pub(crate) fn minimum_path(
    params: &pb::Params,
    exporter: &pb::Member,
    any_important: bool,
    any_pi: bool,
    declared: &pb::Declared,
    counter: &pb::ExportCounter,
) -> ExportPath {
    let important = declared.important || any_important;
    let pi_present = any_pi || declared.pi_subjects > 0 || declared.spi_subjects > 0;
    if exporter.is_ciio && (pi_present || important) {
        return ExportPath::SecurityAssessment;
    }
    if important {
        return ExportPath::SecurityAssessment;
    }
    let pi = counter.pi_subjects.saturating_add(declared.pi_subjects);
    let spi = counter.spi_subjects.saturating_add(declared.spi_subjects);
    if pi > params.pi_security_threshold || spi > params.spi_security_threshold {
        ExportPath::SecurityAssessment
    } else if pi >= params.pi_contract_threshold || spi > 0 {
        ExportPath::StandardContract
    } else {
        ExportPath::Exempt
    }
}

/// What the assets an export covers hold, counted once per asset: the least a filing must
/// declare.
#[derive(Default)]
struct Floor {
    important: bool,
    pi: bool,
    /// Subjects summed over the distinct assets (就高从严: overlaps count twice rather than
    /// not at all).
    pi_subjects: u64,
    spi: bool,
}

impl Floor {
    fn add(&mut self, asset: &pb::AssetRecord) {
        self.important |= asset.grade >= pb::Grade::Important as i32;
        let pi = asset.pi.unwrap_or_default();
        self.pi |= pi.contains_pi || pi.subjects > 0;
        self.spi |= pi.contains_sensitive_pi;
        self.pi_subjects = self.pi_subjects.saturating_add(pi.subjects);
    }

    /// Fails with `under_declared` if `d` declares less than the assets hold.
    fn check(&self, d: &pb::Declared) -> Outcome {
        if self.important && !d.important {
            reject(r::important_undeclared())
        } else if d.pi_subjects < self.pi_subjects {
            reject(r::subjects_undeclared(self.pi_subjects, d.pi_subjects))
        } else if self.spi && d.spi_subjects == 0 {
            reject(r::spi_undeclared())
        } else {
            Ok(())
        }
    }
}

/// The assets an export covers: every granted asset, or the transferred one.
fn covered_assets(ctx: &Ctx<'_, '_>, req: &pb::FileCrossBorder) -> Outcome<Vec<Hash32>> {
    let mut out = Vec::new();
    if let Some(t) = &req.transfer {
        out.push(id(&t.asset));
    }
    for g in &req.grants {
        let grant = ctx.grant(&id(g))?;
        out.push(id(&grant.terms.unwrap_or_default().asset));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The minimum path for a filing now, from its assets and the exporter's counter for the
/// current law year.
fn required_path(
    ctx: &Ctx<'_, '_>,
    req: &pb::FileCrossBorder,
    exporter: &pb::Member,
) -> Outcome<ExportPath> {
    let mut floor = Floor::default();
    for a in covered_assets(ctx, req)? {
        floor.add(&ctx.asset(&a)?);
    }
    let counter: pb::ExportCounter = ctx.st.msg(&counter_key(ctx, exporter))?.unwrap_or_default();
    let declared = req.declared.unwrap_or_default();
    Ok(minimum_path(
        ctx.params,
        exporter,
        floor.important,
        floor.pi,
        &declared,
        &counter,
    ))
}

fn counter_key(ctx: &Ctx<'_, '_>, exporter: &pb::Member) -> Vec<u8> {
    keys::counter(
        &exporter.id,
        law_year(ctx.now, ctx.params.law_utc_offset_minutes),
    )
}

/// Checks one granted export: the signer holds the asset's Operate right now, and the grant
/// is live and exports to `destination`.
fn check_grant(ctx: &Ctx<'_, '_>, gid: &Hash32, destination: &str) -> Outcome<Hash32> {
    let (grant, terms, asset_id, asset) = ctx.grant_with_asset(gid)?;
    grant_unfrozen(gid, &grant, &asset)?;
    ctx.require_registered(&asset_id, &asset)?;
    if asset.holder_operate != ctx.signer() {
        return reject(r::not_exporter_of_grant(
            asset_id,
            gid,
            &asset.holder_operate,
        ));
    }
    ctx.live_grant_status(gid, &grant)?;
    let home = asset.registration.unwrap_or_default().jurisdiction;
    if !foreign(&terms, &home).contains(&destination) {
        return reject(r::grant_not_abroad(
            gid,
            destination,
            terms.jurisdictions.join(", "),
        ));
    }
    Ok(asset_id)
}

/// Checks a transfer export: the signer holds the right now, and the receiver is a member in
/// the destination, abroad from the asset.
fn check_transfer(ctx: &Ctx<'_, '_>, t: &pb::TransferExport, destination: &str) -> Outcome<Hash32> {
    let asset_id = id(&t.asset);
    let asset = ctx.asset(&asset_id)?;
    if asset.frozen {
        return reject(r::asset_frozen(asset_id));
    }
    ctx.require_registered(&asset_id, &asset)?;
    let Some(holder) = holder(&asset, t.right) else {
        return reject(r::right_missing("transfer.right"));
    };
    if holder != ctx.signer() {
        return reject(r::not_exporter_of_right(
            right_word(t.right),
            asset_id,
            holder,
        ));
    }
    let Some(receiver) = ctx
        .st
        .member(&t.receiver)?
        .filter(|m| m.status == pb::MemberStatus::Active as i32)
    else {
        return reject(r::receiver_unknown(&t.receiver));
    };
    let home = asset.registration.unwrap_or_default().jurisdiction;
    if receiver.jurisdiction != destination || receiver.jurisdiction == home {
        return reject(r::transfer_not_abroad(
            &receiver.id,
            &receiver.jurisdiction,
            &home,
            destination,
        ));
    }
    Ok(asset_id)
}

pub(super) fn file(ctx: &mut Ctx<'_, '_>, p: &pb::FileCrossBorder) -> Outcome<Hash32> {
    let fid = ctx.h.filing_id(ctx.chain_id, &ctx.tx.id);
    let mut assets = Vec::new();
    if let Some(t) = &p.transfer {
        assets.push(check_transfer(ctx, t, &p.destination)?);
    }
    for g in &p.grants {
        assets.push(check_grant(ctx, &id(g), &p.destination)?);
    }
    let mut floor = Floor::default();
    assets.sort();
    assets.dedup();
    for a in &assets {
        floor.add(&ctx.asset(a)?);
    }
    floor.check(&p.declared.unwrap_or_default())?;
    for a in assets {
        ctx.st.put_raw(keys::filing_by_asset(&a, &fid), Vec::new());
        ctx.touch(a);
    }
    let exporter = ctx.member.clone();
    let min = required_path(ctx, p, &exporter)?;
    let chosen = ExportPath::try_from(p.path).unwrap_or(ExportPath::Unspecified);
    if rank(chosen) < rank(min) {
        return reject(r::path_insufficient(
            path_word(min as i32),
            path_word(p.path),
        ));
    }
    let record = pb::FilingRecord {
        id: fid.to_vec(),
        tx_id: ctx.tx.id.to_vec(),
        request: Some(p.clone()),
        exporter: ctx.signer().to_vec(),
        exporter_member: exporter.id,
        status: FilingStatus::Filed as i32,
        valid_until_ms: 0,
        filed_height: ctx.height,
        decided_by: Vec::new(),
        frozen: false,
        filed_at_ms: ctx.now,
    };
    ctx.st.put(keys::filing(&fid), &record);
    Ok(fid)
}

/// Refuses a decision while the filing, a grant it covers, or an asset it concerns is
/// frozen: a freeze keeps the record as it is until a regulator unfreezes it.
fn nothing_frozen(ctx: &Ctx<'_, '_>, fid: &Hash32, f: &pb::FilingRecord) -> Outcome {
    let req = f.request.clone().unwrap_or_default();
    if f.frozen {
        return reject(r::filing_frozen(fid));
    }
    for g in &req.grants {
        let gid = id(g);
        if ctx.grant(&gid)?.frozen {
            return reject(r::filing_grant_frozen(gid, fid));
        }
    }
    for a in covered_assets(ctx, &req)? {
        if ctx.asset(&a)?.frozen {
            return reject(r::filing_asset_frozen(a, fid));
        }
    }
    Ok(())
}

pub(super) fn decide(ctx: &mut Ctx<'_, '_>, p: &pb::DecideCrossBorder) -> Outcome {
    let fid = id(&p.filing);
    let mut f = ctx.filing(&fid)?;
    nothing_frozen(ctx, &fid, &f)?;
    let req = f.request.clone().unwrap_or_default();
    let decision = pb::Decision::try_from(p.decision).unwrap_or(pb::Decision::Unspecified);
    let stored = FilingStatus::try_from(f.status).unwrap_or(FilingStatus::Unspecified);
    let status = filing_status_word(f.status);
    let approve = match decision {
        pb::Decision::Approve | pb::Decision::Acknowledge => true,
        pb::Decision::Reject | pb::Decision::Revoke => false,
        pb::Decision::Unspecified => return reject(r::decision_missing()),
    };
    match decision {
        pb::Decision::Revoke
            if !matches!(stored, FilingStatus::Approved | FilingStatus::Acknowledged) =>
        {
            return reject(r::not_approved(fid, status))
        }
        pb::Decision::Revoke => f.status = FilingStatus::Revoked as i32,
        _ if stored != FilingStatus::Filed => return reject(r::not_filed(fid, status)),
        pb::Decision::Reject => f.status = FilingStatus::Rejected as i32,
        _ => approve_filing(ctx, &mut f, &req, decision, p.valid_until_ms)?,
    }
    f.decided_by = ctx.signer().to_vec();
    ctx.st.put(keys::filing(&fid), &f);
    for a in covered_assets(ctx, &req)? {
        ctx.touch(a);
    }
    set_cover(ctx, &req, &fid, approve)
}

/// Whether the filer still holds what it exported: an approval goes to the current holder
/// only (a former holder's filing is void; the new holder files anew).
fn exporter_still_holds(
    ctx: &Ctx<'_, '_>,
    f: &pb::FilingRecord,
    req: &pb::FileCrossBorder,
) -> Outcome {
    let mut held = true;
    if let Some(t) = &req.transfer {
        let a = ctx.asset(&id(&t.asset))?;
        held &= holder(&a, t.right) == Some(f.exporter.as_slice());
    }
    for g in &req.grants {
        let grant = ctx.grant(&id(g))?;
        let a = ctx.asset(&id(&grant.terms.unwrap_or_default().asset))?;
        held &= a.holder_operate == f.exporter;
    }
    if held {
        Ok(())
    } else {
        reject(r::exporter_gone(&f.exporter, &f.id))
    }
}

fn approve_filing(
    ctx: &mut Ctx<'_, '_>,
    f: &mut pb::FilingRecord,
    req: &pb::FileCrossBorder,
    decision: pb::Decision,
    valid_until_ms: u64,
) -> Outcome {
    let max = ctx.params.max_approval_ms;
    if decision == pb::Decision::Acknowledge && req.path == ExportPath::SecurityAssessment as i32 {
        return reject(r::assessment_needs_approval());
    }
    let valid_until = if valid_until_ms == 0 {
        ctx.now.saturating_add(max)
    } else {
        valid_until_ms
    };
    if valid_until <= ctx.now || valid_until - ctx.now > max {
        return reject(r::approval_too_long(max / 86_400_000));
    }
    exporter_still_holds(ctx, f, req)?;
    // Counters are summed on approval, so re-check the path with this year's exports.
    let exporter = ctx.st.member(&f.exporter)?.unwrap_or_default();
    let min = required_path(ctx, req, &exporter)?;
    let chosen = ExportPath::try_from(req.path).unwrap_or(ExportPath::Unspecified);
    if rank(chosen) < rank(min) {
        return reject(r::path_insufficient_this_year(path_word(min as i32)));
    }
    let key = counter_key(ctx, &exporter);
    let mut counter: pb::ExportCounter = ctx.st.msg(&key)?.unwrap_or_default();
    let declared = req.declared.unwrap_or_default();
    counter.pi_subjects = counter.pi_subjects.saturating_add(declared.pi_subjects);
    counter.spi_subjects = counter.spi_subjects.saturating_add(declared.spi_subjects);
    ctx.st.put(key, &counter);
    f.status = if decision == pb::Decision::Approve {
        FilingStatus::Approved
    } else {
        FilingStatus::Acknowledged
    } as i32;
    f.valid_until_ms = valid_until;
    Ok(())
}

/// Adds (approval) or removes (rejection, revocation) the filing's cover on each of its
/// grants; a grant is active when every foreign jurisdiction it names is covered.
fn set_cover(ctx: &mut Ctx<'_, '_>, req: &pb::FileCrossBorder, fid: &Hash32, on: bool) -> Outcome {
    for g in &req.grants {
        let gid = id(g);
        let mut grant = ctx.grant(&gid)?;
        let terms = grant.terms.clone().unwrap_or_default();
        let asset = ctx.asset(&id(&terms.asset))?;
        grant.covers.retain(|c| c.filing != fid.as_bytes());
        if on {
            grant.covers.push(pb::ExportCover {
                jurisdiction: req.destination.clone(),
                filing: fid.to_vec(),
            });
        }
        let stored = GrantStatus::try_from(grant.status).unwrap_or(GrantStatus::Unspecified);
        if matches!(stored, GrantStatus::Active | GrantStatus::PendingExport) {
            let home = asset.registration.unwrap_or_default().jurisdiction;
            let all_covered = foreign(&terms, &home)
                .iter()
                .all(|j| grant.covers.iter().any(|c| c.jurisdiction == *j));
            grant.status = if all_covered {
                GrantStatus::Active
            } else {
                GrantStatus::PendingExport
            } as i32;
        }
        ctx.st.put(keys::grant(&gid), &grant);
    }
    Ok(())
}
