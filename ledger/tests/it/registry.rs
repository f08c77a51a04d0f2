//! Registration as exchanges run it: review, public notice, objections, certificates, and
//! later changes, renewals and cancellations (docs/REGISTRATION.md), on a chain with
//! `registration_review` on. Each test fails if its rule is removed.

use prost::Message;
use shuquan_proto::audit::verify_bundle;
use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::views::RegistrationView;
use shuquan_proto::{Hash32, Keypair};

use crate::harness::*;

fn review(asset: Hash32, decision: pb::ReviewDecision, reason: pb::ReviewReason) -> Payload {
    Payload::Review(pb::Review {
        asset: asset.to_vec(),
        decision: decision as i32,
        reason: reason as i32,
    })
}

fn accept(asset: Hash32) -> Payload {
    review(
        asset,
        pb::ReviewDecision::Accept,
        pb::ReviewReason::Unspecified,
    )
}

fn object(asset: Hash32) -> Payload {
    Payload::Object(pb::Object {
        asset: asset.to_vec(),
        reason: pb::ObjectionReason::Ownership as i32,
        evidence_hash: vec![9; 32],
    })
}

fn decide(objection: Hash32, uphold: bool) -> Payload {
    Payload::DecideObjection(pb::DecideObjection {
        objection: objection.to_vec(),
        uphold,
    })
}

fn amend(asset: Hash32, kind: pb::AmendKind, change: Option<pb::AssetChange>) -> Payload {
    Payload::Amend(pb::Amend {
        asset: asset.to_vec(),
        kind: kind as i32,
        change,
        evidence_hash: vec![],
    })
}

fn status(c: &Chain, asset: &Hash32) -> String {
    c.ledger.queries().asset(asset).unwrap().unwrap().status
}

fn certificate(c: &Chain, asset: &Hash32) -> Option<RegistrationView> {
    c.ledger.queries().certificate(asset).unwrap()
}

/// Lets the notice run out: moves the clock past it and applies an empty block (what a
/// producer proposes when a notice is due), which certifies what is ready.
fn let_notice_pass(c: &mut Chain) {
    c.now += NOTICE;
    c.block(vec![]);
}

/// A chain with review, and an asset org1 applied for and the registrar accepted.
fn in_notice(seed: u8) -> (Chain, Hash32) {
    let mut c = Chain::with_genesis(genesis_with_review());
    let (org1, registry) = (c.org1.clone(), c.registry.clone());
    let a = c.asset(&org1, seed);
    applies(c.run(&registry, &[], accept(a)));
    (c, a)
}

/// `from` gives the Use right of `asset` to `to`.
fn give_use(c: &mut Chain, from: &Keypair, asset: Hash32, to: &Keypair) -> Out {
    c.transfer(from, asset, pb::Right::Use, to, &[])
}

