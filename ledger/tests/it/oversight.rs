//! `Attest`, `Freeze`, `Unfreeze`.

use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb::{self, tx_body::Payload};

use crate::harness::*;

#[test]
fn a_newer_attestation_supersedes_the_older() {
    let mut c = Chain::new();
    let (org1, aud) = (c.org1.clone(), c.auditor.clone());
    let asset = c.asset(&org1, 1);
    let attest = |r: u8| {
        Payload::Attest(pb::Attest {
            subject: asset.to_vec(),
            kind: pb::AttestKind::Valuation as i32,
            result: pb::AttestResult::Info as i32,
            report_hash: vec![r; 32],
            valid_until_ms: 0,
        })
    };
    let a1 = applies(c.run(&aud, &[], attest(1))).unwrap();
    let a2 = applies(c.run(&aud, &[], attest(2))).unwrap();
    assert_eq!(
        c.ledger
            .queries()
            .attestation(&a1)
            .unwrap()
            .unwrap()
            .superseded_by,
        Some(a2.to_hex())
    );
    assert_eq!(
        c.ledger
            .queries()
            .attestation(&a2)
            .unwrap()
            .unwrap()
            .superseded_by,
        None
    );
}

#[test]
fn freezing_twice_or_unfreezing_what_is_not_frozen_fails() {
    let mut c = Chain::new();
    let (org1, org3, reg) = (c.org1.clone(), c.org3.clone(), c.regulator.clone());
    let asset = c.asset(&org1, 1);
    let grant = c.grant_with(asset, &org1, &org3, |_| {}).unwrap().unwrap();
    let freeze = |s: &shuquan_proto::Hash32| {
        Payload::Freeze(pb::Freeze {
            subject: s.to_vec(),
            reason_hash: vec![3; 32],
        })
    };
    let unfreeze = |s: &shuquan_proto::Hash32| {
        Payload::Unfreeze(pb::Unfreeze {
            subject: s.to_vec(),
        })
    };
    fails(c.run(&reg, &[], unfreeze(&grant)), F::WrongState);
    applies(c.run(&reg, &[], freeze(&grant)));
    fails(c.run(&reg, &[], freeze(&grant)), F::WrongState);
    fails(c.usage(&org3, grant, |_| {}), F::Frozen);
    applies(c.run(&reg, &[], unfreeze(&grant)));
    applies(c.usage(&org3, grant, |_| {}));
}
