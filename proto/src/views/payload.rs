//! A transaction's payload as JSON, for the API's transaction view.

use serde_json::{json, Value};

use crate::pb::{self, tx_body::Payload};

use super::*;

fn words(v: &[i32], f: fn(i32) -> String) -> Vec<String> {
    v.iter().map(|x| f(*x)).collect()
}

fn hexes(v: &[Vec<u8>]) -> Vec<String> {
    v.iter().map(hex::encode).collect()
}

/// The fields of a payload as JSON, hashes and keys in hex, enums as words.
pub fn payload_json(p: &Payload) -> Value {
    match p {
        Payload::RegisterAsset(r) => json!({
            "fingerprint": hex::encode(&r.fingerprint), "size_bytes": r.size_bytes,
            "name": r.name, "description": r.description, "sector": r.sector,
            "grade": grade_word(r.grade), "origin": origin_word(r.origin),
            "contains_pi": r.pi.as_ref().is_some_and(|p| p.contains_pi),
            "contains_sensitive_pi": r.pi.as_ref().is_some_and(|p| p.contains_sensitive_pi),
            "pi_subjects": r.pi.as_ref().map_or(0, |p| p.subjects),
            "evidence_hash": opt_hex(&r.evidence_hash), "jurisdiction": r.jurisdiction,
            "delivery_modes": words(&r.delivery_modes, delivery_word),
            "derived_from": hexes(&r.derived_from),
            "derive_purpose": (!r.derive_purpose.is_empty()).then_some(&r.derive_purpose),
            "sharing": sharing_word(r.sharing),
        }),
        Payload::TransferRight(t) => json!({
            "asset": hex::encode(&t.asset), "right": right_word(t.right), "to": hex::encode(&t.to),
            "price": t.price.as_ref().map(|p| format!("{}.{:02}{}", p.amount_minor / 100, p.amount_minor % 100, p.currency)),
            "consideration_hash": opt_hex(&t.consideration_hash),
        }),
        Payload::IssueGrant(g) => json!({
            "asset": hex::encode(&g.asset), "grantee": hex::encode(&g.grantee),
            "actions": words(&g.actions, action_word), "purposes": g.purposes,
            "not_before_ms": g.not_before_ms, "not_after_ms": g.not_after_ms,
            "jurisdictions": g.jurisdictions, "max_uses": g.max_uses,
            "recipient_systems": g.recipient_systems, "policy_doc_hash": opt_hex(&g.policy_doc_hash),
        }),
        Payload::RevokeGrant(r) => json!({
            "grant": hex::encode(&r.grant), "reason_hash": opt_hex(&r.reason_hash),
        }),
        Payload::RecordUsage(u) => json!({
            "grant": hex::encode(&u.grant), "action": action_word(u.action), "purpose": u.purpose,
            "jurisdiction": u.jurisdiction, "recipient_system": u.recipient_system,
            "output_fingerprint": opt_hex(&u.output_fingerprint),
        }),
        Payload::FileCrossBorder(f) => json!({
            "grants": hexes(&f.grants), "destination": f.destination, "path": path_word(f.path),
            "exempt_reason": f.exempt_reason,
            "pi_subjects": f.declared.as_ref().map_or(0, |d| d.pi_subjects),
            "spi_subjects": f.declared.as_ref().map_or(0, |d| d.spi_subjects),
            "important": f.declared.as_ref().is_some_and(|d| d.important),
            "evidence_hash": hex::encode(&f.evidence_hash),
            "transfer": f.transfer.as_ref().map(|t| json!({
                "asset": hex::encode(&t.asset), "right": right_word(t.right),
                "receiver": hex::encode(&t.receiver),
            })),
        }),
        Payload::DecideCrossBorder(d) => json!({
            "filing": hex::encode(&d.filing), "decision": decision_word(d.decision),
            "valid_until_ms": d.valid_until_ms,
        }),
        Payload::Attest(a) => json!({
            "subject": hex::encode(&a.subject), "kind": attest_kind_word(a.kind),
            "result": attest_result_word(a.result), "report_hash": hex::encode(&a.report_hash),
            "valid_until_ms": a.valid_until_ms,
        }),
        Payload::Freeze(f) => json!({
            "subject": hex::encode(&f.subject), "reason_hash": hex::encode(&f.reason_hash),
        }),
        Payload::Unfreeze(u) => json!({ "subject": hex::encode(&u.subject) }),
        Payload::RotateKey(k) => json!({ "new_key": hex::encode(&k.new_key) }),
        Payload::Propose(p) => action_json(p),
        Payload::Vote(v) => json!({
            "proposal": hex::encode(&v.proposal), "approve": v.approve,
        }),
        Payload::Review(v) => json!({
            "asset": hex::encode(&v.asset), "decision": review_decision_word(v.decision),
            "reason": (v.reason != 0).then(|| review_reason_word(v.reason)),
        }),
        Payload::SupplyEvidence(s) => json!({
            "asset": hex::encode(&s.asset), "evidence_hash": hex::encode(&s.evidence_hash),
        }),
        Payload::Withdraw(w) => json!({ "asset": hex::encode(&w.asset) }),
        Payload::Object(o) => json!({
            "asset": hex::encode(&o.asset), "reason": objection_reason_word(o.reason),
            "evidence_hash": hex::encode(&o.evidence_hash),
        }),
        Payload::DecideObjection(d) => json!({
            "objection": hex::encode(&d.objection), "uphold": d.uphold,
        }),
        Payload::Amend(a) => {
            let c = a.change.clone().unwrap_or_default();
            json!({
                "asset": hex::encode(&a.asset), "kind": amend_kind_word(a.kind),
                "evidence_hash": opt_hex(&a.evidence_hash),
                "change": a.change.as_ref().map(|_| json!({
                    "name": (!c.name.is_empty()).then_some(&c.name),
                    "description": (!c.description.is_empty()).then_some(&c.description),
                    "sector": (!c.sector.is_empty()).then_some(&c.sector),
                    "fingerprint": opt_hex(&c.fingerprint),
                    "size_bytes": (c.size_bytes != 0).then_some(c.size_bytes),
                    "delivery_modes": words(&c.delivery_modes, delivery_word),
                    "sharing": (c.sharing != 0).then(|| sharing_word(c.sharing)),
                })),
            })
        }
        Payload::RequestAccess(q) => json!({
            "asset": hex::encode(&q.asset), "actions": words(&q.actions, action_word),
            "purposes": q.purposes, "jurisdictions": q.jurisdictions,
            "duration_ms": q.duration_ms, "max_uses": q.max_uses,
            "message_hash": opt_hex(&q.message_hash), "expires_ms": q.expires_ms,
        }),
        Payload::AnswerRequest(a) => json!({
            "request": hex::encode(&a.request), "approve": a.approve,
            "reason": (a.reason != 0).then(|| decline_reason_word(a.reason)),
        }),
        Payload::CreateListing(l) => json!({
            "asset": hex::encode(&l.asset),
            "right": (l.right != 0).then(|| right_word(l.right)),
            "licence": l.licence.as_ref().map(licence_json),
            "price": l.price.as_ref().map(price_text), "unit": price_unit_word(l.unit),
            "delivery_modes": words(&l.delivery_modes, delivery_word),
            "valid_until_ms": l.valid_until_ms,
        }),
        Payload::PlaceOrder(o) => json!({
            "listing": hex::encode(&o.listing), "buyer": hex::encode(&o.buyer),
            "quantity": o.quantity, "payment_ref_hash": opt_hex(&o.payment_ref_hash),
            "expires_ms": o.expires_ms,
        }),
        Payload::AcceptOrder(a) => json!({ "order": hex::encode(&a.order) }),
        Payload::Confirm(c) => json!({
            "order": hex::encode(&c.order), "kind": confirm_kind_word(c.kind),
            "ref_hash": opt_hex(&c.ref_hash),
        }),
        Payload::Dispute(d) => json!({
            "order": hex::encode(&d.order), "evidence_hash": hex::encode(&d.evidence_hash),
        }),
        Payload::Cancel(c) => json!({ "subject": hex::encode(&c.subject) }),
    }
}

