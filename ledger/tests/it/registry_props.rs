//! Property test of registration against hostile members: random sequences of
//! applications, reviews, evidence, withdrawals, objections, decisions, later applications,
//! transfers and the passing of time, signed by anyone (org1 and org3 in CN, org2 in VN,
//! the registrar), one block each. After every block:
//!
//! 1. a right moved only on an asset whose registration was in force before the block, or
//!    that the block's start certified;
//! 2. an asset holds a certificate exactly when it was certified (registered, changed,
//!    renewed, cancelled, expired), and registration numbers are unique;
//! 3. a rejected or withdrawn asset claims no fingerprint; every fingerprint claimed by an
//!    asset belongs to a live registration or application of it;
//! 4. an asset in notice has its notice end in the future or an objection open, or the
//!    block that ends it is still to come (the queue never loses one).
//!
//! At the end, a node that installs the chain's state snapshot applies the next block
//! exactly as the chain does.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use proptest::prelude::*;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::{Hash32, Keypair};

use crate::harness::*;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Register,
    Accept,
    Reject,
    AskEvidence,
    Supply,
    Withdraw,
    Object,
    Uphold,
    Dismiss,
    Change,
    Renew,
    Cancel,
    TransferHold,
    TransferUse,
    Wait,
}

#[derive(Clone, Copy, Debug)]
struct Op {
    /// Signed by whom the rules expect (the registrar, the applicant or holder), or by
    /// `who` blindly, as a hostile member would.
    faithful: bool,
    kind: Kind,
    /// Which asset or objection (modulo how many exist), which signer, which seed.
    a: u8,
    who: u8,
    seed: u8,
}

fn op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![
        3 => Just(Kind::Register),
        3 => Just(Kind::Accept),
        1 => Just(Kind::Reject),
        1 => Just(Kind::AskEvidence),
        1 => Just(Kind::Supply),
        1 => Just(Kind::Withdraw),
        2 => Just(Kind::Object),
        1 => Just(Kind::Uphold),
        1 => Just(Kind::Dismiss),
        1 => Just(Kind::Change),
        1 => Just(Kind::Renew),
        1 => Just(Kind::Cancel),
        2 => Just(Kind::TransferHold),
        1 => Just(Kind::TransferUse),
        3 => Just(Kind::Wait),
    ];
    (
        prop::bool::weighted(0.75),
        kind,
        any::<u8>(),
        0u8..4,
        0u8..6,
    )
        .prop_map(|(faithful, kind, a, who, seed)| Op {
            faithful,
            kind,
            a,
            who,
            seed,
        })
}

struct World {
    c: Chain,
    assets: Vec<Hash32>,
    objections: Vec<Hash32>,
}

impl World {
    fn signer(&self, who: u8) -> Keypair {
        match who {
            0 => self.c.org1.clone(),
            1 => self.c.org2.clone(),
            2 => self.c.org3.clone(),
            _ => self.c.registry.clone(),
        }
    }

    fn pick(&self, a: u8) -> Option<Hash32> {
        (!self.assets.is_empty()).then(|| self.assets[usize::from(a) % self.assets.len()])
    }

    /// The member key whose member id is `member` (hex), among org1..org3.
    fn key_of(&self, member: &str) -> Option<Keypair> {
        (0..3)
            .map(|w| self.signer(w))
            .find(|k| party_hex(k) == member)
    }

    /// Who the rules expect to sign `kind` on `asset`.
    fn rightful(&self, kind: Kind, asset: Option<Hash32>, who: u8) -> Keypair {
        let view = asset.and_then(|a| self.c.ledger.queries().asset(&a).unwrap());
        match kind {
            Kind::Accept | Kind::Reject | Kind::AskEvidence | Kind::Uphold | Kind::Dismiss => {
                self.c.registry.clone()
            }
            Kind::Supply | Kind::Withdraw => view
                .and_then(|v| v.application)
                .and_then(|app| self.key_of(&app.applicant.id))
                .unwrap_or_else(|| self.signer(who)),
            Kind::Change | Kind::Renew | Kind::Cancel | Kind::TransferHold | Kind::TransferUse => {
                view.and_then(|v| self.key_of(&v.holders.hold.id))
                    .unwrap_or_else(|| self.signer(who))
            }
            _ => self.signer(who % 3),
        }
    }

