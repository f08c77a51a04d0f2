//! The export gate against a hostile member: each test is an attack that once walked around
//! cross-border supervision (issue 13, findings 1–4 and 9), and fails if its fix goes.

use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb;
use shuquan_proto::Hash32;

use crate::harness::*;

fn important(c: &mut Chain, seed: u8) -> Hash32 {
    let org1 = c.org1.clone();
    applies(c.register_with(&org1, seed, |r| r.grade = pb::Grade::Important as i32)).unwrap()
}

/// Finding 1: org2 is a member in VN. A grant naming only CN hid that its access is an
/// export, went active at once, and let it read important data from abroad.
#[test]
fn a_foreign_grantee_behind_a_domestic_jurisdiction_gets_no_access() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let asset = important(&mut c, 1);
    let read = |g: &mut pb::IssueGrant| g.actions = vec![pb::Action::Read as i32];
    fails(
        c.grant_with(asset, &org1, &org2, read),
        F::GranteeJurisdictionNotNamed,
    );
    // Naming where the grantee is makes it an export: no reading important data abroad...
    fails(
        c.grant_with(asset, &org1, &org2, |g| {
            read(g);
            g.jurisdictions = vec!["CN".into(), "VN".into()];
        }),
        F::ImportantReadAbroad,
    );
    // ...and computing on it waits for a regulator, whatever place of use is declared.
    let g = applies(c.grant_with(asset, &org1, &org2, |g| {
        g.jurisdictions = vec!["CN".into(), "VN".into()]
    }))
    .unwrap();
    assert_eq!(c.grant_status(&g), "pending-export");
    fails(c.usage(&org2, g, |_| {}), F::GrantInactive);
    // A domestic grantee (org3, CN) is not an export.
    let org3 = c.org3.clone();
    let home = applies(c.grant_with(asset, &org1, &org3, read)).unwrap();
    assert_eq!(c.grant_status(&home), "active");
}

/// Finding 2: registering important CN data "in VN", directly or as a derived copy, turned
/// it into foreign data that could then be granted abroad without a filing.
#[test]
fn jurisdiction_laundering_by_registration_or_derivation_is_refused() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    fails(
        c.register_with(&org1, 1, |r| {
            r.grade = pb::Grade::Important as i32;
            r.jurisdiction = "VN".into();
        }),
        F::JurisdictionMismatch,
    );
    let parent = important(&mut c, 2);
    fails(
        c.register_with(&org1, 3, |r| {
            r.grade = pb::Grade::Important as i32;
            r.jurisdiction = "VN".into();
            r.derived_from = vec![parent.to_vec()];
        }),
        F::JurisdictionMismatch,
    );
    // A derived copy stays in CN, so granting it to VN is an export like its parent's.
    let child = applies(c.register_with(&org1, 3, |r| {
        r.grade = pb::Grade::Important as i32;
        r.derived_from = vec![parent.to_vec()];
    }))
    .unwrap();
    let g = applies(c.grant_with(child, &org1, &org2, |g| g.jurisdictions = vec!["VN".into()]))
        .unwrap();
    assert_eq!(c.grant_status(&g), "pending-export");
    // A member registers at home: org2 in VN.
    applies(c.register_with(&org2, 4, |r| r.jurisdiction = "VN".into()));
}

/// Finding 3: a `verify` grant with one use, approved and then revoked, still let the Hold
/// right of important data move to VN. A grant's approval covers that grant's access, never
/// a transfer; a transfer abroad needs a filing that names it, and counts in the year.
#[test]
fn a_stale_approval_of_a_revoked_verify_grant_moves_no_right_abroad() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let asset = applies(c.register_with(&org1, 1, |r| {
        r.grade = pb::Grade::Important as i32;
        r.delivery_modes.push(pb::DeliveryMode::Verify as i32);
    }))
    .unwrap();
    let g = applies(c.grant_with(asset, &org1, &org2, |g| {
        g.actions = vec![pb::Action::Verify as i32];
        g.jurisdictions = vec!["VN".into()];
        g.max_uses = 1;
    }))
    .unwrap();
    let f = applies(c.file(&org1, &[g], |f| {
        f.path = pb::ExportPath::SecurityAssessment as i32;
        f.declared = Some(pb::Declared {
            important: true,
            ..Default::default()
        });
    }))
    .unwrap();
    let until = c.now + 30 * DAY;
    applies(c.decide(f, pb::Decision::Approve, until));
    // While the grant's approval is in force, and after the grant is revoked: no transfer.
    fails(
        c.transfer(&org1, asset, pb::Right::Hold, &org2, &[]),
        F::ExportNotApproved,
    );
    applies(c.revoke(&org1, g));
    fails(
        c.transfer(&org1, asset, pb::Right::Hold, &org2, &[]),
        F::ExportNotApproved,
    );
}

