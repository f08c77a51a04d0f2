//! Cross-border export: `FileCrossBorder` with its minimum path, `DecideCrossBorder` with
//! the exporter's calendar-year counters (summed on approval, so splitting a filing cannot
//! lower the path), and whether an approval is in force.

use chrono::Datelike;
use shuquan_proto::codes::FailureCode;
use shuquan_proto::hash::filing_id;
use shuquan_proto::pb::{self, ExportPath, FilingStatus, GrantStatus};
use shuquan_proto::views::{filing_status_word, grant_status_word, path_word};
use shuquan_proto::Hash32;

use super::grants::{foreign, grant_status};
use super::{id, reject, Ctx, Outcome};
use crate::ledger::keys;

/// Whether a decided filing's approval holds at `at`.
pub(crate) fn filing_in_force(f: &pb::FilingRecord, at: u64) -> bool {
    let decided =
        f.status == FilingStatus::Approved as i32 || f.status == FilingStatus::Acknowledged as i32;
    decided && at < f.valid_until_ms
}

/// A filing's status at `at` (`expired` once an approval's validity has passed).
pub(crate) fn filing_status(f: &pb::FilingRecord, at: u64) -> FilingStatus {
    let stored = FilingStatus::try_from(f.status).unwrap_or(FilingStatus::Unspecified);
    match stored {
        FilingStatus::Approved | FilingStatus::Acknowledged if at >= f.valid_until_ms => {
            FilingStatus::Expired
        }
        s => s,
    }
}

fn rank(path: ExportPath) -> u8 {
    match path {
        ExportPath::Unspecified => 0,
        ExportPath::Exempt => 1,
        ExportPath::StandardContract | ExportPath::Certification => 2,
        ExportPath::SecurityAssessment => 3,
    }
}

/// The calendar year (UTC) of a block time.
pub(crate) fn year_of(ms: u64) -> i32 {
    chrono::DateTime::from_timestamp_millis(ms as i64).map_or(1970, |d| d.year())
}

/// The minimum path (DOMAIN.md) for an export by `exporter` of assets with the given grade
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

/// The minimum path for a filing now, from its grants' assets and this year's counter.
fn required_path(
    ctx: &Ctx<'_, '_>,
    req: &pb::FileCrossBorder,
    exporter: &pb::Member,
) -> Outcome<ExportPath> {
    let (mut important, mut pi) = (false, false);
    for g in &req.grants {
        let grant = ctx.grant(&id(g))?;
        let asset = ctx.asset(&id(&grant.terms.unwrap_or_default().asset))?;
        important |= asset.grade == pb::Grade::Important as i32;
        pi |= asset.pi.is_some_and(|p| p.contains_pi);
    }
    let counter: pb::ExportCounter = ctx
        .st
        .msg(&keys::counter(&exporter.id, year_of(ctx.now)))?
        .unwrap_or_default();
    let declared = req.declared.unwrap_or_default();
    Ok(minimum_path(
        ctx.params, exporter, important, pi, &declared, &counter,
    ))
}

