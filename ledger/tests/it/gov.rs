//! Governance: identities that keep their rights across key rotation, and the council's
//! proposals and votes (admit, suspend, reinstate, remove, revoke a key, change a
//! parameter, change the council). The harness genesis runs no node, so its council is
//! every member (org1, org2, org3, regulator, auditor): more than two thirds is 4 of 5.

use prost::Message;
use shuquan_proto::audit::verify_bundle;
use shuquan_proto::codes::FailureCode as F;
use shuquan_proto::pb::{self, propose::Action, tx_body::Payload};
use shuquan_proto::{Hash32, Keypair};

use crate::harness::*;

fn propose(c: &mut Chain, by: &Keypair, action: Action) -> Out {
    let by = by.clone();
    c.run(
        &by,
        &[],
        Payload::Propose(pb::Propose {
            action: Some(action),
        }),
    )
}

fn vote(c: &mut Chain, by: &Keypair, proposal: Hash32, approve: bool) -> Out {
    let by = by.clone();
    c.run(
        &by,
        &[],
        Payload::Vote(pb::Vote {
            proposal: proposal.to_vec(),
            approve,
        }),
    )
}

/// Proposes `action` by org1 and votes yes with org2, org3 and the regulator: 4 of 5.
fn pass(c: &mut Chain, action: Action) -> Hash32 {
    let (org1, org2, org3, reg) = (
        c.org1.clone(),
        c.org2.clone(),
        c.org3.clone(),
        c.regulator.clone(),
    );
    let p = applies(propose(c, &org1, action)).unwrap();
    for k in [&org2, &org3] {
        applies(vote(c, k, p, true));
        assert_eq!(status(c, p), "open");
    }
    applies(vote(c, &reg, p, true));
    p
}

fn status(c: &Chain, p: Hash32) -> String {
    c.ledger.queries().proposal(&p).unwrap().unwrap().status
}

fn admit(id: &str, k: &Keypair) -> Action {
    Action::AdmitMember(pb::AdmitMember {
        id: id.into(),
        name: format!("{id} institution"),
        org_code: String::new(),
        jurisdiction: "CN".into(),
        roles: vec![pb::Role::Member as i32],
        account_keys: vec![k.public().to_vec()],
        is_ciio: false,
    })
}

fn register(c: &mut Chain, k: &Keypair, seed: u8) -> Out {
    let k = k.clone();
    c.run(&k, &[], Payload::RegisterAsset(register_payload(seed)))
}

#[test]
fn a_member_admitted_by_quorum_registers_and_not_before() {
    let mut c = Chain::new();
    let org5 = key(40);
    fails(register(&mut c, &org5, 1), F::UnknownSigner);
    let p = pass(&mut c, admit("org5", &org5));
    let view = c.ledger.queries().proposal(&p).unwrap().unwrap();
    assert_eq!(
        (view.status.as_str(), view.yes, view.no, view.voters),
        ("executed", 4, 0, 5)
    );
    assert_eq!(
        view.decided_height,
        Some(c.ledger.applied().unwrap().height)
    );
    let a = applies(register(&mut c, &org5, 1)).unwrap();
    let rec = c.ledger.queries().asset(&a).unwrap().unwrap();
    assert_eq!(rec.holders.operate, hex::encode(mid("org5")));
    let m = c.ledger.queries().member("org5").unwrap().unwrap();
    assert_eq!(
        (m.status.as_str(), m.member_id),
        ("active", hex::encode(mid("org5")))
    );
}