#[test]
fn a_transfer_filing_counts_in_the_exporters_year() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let pi = pb::PersonalInfo {
        contains_pi: true,
        contains_sensitive_pi: false,
        subjects: 60_000,
    };
    let asset = applies(c.register_with(&org1, 1, |r| {
        r.pi = Some(pi);
        r.evidence_hash = vec![5; 32];
    }))
    .unwrap();
    let sixty = |f: &mut pb::FileCrossBorder| {
        f.path = pb::ExportPath::Exempt as i32;
        f.declared = Some(pb::Declared {
            pi_subjects: 60_000,
            ..Default::default()
        });
    };
    let f = applies(c.file_transfer(&org1, asset, pb::Right::Use, &org2, sixty)).unwrap();
    applies(c.decide(f, pb::Decision::Approve, c.now + 30 * DAY));
    applies(c.transfer(&org1, asset, pb::Right::Use, &org2, &[]));
    // 60,000 this year already: another 60,000 passes the contract threshold.
    let other = applies(c.register_with(&org1, 2, |r| {
        r.pi = Some(pi);
        r.evidence_hash = vec![5; 32];
    }))
    .unwrap();
    fails(
        c.file_transfer(&org1, other, pb::Right::Use, &org2, sixty),
        F::PathInsufficient,
    );
}

/// Finding 4: an asset with sensitive PI of 2,000,000 people was filed `exempt` declaring
/// nobody. The assets' own flags and counts are the least a filing declares.
#[test]
fn an_exempt_filing_declaring_nobody_of_two_million_subjects_is_refused() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let asset = applies(c.register_with(&org1, 1, |r| {
        r.pi = Some(pb::PersonalInfo {
            contains_pi: true,
            contains_sensitive_pi: true,
            subjects: 2_000_000,
        });
        r.evidence_hash = vec![5; 32];
    }))
    .unwrap();
    let g = applies(c.grant_with(asset, &org1, &org2, |g| g.jurisdictions = vec!["VN".into()]))
        .unwrap();
    let declared = |pi: u64, spi: u64| {
        move |f: &mut pb::FileCrossBorder| {
            f.declared = Some(pb::Declared {
                pi_subjects: pi,
                spi_subjects: spi,
                important: false,
            })
        }
    };
    fails(c.file(&org1, &[g], declared(0, 0)), F::UnderDeclared);
    fails(
        c.file(&org1, &[g], declared(2_000_000, 0)),
        F::UnderDeclared,
    );
    fails(
        c.file(&org1, &[g], declared(1_999_999, 1)),
        F::UnderDeclared,
    );
    // Declared truthfully, the exempt path is too low: 2,000,000 people need an assessment.
    fails(
        c.file(&org1, &[g], declared(2_000_000, 1)),
        F::PathInsufficient,
    );
    applies(c.file(&org1, &[g], |f| {
        declared(2_000_000, 1)(f);
        f.path = pb::ExportPath::SecurityAssessment as i32;
    }));
}

/// Finding 9: after org1 sold the Operate right, it still filed exports for its old grants
/// (and the year's counters went to it), while the new holder was refused.
#[test]
fn the_exporter_is_the_current_operate_holder_not_the_former() {
    let mut c = Chain::new();
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let asset = c.asset(&org1, 1);
    let g = applies(c.grant_with(asset, &org1, &org2, |g| g.jurisdictions = vec!["VN".into()]))
        .unwrap();
    // Filed by org1 while it held Operate; decided only after it sold it: void.
    let early = applies(c.file(&org1, &[g], |_| {})).unwrap();
    applies(c.transfer(&org1, asset, pb::Right::Operate, &org3, &[]));
    fails(
        c.decide(early, pb::Decision::Approve, c.now + DAY),
        F::WrongState,
    );
    fails(c.file(&org1, &[g], |_| {}), F::NotExporter);
    let f = applies(c.file(&org3, &[g], |_| {})).unwrap();
    let view = c.ledger.queries().filing(&f).unwrap().unwrap();
    assert_eq!(view.exporter_member, "org3");
    applies(c.decide(f, pb::Decision::Approve, c.now + DAY));
    assert_eq!(c.grant_status(&g), "active");
}
