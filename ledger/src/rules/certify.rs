//! Certificates: issuing one when an application's notice ends with no open objection (the
//! queue of notices is read at each block's start, by block time) or at once on a chain
//! without review; and ending an application that is refused or withdrawn. A certificate
//! (`cert:` row, in the state tree) keeps its registration number for good — unique on the
//! chain, `PREFIX-YEAR-SERIAL` — and gains a sequence with every later application.

use shuquan_proto::pb::{self, ApplicationKind as Kind, ObjectionStatus};

use super::id;
use super::status::law_year;
use crate::error::Result;
use crate::exec::overlay::State;
use crate::keys;
use shuquan_proto::Hash32;

/// Most notices one block start certifies; the rest wait for the next block.
const MAX_PER_BLOCK: usize = 1000;

/// Certifies every application whose notice has ended by `now` with no open objection.
/// Runs at the start of each block, before its transactions.
pub(crate) fn issue_due(
    st: &mut State<'_>,
    params: &pb::Params,
    now: u64,
    height: u64,
) -> Result<()> {
    let due = st.rows_with_prefix(keys::NOTICE_DUE, MAX_PER_BLOCK)?;
    for (key, _) in due {
        let Some(tail) = key.get(keys::NOTICE_DUE.len()..) else {
            continue;
        };
        let ends = tail
            .get(..8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(u64::MAX, u64::from_be_bytes);
        if ends > now {
            break;
        }
        st.delete(key.clone());
        let asset_id = id(tail.get(8..).unwrap_or_default());
        let Some(asset) = st.asset(&asset_id)? else {
            continue;
        };
        // A stale entry (the application ended, or a later one is noticed until later),
        // or objections still open (dismissing the last one queues it again).
        let ready = asset.application.as_ref().is_some_and(|a| {
            a.stage == pb::ApplicationStage::InNotice as i32
                && a.notice_ends_ms <= now
                && a.open_objections.is_empty()
        });
        if ready {
            issue(st, params, now, height, &asset_id, asset)?;
        }
    }
    Ok(())
}

/// Certifies the asset's open application in block `height` at block time `now`: the
/// first one gets a new registration number; a later one raises the sequence and takes
/// effect (a change's new values, a renewal's new validity, a cancellation).
pub(crate) fn issue(
    st: &mut State<'_>,
    params: &pb::Params,
    now: u64,
    height: u64,
    asset_id: &Hash32,
    mut asset: pb::AssetRecord,
) -> Result<()> {
    use pb::RegistrationStatus as S;
    let Some(app) = asset.application.take() else {
        return Ok(());
    };
    let previous = st.certificate(asset_id)?;
    let validity = |from: u64| match params.certificate_validity_ms {
        0 => 0,
        v => from.saturating_add(v),
    };
    let kind = Kind::try_from(app.kind).unwrap_or(Kind::Initial);
    let mut reg = asset.registration.clone().unwrap_or_default();
    match kind {
        Kind::Change => {
            let c = app.change.clone().unwrap_or_default();
            let text = |new: &str, old: &mut String| {
                if !new.is_empty() {
                    *old = new.to_string();
                }
            };
            text(&c.name, &mut reg.name);
            text(&c.description, &mut reg.description);
            text(&c.sector, &mut reg.sector);
            if !c.fingerprint.is_empty() {
                reg.fingerprint = c.fingerprint.clone();
                reg.size_bytes = c.size_bytes;
            }
            if !c.delivery_modes.is_empty() {
                reg.delivery_modes = c.delivery_modes.clone();
            }
            if c.sharing != 0 {
                reg.sharing = c.sharing;
            }
            asset.status = S::Changed as i32;
        }
        Kind::Renewal => {
            // A certificate without end stays so; one with an end runs on from it (or
            // from now, once expired).
            if asset.valid_until_ms != 0 {
                asset.valid_until_ms = validity(asset.valid_until_ms.max(now));
            }
            asset.status = S::Renewed as i32;
        }
        Kind::Cancellation => asset.status = S::Cancelled as i32,
        _ => {
            asset.valid_until_ms = validity(now);
            asset.status = S::Registered as i32;
        }
    }
    asset.registration = Some(reg.clone());
    asset.refusal = 0;
    let number = match &previous {
        Some(c) => c.number.clone(),
        None => new_number(st, params, now, asset_id)?,
    };
    let rights = [
        (pb::Right::Hold, &asset.holder_hold),
        (pb::Right::Use, &asset.holder_use),
        (pb::Right::Operate, &asset.holder_operate),
    ]
    .into_iter()
    .filter(|(_, h)| **h == asset.holder_hold)
    .map(|(r, _)| r as i32)
    .collect();
    let cert = pb::CertificateRecord {
        number,
        asset: asset_id.to_vec(),
        kind: kind as i32,
        sequence: previous.as_ref().map_or(1, |c| c.sequence + 1),
        holder: asset.holder_hold.clone(),
        rights,
        grade: asset.grade,
        pi: asset.pi,
        fingerprint: reg.fingerprint.clone(),
        delivery_modes: reg.delivery_modes.clone(),
        attestations: attestations(st, asset_id)?,
        registrar: app.registrar.clone(),
        effective_ms: now,
        valid_until_ms: asset.valid_until_ms,
        height,
        tx_id: app.tx_id.clone(),
        sharing: reg.sharing,
        first_effective_ms: previous.as_ref().map_or(now, |c| c.first_effective_ms),
    };
    st.put(keys::certificate(asset_id), &cert);
    st.put(keys::asset(asset_id), &asset);
    Ok(())
}

/// A new registration number: the year's next serial under the chain's prefix.
fn new_number(st: &mut State<'_>, params: &pb::Params, now: u64, asset: &Hash32) -> Result<String> {
    let year = law_year(now, params.law_utc_offset_minutes);
    let key = keys::registration_serial(year);
    let serial = st
        .get(&key)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map_or(0, u64::from_be_bytes)
        + 1;
    st.put_raw(key, serial.to_be_bytes().to_vec());
    let number = format!("{}-{year}-{serial:06}", params.registration_prefix);
    st.put_raw(keys::registration_number(&number), asset.to_vec());
    Ok(number)
}

/// The attestations of the asset that no newer one of the same issuer and kind superseded.
fn attestations(st: &State<'_>, asset: &Hash32) -> Result<Vec<Vec<u8>>> {
    let prefix = keys::attestations_of(asset.as_bytes());
    let mut out = Vec::new();
    for key in st.keys_with_prefix(&prefix)? {
        let aid = id(key.get(prefix.len()..).unwrap_or_default());
        let current = st
            .msg::<pb::AttestationRecord>(&keys::attestation(&aid))?
            .is_some_and(|a| a.superseded_by.is_empty());
        if current {
            out.push(aid.to_vec());
        }
    }
    Ok(out)
}

/// How an application ends without a certificate.
pub(crate) enum Ending {
    /// A registrar rejected it, or upheld an objection.
    Refused(pb::ReviewReason),
    /// Its applicant withdrew it.
    Withdrawn,
}

/// Ends the asset's open application without a certificate: its open objections become
/// moot, a fingerprint it claimed is free again, and a first application leaves the asset
/// `rejected` or `withdrawn` (its fingerprint free for anyone). A later one leaves the
/// registration as it was.
pub(crate) fn end(
    st: &mut State<'_>,
    asset_id: &Hash32,
    mut asset: pb::AssetRecord,
    how: Ending,
) -> Result<()> {
    use pb::RegistrationStatus as S;
    let Some(app) = asset.application.take() else {
        return Ok(());
    };
    for oid in &app.open_objections {
        let key = keys::objection(&id(oid));
        if let Some(mut o) = st.msg::<pb::ObjectionRecord>(&key)? {
            if o.status == ObjectionStatus::Open as i32 {
                o.status = ObjectionStatus::Moot as i32;
                st.put(key, &o);
            }
        }
    }
    if app.stage == pb::ApplicationStage::InNotice as i32 {
        st.delete(keys::notice_due(app.notice_ends_ms, asset_id));
    }
    let initial = app.kind == Kind::Initial as i32;
    let claimed = match (&app.change, initial) {
        (_, true) => asset
            .registration
            .as_ref()
            .map(|r| r.fingerprint.clone())
            .unwrap_or_default(),
        (Some(c), false) => c.fingerprint.clone(),
        (None, false) => Vec::new(),
    };
    if !claimed.is_empty() {
        st.delete(keys::fingerprint_asset(&claimed, asset_id));
    }
    if let Ending::Refused(reason) = how {
        asset.refusal = reason as i32;
    }
    if initial {
        asset.status = match how {
            Ending::Refused(_) => S::Rejected,
            Ending::Withdrawn => S::Withdrawn,
        } as i32;
    }
    st.put(keys::asset(asset_id), &asset);
    Ok(())
}