#[test]
fn three_yes_of_five_do_not_pass_and_a_blocking_third_rejects() {
    let mut c = Chain::new();
    let (org1, org2, org3, reg) = (
        c.org1.clone(),
        c.org2.clone(),
        c.org3.clone(),
        c.regulator.clone(),
    );
    let p = applies(propose(&mut c, &org1, admit("org5", &key(40)))).unwrap();
    applies(vote(&mut c, &org2, p, true));
    applies(vote(&mut c, &org3, p, false));
    assert_eq!(
        status(&c, p),
        "open",
        "3 yes possible of 5 is not more than 2/3 yet"
    );
    applies(vote(&mut c, &reg, p, false));
    assert_eq!(status(&c, p), "rejected");
    let auditor = c.auditor.clone();
    fails(vote(&mut c, &auditor, p, true), F::ProposalClosed);
    fails(register(&mut c, &key(40), 1), F::UnknownSigner);
}

#[test]
fn each_member_votes_once_and_only_the_council_votes() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let p = applies(propose(&mut c, &org1, admit("org5", &key(40)))).unwrap();
    fails(vote(&mut c, &org1, p, true), F::AlreadyVoted);
    applies(vote(&mut c, &org2, p, true));
    fails(vote(&mut c, &org2, p, false), F::AlreadyVoted);
    fails(
        vote(&mut c, &org2, Hash32([7; 32]), true),
        F::UnknownProposal,
    );
    // A council of org1, org2 and org3 only: the regulator no longer proposes.
    pass(
        &mut c,
        Action::SetCouncil(pb::Council {
            members: vec![mid("org1"), mid("org2"), mid("org3")],
            threshold_num: 1,
            threshold_den: 2,
            voting_period_ms: DAY,
        }),
    );
    let reg = c.regulator.clone();
    fails(
        propose(&mut c, &reg, admit("org6", &key(41))),
        F::NotCouncil,
    );
    // More than half of three: org1 and org2 decide.
    let q = applies(propose(&mut c, &org1, admit("org6", &key(41)))).unwrap();
    applies(vote(&mut c, &org2, q, true));
    assert_eq!(status(&c, q), "executed");
    assert_eq!(
        c.ledger.queries().council().unwrap().members,
        ["org1", "org2", "org3"]
    );
}

#[test]
fn an_expired_proposal_changes_nothing() {
    let mut c = Chain::new();
    let (org1, org2, org3, reg) = (
        c.org1.clone(),
        c.org2.clone(),
        c.org3.clone(),
        c.regulator.clone(),
    );
    let p = applies(propose(&mut c, &org1, admit("org5", &key(40)))).unwrap();
    applies(vote(&mut c, &org2, p, true));
    applies(vote(&mut c, &org3, p, true));
    c.now += 7 * DAY;
    assert_eq!(
        status(&c, p),
        "open",
        "read at the last block's time, still open"
    );
    fails(vote(&mut c, &reg, p, true), F::ProposalClosed);
    assert_eq!(status(&c, p), "expired");
    assert!(c.ledger.queries().member("org5").unwrap().is_none());
    fails(register(&mut c, &key(40), 1), F::UnknownSigner);
    assert!(c.ledger.queries().proposals(true, 10).unwrap().is_empty());
    assert_eq!(c.ledger.queries().proposals(false, 10).unwrap().len(), 1);
}