pub(super) fn file(ctx: &mut Ctx<'_, '_>, p: &pb::FileCrossBorder) -> Outcome<Hash32> {
    let fid = filing_id(ctx.chain_id, &ctx.tx.id);
    for g in &p.grants {
        let gid = id(g);
        let grant = ctx.grant(&gid)?;
        let terms = grant.terms.clone().unwrap_or_default();
        let asset_id = id(&terms.asset);
        let asset = ctx.asset(&asset_id)?;
        if grant.frozen || asset.frozen {
            return reject(
                FailureCode::Frozen,
                format!("grant {gid} or its asset is frozen"),
            );
        }
        if grant.grantor != ctx.signer() {
            return reject(
                FailureCode::NotExporter,
                format!("grant {gid} was issued by another key; its grantor files for it"),
            );
        }
        let status = grant_status(ctx.st, &grant, ctx.now)?;
        if matches!(
            status,
            GrantStatus::Revoked | GrantStatus::Exhausted | GrantStatus::Expired
        ) {
            return reject(
                FailureCode::WrongState,
                format!("grant {gid} is {}", grant_status_word(status as i32)),
            );
        }
        let jurisdiction = asset.registration.unwrap_or_default().jurisdiction;
        if !foreign(&terms, &jurisdiction).contains(&p.destination.as_str()) {
            return reject(
                FailureCode::NotCrossBorder,
                format!(
                    "grant {gid} does not export to {} (its jurisdictions: {})",
                    p.destination,
                    terms.jurisdictions.join(", ")
                ),
            );
        }
        ctx.st
            .put_raw(keys::filing_by_asset(&asset_id, &fid), Vec::new());
        ctx.touch(asset_id);
    }
    let exporter = ctx.member.clone();
    let min = required_path(ctx, p, &exporter)?;
    let chosen = ExportPath::try_from(p.path).unwrap_or(ExportPath::Unspecified);
    if rank(chosen) < rank(min) {
        return reject(
            FailureCode::PathInsufficient,
            format!(
                "this export needs at least the {} path, not {}",
                path_word(min as i32),
                path_word(p.path)
            ),
        );
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

pub(super) fn decide(ctx: &mut Ctx<'_, '_>, p: &pb::DecideCrossBorder) -> Outcome {
    let fid = id(&p.filing);
    let mut f = ctx.filing(&fid)?;
    if f.frozen {
        return reject(FailureCode::Frozen, format!("filing {fid} is frozen"));
    }
    let req = f.request.clone().unwrap_or_default();
    let decision = pb::Decision::try_from(p.decision).unwrap_or(pb::Decision::Unspecified);
    let stored = FilingStatus::try_from(f.status).unwrap_or(FilingStatus::Unspecified);
    let wrong = |want: &str| {
        reject::<()>(
            FailureCode::WrongState,
            format!(
                "filing {fid} is {}; this decision needs it {want}",
                filing_status_word(f.status)
            ),
        )
    };
    let approve = match decision {
        pb::Decision::Approve | pb::Decision::Acknowledge => true,
        pb::Decision::Reject | pb::Decision::Revoke => false,
        pb::Decision::Unspecified => {
            return reject(FailureCode::InvalidField, "decision is missing")
        }
    };
    match decision {
        pb::Decision::Revoke
            if !matches!(stored, FilingStatus::Approved | FilingStatus::Acknowledged) =>
        {
            return wrong("approved or acknowledged")
        }
        pb::Decision::Revoke => f.status = FilingStatus::Revoked as i32,
        _ if stored != FilingStatus::Filed => return wrong("filed"),
        pb::Decision::Reject => f.status = FilingStatus::Rejected as i32,
        _ => approve_filing(ctx, &mut f, &req, decision, p.valid_until_ms)?,
    }
    f.decided_by = ctx.signer().to_vec();
    ctx.st.put(keys::filing(&fid), &f);
    set_cover(ctx, &req, &fid, approve)
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
        return reject(
            FailureCode::DecisionNotAllowed,
            "a security-assessment filing must be approved (with a validity), not acknowledged",
        );
    }
    let valid_until = if valid_until_ms == 0 {
        ctx.now.saturating_add(max)
    } else {
        valid_until_ms
    };
    if valid_until <= ctx.now || valid_until - ctx.now > max {
        return reject(
            FailureCode::ApprovalTooLong,
            format!(
                "valid_until must be after block time and at most {} days later",
                max / 86_400_000
            ),
        );
    }
    // Counters are summed on approval, so re-check the path with this year's exports.
    let exporter = ctx.st.member_of_key(&f.exporter)?.unwrap_or_default();
    let min = required_path(ctx, req, &exporter)?;
    let chosen = ExportPath::try_from(req.path).unwrap_or(ExportPath::Unspecified);
    if rank(chosen) < rank(min) {
        return reject(
            FailureCode::PathInsufficient,
            format!(
                "with this year's approved exports the filing now needs the {} path",
                path_word(min as i32)
            ),
        );
    }
    let key = keys::counter(&exporter.id, year_of(ctx.now));
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
        ctx.touch(id(&terms.asset));
    }
    Ok(())
}

/// Whether an approval in force covers moving `asset` to `receiver` in `jurisdiction`:
/// a grant of the asset to the receiver whose export there is approved.
pub(super) fn export_covered(
    ctx: &Ctx<'_, '_>,
    asset: &Hash32,
    receiver: &[u8],
    jurisdiction: &str,
) -> Outcome<bool> {
    for key in ctx.st.keys_with_prefix(&keys::grants_of_asset(asset))? {
        let Some(g) = ctx.st.grant(&id(&key[key.len() - 32..]))? else {
            continue;
        };
        if g.terms.as_ref().is_none_or(|t| t.grantee != receiver) {
            continue;
        }
        for c in g.covers.iter().filter(|c| c.jurisdiction == jurisdiction) {
            if ctx
                .st
                .filing(&id(&c.filing))?
                .is_some_and(|f| filing_in_force(&f, ctx.now))
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
