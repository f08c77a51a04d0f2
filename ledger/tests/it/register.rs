//! `RegisterAsset`: grade, evidence, the dispute guard, lineage, grade and PI inheritance.

use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb;

use crate::harness::*;

#[test]
fn registration_makes_the_signer_holder_of_all_three_rights() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let asset = c.asset(&org1, 1);
    let view = c.ledger.queries().asset(&asset).unwrap().unwrap();
    let me = party_hex(&org1);
    assert_eq!(
        (
            view.holders.hold.id,
            view.holders.use_.id,
            view.holders.operate.id
        ),
        (me.clone(), me.clone(), me)
    );
    assert_eq!(
        c.ledger
            .queries()
            .assets_by_fingerprint(&shuquan_proto::Hash32([1; 32]))
            .unwrap(),
        vec![asset]
    );
    assert_eq!(view.event_count, 1);
}

#[test]
fn core_grade_is_refused() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    fails(
        c.register_with(&org1, 1, |r| r.grade = pb::Grade::Core as i32),
        F::CoreGradeRefused,
    );
}

#[test]
fn personal_data_needs_evidence() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    fails(
        c.register_with(&org1, 1, |r| r.origin = pb::Origin::Personal as i32),
        F::EvidenceRequired,
    );
    let pi = Some(pb::PersonalInfo {
        contains_pi: true,
        contains_sensitive_pi: false,
        subjects: 10,
    });
    fails(
        c.register_with(&org1, 2, |r| r.pi = pi),
        F::EvidenceRequired,
    );
    applies(c.register_with(&org1, 2, |r| {
        r.pi = pi;
        r.evidence_hash = vec![5; 32];
    }));
}

#[test]
fn a_fingerprint_belongs_to_the_first_member() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    c.asset(&org1, 1);
    fails(c.register_with(&org2, 1, |_| {}), F::FingerprintTaken);
    applies(c.register_with(&org1, 1, |r| r.name = "second version".into()));
}

#[test]
fn deriving_needs_use_right_or_a_derive_grant() {
    let mut c = Chain::new();
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let parent = c.asset(&org1, 1);
    fails(
        c.register_with(&org3, 2, |r| r.derived_from = vec![parent.to_vec()]),
        F::DeriveNotAllowed,
    );
    // A compute-only grant is not enough; a derive grant is.
    c.grant_with(parent, &org1, &org3, |_| {}).unwrap();
    fails(
        c.register_with(&org3, 2, |r| r.derived_from = vec![parent.to_vec()]),
        F::DeriveNotAllowed,
    );
    let g = c
        .grant_with(parent, &org1, &org3, |g| {
            g.actions = vec![pb::Action::Derive as i32]
        })
        .unwrap()
        .unwrap();
    let child = applies(c.register_with(&org3, 2, |r| {
        r.derived_from = vec![parent.to_vec()];
        r.derive_purpose = "academic-research".into();
    }))
    .unwrap();
    let lineage = c.ledger.queries().lineage(&parent).unwrap().unwrap();
    assert_eq!(lineage.children.len(), 1);
    assert_eq!(lineage.children[0].asset, child);
    assert_eq!(lineage.children[0].via, g.to_hex());
    // The holder of Use derives by right.
    let own =
        applies(c.register_with(&org1, 3, |r| r.derived_from = vec![parent.to_vec()])).unwrap();
    assert_eq!(
        c.ledger.queries().lineage(&own).unwrap().unwrap().parents[0].via,
        "use-right"
    );
}

#[test]
fn a_derived_asset_is_never_graded_lower_and_carries_pi() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let parent = applies(c.register_with(&org1, 1, |r| {
        r.grade = pb::Grade::Important as i32;
        r.pi = Some(pb::PersonalInfo {
            contains_pi: true,
            contains_sensitive_pi: false,
            subjects: 5,
        });
        r.evidence_hash = vec![5; 32];
    }))
    .unwrap();
    fails(
        c.register_with(&org1, 2, |r| r.derived_from = vec![parent.to_vec()]),
        F::GradeBelowParent,
    );
    fails(
        c.register_with(&org1, 2, |r| {
            r.derived_from = vec![parent.to_vec()];
            r.grade = pb::Grade::Important as i32;
        }),
        F::PiNotCarried,
    );
    applies(c.register_with(&org1, 2, |r| {
        r.derived_from = vec![parent.to_vec()];
        r.grade = pb::Grade::Important as i32;
        r.pi = Some(pb::PersonalInfo {
            contains_pi: true,
            contains_sensitive_pi: false,
            subjects: 5,
        });
        r.evidence_hash = vec![5; 32];
    }));
}

/// Finding 11: a subject count without the PI flag once needed no evidence.
#[test]
fn subjects_without_the_pi_flag_are_refused() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    fails(
        c.register_with(&org1, 1, |r| {
            r.pi = Some(pb::PersonalInfo {
                contains_pi: false,
                contains_sensitive_pi: false,
                subjects: 5,
            })
        }),
        F::InvalidField,
    );
}
