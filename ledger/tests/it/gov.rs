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
    assert_eq!(rec.holders.operate.id, hex::encode(mid("org5")));
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
        c.ledger
            .queries()
            .council()
            .unwrap()
            .members
            .iter()
            .map(|m| m.member.as_deref().unwrap_or("?"))
            .collect::<Vec<_>>(),
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
        (v.holders.hold.id, v.holders.use_.id),
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
        c.ledger
            .queries()
            .asset(&a)
            .unwrap()
            .unwrap()
            .holders
            .hold
            .id,
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

/// With [`genesis_with_nodes`] the council is org1, org2 and org3 (they run the nodes):
/// all three must vote yes.
fn pass_by_nodes(c: &mut Chain, action: Action) -> Hash32 {
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let p = applies(propose(c, &org1, action)).unwrap();
    applies(vote(c, &org2, p, true));
    applies(vote(c, &org3, p, true));
    assert_eq!(status(c, p), "executed");
    p
}

fn header(c: &Chain, h: u64) -> pb::BlockHeader {
    let bytes = c.ledger.bundles().raw_block(h).unwrap().unwrap().header;
    pb::BlockHeader::decode(&bytes[..]).unwrap()
}

fn node(action: fn(pb::ChangeNode) -> Action, n: u8) -> Action {
    action(pb::ChangeNode {
        node_key: key(n).public().to_vec(),
    })
}

#[test]
fn a_node_joins_as_learner_and_certifies_only_once_promoted() {
    let mut c = Chain::with_genesis(genesis_with_nodes());
    let add = Action::AddNode(pb::AddNode {
        node_key: key(30).public().to_vec(),
        cert_key: Vec::new(),
        addr: "/ip4/127.0.0.1/tcp/7105".into(),
        operator: mid("org1"),
    });
    pass_by_nodes(&mut c, add.clone());
    let h = c.ledger.applied().unwrap().height;
    let hd = header(&c, h);
    assert_eq!(
        hd.voters_hash, hd.next_voters_hash,
        "a learner changes no voter"
    );
    assert_eq!(c.ledger.certs().voters_at(h + 1).unwrap().len(), 3);
    assert_eq!(c.ledger.certs().nodes().unwrap().len(), 4);
    // A node key serves once; a promote needs a learner, a demote a voter.
    let org1 = c.org1.clone();
    fails(propose(&mut c, &org1, add), F::ActionRefused);
    fails(
        propose(&mut c, &org1, node(Action::DemoteNode, 30)),
        F::ActionRefused,
    );
    fails(
        propose(&mut c, &org1, node(Action::PromoteNode, 21)),
        F::ActionRefused,
    );

    pass_by_nodes(&mut c, node(Action::PromoteNode, 30));
    let h = c.ledger.applied().unwrap().height;
    let hd = header(&c, h);
    assert_ne!(
        hd.voters_hash, hd.next_voters_hash,
        "the promote block hands over"
    );
    assert_eq!(c.ledger.certs().voters_at(h).unwrap().len(), 3);
    assert_eq!(c.ledger.certs().voters_at(h + 1).unwrap().len(), 4);
    // The next block names the new set.
    c.asset(&org1, 9);
    assert_eq!(header(&c, h + 1).voters_hash, hd.next_voters_hash);

    pass_by_nodes(&mut c, node(Action::RemoveNode, 21));
    let h = c.ledger.applied().unwrap().height;
    let voters = c.ledger.certs().voters_at(h + 1).unwrap();
    assert_eq!(voters.len(), 3);
    assert!(!voters.contains(&key(21).public()));
    // Removed for good.
    let again = Action::AddNode(pb::AddNode {
        node_key: key(21).public().to_vec(),
        cert_key: Vec::new(),
        addr: "/ip4/127.0.0.1/tcp/7100".into(),
        operator: mid("org1"),
    });
    fails(propose(&mut c, &org1, again), F::ActionRefused);
}

