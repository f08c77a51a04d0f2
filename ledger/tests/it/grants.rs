//! `IssueGrant`, `RevokeGrant`, `RecordUsage`: who may grant, the constraint set, and status
//! over time.

use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::Hash32;

use crate::harness::*;

#[test]
fn only_the_operate_holder_grants_and_the_grantee_cosigns() {
    let mut c = Chain::new();
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let (org2, org3) = (org3, org2); // a domestic grantee (org3) and a non-holder (org2)
    let asset = c.asset(&org1, 1);
    fails(c.grant_with(asset, &org3, &org2, |_| {}), F::NotOperator);
    let g = pb::IssueGrant {
        asset: asset.to_vec(),
        grantee: party(&org2),
        actions: vec![3],
        purposes: vec!["academic-research".into()],
        not_before_ms: 0,
        not_after_ms: c.now + DAY,
        jurisdictions: vec!["CN".into()],
        max_uses: 0,
        recipient_systems: vec![],
        policy_doc_hash: vec![],
    };
    fails(
        c.run(&org1, &[], Payload::IssueGrant(g)),
        F::MissingSignature,
    );
    let grant = applies(c.grant_with(asset, &org1, &org2, |_| {})).unwrap();
    assert_eq!(c.grant_status(&grant), "active");
}

#[test]
fn grant_terms_are_checked() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let asset = c.asset(&org1, 1);
    let org3 = c.org3.clone();
    let now = c.now;
    fails(
        c.grant_with(asset, &org1, &org3, |g| g.not_after_ms = now - 1),
        F::InvalidWindow,
    );
    fails(
        c.grant_with(asset, &org1, &org3, |g| g.not_before_ms = g.not_after_ms),
        F::InvalidWindow,
    );
    fails(
        c.grant_with(asset, &org1, &org3, |g| g.purposes = vec!["bribery".into()]),
        F::UnknownPurpose,
    );
    fails(
        c.grant_with(asset, &org1, &org3, |g| {
            g.actions = vec![pb::Action::Verify as i32]
        }),
        F::ActionNotDelivered,
    );
    let important =
        applies(c.register_with(&org1, 2, |r| r.grade = pb::Grade::Important as i32)).unwrap();
    fails(
        c.grant_with(important, &org1, &org2, |g| {
            g.actions = vec![pb::Action::Read as i32];
            g.jurisdictions = vec!["VN".into()];
        }),
        F::ImportantReadAbroad,
    );
    let pending = applies(c.grant_with(asset, &org1, &org2, |g| {
        g.jurisdictions = vec!["CN".into(), "VN".into()]
    }))
    .unwrap();
    assert_eq!(c.grant_status(&pending), "pending-export");
}

#[test]
fn revocation_by_operator_regulator_or_grantee_only_once() {
    let mut c = Chain::new();
    let (org1, org3, org2, reg) = (
        c.org1.clone(),
        c.org3.clone(),
        c.org2.clone(),
        c.regulator.clone(),
    );
    let asset = c.asset(&org1, 1);
    let revoke = |g: Hash32| {
        Payload::RevokeGrant(pb::RevokeGrant {
            grant: g.to_vec(),
            reason_hash: vec![],
        })
    };
    let g1 = c.grant_with(asset, &org1, &org3, |_| {}).unwrap().unwrap();
    fails(c.run(&org2, &[], revoke(g1)), F::NotOperator);
    applies(c.run(&org1, &[], revoke(g1)));
    assert_eq!(c.grant_status(&g1), "revoked");
    fails(c.run(&org1, &[], revoke(g1)), F::WrongState);
    let g2 = c.grant_with(asset, &org1, &org3, |_| {}).unwrap().unwrap();
    applies(c.run(&org3, &[], revoke(g2)));
    let g3 = c.grant_with(asset, &org1, &org3, |_| {}).unwrap().unwrap();
    applies(c.run(&reg, &[], revoke(g3)));
    fails(c.usage(&org3, g3, |_| {}), F::GrantInactive);
}

#[test]
fn usage_must_fit_the_grant() {
    let mut c = Chain::new();
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let asset = c.asset(&org1, 1);
    let g = c
        .grant_with(asset, &org1, &org3, |g| {
            g.recipient_systems = vec!["lab-cluster".into()]
        })
        .unwrap()
        .unwrap();
    fails(c.usage(&org1, g, |_| {}), F::NotGrantee);
    fails(
        c.usage(&org3, g, |u| u.action = pb::Action::Query as i32),
        F::ActionNotGranted,
    );
    fails(
        c.usage(&org3, g, |u| u.purpose = "ai-training".into()),
        F::PurposeNotGranted,
    );
    fails(
        c.usage(&org3, g, |u| u.jurisdiction = "SG".into()),
        F::JurisdictionNotGranted,
    );
    fails(
        c.usage(&org3, g, |u| u.recipient_system = "elsewhere".into()),
        F::RecipientNotGranted,
    );
    applies(c.usage(&org3, g, |u| u.recipient_system = "lab-cluster".into()));
    assert_eq!(c.ledger.queries().grant(&g, None).unwrap().unwrap().uses, 1);
}

