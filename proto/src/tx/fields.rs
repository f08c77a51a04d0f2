//! Stateless checks of payload fields: lengths, enum values, formats and duplicates.
//! Everything here depends on the payload alone; rules that need chain state are the
//! ledger's.

use crate::codes::{FailureCode, Rejection};
use crate::genesis::MAX_TIME_MS;
use crate::keys::PublicKey;
use crate::pb::{self, tx_body::Payload};

/// Longest name of an asset.
pub const MAX_NAME: usize = 200;
/// Longest free text (description, exempt reason).
pub const MAX_TEXT: usize = 2000;
/// Longest short label (sector, purpose code, recipient system).
pub const MAX_LABEL: usize = 100;
/// Most entries in a repeated field.
pub const MAX_LIST: usize = 64;
/// Most grants one cross-border filing covers.
pub const MAX_FILING_GRANTS: usize = 256;

fn bad(message: impl Into<String>) -> Rejection {
    Rejection::new(FailureCode::InvalidField, message)
}

fn hash(field: &str, v: &[u8]) -> Result<(), Rejection> {
    if v.len() == 32 {
        Ok(())
    } else if v.is_empty() {
        Err(bad(format!("{field} is missing")))
    } else {
        Err(bad(format!(
            "{field} has {} bytes, expected a 32-byte hash",
            v.len()
        )))
    }
}

fn opt_hash(field: &str, v: &[u8]) -> Result<(), Rejection> {
    if v.is_empty() {
        Ok(())
    } else {
        hash(field, v)
    }
}

fn key(field: &str, v: &[u8]) -> Result<(), Rejection> {
    PublicKey::from_slice(v)
        .map(|_| ())
        .map_err(|e| bad(format!("{field}: {e}")))
}

