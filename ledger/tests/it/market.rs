//! The market's rules (docs/MARKET.md): access requests by sharing class, approvals with
//! no second signature, listings, orders and their acceptance under the rules of direct
//! transfers and grants (frozen assets, export), racing orders for one right, settlement,
//! expiry and cancellation, and vouchers proven offline.

use prost::Message;
use shuquan_proto::audit::verify_bundle;
use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::hash::Hashing;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::Hash32;

use crate::harness::*;
use crate::market_harness::*;

/// A chain with nodes (for certified bundles) and an asset of org1 in `sharing` class.
fn scene(sharing: pb::SharingClass) -> (Chain, Hash32) {
    let mut c = Chain::with_genesis(genesis_with_nodes());
    let org1 = c.org1.clone();
    let a = applies(c.register_with(&org1, 1, |r| r.sharing = sharing as i32)).unwrap();
    (c, a)
}

fn request_view(c: &Chain, r: Hash32) -> shuquan_proto::views::RequestView {
    c.ledger.queries().request(&r).unwrap().unwrap()
}

#[test]
fn a_conditional_request_waits_for_the_operate_holder_whose_approval_issues_the_grant() {
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let raw = c.tx(
        &org3,
        &[],
        Payload::RequestAccess(pb::RequestAccess {
            expires_ms: c.now + 30 * DAY,
            ..request_terms(a)
        }),
    );
    let tx_id = shuquan_proto::tx::decode_tx(&raw, &c.chain, 1 << 20)
        .unwrap()
        .id;
    let b = c.block(vec![raw]);
    let r = applies(Chain::outcome(&b.receipts[0])).unwrap();
    assert_eq!(
        r,
        Hashing::BLAKE3.request_id(CHAIN, &tx_id),
        "a waiting request's receipt names it"
    );
    let v = request_view(&c, r);
    assert_eq!(
        (v.status.as_str(), v.addressee.id.clone()),
        ("open", party_hex(&org1))
    );
    // Only the Operate holder answers.
    fails(c.answer(&org2, r, true, 0), F::NotParty);
    fails(c.answer(&org3, r, true, 0), F::NotParty);
    let g = applies(c.answer(&org1, r, true, 0)).unwrap();
    assert_eq!(c.grant_status(&g), "active");
    let grant = c.ledger.queries().grant(&g, None).unwrap().unwrap();
    assert_eq!(grant.grantee.id, party_hex(&org3));
    let v = request_view(&c, r);
    assert_eq!(v.status, "granted");
    assert_eq!(v.grant, Some(g.to_hex()));
    assert_eq!(
        v.answer_ms,
        Some(3000),
        "answered three blocks (1 s each) later"
    );
    // The grantee uses it; the request is closed.
    applies(c.usage(&org3, g, |_| {}));
    fails(c.answer(&org1, r, false, 1), F::MarketClosed);
    // Answer times are public.
    let times = c.ledger.queries().answer_times().unwrap();
    let t = times
        .iter()
        .find(|t| t.member.id == party_hex(&org1))
        .unwrap();
    assert_eq!(
        (t.received, t.answered, t.median_answer_ms),
        (1, 1, Some(3000))
    );
    // Requests addressed to org1.
    let to = c
        .ledger
        .queries()
        .requests(
            shuquan_ledger::RequestsOf::To(&party(&org1)),
            Default::default(),
        )
        .unwrap();
    assert_eq!(to.len(), 1);
}