/// An asset registered under the genesis voters and moved after a node joined, was
/// promoted and an original node left: its bundle verifies with the genesis alone, by
/// following the voter changes; a bundle that hides one, or whose change block is signed
/// by the new set, does not.
#[test]
fn an_audit_bundle_follows_the_voter_set_from_the_genesis() {
    let mut c = Chain::with_genesis(genesis_with_nodes());
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let a = c.asset(&org1, 1);
    pass_by_nodes(
        &mut c,
        Action::AddNode(pb::AddNode {
            node_key: key(30).public().to_vec(),
            cert_key: Vec::new(),
            addr: "/ip4/127.0.0.1/tcp/7105".into(),
            operator: mid("org3"),
        }),
    );
    pass_by_nodes(&mut c, node(Action::PromoteNode, 30));
    let promoted_at = c.ledger.applied().unwrap().height;
    pass_by_nodes(&mut c, node(Action::RemoveNode, 21));
    let removed_at = c.ledger.applied().unwrap().height;
    applies(c.transfer(&org1, a, pb::Right::Use, &org3, &[]));
    // Every node signs every block; a certificate keeps only the voters of its height.
    c.certify(&[1, 2, 3]);
    let chain = c.ledger.chain_id().to_string();
    let top = c.ledger.applied().unwrap().height;
    for h in 1..=top {
        let hash = c.ledger.certs().block_hash(h).unwrap().unwrap();
        let sig = shuquan_proto::cert::sign_block(
            &key(30),
            shuquan_proto::hash::Hashing::BLAKE3,
            &chain,
            h,
            &hash,
        )
        .expect("signing");
        c.ledger
            .certs()
            .store_signature(h, &key(30).public(), &sig.signature)
            .unwrap();
    }
    let bytes = c
        .ledger
        .bundles()
        .audit_bundle(&a, top, false)
        .unwrap()
        .unwrap();
    let b = pb::AuditBundle::decode(&bytes[..]).unwrap();
    assert_eq!(
        b.voter_changes
            .iter()
            .map(
                |v| pb::BlockHeader::decode(&v.header.as_ref().unwrap().header[..])
                    .unwrap()
                    .height
            )
            .collect::<Vec<_>>(),
        [promoted_at, removed_at]
    );
    let r = verify_bundle(&bytes, c.ledger.genesis()).unwrap();
    assert_eq!(r.holders.use_, party_hex(&org3));
    // The last event's block is certified without node 1, which left.
    let last = b.headers.last().unwrap().certificate.as_ref().unwrap();
    assert!(last
        .signatures
        .iter()
        .all(|s| s.node_key != key(21).public().to_vec()));

    let reason = |b: &pb::AuditBundle| {
        verify_bundle(&b.encode_to_vec(), c.ledger.genesis())
            .unwrap_err()
            .to_string()
    };
    // A hidden change shows: the event's block names voters the verifier never met.
    let mut hidden = b.clone();
    hidden.voter_changes.pop();
    assert!(
        reason(&hidden).contains("omits a change of the voter set"),
        "{}",
        reason(&hidden)
    );
    // A change block signed by the set it hands over to (node 30 and the others after the
    // change) but not a majority of the voters before it is refused.
    let mut by_new = b.clone();
    let change = by_new.voter_changes[0].header.as_mut().unwrap();
    let cert = change.certificate.as_mut().unwrap();
    cert.signatures
        .retain(|s| s.node_key == key(21).public().to_vec());
    let h = cert.height;
    let hash = c.ledger.certs().block_hash(h).unwrap().unwrap();
    cert.signatures.push(
        shuquan_proto::cert::sign_block(
            &key(30),
            shuquan_proto::hash::Hashing::BLAKE3,
            &chain,
            h,
            &hash,
        )
        .expect("signing"),
    );
    assert!(
        reason(&by_new).contains("not a voter node"),
        "{}",
        reason(&by_new)
    );
    // A change that lists other voters than its header hands over to is refused.
    let mut swapped = b.clone();
    swapped.voter_changes[1].voters.pop();
    assert!(
        reason(&swapped).contains("hands over to"),
        "{}",
        reason(&swapped)
    );
}

#[test]
fn a_genesis_learner_signs_but_certifies_nothing_until_promoted() {
    let mut g = genesis_with_nodes();
    g.members[2].node_learner = true;
    let mut c = Chain::with_genesis(g);
    let nodes = c.ledger.queries().nodes().unwrap();
    let roles: Vec<&str> = nodes.iter().map(|n| n.role.as_str()).collect();
    assert_eq!(roles, ["voter", "voter", "learner"]);
    assert_eq!(c.ledger.certs().voters_at(1).unwrap().len(), 2);
    let org1 = c.org1.clone();
    c.asset(&org1, 1);
    // Nodes 1 and 3 sign: 3 is a learner, so one voter of two is no majority.
    c.certify(&[1, 3]);
    assert!(!c.ledger.certs().is_certified(1).unwrap());
    c.certify(&[2]);
    assert!(c.ledger.certs().is_certified(1).unwrap());
    assert_eq!(
        c.ledger
            .certs()
            .certificate(1)
            .unwrap()
            .unwrap()
            .signatures
            .len(),
        2
    );
}

