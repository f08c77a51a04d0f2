//! Registration: an asset's application under way, its registration certificate, and the
//! objections filed against its applications.

use serde::{Deserialize, Serialize};

use crate::hash::Hash32;
use crate::pb;

use super::words::*;
use super::{Directory, MemberRef};

/// An application under way.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationView {
    /// `initial`, `change`, `renewal` or `cancellation`.
    pub kind: String,
    /// `applied`, `in-review` (evidence asked for) or `in-notice`.
    pub stage: String,
    /// The applicant.
    pub applicant: MemberRef,
    /// The application's transaction.
    pub tx_id: String,
    /// Block of the application.
    pub filed_height: u64,
    /// Its block time.
    pub filed_at_ms: u64,
    /// `filed_at_ms`, RFC 3339 in the chain's time zone.
    pub filed_at: Option<String>,
    /// Evidence hash.
    pub evidence_hash: Option<String>,
    /// What the registrar asked for, while it waits for the applicant.
    pub evidence_request: Option<String>,
    /// The registrar that accepted it.
    pub registrar: Option<MemberRef>,
    /// When its public notice ends (block time), once accepted.
    pub notice_ends_ms: Option<u64>,
    /// `notice_ends_ms`, RFC 3339 in the chain's time zone.
    pub notice_ends: Option<String>,
    /// Objections not yet decided.
    pub open_objections: Vec<String>,
    /// A change's new values (as the transaction's JSON shows them).
    pub change: Option<serde_json::Value>,
}

impl ApplicationView {
    /// The view of a stored application; `d` names parties and times.
    pub fn of(a: &pb::Application, d: &Directory) -> Self {
        let in_notice = a.stage == pb::ApplicationStage::InNotice as i32;
        ApplicationView {
            kind: application_kind_word(a.kind),
            stage: application_stage_word(a.stage),
            applicant: d.member(&a.applicant),
            tx_id: hex::encode(&a.tx_id),
            filed_height: a.filed_height,
            filed_at_ms: a.filed_at_ms,
            filed_at: d.time(a.filed_at_ms),
            evidence_hash: opt_hex(&a.evidence_hash),
            evidence_request: (a.evidence_request != 0)
                .then(|| review_reason_word(a.evidence_request)),
            registrar: d.opt_member(&a.registrar),
            notice_ends_ms: in_notice.then_some(a.notice_ends_ms),
            notice_ends: d.opt_time(in_notice.then_some(a.notice_ends_ms)),
            open_objections: a.open_objections.iter().map(hex::encode).collect(),
            change: a.change.as_ref().map(|c| {
                let amend = pb::Amend {
                    change: Some(c.clone()),
                    ..Default::default()
                };
                super::payload_json(&pb::tx_body::Payload::Amend(amend))["change"].clone()
            }),
        }
    }
}

/// A registration certificate.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationView {
    /// The registration number, unique on the chain (`GX-2026-000123`).
    pub number: String,
    /// Asset id.
    pub asset: Hash32,
    /// The asset's name (as registered now).
    pub name: String,
    /// `registered`, `changed`, `renewed`, `cancelled` or `expired`.
    pub status: String,
    /// What the last certified application was: `initial`, `change`, `renewal`, `cancellation`.
    pub kind: String,
    /// 1 for the first certificate, then one more for each certified later application.
    pub sequence: u32,
    /// The Hold holder; `rights` are the rights it holds.
    pub holder: MemberRef,
    /// `hold`, `use`, `operate`.
    pub rights: Vec<String>,
    /// Grade in force.
    pub grade: String,
    /// Contains personal information.
    pub contains_pi: bool,
    /// Contains sensitive personal information.
    pub contains_sensitive_pi: bool,
    /// Personal-information subjects.
    pub pi_subjects: u64,
    /// Fingerprint of the certified version of the data.
    pub fingerprint: String,
    /// Delivery modes.
    pub delivery_modes: Vec<String>,
    /// Sharing class.
    pub sharing: String,
    /// Attestations of the asset in force at issue.
    pub attestations: Vec<String>,
    /// The registrar that accepted the application (none on a chain without review).
    pub registrar: Option<MemberRef>,
    /// Effective from (block time).
    pub effective_ms: u64,
    /// `effective_ms`, RFC 3339 in the chain's time zone.
    pub effective: Option<String>,
    /// First issued (block time).
    pub first_effective_ms: u64,
    /// `first_effective_ms`, RFC 3339 in the chain's time zone.
    pub first_effective: Option<String>,
    /// Valid until (block time); none for no end.
    pub valid_until_ms: Option<u64>,
    /// `valid_until_ms`, RFC 3339 in the chain's time zone.
    pub valid_until: Option<String>,
    /// The block that issued it.
    pub height: u64,
    /// The application's transaction.
    pub tx_id: String,
}