#[test]
fn an_unconditional_request_within_the_catalogue_terms_is_granted_in_its_own_block() {
    let (mut c, a) = scene(pb::SharingClass::Unconditional);
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let raw = c.tx(
        &org3,
        &[],
        Payload::RequestAccess(pb::RequestAccess {
            expires_ms: c.now + 30 * DAY,
            ..request_terms(a)
        }),
    );
    let tx_id = shuquan_proto::tx::decode_tx(&raw, &c.chain, 1 << 20)
        .unwrap()
        .id;
    let b = c.block(vec![raw]);
    let g = applies(Chain::outcome(&b.receipts[0])).unwrap();
    assert_eq!(
        g,
        Hashing::BLAKE3.grant_id(CHAIN, &tx_id),
        "the receipt names the grant"
    );
    assert_eq!(c.grant_status(&g), "active");
    let v = request_view(&c, Hashing::BLAKE3.request_id(CHAIN, &tx_id));
    assert!(v.automatic && v.status == "granted", "{v:?}");
    // Abroad (org2 is in VN) is beyond the catalogue's terms: it waits for the holder, and
    // the approved grant waits for the regulator.
    let r = applies(c.request(
        &org2,
        pb::RequestAccess {
            jurisdictions: vec!["CN".into(), "VN".into()],
            ..request_terms(a)
        },
    ))
    .unwrap();
    assert_eq!(request_view(&c, r).status, "open");
    let g2 = applies(c.answer(&org1, r, true, 0)).unwrap();
    assert_eq!(c.grant_status(&g2), "pending-export");
    // A request that names no place of the requester is refused at once.
    fails(
        c.request(&org2, request_terms(a)),
        F::GranteeJurisdictionNotNamed,
    );
    // Nor may the holder request its own asset.
    fails(c.request(&org1, request_terms(a)), F::OwnOffer);
}

#[test]
fn a_not_shared_asset_refuses_requests_and_licences_but_its_rights_may_be_listed() {
    let (mut c, a) = scene(pb::SharingClass::NotShared);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    fails(c.request(&org3, request_terms(a)), F::NotShared);
    let lic = listing_terms(
        a,
        pb::Right::Use,
        Some(licence(&["CN"])),
        100,
        pb::PriceUnit::OneOff,
    );
    fails(c.list(&org1, lic), F::NotShared);
    let right = listing_terms(a, pb::Right::Use, None, 100, pb::PriceUnit::OneOff);
    applies(c.list(&org1, right));
}

#[test]
fn requests_are_declined_with_a_code_cancelled_by_their_maker_and_lapse_at_expiry() {
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let r1 = applies(c.request(&org3, request_terms(a))).unwrap();
    let declined = pb::DeclineReason::ScopeTooBroad as i32;
    applies(c.answer(&org1, r1, false, declined));
    let v = request_view(&c, r1);
    assert_eq!(
        (v.status.as_str(), v.reason.as_deref()),
        ("declined", Some("scope-too-broad"))
    );
    let r2 = applies(c.request(&org3, request_terms(a))).unwrap();
    fails(c.cancel(&org1, r2), F::NotParty);
    applies(c.cancel(&org3, r2));
    fails(c.answer(&org1, r2, true, 0), F::MarketClosed);
    let r3 = applies(c.request(
        &org3,
        pb::RequestAccess {
            expires_ms: c.now + 1500,
            ..request_terms(a)
        },
    ))
    .unwrap();
    c.now += 2000;
    assert_eq!(
        request_view(&c, r3).status,
        "open",
        "read at the last block's time"
    );
    fails(c.answer(&org1, r3, true, 0), F::MarketClosed);
    assert_eq!(request_view(&c, r3).status, "expired");
    // It gave org1 less than a day: its lapse does not count against org1.
    let times = c.ledger.queries().answer_times().unwrap();
    assert_eq!(times[0].expired, 0, "{times:?}");
    // An expiry past the longest grant term, or already past, is refused.
    let far = c.now + 10_000 * DAY;
    fails(
        c.request(
            &org3,
            pb::RequestAccess {
                expires_ms: far,
                ..request_terms(a)
            },
        ),
        F::MarketClosed,
    );
}

/// org1 lists a licence of `a` at 50.00 CNY per use; org3 orders `uses` uses.
fn licence_order(c: &mut Chain, a: Hash32, uses: u64) -> (Hash32, Hash32) {
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let l = applies(c.list(
        &org1,
        listing_terms(
            a,
            pb::Right::Use,
            Some(licence(&["CN"])),
            5000,
            pb::PriceUnit::PerUse,
        ),
    ))
    .unwrap();
    let o = applies(c.order(&org3, l, uses)).unwrap();
    (l, o)
}

