//! Stateless checks of payload fields: lengths, enum values, formats and duplicates.
//! Everything here depends on the payload and the chain's format alone (which key schemes
//! it takes: see [`ChainRef::accepts`]); rules that need chain state are the ledger's.

use crate::codes::reason as r;
use crate::codes::Rejection;
use crate::genesis::MAX_TIME_MS;
use crate::keys::PublicKey;
use crate::pb::{self, tx_body::Payload};
use crate::tx::ChainRef;

mod market;

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

fn hash(field: &str, v: &[u8]) -> Result<(), Rejection> {
    if v.len() == 32 {
        Ok(())
    } else if v.is_empty() {
        Err(r::field_missing(field))
    } else {
        Err(r::hash_length(field, v.len()))
    }
}

fn opt_hash(field: &str, v: &[u8]) -> Result<(), Rejection> {
    if v.is_empty() {
        Ok(())
    } else {
        hash(field, v)
    }
}

fn key(field: &str, v: &[u8], chain: &ChainRef) -> Result<(), Rejection> {
    match PublicKey::from_slice(v) {
        Ok(k) if chain.accepts(k.scheme()) => Ok(()),
        _ => Err(r::bad_key(field)),
    }
}

fn text(field: &str, v: &str, max: usize, required: bool) -> Result<(), Rejection> {
    if required && v.trim().is_empty() {
        return Err(r::field_missing(field));
    }
    if v.chars().count() > max {
        return Err(r::too_long(field, max));
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(r::control_characters(field));
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
        Err(r::not_jurisdiction(field))
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
        return Err(r::empty_list(field));
    }
    if v.len() > max {
        return Err(r::too_many(field, v.len(), max));
    }
    for (i, a) in v.iter().enumerate() {
        if v[..i].contains(a) {
            return Err(r::listed_twice(field));
        }
    }
    Ok(())
}

/// A time field: at most [`MAX_TIME_MS`] (the end of year 9999).
fn time(field: &str, v: u64) -> Result<(), Rejection> {
    if v > MAX_TIME_MS {
        return Err(r::time_too_far(field, v));
    }
    Ok(())
}

fn known<E: TryFrom<i32>>(field: &str, v: i32) -> Result<E, Rejection> {
    if v == 0 {
        return Err(r::field_missing(field));
    }
    E::try_from(v).map_err(|_| r::unknown_value(field, v.to_string()))
}

