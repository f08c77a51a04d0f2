//! The frozen-subject policy (issue 13, finding 8), one row of the README's table per
//! assertion: while an asset, grant or filing is frozen nothing changes on it but an
//! attestation (which records and changes nothing), a freeze of something under it, and the
//! regulator's unfreeze. A regulator's approval once rewrote a frozen grant, and the
//! Operate holder once revoked grants of a frozen asset.

use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb;
use shuquan_proto::Hash32;

use crate::harness::*;

/// org1's asset with a domestic grant to org3 (derive and compute) and a foreign grant to
/// org2 with a filing, plus a second asset whose transfer to org2 is filed and approved.
struct Setup {
    c: Chain,
    asset: Hash32,
    home: Hash32,
    foreign: Hash32,
    filing: Hash32,
}

fn setup() -> Setup {
    let mut c = Chain::new();
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let asset = c.asset(&org1, 1);
    let home = applies(c.grant_with(asset, &org1, &org3, |g| {
        g.actions = vec![pb::Action::Derive as i32, pb::Action::Compute as i32]
    }))
    .unwrap();
    let foreign =
        applies(c.grant_with(asset, &org1, &org2, |g| g.jurisdictions = vec!["VN".into()]))
            .unwrap();
    let filing = applies(c.file(&org1, &[foreign], |_| {})).unwrap();
    Setup {
        c,
        asset,
        home,
        foreign,
        filing,
    }
}

impl Setup {
    /// Every change the policy refuses on the asset or its grants, each failing `frozen`.
    fn changes_on_the_asset_fail(&mut self, code: F) {
        let c = &mut self.c;
        let (org1, org3, reg) = (c.org1.clone(), c.org3.clone(), c.regulator.clone());
        let (asset, home) = (self.asset, self.home);
        fails(c.transfer(&org1, asset, pb::Right::Use, &org3, &[]), code);
        fails(c.grant_with(asset, &org1, &org3, |_| {}), code);
        fails(c.revoke(&org1, home), code);
        fails(c.revoke(&org3, home), code);
        fails(c.revoke(&reg, home), code);
        fails(c.usage(&org3, home, |_| {}), code);
        fails(c.file(&org1, &[self.foreign], |_| {}), code);
        fails(c.decide(self.filing, pb::Decision::Reject, 0), code);
        fails(
            c.register_with(&org3, 9, |r| {
                r.derived_from = vec![asset.to_vec()];
                r.derive_purpose = "academic-research".into();
            }),
            code,
        );
    }
}

#[test]
fn a_frozen_asset_changes_only_by_attestation_inner_freezes_and_unfreeze() {
    let mut s = setup();
    applies(s.c.freeze(s.asset, true));
    s.changes_on_the_asset_fail(F::Frozen);
    fails(s.c.freeze(s.asset, true), F::WrongState);
    applies(s.c.attest(s.asset, 0));
    applies(s.c.freeze(s.home, true));
    applies(s.c.freeze(s.asset, false));
    // The grant frozen inside it stays frozen.
    let org3 = s.c.org3.clone();
    fails(s.c.usage(&org3, s.home, |_| {}), F::Frozen);
    applies(s.c.freeze(s.home, false));
    applies(s.c.usage(&org3, s.home, |_| {}));
}

#[test]
fn a_frozen_grant_is_neither_used_revoked_filed_decided_nor_derived_under() {
    let mut s = setup();
    let c = &mut s.c;
    let (org1, org3, reg) = (c.org1.clone(), c.org3.clone(), c.regulator.clone());
    applies(c.freeze(s.home, true));
    applies(c.freeze(s.foreign, true));
    fails(c.usage(&org3, s.home, |_| {}), F::Frozen);
    fails(c.revoke(&org1, s.home), F::Frozen);
    fails(c.revoke(&org3, s.home), F::Frozen);
    fails(c.revoke(&reg, s.home), F::Frozen);
    fails(c.file(&org1, &[s.foreign], |_| {}), F::Frozen);
    // The regulator's approval does not rewrite a frozen grant.
    fails(
        c.decide(s.filing, pb::Decision::Approve, c.now + DAY),
        F::Frozen,
    );
    assert_eq!(c.grant_status(&s.foreign), "pending-export");
    fails(
        c.register_with(&org3, 9, |r| {
            r.derived_from = vec![s.asset.to_vec()];
            r.derive_purpose = "academic-research".into();
        }),
        F::DeriveNotAllowed,
    );
    applies(c.attest(s.home, 0));
    // The asset itself is not frozen: other changes go on.
    applies(c.grant_with(s.asset, &org1, &org3, |_| {}));
    applies(c.freeze(s.foreign, false));
    applies(c.decide(s.filing, pb::Decision::Approve, c.now + DAY));
    assert_eq!(c.grant_status(&s.foreign), "active");
}

#[test]
fn a_frozen_filing_is_neither_decided_nor_spent() {
    let mut s = setup();
    let c = &mut s.c;
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    applies(c.freeze(s.filing, true));
    for d in [pb::Decision::Approve, pb::Decision::Reject] {
        fails(c.decide(s.filing, d, c.now + DAY), F::Frozen);
    }
    applies(c.attest(s.filing, 0));
    // An approved transfer filing, frozen, moves nothing.
    let important =
        applies(c.register_with(&org1, 2, |r| r.grade = pb::Grade::Important as i32)).unwrap();
    let t = applies(c.file_transfer(&org1, important, pb::Right::Hold, &org2, |_| {})).unwrap();
    applies(c.decide(t, pb::Decision::Approve, c.now + DAY));
    applies(c.freeze(t, true));
    fails(
        c.transfer(&org1, important, pb::Right::Hold, &org2, &[]),
        F::Frozen,
    );
    fails(c.decide(t, pb::Decision::Revoke, 0), F::Frozen);
    applies(c.freeze(t, false));
    applies(c.transfer(&org1, important, pb::Right::Hold, &org2, &[]));
}
