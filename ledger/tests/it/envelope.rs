//! G1–G4: encoding, signatures, roles, replay and time, checked at apply time.

use prost::Message;
use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::Unsigned;

use crate::harness::*;

#[test]
fn g1_wrong_chain_non_canonical_and_malformed_fail_in_the_block() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    // Wrong chain id.
    let body = pb::TxBody {
        chain_id: "other".into(),
        timestamp_ms: c.now,
        signer: org1.public().to_vec(),
        cosigners: vec![],
        payload: Some(Payload::RegisterAsset(register_payload(1))),
    };
    let mut tx = Unsigned::new(body, &c.chain);
    tx.sign(&org1).expect("signing");
    // Non-canonical: a valid transaction with an unknown field appended.
    let mut noncanon = c.tx(&org1, &[], Payload::RegisterAsset(register_payload(2)));
    noncanon.extend_from_slice(&[0x78, 0x01]); // field 15, varint 1
    let b = c.block(vec![tx.encode(), noncanon, vec![0xff, 0xff]]);
    fails(Chain::outcome(&b.receipts[0]), F::WrongChain);
    fails(Chain::outcome(&b.receipts[1]), F::NonCanonical);
    fails(Chain::outcome(&b.receipts[2]), F::Malformed);
    assert!(c
        .ledger
        .queries()
        .assets_by_fingerprint(&shuquan_proto::Hash32([1; 32]))
        .unwrap()
        .is_empty());
}

#[test]
fn g1_missing_payload_and_oversize_fail() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let body = pb::TxBody {
        chain_id: CHAIN.into(),
        timestamp_ms: c.now,
        signer: org1.public().to_vec(),
        cosigners: vec![],
        payload: None,
    };
    let mut tx = Unsigned::new(body, &c.chain);
    tx.sign(&org1).expect("signing");
    let mut big = register_payload(3);
    big.description = "x".repeat(70_000);
    let raw_big = c.tx(&org1, &[], Payload::RegisterAsset(big));
    let b = c.block(vec![tx.encode(), raw_big]);
    fails(Chain::outcome(&b.receipts[0]), F::UnknownPayload);
    fails(Chain::outcome(&b.receipts[1]), F::TooLarge);
}

#[test]
fn g2_signatures_must_be_valid_present_and_unique() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let good = c.tx(&org1, &[], Payload::RegisterAsset(register_payload(1)));
    // Bad signature: flip a bit of the signature bytes.
    let mut raw: pb::TxRaw = pb::TxRaw::decode(good.as_slice()).unwrap();
    raw.signatures[0].signature[5] ^= 1;
    let bad_sig = raw.encode_to_vec();
    // Missing signature.
    let mut raw2: pb::TxRaw = pb::TxRaw::decode(good.as_slice()).unwrap();
    raw2.signatures.clear();
    // Duplicated signature.
    let mut raw3: pb::TxRaw = pb::TxRaw::decode(good.as_slice()).unwrap();
    let s = raw3.signatures[0].clone();
    raw3.signatures.push(s);
    // Unexpected signature by a key that is not a signer.
    let mut extra = Unsigned::from_raw(&good, c.chain.genesis_hash, c.chain.hash).unwrap();
    extra.sign(&c.org2.clone()).expect("signing");
    let b = c.block(vec![
        bad_sig,
        raw2.encode_to_vec(),
        raw3.encode_to_vec(),
        extra.encode(),
    ]);
    fails(Chain::outcome(&b.receipts[0]), F::BadSignature);
    fails(Chain::outcome(&b.receipts[1]), F::MissingSignature);
    fails(Chain::outcome(&b.receipts[2]), F::DuplicateSignature);
    fails(Chain::outcome(&b.receipts[3]), F::UnexpectedSignature);
    // The good one still applies.
    applies(c.run(&org1, &[], Payload::RegisterAsset(register_payload(1))));
}

#[test]
fn g2_non_member_signer_and_cosigner_fail() {
    let mut c = Chain::new();
    let out = c.outsider.clone();
    fails(
        c.run(&out, &[], Payload::RegisterAsset(register_payload(1))),
        F::UnknownSigner,
    );
    let asset = c.asset(&c.org1.clone(), 2);
    let org1 = c.org1.clone();
    fails(
        c.run(
            &org1,
            &[&out],
            Payload::TransferRight(pb::TransferRight {
                asset: asset.to_vec(),
                right: pb::Right::Use as i32,
                to: party(&out),
                price: None,
                consideration_hash: vec![],
            }),
        ),
        F::UnknownSigner,
    );
}