    fn run(&mut self, op: Op) {
        let signer = if op.faithful {
            self.rightful(op.kind, self.pick(op.a), op.who)
        } else {
            self.signer(op.who)
        };
        let review = |asset: Hash32, d: pb::ReviewDecision, r: pb::ReviewReason| {
            Payload::Review(pb::Review {
                asset: asset.to_vec(),
                decision: d as i32,
                reason: r as i32,
            })
        };
        let amend = |asset: Hash32, kind: pb::AmendKind, change: Option<pb::AssetChange>| {
            Payload::Amend(pb::Amend {
                asset: asset.to_vec(),
                kind: kind as i32,
                change,
                evidence_hash: vec![],
            })
        };
        let payload = match (op.kind, self.pick(op.a)) {
            (Kind::Wait, _) => {
                self.c.now += NOTICE / 2;
                self.c.block(vec![]);
                return;
            }
            (Kind::Register, _) => {
                let mut p = register_payload(op.seed);
                if op.who == 1 {
                    p.jurisdiction = "VN".into();
                }
                Payload::RegisterAsset(p)
            }
            (_, None) => return,
            (Kind::Accept, Some(a)) => {
                review(a, pb::ReviewDecision::Accept, pb::ReviewReason::Unspecified)
            }
            (Kind::Reject, Some(a)) => {
                review(a, pb::ReviewDecision::Reject, pb::ReviewReason::Duplicate)
            }
            (Kind::AskEvidence, Some(a)) => review(
                a,
                pb::ReviewDecision::RequestEvidence,
                pb::ReviewReason::Incomplete,
            ),
            (Kind::Supply, Some(a)) => Payload::SupplyEvidence(pb::SupplyEvidence {
                asset: a.to_vec(),
                evidence_hash: vec![op.seed; 32],
            }),
            (Kind::Withdraw, Some(a)) => Payload::Withdraw(pb::Withdraw { asset: a.to_vec() }),
            (Kind::Object, Some(a)) => Payload::Object(pb::Object {
                asset: a.to_vec(),
                reason: pb::ObjectionReason::Ownership as i32,
                evidence_hash: vec![9; 32],
            }),
            (Kind::Uphold | Kind::Dismiss, _) if self.objections.is_empty() => return,
            (Kind::Uphold | Kind::Dismiss, _) => Payload::DecideObjection(pb::DecideObjection {
                objection: self.objections[usize::from(op.a) % self.objections.len()].to_vec(),
                uphold: matches!(op.kind, Kind::Uphold),
            }),
            (Kind::Change, Some(a)) => amend(
                a,
                pb::AmendKind::Change,
                Some(pb::AssetChange {
                    fingerprint: vec![op.seed; 32],
                    size_bytes: 10,
                    ..Default::default()
                }),
            ),
            (Kind::Renew, Some(a)) => amend(a, pb::AmendKind::Renewal, None),
            (Kind::Cancel, Some(a)) => amend(a, pb::AmendKind::Cancellation, None),
            (Kind::TransferHold | Kind::TransferUse, Some(a)) => {
                let to = self.signer((op.who + 1) % 3);
                let right = if matches!(op.kind, Kind::TransferHold) {
                    pb::Right::Hold
                } else {
                    pb::Right::Use
                };
                let raw = self.c.tx(
                    &signer,
                    &[&to],
                    Payload::TransferRight(pb::TransferRight {
                        asset: a.to_vec(),
                        right: right as i32,
                        to: party(&to),
                        price: None,
                        consideration_hash: vec![],
                    }),
                );
                self.c.block(vec![raw]);
                return;
            }
        };
        let kind = op.kind;
        if let Ok(Some(id)) = self.c.run(&signer, &[], payload) {
            match kind {
                Kind::Register => self.assets.push(id),
                Kind::Object => self.objections.push(id),
                _ => {}
            }
        }
    }

    /// Each asset's status word, holders and fingerprint claims now.
    fn snapshot(&self) -> BTreeMap<Hash32, (String, (String, String, String))> {
        let q = self.c.ledger.queries();
        self.assets
            .iter()
            .map(|a| {
                let v = q.asset(a).unwrap().unwrap();
                let h = v.holders;
                (*a, (v.status, (h.hold.id, h.use_.id, h.operate.id)))
            })
            .collect()
    }
}

fn in_force(status: &str) -> bool {
    matches!(status, "registered" | "changed" | "renewed")
}