#[test]
fn a_rotated_key_is_refused_from_its_block_on_and_the_rights_stay_with_the_member() {
    let mut c = Chain::new();
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let a = c.asset(&org1, 1);
    let new = key(41);
    // The new key must cosign: proof that the member holds it.
    fails(
        c.run(
            &org1,
            &[],
            Payload::RotateKey(pb::RotateKey {
                new_key: new.public().to_vec(),
            }),
        ),
        F::MissingSignature,
    );
    // A key of another member is no new key.
    fails(
        c.run(
            &org1,
            &[&org3],
            Payload::RotateKey(pb::RotateKey {
                new_key: org3.public().to_vec(),
            }),
        ),
        F::KeyInUse,
    );
    let rotate = c.tx(
        &org1,
        &[&new],
        Payload::RotateKey(pb::RotateKey {
            new_key: new.public().to_vec(),
        }),
    );
    // In the same block, after the rotation, the old key signs nothing.
    let late = c.tx(&org1, &[], Payload::RegisterAsset(register_payload(2)));
    let b = c.block(vec![rotate, late]);
    assert_eq!(b.receipts[0].code, 0, "{:?}", b.receipts[0]);
    let (code, msg) = Chain::outcome(&b.receipts[1]).unwrap_err();
    assert_eq!(code, F::UnknownSigner);
    assert!(msg.contains("rotated out or revoked"), "{msg}");
    // The member still holds every right, and moves one with its new key.
    applies(c.transfer(&new, a, pb::Right::Use, &org3, &[]));
    let v = c.ledger.queries().asset(&a).unwrap().unwrap();
    assert_eq!(
        (v.holders.hold, v.holders.use_),
        (party_hex(&org1), party_hex(&org3))
    );
    let m = c.ledger.queries().member("org1").unwrap().unwrap();
    assert_eq!(m.account_keys, [new.public().to_hex()]);
    assert_eq!(m.former_keys, [org1.public().to_hex()]);
    // The old key still names the member (its history stays attributable), and can never
    // come back.
    assert_eq!(
        c.ledger
            .queries()
            .member(&org1.public().to_hex())
            .unwrap()
            .unwrap()
            .id,
        "org1"
    );
    fails(
        c.run(
            &new,
            &[&org1],
            Payload::RotateKey(pb::RotateKey {
                new_key: org1.public().to_vec(),
            }),
        ),
        F::KeyInUse,
    );
}

#[test]
fn the_council_revokes_a_stolen_key_and_its_replacement_signs() {
    let mut c = Chain::new();
    let org2 = c.org2.clone();
    let replacement = key(42);
    // The last key goes only with a replacement.
    let org1 = c.org1.clone();
    fails(
        propose(
            &mut c,
            &org1,
            Action::RevokeKey(pb::RevokeKey {
                member: mid("org2"),
                key: org2.public().to_vec(),
                replacement_key: vec![],
            }),
        ),
        F::ActionRefused,
    );
    pass(
        &mut c,
        Action::RevokeKey(pb::RevokeKey {
            member: mid("org2"),
            key: org2.public().to_vec(),
            replacement_key: replacement.public().to_vec(),
        }),
    );
    fails(register(&mut c, &org2, 1), F::UnknownSigner);
    let a = applies(c.register_with(&replacement, 1, |r| r.jurisdiction = "VN".into())).unwrap();
    assert_eq!(
        c.ledger.queries().asset(&a).unwrap().unwrap().holders.hold,
        party_hex(&org2)
    );
}

#[test]
fn a_proposal_whose_action_no_longer_fits_fails_when_it_passes_and_changes_nothing() {
    let mut c = Chain::new();
    let (org1, org2, org3, reg) = (
        c.org1.clone(),
        c.org2.clone(),
        c.org3.clone(),
        c.regulator.clone(),
    );
    // Two proposals to admit org5, with different keys; the second passes last.
    let first = applies(propose(&mut c, &org1, admit("org5", &key(40)))).unwrap();
    let second = applies(propose(&mut c, &org2, admit("org5", &key(43)))).unwrap();
    for k in [&org2, &org3, &reg] {
        applies(vote(&mut c, k, first, true));
    }
    for k in [&org1, &org3, &reg] {
        applies(vote(&mut c, k, second, true));
    }
    let view = c.ledger.queries().proposal(&second).unwrap().unwrap();
    assert_eq!(view.status, "failed");
    assert!(view.failure.unwrap().contains("exists already"));
    fails(register(&mut c, &key(43), 1), F::UnknownSigner);
    applies(register(&mut c, &key(40), 1));
    // Proposing it again is refused at once.
    fails(
        propose(&mut c, &org1, admit("org5", &key(44))),
        F::ActionRefused,
    );
}