/// Checks every field of `payload` that can be checked without chain state.
pub fn check_payload(payload: &Payload, chain: &ChainRef) -> Result<(), Rejection> {
    match payload {
        Payload::RegisterAsset(p) => register(p),
        Payload::TransferRight(p) => {
            hash("asset", &p.asset)?;
            known::<pb::Right>("right", p.right)?;
            hash("to", &p.to)?;
            if let Some(price) = &p.price {
                currency(price)?;
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
                return Err(r::not_purpose_code("purpose"));
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
                return Err(r::approval_needs_validity());
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
        Payload::RotateKey(p) => key("new_key", &p.new_key, chain),
        Payload::Propose(p) => propose(p, chain),
        Payload::Vote(p) => hash("proposal", &p.proposal),
        Payload::Review(p) => {
            hash("asset", &p.asset)?;
            let d = known::<pb::ReviewDecision>("decision", p.decision)?;
            match d {
                pb::ReviewDecision::Accept if p.reason != 0 => Err(r::reason_with_accept()),
                pb::ReviewDecision::Accept => Ok(()),
                _ => match known::<pb::ReviewReason>("reason", p.reason)? {
                    pb::ReviewReason::ObjectionUpheld => {
                        Err(r::unknown_value("reason", "objection-upheld"))
                    }
                    _ => Ok(()),
                },
            }
        }
        Payload::SupplyEvidence(p) => {
            hash("asset", &p.asset)?;
            hash("evidence_hash", &p.evidence_hash)
        }
        Payload::Withdraw(p) => hash("asset", &p.asset),
        Payload::Object(p) => {
            hash("asset", &p.asset)?;
            known::<pb::ObjectionReason>("reason", p.reason)?;
            hash("evidence_hash", &p.evidence_hash)
        }
        Payload::DecideObjection(p) => hash("objection", &p.objection),
        Payload::Amend(p) => amend(p),
        Payload::RequestAccess(p) => market::request(p),
        Payload::AnswerRequest(p) => market::answer(p),
        Payload::CreateListing(p) => market::listing(p),
        Payload::PlaceOrder(p) => market::order(p),
        Payload::AcceptOrder(p) => hash("order", &p.order),
        Payload::Confirm(p) => market::confirm(p),
        Payload::Dispute(p) => market::dispute(p),
        Payload::Cancel(p) => hash("subject", &p.subject),
    }
}

/// An ISO 4217 currency code: three ASCII capitals.
fn currency(price: &pb::Price) -> Result<(), Rejection> {
    if price.currency.len() != 3 || !price.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(r::not_currency());
    }
    Ok(())
}

fn amend(p: &pb::Amend) -> Result<(), Rejection> {
    hash("asset", &p.asset)?;
    opt_hash("evidence_hash", &p.evidence_hash)?;
    let kind = known::<pb::AmendKind>("kind", p.kind)?;
    match (&p.change, kind) {
        (None, pb::AmendKind::Change) => Err(r::field_missing("change")),
        (Some(_), pb::AmendKind::Renewal | pb::AmendKind::Cancellation) => {
            Err(r::change_not_expected())
        }
        (None, _) => Ok(()),
        (Some(c), _) => {
            text("change.name", &c.name, MAX_NAME, false)?;
            text("change.description", &c.description, MAX_TEXT, false)?;
            text("change.sector", &c.sector, MAX_LABEL, false)?;
            opt_hash("change.fingerprint", &c.fingerprint)?;
            if c.fingerprint.is_empty() != (c.size_bytes == 0) {
                return Err(r::fingerprint_with_size());
            }
            list("change.delivery_modes", &c.delivery_modes, 4, false)?;
            for m in &c.delivery_modes {
                known::<pb::DeliveryMode>("change.delivery_modes", *m)?;
            }
            if c.sharing != 0 {
                known::<pb::SharingClass>("change.sharing", c.sharing)?;
            }
            let unchanged = c.name.is_empty()
                && c.description.is_empty()
                && c.sector.is_empty()
                && c.fingerprint.is_empty()
                && c.delivery_modes.is_empty()
                && c.sharing == 0;
            if unchanged {
                return Err(r::empty_change());
            }
            Ok(())
        }
    }
}

fn propose(p: &pb::Propose, chain: &ChainRef) -> Result<(), Rejection> {
    use pb::propose::Action;
    match &p.action {
        None => Err(r::field_missing("action")),
        Some(Action::AdmitMember(m)) => {
            if !crate::gov::is_short_id(&m.id) {
                return Err(r::not_short_id("admit_member.id"));
            }
            text("admit_member.name", &m.name, MAX_NAME, true)?;
            text("admit_member.org_code", &m.org_code, MAX_LABEL, false)?;
            jurisdiction("admit_member.jurisdiction", &m.jurisdiction)?;
            list("admit_member.roles", &m.roles, MAX_LIST, true)?;
            for role in &m.roles {
                known::<pb::Role>("admit_member.roles", *role)?;
            }
            list("admit_member.account_keys", &m.account_keys, MAX_LIST, true)?;
            for k in &m.account_keys {
                key("admit_member.account_keys", k, chain)?;
            }
            Ok(())
        }
        Some(Action::SetMemberStatus(s)) => {
            hash("set_member_status.member", &s.member)?;
            known::<pb::MemberStatus>("set_member_status.status", s.status).map(|_| ())
        }
        Some(Action::RevokeKey(k)) => {
            hash("revoke_key.member", &k.member)?;
            key("revoke_key.key", &k.key, chain)?;
            if !k.replacement_key.is_empty() {
                key("revoke_key.replacement_key", &k.replacement_key, chain)?;
            }
            Ok(())
        }
        Some(Action::SetParam(s)) => {
            if !crate::gov::PARAM_NAMES.contains(&s.name.as_str()) {
                return Err(r::unknown_value("set_param.name", s.name.clone()));
            }
            list(
                "set_param.words",
                &s.words,
                crate::genesis::MAX_PURPOSES,
                false,
            )
        }
        Some(Action::SetCouncil(c)) => {
            list(
                "set_council.members",
                &c.members,
                crate::gov::MAX_COUNCIL,
                true,
            )?;
            for m in &c.members {
                hash("set_council.members", m)?;
            }
            Ok(())
        }
        Some(Action::AddNode(n)) => {
            key("add_node.node_key", &n.node_key, chain)?;
            if !n.cert_key.is_empty() {
                key("add_node.cert_key", &n.cert_key, chain)?;
            }
            text("add_node.addr", &n.addr, MAX_LABEL, true)?;
            if !n.addr.starts_with('/') {
                return Err(r::not_multiaddr("add_node.addr"));
            }
            hash("add_node.operator", &n.operator)
        }
        Some(Action::PromoteNode(n) | Action::DemoteNode(n) | Action::RemoveNode(n)) => {
            key("node_key", &n.node_key, chain)
        }
    }
}

fn register(p: &pb::RegisterAsset) -> Result<(), Rejection> {
    hash("fingerprint", &p.fingerprint)?;
    text("name", &p.name, MAX_NAME, true)?;
    text("description", &p.description, MAX_TEXT, false)?;
    text("sector", &p.sector, MAX_LABEL, false)?;
    let grade = known::<pb::Grade>("grade", p.grade)?;
    if grade == pb::Grade::Core {
        return Err(r::core_refused());
    }
    known::<pb::Origin>("origin", p.origin)?;
    known::<pb::SharingClass>("sharing", p.sharing)?;
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
            return Err(r::spi_implies_pi());
        }
        if pi.subjects > 0 && !pi.contains_pi {
            return Err(r::subjects_imply_pi(pi.subjects));
        }
    }
    if !p.derive_purpose.is_empty() {
        if p.derived_from.is_empty() {
            return Err(r::derive_purpose_without_parent());
        }
        if !is_purpose_code(&p.derive_purpose) {
            return Err(r::not_purpose_code("derive_purpose"));
        }
    }
    Ok(())
}

fn grant(p: &pb::IssueGrant) -> Result<(), Rejection> {
    hash("asset", &p.asset)?;
    hash("grantee", &p.grantee)?;
    list("actions", &p.actions, MAX_LIST, true)?;
    for a in &p.actions {
        known::<pb::Action>("actions", *a)?;
    }
    list("purposes", &p.purposes, MAX_LIST, true)?;
    for purpose in &p.purposes {
        if !is_purpose_code(purpose) {
            return Err(r::not_purpose_code("purposes"));
        }
    }
    if p.not_after_ms == 0 {
        return Err(r::field_missing("not_after_ms"));
    }
    time("not_after_ms", p.not_after_ms)?;
    if p.not_before_ms >= p.not_after_ms {
        return Err(r::window_order(p.not_before_ms, p.not_after_ms));
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
                return Err(r::grants_and_transfer());
            }
            hash("transfer.asset", &t.asset)?;
            known::<pb::Right>("transfer.right", t.right)?;
            hash("transfer.receiver", &t.receiver)?;
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
        return Err(r::exempt_reason_required());
    }
    hash("evidence_hash", &p.evidence_hash)
}
