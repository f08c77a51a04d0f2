//! Oversight: auditors' `Attest` (a newer attestation of the same issuer, subject and kind
//! supersedes the older; one may be made of a frozen subject, since it records and changes
//! nothing), regulators' `Freeze` and `Unfreeze` of any asset, grant or filing.

use shuquan_proto::codes::reason as r;
use shuquan_proto::pb;
use shuquan_proto::Hash32;

use super::{id, reject, Ctx, Outcome};
use crate::keys;

/// The assets a subject belongs to (for history): the asset itself, a grant's asset, or
/// every asset a filing concerns; `unknown_subject` if it is none of these.
fn subject_assets(ctx: &Ctx<'_, '_>, subject: &Hash32) -> Outcome<Vec<Hash32>> {
    if ctx.st.asset(subject)?.is_some() {
        return Ok(vec![*subject]);
    }
    if let Some(g) = ctx.st.grant(subject)? {
        return Ok(vec![id(&g.terms.unwrap_or_default().asset)]);
    }
    if let Some(f) = ctx.st.filing(subject)? {
        return filing_assets(ctx, &f.request.unwrap_or_default());
    }
    reject(r::unknown_subject(subject))
}

/// The assets a filing concerns: the transferred one or every granted one.
pub(super) fn filing_assets(ctx: &Ctx<'_, '_>, req: &pb::FileCrossBorder) -> Outcome<Vec<Hash32>> {
    let mut out: Vec<Hash32> = req.transfer.iter().map(|t| id(&t.asset)).collect();
    for g in &req.grants {
        if let Some(g) = ctx.st.grant(&id(g))? {
            out.push(id(&g.terms.unwrap_or_default().asset));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub(super) fn attest(ctx: &mut Ctx<'_, '_>, p: &pb::Attest) -> Outcome<Hash32> {
    let subject = id(&p.subject);
    let assets = subject_assets(ctx, &subject)?;
    if p.valid_until_ms != 0 {
        ctx.within_term(p.valid_until_ms, r::attest_term)?;
    }
    let aid = ctx.h.attestation_id(ctx.chain_id, &ctx.tx.id);
    let latest = keys::latest_attestation(ctx.signer(), &p.subject, p.kind);
    if let Some(old) = ctx.st.get(&latest)? {
        let old_key = keys::attestation(&id(&old));
        if let Some(mut rec) = ctx.st.msg::<pb::AttestationRecord>(&old_key)? {
            rec.superseded_by = aid.to_vec();
            ctx.st.put(old_key, &rec);
        }
    }
    let record = pb::AttestationRecord {
        id: aid.to_vec(),
        tx_id: ctx.tx.id.to_vec(),
        issuer: ctx.signer().to_vec(),
        attest: Some(p.clone()),
        superseded_by: Vec::new(),
        height: ctx.height,
    };
    ctx.st.put(keys::attestation(&aid), &record);
    ctx.st
        .put_raw(keys::attestation_of(&p.subject, &aid), Vec::new());
    ctx.st.put_raw(latest, aid.to_vec());
    for a in assets {
        ctx.touch(a);
    }
    Ok(aid)
}

/// Freezes (`on`) or unfreezes a subject.
pub(super) fn freeze(ctx: &mut Ctx<'_, '_>, subject: &Hash32, on: bool, reason: &[u8]) -> Outcome {
    let assets = subject_assets(ctx, subject)?;
    let already = |frozen: bool| {
        if frozen == on {
            reject(if on {
                r::already_frozen(subject)
            } else {
                r::not_frozen(subject)
            })
        } else {
            Ok(())
        }
    };
    if let Some(mut a) = ctx.st.asset(subject)? {
        already(a.frozen)?;
        a.frozen = on;
        a.frozen_reason = reason.to_vec();
        ctx.st.put(keys::asset(subject), &a);
    } else if let Some(mut g) = ctx.st.grant(subject)? {
        already(g.frozen)?;
        g.frozen = on;
        ctx.st.put(keys::grant(subject), &g);
    } else if let Some(mut f) = ctx.st.filing(subject)? {
        already(f.frozen)?;
        f.frozen = on;
        ctx.st.put(keys::filing(subject), &f);
    }
    for a in assets {
        ctx.touch(a);
    }
    Ok(())
}