impl RegistrationView {
    /// The view of a stored certificate; `status` is the asset's at the time asked; `d`
    /// names parties and times.
    pub fn of(c: &pb::CertificateRecord, name: String, status: String, d: &Directory) -> Self {
        let pi = c.pi.unwrap_or_default();
        RegistrationView {
            number: c.number.clone(),
            asset: Hash32::from_slice(&c.asset).unwrap_or_default(),
            name,
            status,
            kind: application_kind_word(c.kind),
            sequence: c.sequence,
            holder: d.member(&c.holder),
            rights: c.rights.iter().map(|r| right_word(*r)).collect(),
            grade: grade_word(c.grade),
            contains_pi: pi.contains_pi,
            contains_sensitive_pi: pi.contains_sensitive_pi,
            pi_subjects: pi.subjects,
            fingerprint: hex::encode(&c.fingerprint),
            delivery_modes: c.delivery_modes.iter().map(|m| delivery_word(*m)).collect(),
            sharing: sharing_word(c.sharing),
            attestations: c.attestations.iter().map(hex::encode).collect(),
            registrar: d.opt_member(&c.registrar),
            effective_ms: c.effective_ms,
            effective: d.time(c.effective_ms),
            first_effective_ms: c.first_effective_ms,
            first_effective: d.time(c.first_effective_ms),
            valid_until_ms: (c.valid_until_ms != 0).then_some(c.valid_until_ms),
            valid_until: d.time(c.valid_until_ms),
            height: c.height,
            tx_id: hex::encode(&c.tx_id),
        }
    }
}

/// An objection.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectionView {
    /// Objection id.
    pub id: Hash32,
    /// The asset.
    pub asset: Hash32,
    /// The application objected to (its transaction).
    pub application: String,
    /// The objector.
    pub objector: MemberRef,
    /// `ownership`, `unlawful-source`, `personal-info`, `inaccurate`, `other`.
    pub reason: String,
    /// Evidence hash.
    pub evidence_hash: String,
    /// `open`, `upheld`, `dismissed` or `moot`.
    pub status: String,
    /// Block it was filed in.
    pub filed_height: u64,
    /// The registrar that decided it.
    pub decided_by: Option<MemberRef>,
    /// Block of the decision.
    pub decided_height: Option<u64>,
    /// The objecting transaction.
    pub tx_id: String,
}

impl ObjectionView {
    /// The view of a stored objection; `d` names the parties.
    pub fn of(o: &pb::ObjectionRecord, d: &Directory) -> Self {
        let id = |b: &[u8]| Hash32::from_slice(b).unwrap_or_default();
        ObjectionView {
            id: id(&o.id),
            asset: id(&o.asset),
            application: hex::encode(&o.application),
            objector: d.member(&o.objector),
            reason: objection_reason_word(o.reason),
            evidence_hash: hex::encode(&o.evidence_hash),
            status: objection_status_word(o.status),
            filed_height: o.filed_height,
            decided_by: d.opt_member(&o.decided_by),
            decided_height: (o.decided_height != 0).then_some(o.decided_height),
            tx_id: hex::encode(&o.tx_id),
        }
    }
}