#[test]
fn g3_roles_are_required() {
    let mut c = Chain::new();
    let (org1, auditor, regulator) = (c.org1.clone(), c.auditor.clone(), c.regulator.clone());
    let asset = c.asset(&org1, 1);
    fails(
        c.run(&auditor, &[], Payload::RegisterAsset(register_payload(2))),
        F::MissingRole,
    );
    fails(
        c.run(
            &org1,
            &[],
            Payload::Freeze(pb::Freeze {
                subject: asset.to_vec(),
                reason_hash: vec![1; 32],
            }),
        ),
        F::MissingRole,
    );
    let attest = pb::Attest {
        subject: asset.to_vec(),
        kind: pb::AttestKind::Quality as i32,
        result: pb::AttestResult::Pass as i32,
        report_hash: vec![2; 32],
        valid_until_ms: 0,
    };
    fails(
        c.run(&regulator, &[], Payload::Attest(attest.clone())),
        F::MissingRole,
    );
    applies(c.run(&auditor, &[], Payload::Attest(attest)));
}

#[test]
fn g4_replays_fail_in_later_blocks_and_within_a_block() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let raw = c.tx(&org1, &[], Payload::RegisterAsset(register_payload(1)));
    let b = c.block(vec![raw.clone(), raw.clone()]);
    applies(Chain::outcome(&b.receipts[0]));
    fails(Chain::outcome(&b.receipts[1]), F::Replay);
    let b2 = c.block(vec![raw]);
    fails(Chain::outcome(&b2.receipts[0]), F::Replay);
    // The committed record of the id is the first, successful one.
    let id = shuquan_proto::Hash32::from_slice(&b.receipts[0].tx_id).unwrap();
    assert_eq!(
        c.ledger.queries().receipt(&id).unwrap().unwrap().height,
        b.header.height
    );
}

/// Found by the chaos run: a block view looked receipts up by transaction id, so a replay
/// that failed in a later block showed the first, committed receipt, and one transaction
/// looked committed twice.
#[test]
fn block_view_shows_a_replays_own_failed_receipt() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let raw = c.tx(&org1, &[], Payload::RegisterAsset(register_payload(1)));
    let b1 = c.block(vec![raw.clone()]);
    let b2 = c.block(vec![raw]);
    let v1 = c.ledger.queries().block(b1.header.height).unwrap().unwrap();
    let v2 = c.ledger.queries().block(b2.header.height).unwrap().unwrap();
    assert_eq!(v1.txs[0].result, "committed");
    assert_eq!(
        (v2.txs[0].code, v2.txs[0].height),
        (F::Replay.number(), b2.header.height)
    );
    assert_ne!(v2.txs[0].result, "committed");
    assert_eq!(v1.txs[0].tx_id, v2.txs[0].tx_id);
}

#[test]
fn g4_timestamps_outside_the_window_fail() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    for (seed, offset) in [(1u8, -601_000i64), (2, 601_000)] {
        let ts = c.now.saturating_add_signed(offset);
        let body = pb::TxBody {
            chain_id: CHAIN.into(),
            timestamp_ms: ts,
            signer: org1.public().to_vec(),
            cosigners: vec![],
            payload: Some(Payload::RegisterAsset(register_payload(seed))),
        };
        let mut tx = Unsigned::new(body, &c.chain);
        tx.sign(&org1).expect("signing");
        // Two transactions on time hold the block's time (the median) where it belongs.
        let on_time = [10 + seed, 20 + seed]
            .map(|s| c.tx(&org1, &[], Payload::RegisterAsset(register_payload(s))));
        let b = c.block(vec![tx.encode(), on_time[0].clone(), on_time[1].clone()]);
        fails(Chain::outcome(&b.receipts[0]), F::StaleTimestamp);
        applies(Chain::outcome(&b.receipts[1]));
    }
}

#[test]
fn admission_refuses_a_timestamp_outside_the_window_of_the_nodes_clock() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let raw = c.tx(&org1, &[], Payload::RegisterAsset(register_payload(1)));
    assert!(c.ledger.admit(&raw, c.now).unwrap().is_ok());
    for off in [-601_000i64, 601_000] {
        let r = c
            .ledger
            .admit(&raw, c.now.saturating_add_signed(off))
            .unwrap();
        assert_eq!(r.map(|_| ()).map_err(|r| r.code), Err(F::StaleTimestamp));
    }
}

/// Finding 14: signatures bound the chain id but not the genesis, so two chains with the
/// same id accepted each other's transactions.
#[test]
fn a_transaction_signed_for_a_twin_chain_with_the_same_id_fails_its_signature() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let mut twin = c.chain.clone();
    twin.genesis_hash = shuquan_proto::Hash32([9; 32]);
    let raw = shuquan_proto::tx::sign_all(
        &twin,
        c.now,
        &org1,
        &[],
        Payload::RegisterAsset(register_payload(1)),
    )
    .expect("signing");
    assert_eq!(
        c.ledger
            .admit(&raw, c.now)
            .unwrap()
            .map(|_| ())
            .map_err(|r| r.code),
        Err(F::BadSignature)
    );
    let b = c.block(vec![raw]);
    fails(Chain::outcome(&b.receipts[0]), F::BadSignature);
}