#[test]
fn an_accepted_licence_order_issues_the_grant_and_the_voucher_and_settles_off_chain() {
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let (l, o) = licence_order(&mut c, a, 3);
    let q = c.ledger.queries();
    let ov = q.order(&o).unwrap().unwrap();
    assert_eq!(
        (ov.status.as_str(), ov.total.as_str()),
        ("placed", "150.00 CNY")
    );
    fails(c.accept(&org3, o), F::NotParty);
    let g = applies(c.accept(&org1, o)).unwrap();
    let grant = c.ledger.queries().grant(&g, None).unwrap().unwrap();
    assert_eq!(
        (
            grant.grantee.id.clone(),
            grant.max_uses,
            grant.status.clone()
        ),
        (party_hex(&org3), 3, "active".to_string())
    );
    let ov = c.ledger.queries().order(&o).unwrap().unwrap();
    assert_eq!(ov.status, "accepted");
    let number = ov.voucher.clone().unwrap();
    assert_eq!(number, "SQ-V-2026-000001");
    let v = c.ledger.queries().voucher(&number).unwrap().unwrap();
    assert_eq!(
        (v.buyer.id.clone(), v.seller.id.clone(), v.offer.as_str()),
        (party_hex(&org3), party_hex(&org1), "licence")
    );
    assert_eq!(
        (v.quantity, v.total.as_str(), v.grant.clone()),
        (3, "150.00 CNY", Some(g.to_hex()))
    );
    assert_eq!(v.order, o);
    assert_eq!(v.listing, l);
    assert!(!v.registration.is_empty(), "names the registration number");
    // The order is done: no second acceptance.
    fails(c.accept(&org1, o), F::MarketClosed);
    // Settlement: the seller confirms payment (needs a reference), the buyer delivery.
    fails(
        c.confirm(&org1, o, pb::ConfirmKind::Payment, vec![]),
        F::WrongState,
    );
    fails(
        c.confirm(&org1, o, pb::ConfirmKind::Delivery, vec![]),
        F::NotParty,
    );
    applies(c.confirm(&org1, o, pb::ConfirmKind::Payment, vec![7; 32]));
    fails(
        c.confirm(&org1, o, pb::ConfirmKind::Payment, vec![7; 32]),
        F::WrongState,
    );
    applies(c.confirm(&org3, o, pb::ConfirmKind::Delivery, vec![]));
    assert_eq!(
        c.ledger.queries().order(&o).unwrap().unwrap().status,
        "settled"
    );
    // A dispute by a stranger is refused; by a party it is recorded for the regulator.
    let dispute = |o: Hash32| {
        Payload::Dispute(pb::Dispute {
            order: o.to_vec(),
            evidence_hash: vec![9; 32],
        })
    };
    fails(c.run(&org2, &[], dispute(o)), F::NotParty);
    applies(c.run(&org3, &[], dispute(o)));
    assert_eq!(
        c.ledger
            .queries()
            .prices(&Default::default())
            .unwrap()
            .count,
        0,
        "a disputed trade's price is left out"
    );
    let ov = c.ledger.queries().order(&o).unwrap().unwrap();
    assert_eq!(
        (ov.status.as_str(), ov.disputed_by.clone().map(|m| m.id)),
        ("disputed", Some(party_hex(&org3)))
    );
    // The uses bought are the uses granted.
    for _ in 0..3 {
        applies(c.usage(&org3, g, |_| {}));
    }
    fails(c.usage(&org3, g, |_| {}), F::UsesExhausted);
}

#[test]
fn an_order_on_an_asset_frozen_meanwhile_is_refused_and_so_is_its_acceptance() {
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let (l, o) = licence_order(&mut c, a, 1);
    applies(c.freeze(a, true));
    fails(c.order(&org3, l, 1), F::Frozen);
    fails(c.accept(&org1, o), F::Frozen);
    applies(c.freeze(a, false));
    applies(c.accept(&org1, o));
}

