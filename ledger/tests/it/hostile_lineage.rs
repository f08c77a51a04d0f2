//! Derivation against a hostile member (issue 13, finding 6): a derivation under a grant is
//! a use of it, and what was derived stays within that grant.

use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb;
use shuquan_proto::Hash32;

use crate::harness::*;

/// org1's asset, and a derive grant to org3 for academic research in CN, used at most once.
fn derive_grant(c: &mut Chain) -> (Hash32, Hash32) {
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let parent = c.asset(&org1, 1);
    let g = applies(c.grant_with(parent, &org1, &org3, |g| {
        g.actions = vec![pb::Action::Derive as i32];
        g.max_uses = 1;
    }))
    .unwrap();
    (parent, g)
}

fn derive(c: &mut Chain, parent: Hash32, seed: u8, purpose: &str) -> Out {
    let org3 = c.org3.clone();
    c.register_with(&org3, seed, |r| {
        r.derived_from = vec![parent.to_vec()];
        r.derive_purpose = purpose.into();
    })
}

/// A `derive` grant with one use once produced two derived assets and still showed 0 of 1.
#[test]
fn a_derive_grant_with_one_use_derives_once() {
    let mut c = Chain::new();
    let (parent, g) = derive_grant(&mut c);
    fails(derive(&mut c, parent, 2, ""), F::DeriveOutsideGrant);
    fails(
        derive(&mut c, parent, 2, "ai-training"),
        F::DeriveOutsideGrant,
    );
    applies(derive(&mut c, parent, 2, "academic-research"));
    let view = c.ledger.queries().grant(&g, None).unwrap().unwrap();
    assert_eq!((view.uses, view.status.as_str()), (1, "exhausted"));
    fails(
        derive(&mut c, parent, 3, "academic-research"),
        F::DeriveNotAllowed,
    );
    // The derivation is an event of the parent's history too.
    let kinds: Vec<String> = c
        .ledger
        .queries()
        .history(&parent)
        .unwrap()
        .into_iter()
        .filter(|e| e.receipt.code == 0)
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["register_asset", "issue_grant", "register_asset"].map(String::from)
    );
}

/// The derived asset was then licensed for another purpose until 2099 and its Operate right
/// sold: its grants stay within the parent grant, its rights move with the parent's consent.
#[test]
fn an_asset_derived_under_a_grant_stays_within_it() {
    let mut c = Chain::new();
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let regulator = c.regulator.clone();
    let (parent, g) = derive_grant(&mut c);
    let child = applies(derive(&mut c, parent, 2, "academic-research")).unwrap();
    let parent_end = c
        .ledger
        .queries()
        .grant(&g, None)
        .unwrap()
        .unwrap()
        .not_after_ms;
    let within = move |g: &mut pb::IssueGrant| g.not_after_ms = parent_end;
    fails(
        c.grant_with(child, &org3, &regulator, |g| {
            within(g);
            g.purposes = vec!["marketing-analytics".into()]
        }),
        F::BeyondParentGrant,
    );
    fails(
        c.grant_with(child, &org3, &regulator, |g| {
            g.not_after_ms = parent_end + DAY
        }),
        F::BeyondParentGrant,
    );
    fails(
        c.grant_with(child, &org3, &org2, |g| {
            within(g);
            g.jurisdictions = vec!["CN".into(), "VN".into()]
        }),
        F::BeyondParentGrant,
    );
    // Within the parent grant it may grant; beyond it, with the parent's Operate holder
    // (org1) as cosigner.
    applies(c.grant_with(child, &org3, &regulator, within));
    let raw = c.tx(
        &org3,
        &[&regulator, &org1],
        pb::tx_body::Payload::IssueGrant(pb::IssueGrant {
            asset: child.to_vec(),
            grantee: party(&regulator),
            actions: vec![pb::Action::Compute as i32],
            purposes: vec!["marketing-analytics".into()],
            not_after_ms: c.now + DAY,
            jurisdictions: vec!["CN".into()],
            ..Default::default()
        }),
    );
    let b = c.block(vec![raw]);
    applies(Chain::outcome(&b.receipts[0]));
    // Its rights move only with that consent too.
    fails(
        c.transfer(&org3, child, pb::Right::Operate, &org2, &[]),
        F::ParentConsentRequired,
    );
    applies(c.transfer(&org3, child, pb::Right::Operate, &org2, &[&org1]));
}

/// Revoking the parent grant ends what the derived asset may grant without consent.
#[test]
fn a_revoked_parent_grant_binds_the_derived_assets_new_grants() {
    let mut c = Chain::new();
    let (org1, org3, reg) = (c.org1.clone(), c.org3.clone(), c.regulator.clone());
    let parent = c.asset(&org1, 1);
    let g = applies(c.grant_with(parent, &org1, &org3, |g| {
        g.actions = vec![pb::Action::Derive as i32];
    }))
    .unwrap();
    let end = c
        .ledger
        .queries()
        .grant(&g, None)
        .unwrap()
        .unwrap()
        .not_after_ms;
    let child = applies(derive(&mut c, parent, 2, "academic-research")).unwrap();
    let within = move |g: &mut pb::IssueGrant| g.not_after_ms = end;
    applies(c.grant_with(child, &org3, &reg, within));
    applies(c.revoke(&org1, g));
    fails(
        c.grant_with(child, &org3, &reg, within),
        F::BeyondParentGrant,
    );
}