#[test]
fn g5_unknown_references_fail() {
    let mut c = Chain::new();
    let (org1, org2, reg, aud) = (
        c.org1.clone(),
        c.org2.clone(),
        c.regulator.clone(),
        c.auditor.clone(),
    );
    let nothing = shuquan_proto::Hash32([9; 32]);
    fails(c.grant_with(nothing, &org1, &org2, |_| {}), F::UnknownAsset);
    fails(c.usage(&org2, nothing, |_| {}), F::UnknownGrant);
    fails(c.decide(nothing, pb::Decision::Reject, 0), F::UnknownFiling);
    fails(
        c.run(
            &reg,
            &[],
            Payload::Freeze(pb::Freeze {
                subject: nothing.to_vec(),
                reason_hash: vec![1; 32],
            }),
        ),
        F::UnknownSubject,
    );
    let attest = pb::Attest {
        subject: nothing.to_vec(),
        kind: 1,
        result: 1,
        report_hash: vec![2; 32],
        valid_until_ms: 0,
    };
    fails(c.run(&aud, &[], Payload::Attest(attest)), F::UnknownSubject);
}

#[test]
fn g6_a_frozen_asset_changes_only_by_unfreeze() {
    let mut c = Chain::new();
    let (org1, org3, reg) = (c.org1.clone(), c.org3.clone(), c.regulator.clone());
    let asset = c.asset(&org1, 1);
    let grant = c.grant_with(asset, &org1, &org3, |_| {}).unwrap().unwrap();
    applies(c.run(
        &reg,
        &[],
        Payload::Freeze(pb::Freeze {
            subject: asset.to_vec(),
            reason_hash: vec![1; 32],
        }),
    ));
    let transfer = pb::TransferRight {
        asset: asset.to_vec(),
        right: pb::Right::Use as i32,
        to: party(&org3),
        price: None,
        consideration_hash: vec![],
    };
    fails(
        c.run(&org1, &[&org3], Payload::TransferRight(transfer.clone())),
        F::Frozen,
    );
    fails(c.grant_with(asset, &org1, &org3, |_| {}), F::Frozen);
    fails(c.usage(&org3, grant, |_| {}), F::Frozen);
    let mut derived = register_payload(2);
    derived.derived_from = vec![asset.to_vec()];
    fails(
        c.run(&org1, &[], Payload::RegisterAsset(derived)),
        F::Frozen,
    );
    applies(c.run(
        &reg,
        &[],
        Payload::Unfreeze(pb::Unfreeze {
            subject: asset.to_vec(),
        }),
    ));
    applies(c.run(&org1, &[&org3], Payload::TransferRight(transfer)));
}

#[test]
fn signature_verdicts_do_not_depend_on_what_admission_saw() {
    // Node A admitted the good transaction (its signature checked there and remembered);
    // node B never saw either. Both apply the same block and must agree.
    let mut a = Chain::new();
    let mut b = Chain::new();
    let org1 = a.org1.clone();
    let good = a.tx(&org1, &[], Payload::RegisterAsset(register_payload(1)));
    let other = a.tx(&org1, &[], Payload::RegisterAsset(register_payload(2)));
    let mut raw: pb::TxRaw = pb::TxRaw::decode(other.as_slice()).unwrap();
    raw.signatures[0].signature[5] ^= 1;
    let bad = raw.encode_to_vec();
    assert!(a.ledger.admit(&good, a.now).unwrap().is_ok());
    assert!(a.ledger.admit(&bad, a.now).unwrap().is_err());
    let on_a = a.block(vec![good.clone(), bad.clone()]);
    let on_b = b.block(vec![good, bad]);
    assert_eq!(on_a.hash, on_b.hash);
    for blk in [&on_a, &on_b] {
        applies(Chain::outcome(&blk.receipts[0]));
        fails(Chain::outcome(&blk.receipts[1]), F::BadSignature);
    }
    // What admission remembers is the exact bytes, not the transaction id: A admitted a
    // transaction, and the block holds the same body with a broken signature.
    let third = a.tx(&org1, &[], Payload::RegisterAsset(register_payload(3)));
    assert!(a.ledger.admit(&third, a.now).unwrap().is_ok());
    let mut raw: pb::TxRaw = pb::TxRaw::decode(third.as_slice()).unwrap();
    raw.signatures[0].signature[9] ^= 1;
    let forged = raw.encode_to_vec();
    let (on_a, on_b) = (a.block(vec![forged.clone()]), b.block(vec![forged]));
    assert_eq!(on_a.hash, on_b.hash);
    fails(Chain::outcome(&on_a.receipts[0]), F::BadSignature);
}
