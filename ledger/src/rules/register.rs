//! `RegisterAsset`: the dispute guard, the jurisdiction (the registrant's own, a derived
//! asset's parents'), lineage authorisation (a derivation under a grant is a use of it),
//! grade and PI inheritance; the signer becomes holder of all three rights.

use shuquan_proto::codes::reason as r;
use shuquan_proto::pb;
use shuquan_proto::Hash32;

use super::grants::count_use;
use super::{id, reject, Ctx, Outcome};
use crate::keys;

pub(super) fn register(ctx: &mut Ctx<'_, '_>, p: &pb::RegisterAsset) -> Outcome<Hash32> {
    let pi = p.pi.unwrap_or_default();
    let personal = p.origin == pb::Origin::Personal as i32 || pi.contains_pi || pi.subjects > 0;
    if personal && p.evidence_hash.is_empty() {
        return reject(r::evidence_required());
    }
    let asset = ctx.h.asset_id(ctx.chain_id, &ctx.tx.id);
    claim_fingerprint(ctx, &p.fingerprint, &asset)?;
    // Data resides where its registrant is; a derived asset stays where its parents are
    // (moving it abroad is a grant or a transfer, each with its own filing).
    if p.derived_from.is_empty() && p.jurisdiction != ctx.member.jurisdiction {
        return reject(r::not_at_home(
            &ctx.member.id,
            &ctx.member.jurisdiction,
            &p.jurisdiction,
        ));
    }
    let mut grade = p.grade;
    let mut pi_in_force = pi;
    let mut parents = Vec::with_capacity(p.derived_from.len());
    for parent_id in p.derived_from.iter().map(|b| id(b)) {
        let parent = ctx.asset(&parent_id)?;
        ctx.require_registered(&parent_id, &parent)?;
        if parent.frozen {
            return reject(r::parent_frozen(parent_id));
        }
        let parent_jurisdiction = parent
            .registration
            .as_ref()
            .map_or("", |r| r.jurisdiction.as_str());
        if p.jurisdiction != parent_jurisdiction {
            return reject(r::not_where_parent_is(parent_id, parent_jurisdiction));
        }
        if p.grade < parent.grade {
            return reject(r::grade_below_parent(
                parent_id,
                shuquan_proto::views::grade_word(parent.grade),
            ));
        }
        let ppi = parent.pi.unwrap_or_default();
        if (ppi.contains_pi && !pi.contains_pi)
            || (ppi.contains_sensitive_pi && !pi.contains_sensitive_pi)
        {
            return reject(r::pi_not_carried(parent_id));
        }
        let via_grant = if parent.holder_use == ctx.signer() {
            Vec::new()
        } else {
            derive_under_grant(ctx, &parent_id, p)?.to_vec()
        };
        grade = grade.max(parent.grade);
        pi_in_force.subjects = pi_in_force.subjects.max(ppi.subjects);
        parents.push(pb::LineageEdge {
            parent: parent_id.to_vec(),
            via_grant,
        });
        // A derivation is an event of the parent's history too.
        ctx.touch(parent_id);
    }
    let me = ctx.signer().to_vec();
    for edge in &parents {
        ctx.st.put_raw(
            keys::child(&id(&edge.parent), &asset),
            edge.via_grant.clone(),
        );
    }
    // The rights index records transfers only: before the first transfer of a right its
    // holder is the registrant (see `Ledger::rights_at`), which saves three writes.
    let record = pb::AssetRecord {
        id: asset.to_vec(),
        tx_id: ctx.tx.id.to_vec(),
        registration: Some(p.clone()),
        registrant: me.clone(),
        registered_height: ctx.height,
        registered_at_ms: ctx.now,
        holder_hold: me.clone(),
        holder_use: me.clone(),
        holder_operate: me,
        parents,
        frozen: false,
        frozen_reason: Vec::new(),
        history_head: Hash32::ZERO.to_vec(),
        event_count: 0,
        grade,
        pi: Some(pi_in_force),
        ..Default::default()
    };
    super::registry::file_initial(ctx, &asset, record, &p.evidence_hash)?;
    ctx.touch(asset);
    Ok(asset)
}

/// The dispute guard: a fingerprint belongs to the Hold holder of the asset that claimed
/// it first (the registrant, until it sells Hold; an application rejected or withdrawn
/// frees it). Records `asset`'s claim on it; a
/// fingerprint `asset` already holds is no new version.
pub(super) fn claim_fingerprint(ctx: &mut Ctx<'_, '_>, fp: &[u8], asset: &Hash32) -> Outcome {
    for key in ctx.st.keys_with_prefix(&keys::fingerprint(fp))? {
        let other = id(&key[key.len() - 32..]);
        if other == *asset {
            return reject(r::empty_change());
        }
        let Some(record) = ctx.st.asset(&other)? else {
            continue;
        };
        if record.holder_hold != ctx.signer() {
            return reject(r::fingerprint_taken(fp, other));
        }
    }
    ctx.st
        .put_raw(keys::fingerprint_asset(fp, asset), Vec::new());
    Ok(())
}

/// Derives from `parent` under one of the signer's derive grants on it: the grant must be
/// usable now, name the derivation's purpose, and allow both the derived asset's
/// jurisdiction and the signer's own. The derivation counts as one use of the grant.
fn derive_under_grant(
    ctx: &mut Ctx<'_, '_>,
    parent: &Hash32,
    p: &pb::RegisterAsset,
) -> Outcome<Hash32> {
    let mut usable = None;
    for key in ctx.st.keys_with_prefix(&keys::grants_to(ctx.signer()))? {
        let gid = id(&key[key.len() - 32..]);
        let Some(g) = ctx.st.grant(&gid)? else {
            continue;
        };
        let terms = g.terms.clone().unwrap_or_default();
        if terms.asset != parent.as_bytes()
            || !terms.actions.contains(&(pb::Action::Derive as i32))
            || !ctx.usable_now(&g)?
        {
            continue;
        }
        let fits = terms.purposes.contains(&p.derive_purpose)
            && terms.jurisdictions.contains(&p.jurisdiction)
            && terms.jurisdictions.contains(&ctx.member.jurisdiction);
        if fits {
            let mut g = g;
            count_use(ctx, &gid, &mut g);
            return Ok(gid);
        }
        usable.get_or_insert(gid);
    }
    match usable {
        Some(gid) if p.derive_purpose.is_empty() => reject(r::derive_purpose_needed(parent, gid)),
        Some(gid) => reject(r::derive_outside_grant(
            gid,
            parent,
            &p.derive_purpose,
            &p.jurisdiction,
            &ctx.member.jurisdiction,
        )),
        None => reject(r::derive_not_allowed(parent)),
    }
}