#[test]
fn an_application_is_reviewed_noticed_and_certified_by_the_block_after_its_notice() {
    let mut c = Chain::with_genesis(genesis_with_review());
    let (org1, org2, org3, registry) = (
        c.org1.clone(),
        c.org2.clone(),
        c.org3.clone(),
        c.registry.clone(),
    );
    let a = c.asset(&org1, 1);
    assert_eq!(status(&c, &a), "applied");
    assert!(certificate(&c, &a).is_none());
    // Nothing moves before the certificate.
    fails(give_use(&mut c, &org1, a, &org3), F::NotRegistered);
    fails(c.grant_with(a, &org1, &org3, |_| {}), F::NotRegistered);
    fails(
        c.register_with(&org1, 2, |r| r.derived_from = vec![a.to_vec()]),
        F::NotRegistered,
    );
    // Only a registrar reviews.
    fails(c.run(&org2, &[], accept(a)), F::MissingRole);
    applies(c.run(&registry, &[], accept(a)));
    let accepted_at = c.now - 1000;
    let view = c.ledger.queries().asset(&a).unwrap().unwrap();
    assert_eq!(view.status, "in-notice");
    let app = view.application.unwrap();
    assert_eq!(app.notice_ends_ms, Some(accepted_at + NOTICE));
    assert_eq!(app.registrar.map(|m| m.id), Some(party_hex(&registry)));
    // A transfer of an asset still in notice is refused.
    fails(give_use(&mut c, &org1, a, &org3), F::NotRegistered);
    // A block before the notice ends certifies nothing.
    c.block(vec![]);
    assert_eq!(status(&c, &a), "in-notice");
    let_notice_pass(&mut c);
    assert_eq!(status(&c, &a), "registered");
    let cert = certificate(&c, &a).unwrap();
    assert_eq!(cert.number, "GX-2026-000001");
    assert_eq!(cert.sequence, 1);
    assert_eq!(cert.kind, "initial");
    assert_eq!(cert.holder.id, party_hex(&org1));
    assert_eq!(cert.rights, vec!["hold", "use", "operate"]);
    assert_eq!(
        cert.registrar.clone().map(|m| m.id),
        Some(party_hex(&registry))
    );
    assert_eq!(cert.fingerprint, hex::encode([1u8; 32]));
    assert_eq!(cert.valid_until_ms, Some(cert.effective_ms + VALIDITY));
    assert_eq!(
        c.ledger.queries().asset_of_number(&cert.number).unwrap(),
        Some(a)
    );
    // Now the rights move; the next registration gets the next number.
    applies(give_use(&mut c, &org1, a, &org3));
    let b = c.asset(&org1, 3);
    applies(c.run(&registry, &[], accept(b)));
    let_notice_pass(&mut c);
    assert_eq!(certificate(&c, &b).unwrap().number, "GX-2026-000002");
}

#[test]
fn an_upheld_objection_rejects_the_application_and_frees_its_fingerprint() {
    let (mut c, a) = in_notice(1);
    let (org1, org3, registry) = (c.org1.clone(), c.org3.clone(), c.registry.clone());
    // The fingerprint is org1's while its application stands.
    fails(c.register_with(&org3, 1, |_| {}), F::FingerprintTaken);
    let o = applies(c.run(&org3, &[], object(a))).unwrap();
    // The notice ends with the objection open: no certificate.
    let_notice_pass(&mut c);
    assert_eq!(status(&c, &a), "in-notice");
    assert!(certificate(&c, &a).is_none());
    // Neither party decides its own case; a registrar does.
    fails(c.run(&org1, &[], decide(o, true)), F::MissingRole);
    applies(c.run(&registry, &[], decide(o, true)));
    let view = c.ledger.queries().asset(&a).unwrap().unwrap();
    assert_eq!(view.status, "rejected");
    assert_eq!(view.refusal.as_deref(), Some("objection-upheld"));
    assert!(view.application.is_none());
    let_notice_pass(&mut c);
    assert!(
        certificate(&c, &a).is_none(),
        "a rejected asset is never registered"
    );
    let objection = c.ledger.queries().objection(&o).unwrap().unwrap();
    assert_eq!(objection.status, "upheld");
    assert_eq!(
        objection.decided_by.map(|m| m.id),
        Some(party_hex(&registry))
    );
    fails(c.run(&registry, &[], decide(o, false)), F::WrongStage);
    // The fingerprint is free again: org3 applies for it.
    let b = applies(c.register_with(&org3, 1, |_| {})).unwrap();
    assert_eq!(status(&c, &b), "applied");
    fails(give_use(&mut c, &org1, a, &org3), F::NotRegistered);
}

#[test]
fn objections_are_filed_during_the_notice_only() {
    let mut c = Chain::with_genesis(genesis_with_review());
    let (org1, org2, org3, registry) = (
        c.org1.clone(),
        c.org2.clone(),
        c.org3.clone(),
        c.registry.clone(),
    );
    let a = c.asset(&org1, 1);
    // Not before the registrar accepts it...
    fails(c.run(&org3, &[], object(a)), F::WrongStage);
    applies(c.run(&registry, &[], accept(a)));
    let first = applies(c.run(&org3, &[], object(a))).unwrap();
    let_notice_pass(&mut c);
    // ...and not after the notice, though the open objection holds the certificate back.
    fails(c.run(&org2, &[], object(a)), F::NoticeOver);
    // Dismissing the last objection lets the next block certify it.
    applies(c.run(&registry, &[], decide(first, false)));
    assert_eq!(status(&c, &a), "in-notice");
    c.block(vec![]);
    assert_eq!(status(&c, &a), "registered");
    assert_eq!(
        c.ledger.queries().objections(&a).unwrap()[0].status,
        "dismissed"
    );
    // Nothing to object to any more.
    fails(c.run(&org2, &[], object(a)), F::WrongStage);
}