#[test]
fn max_uses_exhausts_a_grant_and_time_expires_it() {
    let mut c = Chain::new();
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let asset = c.asset(&org1, 1);
    let g = c
        .grant_with(asset, &org1, &org3, |g| g.max_uses = 2)
        .unwrap()
        .unwrap();
    applies(c.usage(&org3, g, |_| {}));
    applies(c.usage(&org3, g, |_| {}));
    assert_eq!(c.grant_status(&g), "exhausted");
    fails(c.usage(&org3, g, |_| {}), F::UsesExhausted);
    let now = c.now;
    let short = c
        .grant_with(asset, &org1, &org3, |g| g.not_after_ms = now + 5_000)
        .unwrap()
        .unwrap();
    c.now += 10_000;
    assert_eq!(c.grant_status(&short), "expired");
    fails(c.usage(&org3, short, |_| {}), F::GrantInactive);
    let later = c
        .grant_with(asset, &org1, &org3, |g| g.not_before_ms = now + 30 * DAY)
        .unwrap()
        .unwrap();
    fails(c.usage(&org3, later, |_| {}), F::GrantInactive);
}

#[test]
fn grants_come_a_page_at_a_time_in_id_order() {
    let mut c = Chain::new();
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let asset = c.asset(&org1, 1);
    let mut ids: Vec<_> = (0..5)
        .map(|i| {
            applies(c.grant_with(asset, &org1, &org3, |g| {
                g.policy_doc_hash = vec![i; 32];
            }))
            .unwrap()
        })
        .collect();
    ids.sort();
    let q = c.ledger.queries();
    let page = |after: Option<shuquan_proto::Hash32>, limit| -> Vec<shuquan_proto::Hash32> {
        q.grants(
            shuquan_ledger::GrantsOf::Asset(&asset),
            None,
            shuquan_ledger::Page { after, limit },
        )
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect()
    };
    let first = page(None, 2);
    assert_eq!(first, ids[..2]);
    let second = page(first.last().copied(), 2);
    assert_eq!(second, ids[2..4]);
    assert_eq!(page(second.last().copied(), 2), ids[4..]);
    assert!(page(ids.last().copied(), 2).is_empty());
    // A page is never larger than the most a page may hold.
    assert_eq!(page(None, usize::MAX).len(), 5);
    // Grants to the grantee, the same way.
    let to = q
        .grants(
            shuquan_ledger::GrantsOf::Grantee(&party(&org3)),
            None,
            shuquan_ledger::Page::first(3),
        )
        .unwrap();
    assert_eq!(to.len(), 3);
}

#[test]
fn a_grant_view_names_its_parties_and_shows_its_times_in_the_chain_zone() {
    let mut c = Chain::new();
    assert_eq!(c.ledger.params().unwrap().law_utc_offset_minutes, 480);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let asset = c.asset(&org1, 1);
    // 2028-01-01T00:00:00+08:00, with 123 ms.
    let until = 1_830_268_800_123;
    let g = applies(c.grant_with(asset, &org1, &org3, |g| g.not_after_ms = until)).unwrap();
    let q = c.ledger.queries();
    let view = serde_json::to_value(q.grant(&g, None).unwrap().unwrap()).unwrap();
    assert_eq!(
        view["grantee"],
        serde_json::json!({"member": "org3", "id": party_hex(&org3)})
    );
    assert_eq!(
        view["grantor"],
        serde_json::json!({"member": "org1", "id": party_hex(&org1)})
    );
    assert_eq!(view["not_after_ms"], until);
    assert_eq!(view["not_after"], "2028-01-01T00:00:00.123+08:00");
    assert_eq!(view["not_before_ms"], 0);
    assert!(view["not_before"].is_null(), "0 is no time: {view}");
    assert!(
        view["status_at"].as_str().unwrap().ends_with("+08:00"),
        "{view}"
    );
    // The signer's key names its member; a key or member id the chain lacks names none.
    let history = serde_json::to_value(q.history(&asset).unwrap()).unwrap();
    assert_eq!(
        history[0]["signer"],
        serde_json::json!({"member": "org1", "key": org1.public().to_hex()})
    );
    let d = q.directory().unwrap();
    let stranger = d.key(c.outsider.public().as_bytes());
    assert_eq!(
        (stranger.member, stranger.key),
        (None, c.outsider.public().to_hex())
    );
    assert_eq!(
        serde_json::to_value(d.member(&[7; 32])).unwrap(),
        serde_json::json!({"member": null, "id": "07".repeat(32)})
    );
}