fn text(field: &str, v: &str, max: usize, required: bool) -> Result<(), Rejection> {
    if required && v.trim().is_empty() {
        return Err(bad(format!("{field} is missing")));
    }
    if v.chars().count() > max {
        return Err(bad(format!("{field} is longer than {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(bad(format!("{field} contains control characters")));
    }
    Ok(())
}

/// ISO 3166-1 alpha-2: two ASCII capital letters.
pub fn is_jurisdiction(v: &str) -> bool {
    v.len() == 2 && v.bytes().all(|b| b.is_ascii_uppercase())
}

fn jurisdiction(field: &str, v: &str) -> Result<(), Rejection> {
    if is_jurisdiction(v) {
        Ok(())
    } else {
        Err(bad(format!(
            "{field} {v:?} is not an ISO 3166-1 alpha-2 code such as CN or VN"
        )))
    }
}

/// A purpose code: kebab-case ASCII (`academic-research`).
pub fn is_purpose_code(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= MAX_LABEL
        && !v.starts_with('-')
        && !v.ends_with('-')
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn list<T: PartialEq>(field: &str, v: &[T], max: usize, required: bool) -> Result<(), Rejection> {
    if required && v.is_empty() {
        return Err(bad(format!("{field} is empty")));
    }
    if v.len() > max {
        return Err(bad(format!(
            "{field} has {} entries, at most {max}",
            v.len()
        )));
    }
    for (i, a) in v.iter().enumerate() {
        if v[..i].contains(a) {
            return Err(bad(format!("{field} lists an entry twice")));
        }
    }
    Ok(())
}

/// A time field: at most [`MAX_TIME_MS`] (the end of year 9999).
fn time(field: &str, v: u64) -> Result<(), Rejection> {
    if v > MAX_TIME_MS {
        return Err(bad(format!(
            "{field} = {v} is past the year 9999: not a time this chain accepts"
        )));
    }
    Ok(())
}

fn known<E: TryFrom<i32>>(field: &str, v: i32) -> Result<E, Rejection> {
    if v == 0 {
        return Err(bad(format!("{field} is missing")));
    }
    E::try_from(v).map_err(|_| bad(format!("{field} has unknown value {v}")))
}

/// Checks every field of `payload` that can be checked without chain state.
pub fn check_payload(payload: &Payload) -> Result<(), Rejection> {
    match payload {
        Payload::RegisterAsset(p) => register(p),
        Payload::TransferRight(p) => {
            hash("asset", &p.asset)?;
            known::<pb::Right>("right", p.right)?;
            key("to", &p.to)?;
            if let Some(price) = &p.price {
                if price.currency.len() != 3
                    || !price.currency.bytes().all(|b| b.is_ascii_uppercase())
                {
                    return Err(bad(format!(
                        "price currency {:?} is not an ISO 4217 code such as CNY",
                        price.currency
                    )));
                }
            }
            opt_hash("consideration_hash", &p.consideration_hash)
        }
        Payload::IssueGrant(p) => grant(p),
        Payload::RevokeGrant(p) => {
            hash("grant", &p.grant)?;
            opt_hash("reason_hash", &p.reason_hash)
        }
        Payload::RecordUsage(p) => {
            hash("grant", &p.grant)?;
            known::<pb::Action>("action", p.action)?;
            if !is_purpose_code(&p.purpose) {
                return Err(bad(format!(
                    "purpose {:?} is not a kebab-case code",
                    p.purpose
                )));
            }
            jurisdiction("jurisdiction", &p.jurisdiction)?;
            text("recipient_system", &p.recipient_system, MAX_LABEL, false)?;
            opt_hash("output_fingerprint", &p.output_fingerprint)
        }
        Payload::FileCrossBorder(p) => filing(p),
        Payload::DecideCrossBorder(p) => {
            hash("filing", &p.filing)?;
            let d = known::<pb::Decision>("decision", p.decision)?;
            if d == pb::Decision::Approve && p.valid_until_ms == 0 {
                return Err(bad("an approval needs valid_until_ms"));
            }
            time("valid_until_ms", p.valid_until_ms)
        }
        Payload::Attest(p) => {
            hash("subject", &p.subject)?;
            known::<pb::AttestKind>("kind", p.kind)?;
            known::<pb::AttestResult>("result", p.result)?;
            time("valid_until_ms", p.valid_until_ms)?;
            hash("report_hash", &p.report_hash)
        }
        Payload::Freeze(p) => {
            hash("subject", &p.subject)?;
            hash("reason_hash", &p.reason_hash)
        }
        Payload::Unfreeze(p) => hash("subject", &p.subject),
    }
}

fn register(p: &pb::RegisterAsset) -> Result<(), Rejection> {
    hash("fingerprint", &p.fingerprint)?;
    text("name", &p.name, MAX_NAME, true)?;
    text("description", &p.description, MAX_TEXT, false)?;
    text("sector", &p.sector, MAX_LABEL, false)?;
    let grade = known::<pb::Grade>("grade", p.grade)?;
    if grade == pb::Grade::Core {
        return Err(Rejection::new(
            FailureCode::CoreGradeRefused,
            "core data may not be registered on the chain",
        ));
    }
    known::<pb::Origin>("origin", p.origin)?;
    opt_hash("evidence_hash", &p.evidence_hash)?;
    jurisdiction("jurisdiction", &p.jurisdiction)?;
    list("delivery_modes", &p.delivery_modes, MAX_LIST, true)?;
    for m in &p.delivery_modes {
        known::<pb::DeliveryMode>("delivery_modes", *m)?;
    }
    list("derived_from", &p.derived_from, MAX_LIST, false)?;
    for parent in &p.derived_from {
        hash("derived_from", parent)?;
    }
    if let Some(pi) = &p.pi {
        if pi.contains_sensitive_pi && !pi.contains_pi {
            return Err(bad("contains_sensitive_pi implies contains_pi"));
        }
        if pi.subjects > 0 && !pi.contains_pi {
            return Err(bad(format!(
                "{} personal-information subjects means the data contains personal information: set contains_pi",
                pi.subjects
            )));
        }
    }
    if !p.derive_purpose.is_empty() {
        if p.derived_from.is_empty() {
            return Err(bad(
                "derive_purpose is set but derived_from names no parent",
            ));
        }
        if !is_purpose_code(&p.derive_purpose) {
            return Err(bad(format!(
                "derive_purpose {:?} is not a kebab-case code",
                p.derive_purpose
            )));
        }
    }
    Ok(())
}

fn grant(p: &pb::IssueGrant) -> Result<(), Rejection> {
    hash("asset", &p.asset)?;
    key("grantee", &p.grantee)?;
    list("actions", &p.actions, MAX_LIST, true)?;
    for a in &p.actions {
        known::<pb::Action>("actions", *a)?;
    }
    list("purposes", &p.purposes, MAX_LIST, true)?;
    for purpose in &p.purposes {
        if !is_purpose_code(purpose) {
            return Err(bad(format!("purpose {purpose:?} is not a kebab-case code")));
        }
    }
    if p.not_after_ms == 0 {
        return Err(bad("not_after_ms is missing"));
    }
    time("not_after_ms", p.not_after_ms)?;
    if p.not_before_ms >= p.not_after_ms {
        return Err(Rejection::new(
            FailureCode::InvalidWindow,
            format!(
                "not_before_ms {} is not before not_after_ms {}",
                p.not_before_ms, p.not_after_ms
            ),
        ));
    }
    list("jurisdictions", &p.jurisdictions, MAX_LIST, true)?;
    for j in &p.jurisdictions {
        jurisdiction("jurisdictions", j)?;
    }
    list("recipient_systems", &p.recipient_systems, MAX_LIST, false)?;
    for r in &p.recipient_systems {
        text("recipient_systems", r, MAX_LABEL, true)?;
    }
    opt_hash("policy_doc_hash", &p.policy_doc_hash)
}

fn filing(p: &pb::FileCrossBorder) -> Result<(), Rejection> {
    match &p.transfer {
        Some(t) => {
            if !p.grants.is_empty() {
                return Err(bad(
                    "a filing names either grants or one transfer, not both: file them apart",
                ));
            }
            hash("transfer.asset", &t.asset)?;
            known::<pb::Right>("transfer.right", t.right)?;
            key("transfer.receiver", &t.receiver)?;
        }
        None => {
            list("grants", &p.grants, MAX_FILING_GRANTS, true)?;
            for g in &p.grants {
                hash("grants", g)?;
            }
        }
    }
    jurisdiction("destination", &p.destination)?;
    let path = known::<pb::ExportPath>("path", p.path)?;
    text("exempt_reason", &p.exempt_reason, MAX_TEXT, false)?;
    if path == pb::ExportPath::Exempt && p.exempt_reason.trim().is_empty() {
        return Err(Rejection::new(
            FailureCode::ExemptReasonRequired,
            "an exempt filing must say why (exempt_reason)",
        ));
    }
    hash("evidence_hash", &p.evidence_hash)
}