#[test]
fn a_registrar_asks_for_evidence_and_the_applicant_answers_or_withdraws() {
    let mut c = Chain::with_genesis(genesis_with_review());
    let (org1, org3, registry) = (c.org1.clone(), c.org3.clone(), c.registry.clone());
    let a = c.asset(&org1, 1);
    let supply = |h: u8| {
        Payload::SupplyEvidence(pb::SupplyEvidence {
            asset: a.to_vec(),
            evidence_hash: vec![h; 32],
        })
    };
    fails(c.run(&org1, &[], supply(5)), F::WrongStage);
    applies(c.run(
        &registry,
        &[],
        review(
            a,
            pb::ReviewDecision::RequestEvidence,
            pb::ReviewReason::EvidenceInsufficient,
        ),
    ));
    let app = c
        .ledger
        .queries()
        .asset(&a)
        .unwrap()
        .unwrap()
        .application
        .unwrap();
    assert_eq!(app.stage, "in-review");
    assert_eq!(
        app.evidence_request.as_deref(),
        Some("evidence-insufficient")
    );
    assert_eq!(status(&c, &a), "in-review");
    fails(c.run(&org3, &[], supply(5)), F::NotApplicant);
    applies(c.run(&org1, &[], supply(5)));
    let app = c
        .ledger
        .queries()
        .asset(&a)
        .unwrap()
        .unwrap()
        .application
        .unwrap();
    assert_eq!(app.evidence_hash, Some(hex::encode([5u8; 32])));
    assert_eq!(app.evidence_request, None);
    // Accepted, then withdrawn during its notice: never certified, fingerprint free.
    applies(c.run(&registry, &[], accept(a)));
    fails(
        c.run(
            &org3,
            &[],
            Payload::Withdraw(pb::Withdraw { asset: a.to_vec() }),
        ),
        F::NotApplicant,
    );
    applies(c.run(
        &org1,
        &[],
        Payload::Withdraw(pb::Withdraw { asset: a.to_vec() }),
    ));
    assert_eq!(status(&c, &a), "withdrawn");
    let_notice_pass(&mut c);
    assert!(certificate(&c, &a).is_none());
    fails(c.run(&registry, &[], accept(a)), F::WrongStage);
    applies(c.register_with(&org3, 1, |_| {}));
    // A rejection ends an application with its reason.
    let b = c.asset(&org1, 2);
    applies(c.run(
        &registry,
        &[],
        review(
            b,
            pb::ReviewDecision::Reject,
            pb::ReviewReason::RightsUnclear,
        ),
    ));
    let view = c.ledger.queries().asset(&b).unwrap().unwrap();
    assert_eq!(
        (view.status.as_str(), view.refusal.as_deref()),
        ("rejected", Some("rights-unclear"))
    );
}