#[test]
fn a_suspended_member_signs_nothing_until_reinstated_and_a_removed_one_never() {
    let mut c = Chain::new();
    let org5 = key(40);
    pass(&mut c, admit("org5", &org5));
    let set = |status: pb::MemberStatus| {
        Action::SetMemberStatus(pb::SetMemberStatus {
            member: mid("org5"),
            status: status as i32,
        })
    };
    pass(&mut c, set(pb::MemberStatus::Suspended));
    fails(register(&mut c, &org5, 1), F::UnknownSigner);
    let org1 = c.org1.clone();
    fails(
        propose(&mut c, &org1, set(pb::MemberStatus::Suspended)),
        F::ActionRefused,
    );
    pass(&mut c, set(pb::MemberStatus::Active));
    applies(register(&mut c, &org5, 1));
    pass(&mut c, set(pb::MemberStatus::Removed));
    let (code, msg) = register(&mut c, &org5, 2).unwrap_err();
    assert_eq!(code, F::UnknownSigner);
    assert!(msg.contains("removed"), "{msg}");
    fails(
        propose(&mut c, &org1, set(pb::MemberStatus::Active)),
        F::ActionRefused,
    );
    // A council member is not suspended while it sits on the council.
    let council_member = Action::SetMemberStatus(pb::SetMemberStatus {
        member: mid("org2"),
        status: pb::MemberStatus::Suspended as i32,
    });
    fails(propose(&mut c, &org1, council_member), F::ActionRefused);
}

#[test]
fn a_parameter_changes_by_vote_from_the_next_block_and_only_to_a_value_a_genesis_accepts() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let a = c.asset(&org1, 1);
    let grant = |c: &mut Chain| {
        c.grant_with(a, &org1, &org2, |g| {
            g.purposes = vec!["river-monitoring".into()];
            g.jurisdictions = vec!["CN".into(), "VN".into()];
        })
    };
    fails(grant(&mut c), F::UnknownPurpose);
    let mut purposes = c.ledger.params().unwrap().purposes;
    purposes.push("river-monitoring".into());
    pass(
        &mut c,
        Action::SetParam(pb::SetParam {
            name: "purposes".into(),
            value: 0,
            words: purposes,
        }),
    );
    applies(grant(&mut c));
    let bad = Action::SetParam(pb::SetParam {
        name: "max_block_txs".into(),
        value: 0,
        words: vec![],
    });
    fails(propose(&mut c, &org1, bad), F::ActionRefused);
    let frozen = Payload::Propose(pb::Propose {
        action: Some(Action::SetParam(pb::SetParam {
            name: "max_tx_bytes".into(),
            value: 10_000,
            words: vec![],
        })),
    });
    fails(c.run(&org1, &[], frozen), F::InvalidField);
}

#[test]
fn an_audit_bundle_proves_title_across_a_key_rotation() {
    let mut c = Chain::with_genesis(genesis_with_nodes());
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let a = c.asset(&org1, 1);
    let new = key(41);
    applies(c.run(
        &org1,
        &[&new],
        Payload::RotateKey(pb::RotateKey {
            new_key: new.public().to_vec(),
        }),
    ));
    applies(c.transfer(&new, a, pb::Right::Operate, &org3, &[]));
    c.certify(&[1, 2]);
    let height = c.ledger.applied().unwrap().height;
    let bytes = c
        .ledger
        .bundles()
        .audit_bundle(&a, height, false)
        .unwrap()
        .unwrap();
    let r = verify_bundle(&bytes, c.ledger.genesis()).unwrap();
    assert_eq!(r.events.len(), 2);
    assert_eq!(
        (r.holders.hold, r.holders.operate),
        (party_hex(&org1), party_hex(&org3))
    );
    // A bundle whose record names another registrant does not verify.
    let mut b = pb::AuditBundle::decode(&bytes[..]).unwrap();
    let proof = b.record.as_mut().unwrap();
    let mut rec = pb::AssetRecord::decode(&proof.value[..]).unwrap();
    rec.registrant = mid("org2");
    proof.value = rec.encode_to_vec();
    assert!(verify_bundle(&b.encode_to_vec(), c.ledger.genesis()).is_err());
}
