//! Cross-border export: the minimum path, the calendar-year counters, decisions and the
//! grant statuses they drive.

use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb;

use crate::harness::*;

fn foreign_grant(c: &mut Chain, seed: u8) -> shuquan_proto::Hash32 {
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let asset = c.asset(&org1, seed);
    c.grant_with(asset, &org1, &org2, |g| g.jurisdictions = vec!["VN".into()])
        .unwrap()
        .unwrap()
}

#[test]
fn approval_activates_and_revocation_or_expiry_suspends_a_foreign_grant() {
    let mut c = Chain::new();
    let org2 = c.org2.clone();
    let g = foreign_grant(&mut c, 1);
    let use_vn = |u: &mut pb::RecordUsage| u.jurisdiction = "VN".into();
    fails(c.usage(&org2, g, use_vn), F::GrantInactive);
    let org1 = c.org1.clone();
    let f = c.file(&org1, &[g], |_| {}).unwrap().unwrap();
    let until = c.now + 10 * DAY;
    applies(c.decide(f, pb::Decision::Approve, until));
    assert_eq!(c.grant_status(&g), "active");
    applies(c.usage(&org2, g, use_vn));
    applies(c.decide(f, pb::Decision::Revoke, 0));
    assert_eq!(c.grant_status(&g), "pending-export");
    fails(c.usage(&org2, g, use_vn), F::GrantInactive);
    // A second filing, approved briefly, then time passes.
    let f2 = c.file(&org1, &[g], |_| {}).unwrap().unwrap();
    let soon = c.now + 5_000;
    applies(c.decide(f2, pb::Decision::Approve, soon));
    assert_eq!(c.grant_status(&g), "active");
    c.now += 10_000;
    c.block(vec![]);
    assert_eq!(c.grant_status(&g), "pending-export");
    assert_eq!(
        c.ledger.queries().filing(&f2).unwrap().unwrap().status,
        "expired"
    );
    assert_eq!(
        c.ledger
            .queries()
            .filings_of_asset(
                &shuquan_proto::Hash32::from_slice(
                    &hex::decode(c.ledger.queries().grant(&g, None).unwrap().unwrap().asset)
                        .unwrap()
                )
                .unwrap()
            )
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn filings_are_by_the_grantor_for_a_foreign_destination() {
    let mut c = Chain::new();
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let g = foreign_grant(&mut c, 1);
    fails(c.file(&org3, &[g], |_| {}), F::NotExporter);
    fails(
        c.file(&org1, &[g], |f| f.destination = "SG".into()),
        F::NotCrossBorder,
    );
}

#[test]
fn the_minimum_path_follows_grade_pi_ciio_and_thresholds() {
    let mut c = Chain::new();
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    // Important data needs a security assessment.
    let imp =
        applies(c.register_with(&org1, 1, |r| r.grade = pb::Grade::Important as i32)).unwrap();
    let gi = c
        .grant_with(imp, &org1, &org2, |g| g.jurisdictions = vec!["VN".into()])
        .unwrap()
        .unwrap();
    let important = |f: &mut pb::FileCrossBorder| {
        f.declared = Some(pb::Declared {
            important: true,
            ..Default::default()
        })
    };
    fails(
        c.file(&org1, &[gi], |f| {
            important(f);
            f.path = pb::ExportPath::StandardContract as i32
        }),
        F::PathInsufficient,
    );
    applies(c.file(&org1, &[gi], |f| {
        important(f);
        f.path = pb::ExportPath::SecurityAssessment as i32
    }));
    // 100,000 PI subjects need a standard contract; sensitive PI too.
    let g = foreign_grant(&mut c, 2);
    let pi = |n: u64, s: u64| {
        Some(pb::Declared {
            pi_subjects: n,
            spi_subjects: s,
            important: false,
        })
    };
    fails(
        c.file(&org1, &[g], |f| f.declared = pi(100_000, 0)),
        F::PathInsufficient,
    );
    fails(
        c.file(&org1, &[g], |f| f.declared = pi(0, 1)),
        F::PathInsufficient,
    );
    applies(c.file(&org1, &[g], |f| {
        f.declared = pi(100_000, 0);
        f.path = pb::ExportPath::Certification as i32;
    }));
    fails(
        c.file(&org1, &[g], |f| {
            f.declared = pi(1_000_001, 0);
            f.path = pb::ExportPath::StandardContract as i32;
        }),
        F::PathInsufficient,
    );
    // A CIIO exporting personal information needs a security assessment at any volume.
    let a3 = c.asset(&org3, 3);
    let g3 = c
        .grant_with(a3, &org3, &org2, |g| g.jurisdictions = vec!["VN".into()])
        .unwrap()
        .unwrap();
    fails(
        c.file(&org3, &[g3], |f| f.declared = pi(10, 0)),
        F::PathInsufficient,
    );
    applies(c.file(&org3, &[g3], |f| {
        f.declared = pi(10, 0);
        f.path = pb::ExportPath::SecurityAssessment as i32;
    }));
}

#[test]
fn splitting_a_filing_cannot_lower_the_path() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let g = foreign_grant(&mut c, 1);
    let half = |f: &mut pb::FileCrossBorder| {
        f.declared = Some(pb::Declared {
            pi_subjects: 60_000,
            spi_subjects: 0,
            important: false,
        })
    };
    let f1 = c.file(&org1, &[g], half).unwrap().unwrap();
    let f2 = c.file(&org1, &[g], half).unwrap().unwrap();
    let until = c.now + 30 * DAY;
    applies(c.decide(f1, pb::Decision::Approve, until));
    // The year's counter is now 60,000: the second exempt filing no longer fits.
    fails(
        c.decide(f2, pb::Decision::Approve, until),
        F::PathInsufficient,
    );
    fails(c.file(&org1, &[g], half), F::PathInsufficient);
}

#[test]
fn decisions_check_state_validity_and_path() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let g = foreign_grant(&mut c, 1);
    let f = c
        .file(&org1, &[g], |f| {
            f.path = pb::ExportPath::SecurityAssessment as i32
        })
        .unwrap()
        .unwrap();
    fails(
        c.decide(f, pb::Decision::Acknowledge, 0),
        F::DecisionNotAllowed,
    );
    let too_long = c.now + 4 * 365 * DAY;
    fails(
        c.decide(f, pb::Decision::Approve, too_long),
        F::ApprovalTooLong,
    );
    fails(c.decide(f, pb::Decision::Revoke, 0), F::WrongState);
    applies(c.decide(f, pb::Decision::Reject, 0));
    fails(
        c.decide(f, pb::Decision::Approve, too_long - 365 * DAY),
        F::WrongState,
    );
    let f2 = c.file(&org1, &[g], |_| {}).unwrap().unwrap();
    applies(c.decide(f2, pb::Decision::Acknowledge, 0));
    assert_eq!(c.grant_status(&g), "active");
    let org3 = c.org3.clone();
    fails(
        c.run(
            &org3,
            &[],
            pb::tx_body::Payload::DecideCrossBorder(pb::DecideCrossBorder {
                filing: f2.to_vec(),
                decision: 4,
                valid_until_ms: 0,
            }),
        ),
        F::MissingRole,
    );
}