#[test]
fn a_change_a_renewal_and_a_cancellation_are_certified_under_the_same_number() {
    let (mut c, a) = in_notice(1);
    let (org1, org3, registry) = (c.org1.clone(), c.org3.clone(), c.registry.clone());
    let_notice_pass(&mut c);
    let number = certificate(&c, &a).unwrap().number;
    // A new version of the data and a new name, applied for by the Hold holder only.
    let change = pb::AssetChange {
        name: "data set 1, v2".into(),
        fingerprint: vec![0xa2; 32],
        size_bytes: 2000,
        ..Default::default()
    };
    fails(
        c.run(
            &org3,
            &[],
            amend(a, pb::AmendKind::Change, Some(change.clone())),
        ),
        F::NotApplicant,
    );
    applies(c.run(&org1, &[], amend(a, pb::AmendKind::Change, Some(change))));
    fails(
        c.run(&org1, &[], amend(a, pb::AmendKind::Renewal, None)),
        F::ApplicationPending,
    );
    // The new fingerprint is claimed while the change is under way.
    fails(c.register_with(&org3, 0xa2, |_| {}), F::FingerprintTaken);
    // The registration stays in force meanwhile.
    assert_eq!(status(&c, &a), "registered");
    applies(give_use(&mut c, &org1, a, &org3));
    applies(c.run(&registry, &[], accept(a)));
    let_notice_pass(&mut c);
    let cert = certificate(&c, &a).unwrap();
    assert_eq!(
        (cert.number.as_str(), cert.sequence, cert.kind.as_str()),
        (number.as_str(), 2, "change")
    );
    assert_eq!(cert.fingerprint, hex::encode([0xa2u8; 32]));
    assert_eq!(cert.rights, vec!["hold", "operate"], "Use moved to org3");
    let view = c.ledger.queries().asset(&a).unwrap().unwrap();
    assert_eq!(
        (view.status.as_str(), view.name.as_str()),
        ("changed", "data set 1, v2")
    );

    // Renewal: the validity runs on from the old end.
    let old_end = cert.valid_until_ms.unwrap();
    applies(c.run(&org1, &[], amend(a, pb::AmendKind::Renewal, None)));
    applies(c.run(&registry, &[], accept(a)));
    let_notice_pass(&mut c);
    let cert = certificate(&c, &a).unwrap();
    assert_eq!((cert.sequence, cert.status.as_str()), (3, "renewed"));
    assert_eq!(cert.valid_until_ms, Some(old_end + VALIDITY));

    // Cancellation: nothing moves any more.
    applies(c.run(&org1, &[], amend(a, pb::AmendKind::Cancellation, None)));
    applies(c.run(&registry, &[], accept(a)));
    let_notice_pass(&mut c);
    let cert = certificate(&c, &a).unwrap();
    assert_eq!(
        (cert.sequence, cert.status.as_str(), cert.number.as_str()),
        (4, "cancelled", number.as_str())
    );
    fails(
        c.transfer(&org1, a, pb::Right::Hold, &org3, &[]),
        F::NotRegistered,
    );
    fails(c.grant_with(a, &org1, &org3, |_| {}), F::NotRegistered);
    fails(
        c.run(&org1, &[], amend(a, pb::AmendKind::Renewal, None)),
        F::NotRegistered,
    );
}

#[test]
fn an_expired_registration_moves_nothing_until_it_is_renewed() {
    let (mut c, a) = in_notice(1);
    let (org1, org3, registry) = (c.org1.clone(), c.org3.clone(), c.registry.clone());
    let_notice_pass(&mut c);
    c.now += VALIDITY;
    c.block(vec![]);
    assert_eq!(status(&c, &a), "expired");
    fails(give_use(&mut c, &org1, a, &org3), F::NotRegistered);
    let change = pb::AssetChange {
        name: "renamed".into(),
        ..Default::default()
    };
    fails(
        c.run(&org1, &[], amend(a, pb::AmendKind::Change, Some(change))),
        F::NotRegistered,
    );
    applies(c.run(&org1, &[], amend(a, pb::AmendKind::Renewal, None)));
    applies(c.run(&registry, &[], accept(a)));
    let_notice_pass(&mut c);
    assert_eq!(status(&c, &a), "renewed");
    applies(give_use(&mut c, &org1, a, &org3));
}