/// What the council may not do to itself or the chain: cut off a voter by suspending its
/// operator, promote a node whose operator is suspended, reuse a node key as an account
/// key, let a member voted off the council keep voting, or pass anything with a single vote.
#[test]
fn the_council_cannot_halt_the_chain_or_reuse_keys() {
    let mut c = Chain::with_genesis(genesis_with_nodes());
    let (org1, org2, org3) = (c.org1.clone(), c.org2.clone(), c.org3.clone());
    let add = |n: u8| {
        Action::AddNode(pb::AddNode {
            node_key: key(n).public().to_vec(),
            cert_key: Vec::new(),
            addr: "/ip4/127.0.0.1/tcp/7105".into(),
            operator: mid("auditor"),
        })
    };
    let status = |s: pb::MemberStatus| {
        Action::SetMemberStatus(pb::SetMemberStatus {
            member: mid("auditor"),
            status: s as i32,
        })
    };
    pass_by_nodes(&mut c, add(30));
    // A learner's operator may be suspended; the learner is then not promoted.
    pass_by_nodes(&mut c, status(pb::MemberStatus::Suspended));
    fails(
        propose(&mut c, &org1, node(Action::PromoteNode, 30)),
        F::ActionRefused,
    );
    pass_by_nodes(&mut c, status(pb::MemberStatus::Active));
    pass_by_nodes(&mut c, node(Action::PromoteNode, 30));
    // Now it votes: its operator is not suspended or removed while it does.
    let (_, msg) = propose(&mut c, &org1, status(pb::MemberStatus::Suspended)).unwrap_err();
    assert!(msg.contains("runs voter node"), "{msg}");
    // A node key is no account key.
    fails(
        propose(&mut c, &org1, admit("org9", &key(30))),
        F::ActionRefused,
    );
    let (code, _) = propose(&mut c, &org1, admit("org9", &node_key(1))).unwrap_err();
    assert_eq!(code, F::ActionRefused);
    // A single vote never decides.
    let lone = Action::SetCouncil(pb::Council {
        members: vec![mid("org1"), mid("org2"), mid("org3")],
        threshold_num: 0,
        threshold_den: 3,
        voting_period_ms: DAY,
    });
    fails(propose(&mut c, &org1, lone), F::ActionRefused);
    // org3 leaves the council while a proposal is open: it no longer votes on it.
    let open = applies(propose(&mut c, &org1, admit("org9", &key(44)))).unwrap();
    pass_by_nodes(
        &mut c,
        Action::SetCouncil(pb::Council {
            members: vec![mid("org1"), mid("org2")],
            threshold_num: 1,
            threshold_den: 2,
            voting_period_ms: DAY,
        }),
    );
    fails(vote(&mut c, &org3, open, true), F::NotCouncil);
    // It was made to the council of three: two of three yes is not more than two thirds,
    // and the third may vote no more, so it stays open until it expires.
    applies(vote(&mut c, &org2, open, true));
    assert_eq!(status_of(&c, open), "open");
}

fn status_of(c: &Chain, p: Hash32) -> String {
    c.ledger.queries().proposal(&p).unwrap().unwrap().status
}