/// A licence's terms as JSON.
pub fn licence_json(l: &pb::Licence) -> Value {
    json!({
        "actions": words(&l.actions, action_word), "purposes": l.purposes,
        "jurisdictions": l.jurisdictions, "duration_ms": l.duration_ms, "max_uses": l.max_uses,
    })
}

/// A proposed action as JSON: `{"action": "<kind>", ...its fields}`.
pub fn action_json(p: &pb::Propose) -> Value {
    use crate::pb::propose::Action;
    match &p.action {
        None => json!({ "action": "none" }),
        Some(Action::AdmitMember(m)) => json!({
            "action": "admit-member", "id": m.id, "name": m.name, "org_code": m.org_code,
            "jurisdiction": m.jurisdiction, "roles": words(&m.roles, role_word),
            "account_keys": hexes(&m.account_keys), "is_ciio": m.is_ciio,
        }),
        Some(Action::SetMemberStatus(s)) => json!({
            "action": "set-member-status", "member": hex::encode(&s.member),
            "status": member_status_word(s.status),
        }),
        Some(Action::RevokeKey(k)) => json!({
            "action": "revoke-key", "member": hex::encode(&k.member), "key": hex::encode(&k.key),
            "replacement_key": opt_hex(&k.replacement_key),
        }),
        Some(Action::SetParam(s)) => json!({
            "action": "set-param", "name": s.name,
            "value": if s.name == "purposes" { json!(s.words) } else { json!(s.value) },
        }),
        Some(Action::AddNode(n)) => json!({
            "action": "add-node", "node_key": hex::encode(&n.node_key), "addr": n.addr,
            "operator": hex::encode(&n.operator),
        }),
        Some(Action::PromoteNode(n)) => json!({
            "action": "promote-node", "node_key": hex::encode(&n.node_key),
        }),
        Some(Action::DemoteNode(n)) => json!({
            "action": "demote-node", "node_key": hex::encode(&n.node_key),
        }),
        Some(Action::RemoveNode(n)) => json!({
            "action": "remove-node", "node_key": hex::encode(&n.node_key),
        }),
        Some(Action::SetCouncil(c)) => json!({
            "action": "set-council", "members": hexes(&c.members),
            "threshold": format!("{}/{}", c.threshold_num, c.threshold_den),
            "voting_period_ms": c.voting_period_ms,
        }),
    }
}