fn check(w: &World, before: &BTreeMap<Hash32, (String, (String, String, String))>) {
    let q = w.c.ledger.queries();
    let applied = w.c.ledger.applied().unwrap();
    let now = applied.timestamp_ms;
    let mut numbers = BTreeSet::new();
    for a in &w.assets {
        let v = q.asset(a).unwrap().unwrap();
        // 1. Rights moved only on a registration in force.
        if let Some((status, holders)) = before.get(a) {
            let h = &v.holders;
            if holders != &(h.hold.id.clone(), h.use_.id.clone(), h.operate.id.clone()) {
                // In force before the block, or certified by this block's start (its notice
                // ended by the block's time), before its transactions ran.
                let certified_now = q
                    .certificate(a)
                    .unwrap()
                    .is_some_and(|c| c.height == applied.height && in_force(&c.status));
                assert!(
                    in_force(status) || certified_now,
                    "a right of {a} moved while it was {status}"
                );
            }
        }
        // 2. A certificate exactly when certified; numbers unique.
        let cert = q.certificate(a).unwrap();
        let certified = in_force(&v.status) || matches!(v.status.as_str(), "cancelled" | "expired");
        assert_eq!(
            cert.is_some(),
            certified,
            "{a} is {} with certificate {cert:?}",
            v.status
        );
        if let Some(c) = cert {
            assert!(
                numbers.insert(c.number.clone()),
                "number {} twice",
                c.number
            );
            assert_eq!(v.registration_number.as_deref(), Some(c.number.as_str()));
        }
        // 3. Fingerprint claims follow live registrations and applications.
        let fp: Hash32 = v.fingerprint.parse().unwrap();
        let claimants = q.assets_by_fingerprint(&fp).unwrap();
        match v.status.as_str() {
            "rejected" | "withdrawn" => assert!(
                !claimants.contains(a),
                "{a} ({}) still claims its fingerprint",
                v.status
            ),
            _ => assert!(
                claimants.contains(a),
                "{a} ({}) lost its fingerprint",
                v.status
            ),
        }
        if let Some(change) = v.application.as_ref().and_then(|app| app.change.as_ref()) {
            if let Some(new) = change["fingerprint"].as_str() {
                let claimants = q.assets_by_fingerprint(&new.parse().unwrap()).unwrap();
                assert!(claimants.contains(a), "{a}'s change does not claim {new}");
            }
        }
        // 4. A notice over with nothing open is certified by the next block: never lost.
        if let Some(app) = &v.application {
            if let (Some(ends), true) = (app.notice_ends_ms, app.open_objections.is_empty()) {
                let due = q.next_notice_end().unwrap();
                assert!(
                    ends > now || due.is_some_and(|d| d <= now),
                    "{a}'s notice ended at {ends} (now {now}) and nothing will certify it"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        ..ProptestConfig::default()
    })]

    #[test]
    fn registration_holds_against_hostile_sequences(ops in proptest::collection::vec(op(), 1..60)) {
        let mut w = World {
            c: Chain::with_genesis(genesis_with_review()),
            assets: Vec::new(),
            objections: Vec::new(),
        };
        for op in ops {
            let before = w.snapshot();
            w.run(op);
            check(&w, &before);
        }
        if std::env::var("SHUQUAN_PROP_STATS").is_ok() {
            let statuses: Vec<String> = w.snapshot().into_values().map(|(s, _)| s).collect();
            eprintln!("{} objections; {statuses:?}", w.objections.len());
        }
        // A node that joins by snapshot goes on exactly as the chain does.
        w.c.certify(&[1, 2]);
        let joined = Chain::with_genesis(genesis_with_review());
        let mut snap = Vec::new();
        w.c.ledger.snapshots().export_state(&mut snap).unwrap();
        joined.ledger.snapshots().install_state(&mut Cursor::new(&snap), b"m").unwrap();
        let org3 = w.c.org3.clone();
        let txs = (0..6).map(|s| w.c.tx(&org3, &[], Payload::RegisterAsset(register_payload(s)))).collect();
        w.c.now += NOTICE;
        let p = pb::Proposal { timestamp_ms: w.c.now, proposer: key(9).public().to_vec(), txs };
        let a = w.c.ledger.apply(&p, b"m").unwrap();
        let b = joined.ledger.apply(&p, b"m").unwrap();
        prop_assert_eq!(a.hash, b.hash);
    }
}