/// A node that joins by a state snapshot after the voters changed (its own state is the
/// genesis's) checks the snapshot's certificate against the voters it follows from the
/// genesis through the changes the snapshot carries; a snapshot that hides them is refused.
#[test]
fn a_state_snapshot_after_a_voter_change_is_checked_through_the_changes_it_carries() {
    use std::io::Cursor;
    let mut c = Chain::with_genesis(genesis_with_nodes());
    let org1 = c.org1.clone();
    pass_by_nodes(
        &mut c,
        Action::AddNode(pb::AddNode {
            node_key: key(30).public().to_vec(),
            cert_key: Vec::new(),
            addr: "/ip4/127.0.0.1/tcp/7105".into(),
            operator: mid("org1"),
        }),
    );
    pass_by_nodes(&mut c, node(Action::PromoteNode, 30));
    c.asset(&org1, 3);
    c.certify(&[1, 2, 3]);
    let mut snap = Vec::new();
    c.ledger.snapshots().export_state(&mut snap).unwrap();

    let fresh = Chain::with_genesis(genesis_with_nodes());
    fresh
        .ledger
        .snapshots()
        .install_state(&mut Cursor::new(&snap), b"m")
        .unwrap();
    assert_eq!(
        fresh.ledger.applied().unwrap().height,
        c.ledger.applied().unwrap().height
    );

    // The same snapshot without its voter changes: the certified block names voters the
    // genesis does not lead to.
    let magic = shuquan_ledger::STATE_SNAPSHOT_MAGIC.len();
    let len = u32::from_be_bytes(snap[magic..magic + 4].try_into().unwrap()) as usize;
    let mut head = pb::SnapshotHead::decode(&snap[magic + 4..magic + 4 + len]).unwrap();
    assert_eq!(head.voter_changes.len(), 1);
    head.voter_changes.clear();
    let head = head.encode_to_vec();
    let mut forged = snap[..magic].to_vec();
    forged.extend_from_slice(&(head.len() as u32).to_be_bytes());
    forged.extend_from_slice(&head);
    forged.extend_from_slice(&snap[magic + 4 + len..snap.len() - 4]);
    let crc = crc32fast::hash(&forged);
    forged.extend_from_slice(&crc.to_be_bytes());
    let other = Chain::with_genesis(genesis_with_nodes());
    let err = other
        .ledger
        .snapshots()
        .install_state(&mut Cursor::new(&forged), b"m")
        .unwrap_err()
        .to_string();
    assert!(err.contains("voter"), "{err}");
    assert_eq!(other.ledger.applied().unwrap().height, 0);
}

/// On an SM chain a node joins with an ed25519 node key and an SM2 certificate key of its
/// own, and its certificate key (not its node key) is what votes once it is promoted; a
/// member moves from an ed25519 key to an SM2 one by rotation.
#[test]
fn on_an_sm_chain_nodes_join_with_sm2_certificate_keys_and_members_rotate_across_schemes() {
    let mut c = Chain::with_genesis(genesis_sm_with_nodes());
    let org1 = c.org1.clone();
    let add = |node: &Keypair, cert: Option<&Keypair>| {
        Action::AddNode(pb::AddNode {
            node_key: node.public().to_vec(),
            cert_key: cert.map(|k| k.public().to_vec()).unwrap_or_default(),
            addr: "/ip4/127.0.0.1/tcp/7105".into(),
            operator: mid("org1"),
        })
    };
    let refused = |c: &mut Chain, action: Action, says: &str| {
        let (code, msg) = propose(c, &org1, action).unwrap_err();
        assert_eq!(code, F::ActionRefused, "{msg}");
        assert!(msg.contains(says), "{msg:?} does not say {says:?}");
    };
    refused(&mut c, add(&key(30), None), "needs an SM2 cert_key");
    refused(
        &mut c,
        add(&key(30), Some(&key(31))),
        "certifies blocks with SM2",
    );
    refused(
        &mut c,
        add(&sm_key(30), Some(&sm_key(31))),
        "a node key is ed25519",
    );
    refused(&mut c, add(&key(30), Some(&cert_key(1))), "serves once");

    pass_by_nodes(&mut c, add(&key(30), Some(&sm_key(31))));
    pass_by_nodes(&mut c, node(Action::PromoteNode, 30));
    let h = c.ledger.applied().unwrap().height;
    let voters = c.ledger.certs().voters_at(h + 1).unwrap();
    assert_eq!(voters.len(), 4);
    assert!(voters.contains(&sm_key(31).public()));
    assert!(!voters.contains(&key(30).public()));
    let nodes = c.ledger.certs().nodes().unwrap();
    assert_eq!(nodes.get(&sm_key(31).public()), Some(&key(30).public()));

    // A node's certificate key is no member's new key.
    let org2 = c.org2.clone();
    let (code, _) = c
        .run(
            &org2,
            &[&cert_key(2)],
            Payload::RotateKey(pb::RotateKey {
                new_key: cert_key(2).public().to_vec(),
            }),
        )
        .unwrap_err();
    assert_eq!(code, F::ActionRefused);
    // org2 signs with ed25519 and rotates to an SM2 key, which then signs.
    let new = sm_key(52);
    applies(c.run(
        &org2,
        &[&new],
        Payload::RotateKey(pb::RotateKey {
            new_key: new.public().to_vec(),
        }),
    ));
    applies(c.run(
        &new,
        &[],
        Payload::RegisterAsset(pb::RegisterAsset {
            jurisdiction: "VN".into(),
            ..register_payload(7)
        }),
    ));
    let (code, _) = c
        .run(&org2, &[], Payload::RegisterAsset(register_payload(8)))
        .unwrap_err();
    assert_eq!(code, F::UnknownSigner);
}