#[test]
fn an_order_that_exports_important_data_is_pending_export_and_a_right_needs_an_approval() {
    let mut c = Chain::with_genesis(genesis_with_nodes());
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let a = applies(c.register_with(&org1, 1, |r| r.grade = pb::Grade::Important as i32)).unwrap();
    let l = applies(c.list(
        &org1,
        listing_terms(
            a,
            pb::Right::Use,
            Some(licence(&["CN", "VN"])),
            100_000,
            pb::PriceUnit::OneOff,
        ),
    ))
    .unwrap();
    let o = applies(c.order(&org2, l, 1)).unwrap();
    let g = applies(c.accept(&org1, o)).unwrap();
    assert_eq!(
        c.grant_status(&g),
        "pending-export",
        "not active until a regulator decides"
    );
    fails(
        c.usage(&org2, g, |u| u.jurisdiction = "VN".into()),
        F::GrantInactive,
    );
    // A licence that does not name the buyer's place cannot be ordered by it.
    let cn = applies(c.list(
        &org1,
        listing_terms(
            a,
            pb::Right::Use,
            Some(licence(&["CN"])),
            100,
            pb::PriceUnit::OneOff,
        ),
    ))
    .unwrap();
    fails(c.order(&org2, cn, 1), F::OrderMismatch);
    // The Use right of important data sold abroad needs an approved filing naming it.
    let r = applies(c.list(
        &org1,
        listing_terms(a, pb::Right::Use, None, 900_000, pb::PriceUnit::OneOff),
    ))
    .unwrap();
    let o = applies(c.order(&org2, r, 1)).unwrap();
    fails(c.accept(&org1, o), F::ExportNotApproved);
    assert_eq!(c.holders(&a).1, party_hex(&org1));
}

#[test]
fn two_orders_racing_for_one_right_one_wins_and_the_other_changes_nothing() {
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    // A second CN buyer: the auditor has no member role, so org3 and a CN member of its own.
    let l = applies(c.list(
        &org1,
        listing_terms(a, pb::Right::Operate, None, 120_000, pb::PriceUnit::OneOff),
    ))
    .unwrap();
    let o3 = applies(c.order(&org3, l, 1)).unwrap();
    let org2 = c.org2.clone();
    let o2 = applies(c.order(&org2, l, 1)).unwrap();
    // The seller accepts both in one block: the first wins.
    let t1 = c.tx(
        &org1,
        &[],
        Payload::AcceptOrder(pb::AcceptOrder { order: o3.to_vec() }),
    );
    let t2 = c.tx(
        &org1,
        &[],
        Payload::AcceptOrder(pb::AcceptOrder { order: o2.to_vec() }),
    );
    let b = c.block(vec![t1, t2]);
    applies(Chain::outcome(&b.receipts[0]));
    fails(Chain::outcome(&b.receipts[1]), F::MarketClosed);
    assert_eq!(c.holders(&a).0, party_hex(&org3));
    let q = c.ledger.queries();
    assert_eq!(q.listing(&l).unwrap().unwrap().status, "sold");
    assert_eq!(q.order(&o2).unwrap().unwrap().status, "listing-closed");
    assert_eq!(q.vouchers(None, 1000).unwrap().len(), 1, "one voucher");
    // The new Operate holder, not the old, answers for the asset now.
    fails(
        c.list(
            &org1,
            listing_terms(a, pb::Right::Operate, None, 1, pb::PriceUnit::OneOff),
        ),
        F::ListingTerms,
    );
}

#[test]
fn cancelled_and_expired_listings_and_orders_change_nothing() {
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let (l, o) = licence_order(&mut c, a, 1);
    fails(c.cancel(&org3, l), F::NotParty);
    applies(c.cancel(&org1, l));
    fails(c.order(&org3, l, 1), F::MarketClosed);
    fails(c.accept(&org1, o), F::MarketClosed);
    // An order cancelled by its buyer, and one that lapsed.
    let (_, o2) = licence_order(&mut c, a, 1);
    applies(c.cancel(&org3, o2));
    fails(c.accept(&org1, o2), F::MarketClosed);
    let (l3, _) = licence_order(&mut c, a, 1);
    let p = pb::PlaceOrder {
        listing: l3.to_vec(),
        buyer: party(&org3),
        quantity: 1,
        payment_ref_hash: vec![],
        expires_ms: c.now + 1500,
    };
    let o3 = applies(c.run(&org3, &[], Payload::PlaceOrder(p))).unwrap();
    c.now += 2000;
    fails(c.accept(&org1, o3), F::MarketClosed);
    assert_eq!(
        c.ledger.queries().order(&o3).unwrap().unwrap().status,
        "expired"
    );
    assert!(c.ledger.queries().vouchers(None, 1000).unwrap().is_empty());
    assert_eq!(
        c.ledger
            .queries()
            .grants(
                shuquan_ledger::GrantsOf::Asset(&a),
                None,
                Default::default()
            )
            .unwrap()
            .len(),
        0
    );
    // Ordering one's own listing, or for another member, is refused.
    fails(c.order(&org1, l3, 1), F::OwnOffer);
    let p = pb::PlaceOrder {
        listing: l3.to_vec(),
        buyer: party(&org1),
        quantity: 1,
        payment_ref_hash: vec![],
        expires_ms: c.now + DAY,
    };
    fails(c.run(&org3, &[], Payload::PlaceOrder(p)), F::NotParty);
    fails(c.order(&org3, l3, 0), F::InvalidField);
}