#[test]
fn a_certificate_is_proven_offline_and_a_bundle_cannot_hide_it() {
    let (mut c, a) = in_notice(1);
    let_notice_pass(&mut c);
    c.certify(&[1, 2]);
    let top = c.ledger.applied().unwrap().height;
    let bytes = c
        .ledger
        .bundles()
        .audit_bundle(&a, top, false)
        .unwrap()
        .unwrap();
    let report = verify_bundle(&bytes, c.ledger.genesis()).unwrap();
    assert_eq!(report.status, "registered");
    let cert = report.certificate.unwrap();
    assert_eq!(cert.number, "GX-2026-000001");
    assert_eq!(cert.registrar, Some(party_hex(&c.registry)));
    assert_eq!(cert.fingerprint, hex::encode([1u8; 32]));
    // A node that leaves the certificate out is caught.
    let mut bundle = pb::AuditBundle::decode(&bytes[..]).unwrap();
    bundle.certificate = None;
    let err = verify_bundle(&bundle.encode_to_vec(), c.ledger.genesis()).unwrap_err();
    assert!(
        err.to_string().contains("no proof of its certificate"),
        "{err}"
    );
    // Before the certificate, the bundle proves the asset in notice and holds none.
    let (c, b) = in_notice(2);
    c.certify(&[1, 2]);
    let top = c.ledger.applied().unwrap().height;
    let bytes = c
        .ledger
        .bundles()
        .audit_bundle(&b, top, false)
        .unwrap()
        .unwrap();
    let report = verify_bundle(&bytes, c.ledger.genesis()).unwrap();
    assert_eq!(
        (report.status.as_str(), report.certificate.is_none()),
        ("in-notice", true)
    );
}

#[test]
fn a_chain_without_review_certifies_a_registration_in_its_own_block() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let a = c.asset(&org1, 1);
    assert_eq!(status(&c, &a), "registered");
    let cert = certificate(&c, &a).unwrap();
    assert_eq!(
        (cert.number.as_str(), cert.registrar),
        ("SQ-2026-000001", None)
    );
}

#[test]
fn a_registrar_does_not_decide_its_own_members_case() {
    // `registry` is a member too here: it applies, and objects to org1's application.
    let mut g = genesis_with_review();
    for m in g.members.iter_mut().filter(|m| m.id == "registry") {
        m.roles.push(pb::Role::Member as i32);
    }
    let mut c = Chain::with_genesis(g);
    let (org1, registry) = (c.org1.clone(), c.registry.clone());
    let own = c.asset(&registry, 1);
    fails(c.run(&registry, &[], accept(own)), F::OwnCase);
    let a = c.asset(&org1, 2);
    fails(c.run(&org1, &[], accept(a)), F::MissingRole);
    // A second registrar would decide; this one may review org1's application...
    applies(c.run(&registry, &[], accept(a)));
    // ...but files no objection (it decides them: with one registrar, its own objection
    // could never be decided).
    fails(c.run(&registry, &[], object(a)), F::OwnCase);
}

#[test]
fn a_member_holds_one_open_objection_and_hold_does_not_move_under_an_application() {
    let (mut c, a) = in_notice(1);
    let (org1, org2, org3, registry) = (
        c.org1.clone(),
        c.org2.clone(),
        c.org3.clone(),
        c.registry.clone(),
    );
    let first = applies(c.run(&org3, &[], object(a))).unwrap();
    fails(c.run(&org3, &[], object(a)), F::ApplicationPending);
    applies(c.run(&org2, &[], object(a)));
    applies(c.run(&registry, &[], decide(first, false)));
    // Decided, org3 may object again (with new evidence).
    applies(c.run(&org3, &[], object(a)));

    // A certified asset with a cancellation under way: Use may move, Hold may not (the
    // cancellation would take effect on the buyer's asset).
    let (mut c, b) = in_notice(2);
    let_notice_pass(&mut c);
    applies(c.run(&org1, &[], amend(b, pb::AmendKind::Cancellation, None)));
    fails(
        c.transfer(&org1, b, pb::Right::Hold, &org3, &[]),
        F::ApplicationPending,
    );
    applies(give_use(&mut c, &org1, b, &org3));
    applies(c.run(
        &org1,
        &[],
        Payload::Withdraw(pb::Withdraw { asset: b.to_vec() }),
    ));
    applies(c.transfer(&org1, b, pb::Right::Hold, &org3, &[]));
    // The fingerprint follows the Hold right: the seller cannot register it again.
    fails(c.register_with(&org1, 2, |_| {}), F::FingerprintTaken);
}
