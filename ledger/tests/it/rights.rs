//! `TransferRight`: holder, receiver's cosignature and status, export approval, history.

use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::Hash32;

use crate::harness::*;

fn transfer(asset: Hash32, right: pb::Right, to: &shuquan_proto::Keypair) -> Payload {
    Payload::TransferRight(pb::TransferRight {
        asset: asset.to_vec(),
        right: right as i32,
        to: party(to),
        price: Some(pb::Price {
            amount_minor: 120_000,
            currency: "CNY".into(),
        }),
        consideration_hash: vec![],
    })
}

#[test]
fn a_right_moves_alone_and_its_history_answers_who_held_it_when() {
    let mut c = Chain::new();
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let asset = c.asset(&org1, 1);
    let before = c.ledger.applied().unwrap().height;
    applies(c.run(&org1, &[&org3], transfer(asset, pb::Right::Use, &org3)));
    let view = c.ledger.queries().asset(&asset).unwrap().unwrap();
    assert_eq!(view.holders.use_.id, party_hex(&org3));
    assert_eq!(
        view.holders.hold.id,
        party_hex(&org1),
        "holding does not move with use"
    );
    let then = c
        .ledger
        .queries()
        .rights_at(&asset, before)
        .unwrap()
        .unwrap();
    assert_eq!(then.holders.use_.id, party_hex(&org1));
    let before_registration = c
        .ledger
        .queries()
        .rights_at(&asset, before - 1)
        .unwrap()
        .unwrap();
    assert_eq!(
        before_registration.holders.use_.id, "",
        "nobody held it before it was registered"
    );
    // The old holder no longer holds it.
    fails(
        c.run(&org1, &[&org3], transfer(asset, pb::Right::Use, &org3)),
        F::NotHolder,
    );
    assert_eq!(c.ledger.queries().history(&asset).unwrap().len(), 3);
}

#[test]
fn the_receiver_must_cosign_and_be_an_active_member() {
    let mut c = Chain::new();
    let (org1, org3, auditor) = (c.org1.clone(), c.org3.clone(), c.auditor.clone());
    let asset = c.asset(&org1, 1);
    fails(
        c.run(&org1, &[], transfer(asset, pb::Right::Hold, &org3)),
        F::MissingSignature,
    );
    fails(
        c.run(
            &org1,
            &[&auditor],
            transfer(asset, pb::Right::Hold, &auditor),
        ),
        F::ReceiverInactive,
    );
}

#[test]
fn important_data_abroad_needs_its_own_transfer_filing_and_spends_it() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let asset =
        applies(c.register_with(&org1, 1, |r| r.grade = pb::Grade::Important as i32)).unwrap();
    fails(
        c.run(&org1, &[&org2], transfer(asset, pb::Right::Use, &org2)),
        F::ExportNotApproved,
    );
    // A filing for another right does not cover this one.
    let hold = applies(c.file_transfer(&org1, asset, pb::Right::Hold, &org2, |_| {})).unwrap();
    let until = c.now + 30 * DAY;
    applies(c.decide(hold, pb::Decision::Approve, until));
    fails(
        c.run(&org1, &[&org2], transfer(asset, pb::Right::Use, &org2)),
        F::ExportNotApproved,
    );
    let filing = applies(c.file_transfer(&org1, asset, pb::Right::Use, &org2, |_| {})).unwrap();
    applies(c.decide(filing, pb::Decision::Approve, until));
    applies(c.run(&org1, &[&org2], transfer(asset, pb::Right::Use, &org2)));
    assert_eq!(
        c.ledger.queries().filing(&filing).unwrap().unwrap().status,
        "used"
    );
    // Back home needs no filing; abroad again needs a new one: an approval moves a right once.
    applies(c.run(&org2, &[&org1], transfer(asset, pb::Right::Use, &org1)));
    fails(
        c.run(&org1, &[&org2], transfer(asset, pb::Right::Use, &org2)),
        F::ExportNotApproved,
    );
}