#[test]
fn prices_of_completed_trades_by_sector_kind_and_time() {
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let org1 = c.org1.clone();
    for (uses, _) in [(1, 0), (2, 0), (4, 0)] {
        let (_, o) = licence_order(&mut c, a, uses);
        applies(c.accept(&org1, o));
    }
    let q = c.ledger.queries();
    let all = q.prices(&Default::default()).unwrap();
    assert_eq!(all.count, 3);
    assert_eq!(all.groups.len(), 1);
    let g = &all.groups[0];
    assert_eq!(
        (
            g.unit.as_str(),
            g.currency.as_str(),
            g.median_minor,
            g.min_minor,
            g.max_minor
        ),
        ("per-use", "CNY", 5000, 5000, 5000)
    );
    let none = q
        .prices(&shuquan_ledger::PriceFilter {
            sector: Some("health".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(none.count, 0);
    let later = q
        .prices(&shuquan_ledger::PriceFilter {
            since_ms: Some(c.now),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(later.count, 0);
    let lic = q
        .prices(&shuquan_ledger::PriceFilter {
            kind: Some("licence".into()),
            sector: Some("transport".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(lic.count, 3);
}

#[test]
fn a_voucher_is_proven_offline_by_the_asset_bundle_and_cannot_be_hidden_or_forged() {
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let l = applies(c.list(
        &org1,
        listing_terms(a, pb::Right::Use, None, 120_000, pb::PriceUnit::OneOff),
    ))
    .unwrap();
    let o = applies(c.order(&org3, l, 1)).unwrap();
    applies(c.accept(&org1, o));
    let r = applies(c.request(&org3, request_terms(a))).unwrap();
    applies(c.answer(&org1, r, true, 0));
    c.certify(&[1, 2]);
    let height = c.ledger.applied().unwrap().height;
    let bytes = c
        .ledger
        .bundles()
        .audit_bundle(&a, height, false)
        .unwrap()
        .unwrap();
    let report = verify_bundle(&bytes, c.ledger.genesis()).unwrap();
    assert_eq!(report.vouchers.len(), 1);
    assert_eq!(report.vouchers[0].number, "SQ-V-2026-000001");
    assert_eq!(
        report.holders.use_,
        party_hex(&org3),
        "the title follows the accepted order"
    );
    assert_eq!(
        report.grants.len(),
        1,
        "the approved request's grant is proven"
    );
    let kinds: Vec<&str> = report.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "register_asset",
            "create_listing",
            "place_order",
            "accept_order",
            "request_access",
            "answer_request"
        ]
    );
    // Hidden: the verifier wants the voucher.
    let mut b = pb::AuditBundle::decode(&bytes[..]).unwrap();
    let proof = b.vouchers.pop().unwrap();
    let e = verify_bundle(&b.encode_to_vec(), c.ledger.genesis())
        .unwrap_err()
        .to_string();
    assert!(e.contains("has no voucher proof"), "{e}");
    // Forged: a changed price does not verify against the state root.
    let mut v = pb::VoucherRecord::decode(&proof.value[..]).unwrap();
    v.total = Some(pb::Price {
        amount_minor: 1,
        currency: "CNY".into(),
    });
    b.vouchers.push(pb::StateProof {
        value: v.encode_to_vec(),
        ..proof.clone()
    });
    assert!(verify_bundle(&b.encode_to_vec(), c.ledger.genesis()).is_err());
    // Twice: refused.
    b.vouchers = vec![proof.clone(), proof];
    assert!(verify_bundle(&b.encode_to_vec(), c.ledger.genesis()).is_err());
}

#[test]
fn a_snapshot_carries_the_market_and_its_indexes() {
    use shuquan_ledger::{ListingsOf, OrdersOf, RequestsOf};
    let (mut src, a) = scene(pb::SharingClass::Conditional);
    let (org1, org2, org3) = (src.org1.clone(), src.org2.clone(), src.org3.clone());
    let r = applies(src.request(&org3, request_terms(a))).unwrap();
    applies(src.request(
        &org2,
        pb::RequestAccess {
            jurisdictions: vec!["VN".into()],
            ..request_terms(a)
        },
    ));
    applies(src.answer(&org1, r, true, 0));
    let (_, o) = licence_order(&mut src, a, 2);
    applies(src.accept(&org1, o));
    let l = applies(src.list(
        &org1,
        listing_terms(a, pb::Right::Hold, None, 1_000_000, pb::PriceUnit::OneOff),
    ))
    .unwrap();
    let o2 = applies(src.order(&org3, l, 1)).unwrap();
    applies(src.accept(&org1, o2));
    let (_, open) = licence_order(&mut src, a, 1);
    src.certify(&[1, 2]);
    let top = src.ledger.applied().unwrap();
    let dst = Chain::with_genesis(genesis_with_nodes());
    let mut snap = Vec::new();
    src.ledger.snapshots().export_state(&mut snap).unwrap();
    dst.ledger
        .snapshots()
        .install_state(&mut std::io::Cursor::new(&snap), b"m")
        .unwrap();
    while let Some(gap) = dst.ledger.gap().unwrap() {
        let count = (gap.hi - gap.lo + 1).min(4);
        let blocks = src.ledger.blocks_for_sync(gap.hi, count, 1 << 20).unwrap();
        assert_eq!(dst.ledger.fill_gap(&blocks).unwrap(), Ok(count));
    }
    assert_eq!(
        dst.ledger
            .snapshots()
            .first_difference(&src.ledger)
            .unwrap(),
        None
    );
    assert_eq!(
        dst.ledger.snapshots().digest().unwrap(),
        src.ledger.snapshots().digest().unwrap()
    );
    let (s, d) = (src.ledger.queries(), dst.ledger.queries());
    let holder = party(&org1);
    assert_eq!(
        s.requests(RequestsOf::To(&holder), Default::default())
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        d.requests(RequestsOf::To(&holder), Default::default())
            .unwrap(),
        s.requests(RequestsOf::To(&holder), Default::default())
            .unwrap()
    );
    assert_eq!(
        d.requests(RequestsOf::Asset(&a), Default::default())
            .unwrap(),
        s.requests(RequestsOf::Asset(&a), Default::default())
            .unwrap()
    );
    assert_eq!(
        d.listings(ListingsOf::Asset(&a), false, Default::default())
            .unwrap(),
        s.listings(ListingsOf::Asset(&a), false, Default::default())
            .unwrap()
    );
    let buyer = party(&org3);
    assert_eq!(
        s.orders(OrdersOf::Member(&buyer), Default::default())
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        d.orders(OrdersOf::Member(&buyer), Default::default())
            .unwrap(),
        s.orders(OrdersOf::Member(&buyer), Default::default())
            .unwrap()
    );
    assert_eq!(d.order(&open).unwrap(), s.order(&open).unwrap());
    // Who held what when: the sold Hold right is indexed from the accepted order on both.
    let h = top.height;
    let rights = s.rights_at(&a, h).unwrap().unwrap();
    assert_eq!(rights.holders.hold.id, hex::encode(&buyer));
    assert_eq!(d.rights_at(&a, h).unwrap(), Some(rights));
    assert_eq!(d.history(&a).unwrap(), s.history(&a).unwrap());
    assert_eq!(
        dst.ledger
            .bundles()
            .audit_bundle(&a, top.height, false)
            .unwrap(),
        src.ledger
            .bundles()
            .audit_bundle(&a, top.height, false)
            .unwrap()
    );
    // The next block applies alike: the open order is accepted on both.
    let next = src.tx(
        &org1,
        &[],
        Payload::AcceptOrder(pb::AcceptOrder {
            order: open.to_vec(),
        }),
    );
    let p = pb::Proposal {
        timestamp_ms: src.now,
        proposer: key(9).public().to_vec(),
        txs: vec![next],
    };
    let x = src.ledger.apply(&p, b"m").unwrap();
    let y = dst.ledger.apply(&p, b"m").unwrap();
    assert_eq!(x.receipts[0].code, 0);
    assert_eq!(x.hash, y.hash);
}

#[test]
fn the_hold_holder_alone_does_not_make_an_asset_shared_for_the_operate_holder() {
    let (mut c, a) = scene(pb::SharingClass::NotShared);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    applies(c.transfer(&org1, a, pb::Right::Hold, &org3, &[]));
    let amend = |sharing: pb::SharingClass| {
        Payload::Amend(pb::Amend {
            asset: a.to_vec(),
            kind: pb::AmendKind::Change as i32,
            change: Some(pb::AssetChange {
                sharing: sharing as i32,
                ..Default::default()
            }),
            evidence_hash: vec![],
        })
    };
    // Unconditional sharing would have the chain grant in org1's name at once.
    fails(
        c.run(&org3, &[], amend(pb::SharingClass::Unconditional)),
        F::MissingSignature,
    );
    fails(c.request(&org3, request_terms(a)), F::NotShared);
    // With the Operate holder's consent it changes.
    applies(c.run(&org3, &[&org1], amend(pb::SharingClass::Unconditional)));
    let g = applies(c.request(&org3, request_terms(a))).unwrap();
    assert_eq!(c.grant_status(&g), "active");
}

#[test]
fn an_order_or_request_signed_with_a_key_revoked_since_is_not_carried_out() {
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let l = applies(c.list(
        &org1,
        listing_terms(
            a,
            pb::Right::Operate,
            None,
            900_000_000,
            pb::PriceUnit::OneOff,
        ),
    ))
    .unwrap();
    let o = applies(c.order(&org3, l, 1)).unwrap();
    let r = applies(c.request(&org3, request_terms(a))).unwrap();
    // org3's key is stolen and rotated out: what it signed before no longer binds org3.
    let new = key(43);
    applies(c.run(
        &org3,
        &[&new],
        Payload::RotateKey(pb::RotateKey {
            new_key: new.public().to_vec(),
        }),
    ));
    fails(c.accept(&org1, o), F::MarketClosed);
    fails(c.answer(&org1, r, true, 0), F::MarketClosed);
    // A decline needs no consent of the requester.
    applies(c.answer(&org1, r, false, pb::DeclineReason::Other as i32));
    // Made anew with the key in force, it is carried out.
    let again = c.order_payload(&org3, l, 1);
    let o2 = applies(c.run(&new, &[], again)).unwrap();
    applies(c.accept(&org1, o2));
    assert_eq!(c.holders(&a).0, party_hex(&org3));
}

#[test]
fn open_requests_follow_the_operate_right_when_it_moves() {
    use shuquan_ledger::RequestsOf;
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let vn = || pb::RequestAccess {
        jurisdictions: vec!["VN".into()],
        ..request_terms(a)
    };
    let open = applies(c.request(&org2, vn())).unwrap();
    let answered = applies(c.request(&org2, vn())).unwrap();
    applies(c.answer(&org1, answered, false, pb::DeclineReason::Other as i32));
    applies(c.transfer(&org1, a, pb::Right::Operate, &org3, &[]));
    let q = c.ledger.queries();
    let to = |m: &shuquan_proto::Keypair| -> Vec<Hash32> {
        q.requests(RequestsOf::To(&party(m)), Default::default())
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(
        to(&org3),
        vec![open],
        "the open request is the new holder's"
    );
    assert_eq!(to(&org1), vec![answered], "what org1 answered stays org1's");
    fails(c.answer(&org1, open, true, 0), F::NotParty);
    let g = applies(c.answer(&org3, open, true, 0)).unwrap();
    assert_eq!(c.grant_status(&g), "pending-export");
}

#[test]
fn a_requester_that_comes_to_hold_the_operate_right_answers_none_of_its_own_requests() {
    let (mut c, a) = scene(pb::SharingClass::Conditional);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let r = applies(c.request(&org3, request_terms(a))).unwrap();
    let l = applies(c.list(
        &org1,
        listing_terms(a, pb::Right::Operate, None, 100, pb::PriceUnit::OneOff),
    ))
    .unwrap();
    let o = applies(c.order(&org3, l, 1)).unwrap();
    applies(c.accept(&org1, o));
    // Found by the market property test: org3 would grant itself, and pad its answer times.
    fails(c.answer(&org3, r, true, 0), F::OwnOffer);
    fails(
        c.answer(&org3, r, false, pb::DeclineReason::Other as i32),
        F::OwnOffer,
    );
    applies(c.cancel(&org3, r));
}
