//! Property tests of the rules: random sequences of valid and hostile transactions from
//! several members (org1 and org3 in CN, org2 in VN, the regulator, the auditor), one block
//! each, and after every block the promises the export gate and the freeze make:
//!
//! 1. no party uses data outside its asset's jurisdiction (a foreign grantee, or a use
//!    declared abroad) unless approvals in force, each naming that grant and that place,
//!    cover every foreign place the grant names; nobody abroad reads important data;
//! 2. no approval covers more than it names: every cover of a grant is a filing that names
//!    the grant and that destination; every spent transfer approval names a transfer that
//!    happened, and every sensitive transfer abroad spent one;
//! 3. uses never exceed `max_uses`, and equal the uses and derivations recorded;
//! 4. nothing changes on a frozen subject outside the policy (README, "Frozen subjects").

use std::collections::BTreeMap;

use proptest::prelude::*;
use prost::Message;
use shuquan_ledger::GrantsOf;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::views::{AssetView, FilingView, GrantView};
use shuquan_proto::{Hash32, Keypair};

use crate::harness::*;

/// One transaction to try. Indexes pick among what exists (modulo its count). A
/// `faithful` operation follows the rules as far as it can (the rightful signer, terms that
/// fit); an unfaithful one picks its signer and terms blindly, as a hostile member would.
#[derive(Clone, Debug)]
struct Op {
    faithful: bool,
    kind: Kind,
    /// Free choices: which object, which member, which term.
    a: u8,
    b: u8,
    c: u8,
    d: u8,
    subjects: u32,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Register,
    Derive,
    Transfer,
    Grant,
    Revoke,
    Usage,
    FileGrant,
    FileTransfer,
    Decide,
    Freeze,
    Unfreeze,
    Attest,
    Wait,
}

fn op() -> impl Strategy<Value = Op> {
    let kind = prop_oneof![
        3 => Just(Kind::Register),
        2 => Just(Kind::Derive),
        2 => Just(Kind::Transfer),
        4 => Just(Kind::Grant),
        1 => Just(Kind::Revoke),
        5 => Just(Kind::Usage),
        3 => Just(Kind::FileGrant),
        2 => Just(Kind::FileTransfer),
        4 => Just(Kind::Decide),
        1 => Just(Kind::Freeze),
        1 => Just(Kind::Unfreeze),
        1 => Just(Kind::Attest),
        1 => Just(Kind::Wait),
    ];
    let subjects = prop_oneof![3 => Just(0u32), 2 => 1u32..200_000, 1 => Just(2_000_000)];
    (prop::bool::weighted(0.75), kind, any::<[u8; 4]>(), subjects).prop_map(
        |(faithful, kind, [a, b, c, d], subjects)| Op {
            faithful,
            kind,
            a,
            b,
            c,
            d,
            subjects,
        },
    )
}

const PLACES: [&str; 3] = ["CN", "VN", "SG"];
const PURPOSES: [&str; 3] = ["academic-research", "ai-training", "unlisted-purpose"];
const RIGHTS: [pb::Right; 3] = [pb::Right::Hold, pb::Right::Use, pb::Right::Operate];
const ACTIONS: [pb::Action; 5] = [
    pb::Action::Read,
    pb::Action::Query,
    pb::Action::Compute,
    pb::Action::Verify,
    pb::Action::Derive,
];

/// What exists, and what the test counted itself.
#[derive(Default)]
struct World {
    assets: Vec<Hash32>,
    grants: Vec<Hash32>,
    filings: Vec<Hash32>,
    /// Personal-information subjects in force per asset (what the test registered).
    subjects: BTreeMap<Hash32, u64>,
    /// Uses and derivations applied per grant.
    uses: BTreeMap<Hash32, u64>,
    /// Sensitive transfers abroad applied, per (asset, right, receiver).
    exports: BTreeMap<(Hash32, i32, Vec<u8>), u64>,
}

fn pick<T: Copy>(v: &[T], i: u8) -> Option<T> {
    (!v.is_empty()).then(|| v[usize::from(i) % v.len()])
}

fn unknown() -> Hash32 {
    Hash32([0xee; 32])
}

fn hash_of(hex_id: &str) -> Hash32 {
    hex_id.parse().unwrap_or_else(|_| unknown())
}

struct Run {
    c: Chain,
    w: World,
    members: Vec<(Keypair, &'static str)>,
}

type Built = (Keypair, Vec<Keypair>, Payload);

impl Run {
    fn new() -> Self {
        let c = Chain::new();
        let members = vec![
            (c.org1.clone(), "CN"),
            (c.org2.clone(), "VN"),
            (c.org3.clone(), "CN"),
        ];
        Run {
            c,
            w: World::default(),
            members,
        }
    }

    fn member(&self, i: u8) -> (Keypair, &'static str) {
        self.members[usize::from(i) % self.members.len()].clone()
    }

    fn home_of(&self, hex_key: &str) -> Option<&'static str> {
        self.members
            .iter()
            .find(|(k, _)| party_hex(k) == hex_key)
            .map(|m| m.1)
    }

    fn key_of(&self, hex_key: &str) -> Option<Keypair> {
        self.members
            .iter()
            .map(|(k, _)| k.clone())
            .find(|k| party_hex(k) == hex_key)
    }

    /// The rightful signer when faithful and there is one; else a member by `i`.
    fn signer(&self, op: &Op, rightful: Option<&str>, i: u8) -> Keypair {
        match rightful.and_then(|h| self.key_of(h)) {
            Some(k) if op.faithful => k,
            _ => self.member(i).0,
        }
    }

    fn asset(&self, i: u8) -> Option<(Hash32, AssetView)> {
        let id = pick(&self.w.assets, i)?;
        Some((id, self.c.ledger.queries().asset(&id).unwrap()?))
    }

    fn grant(&self, i: u8) -> Option<(Hash32, GrantView)> {
        let id = pick(&self.w.grants, i)?;
        Some((id, self.c.ledger.queries().grant(&id, None).unwrap()?))
    }

    fn holder(v: &AssetView, right: pb::Right) -> &str {
        match right {
            pb::Right::Hold => &v.holders.hold.id,
            pb::Right::Use => &v.holders.use_.id,
            _ => &v.holders.operate.id,
        }
    }

    /// What a truthful filing of these assets declares.
    fn floor(&self, assets: &[Hash32], op: &Op) -> pb::Declared {
        if !op.faithful {
            return pb::Declared {
                pi_subjects: u64::from(op.subjects),
                spi_subjects: u64::from(op.d % 3),
                important: op.d.is_multiple_of(2),
            };
        }
        let mut d = pb::Declared::default();
        for a in assets {
            let v = self.c.ledger.queries().asset(a).unwrap().unwrap();
            d.important |= v.grade == "important";
            d.pi_subjects += self.w.subjects.get(a).copied().unwrap_or(0);
            if v.contains_sensitive_pi {
                d.spi_subjects = 1;
            }
        }
        d
    }

    /// Signs and applies one operation in its own block; returns the payload and receipt.
    fn apply(&mut self, op: &Op) -> Option<(Payload, pb::Receipt)> {
        let (signer, cosigners, payload) = self.build(op)?;
        let cos: Vec<&Keypair> = cosigners.iter().collect();
        let raw = self.c.tx(&signer, &cos, payload.clone());
        let b = self.c.block(vec![raw]);
        Some((payload, b.receipts[0].clone()))
    }

    fn build(&mut self, op: &Op) -> Option<Built> {
        match op.kind {
            Kind::Wait => {
                self.c.now += u64::from(op.a % 40) * DAY;
                None
            }
            Kind::Register | Kind::Derive => self.register(op),
            Kind::Transfer => self.transfer(op),
            Kind::Grant => self.issue(op),
            Kind::Revoke => {
                let (id, g) = self.grant(op.a)?;
                let key = self.signer(op, Some(&g.grantor.id), op.b);
                Some((
                    key,
                    vec![],
                    Payload::RevokeGrant(pb::RevokeGrant {
                        grant: id.to_vec(),
                        reason_hash: vec![],
                    }),
                ))
            }
            Kind::Usage => self.usage(op),
            Kind::FileGrant => {
                let (id, g) = if op.faithful {
                    // A grant that exports somewhere, if there is one.
                    let exporting: Vec<Hash32> = self
                        .w
                        .grants
                        .iter()
                        .copied()
                        .filter(|g| {
                            self.c
                                .ledger
                                .queries()
                                .grant(g, None)
                                .unwrap()
                                .is_some_and(|v| v.status == "pending-export")
                        })
                        .collect();
                    let id = pick(&exporting, op.a).or_else(|| pick(&self.w.grants, op.a))?;
                    (id, self.c.ledger.queries().grant(&id, None).unwrap()?)
                } else {
                    self.grant(op.a)?
                };
                let asset = self.c.ledger.queries().asset(&hash_of(&g.asset)).unwrap()?;
                let key = self.signer(op, Some(&asset.holders.operate.id), op.b);
                let foreign: Vec<&String> = g
                    .jurisdictions
                    .iter()
                    .filter(|j| **j != asset.jurisdiction)
                    .collect();
                let place = match pick(&foreign, op.c) {
                    Some(j) if op.faithful => j.clone(),
                    _ => PLACES[usize::from(op.c) % 3].into(),
                };
                let declared = self.floor(&[hash_of(&g.asset)], op);
                let path = if op.faithful { 0 } else { op.d };
                Some((
                    key,
                    vec![],
                    Payload::FileCrossBorder(filing(
                        vec![id.to_vec()],
                        None,
                        place,
                        path,
                        declared,
                    )),
                ))
            }
            Kind::FileTransfer => {
                let (id, v) = self.asset(op.a)?;
                let right = RIGHTS[usize::from(op.b) % 3];
                let key = self.signer(op, Some(Self::holder(&v, right)), op.b);
                let (receiver, home) = self.member(op.c);
                let t = pb::TransferExport {
                    asset: id.to_vec(),
                    right: right as i32,
                    receiver: party(&receiver),
                };
                let declared = self.floor(&[id], op);
                let path = if op.faithful { 0 } else { op.d };
                Some((
                    key,
                    vec![],
                    Payload::FileCrossBorder(filing(vec![], Some(t), home.into(), path, declared)),
                ))
            }
            Kind::Decide => {
                let id = pick(&self.w.filings, op.a)?;
                let d = if op.faithful && !op.b.is_multiple_of(4) {
                    pb::Decision::Approve
                } else {
                    [
                        pb::Decision::Approve,
                        pb::Decision::Acknowledge,
                        pb::Decision::Reject,
                        pb::Decision::Revoke,
                    ][usize::from(op.b) % 4]
                };
                let valid_until_ms = if d == pb::Decision::Approve {
                    self.c.now + u64::from(op.c % 40) * DAY + 1
                } else {
                    0
                };
                Some((
                    self.c.regulator.clone(),
                    vec![],
                    Payload::DecideCrossBorder(pb::DecideCrossBorder {
                        filing: id.to_vec(),
                        decision: d as i32,
                        valid_until_ms,
                    }),
                ))
            }
            Kind::Freeze | Kind::Unfreeze | Kind::Attest => {
                let list = [&self.w.assets, &self.w.grants, &self.w.filings][usize::from(op.a) % 3];
                let s = pick(list, op.b)?.to_vec();
                let p = match op.kind {
                    Kind::Freeze => Payload::Freeze(pb::Freeze {
                        subject: s,
                        reason_hash: vec![3; 32],
                    }),
                    Kind::Unfreeze => Payload::Unfreeze(pb::Unfreeze { subject: s }),
                    _ => {
                        return Some((
                            self.c.auditor.clone(),
                            vec![],
                            Payload::Attest(pb::Attest {
                                subject: s,
                                kind: 2,
                                result: 1,
                                report_hash: vec![4; 32],
                                valid_until_ms: 0,
                            }),
                        ))
                    }
                };
                Some((self.c.regulator.clone(), vec![], p))
            }
        }
    }

    fn register(&mut self, op: &Op) -> Option<Built> {
        let (key, home) = self.member(op.a);
        let mut r = register_payload(0);
        r.fingerprint = blake3::hash(&[op.a, op.b, op.c, op.d, self.w.assets.len() as u8])
            .as_bytes()
            .to_vec();
        r.grade = if op.b.is_multiple_of(3) {
            pb::Grade::Important
        } else {
            pb::Grade::General
        } as i32;
        r.delivery_modes.push(pb::DeliveryMode::Verify as i32);
        if op.subjects > 0 || op.c.is_multiple_of(3) {
            r.pi = Some(pb::PersonalInfo {
                contains_pi: true,
                contains_sensitive_pi: op.c.is_multiple_of(2),
                subjects: op.subjects.into(),
            });
            r.evidence_hash = vec![5; 32];
        }
        r.jurisdiction = if op.faithful {
            home
        } else {
            PLACES[usize::from(op.d) % 3]
        }
        .into();
        if matches!(op.kind, Kind::Derive) {
            let (parent, pv) = self.asset(op.d)?;
            // Faithful: derive as a member that holds Use or a derive grant on it.
            let key = if op.faithful {
                let granted = self
                    .c
                    .ledger
                    .queries()
                    .grants(
                        GrantsOf::Asset(&parent),
                        None,
                        shuquan_ledger::Page::first(1000),
                    )
                    .unwrap()
                    .into_iter()
                    .find(|g| g.actions.iter().any(|a| a == "derive") && g.status == "active")
                    .map(|g| g.grantee.id);
                self.key_of(granted.as_deref().unwrap_or(&pv.holders.use_.id))
                    .unwrap_or(key)
            } else {
                key
            };
            if op.faithful {
                r.jurisdiction = pv.jurisdiction.clone();
                if pv.grade == "important" {
                    r.grade = pb::Grade::Important as i32;
                }
                if pv.contains_pi {
                    r.pi = Some(pb::PersonalInfo {
                        contains_pi: true,
                        contains_sensitive_pi: pv.contains_sensitive_pi,
                        subjects: op.subjects.into(),
                    });
                    r.evidence_hash = vec![5; 32];
                }
            }
            r.derived_from = vec![parent.to_vec()];
            r.derive_purpose = PURPOSES[usize::from(op.b) % 2].into();
            return Some((key, vec![], Payload::RegisterAsset(r)));
        }
        Some((key, vec![], Payload::RegisterAsset(r)))
    }

    fn transfer(&mut self, op: &Op) -> Option<Built> {
        let (id, v) = self.asset(op.a)?;
        let right = RIGHTS[usize::from(op.b) % 3];
        let key = self.signer(op, Some(Self::holder(&v, right)), op.b);
        let (to, _) = self.member(op.c);
        if to.public() == key.public() {
            return None;
        }
        let mut cos = vec![to.clone()];
        if op.faithful {
            // Consent of the parent's Operate holder, for an asset derived under a grant.
            for e in v.parents.iter().filter(|e| e.via != "use-right") {
                let p = self.c.ledger.queries().asset(&e.asset).unwrap().unwrap();
                if let Some(k) = self.key_of(&p.holders.operate.id) {
                    if k.public() != key.public() && !cos.iter().any(|c| c.public() == k.public()) {
                        cos.push(k);
                    }
                }
            }
        }
        Some((
            key,
            cos,
            Payload::TransferRight(pb::TransferRight {
                asset: id.to_vec(),
                right: right as i32,
                to: party(&to),
                price: None,
                consideration_hash: vec![],
            }),
        ))
    }

    fn issue(&mut self, op: &Op) -> Option<Built> {
        let (id, v) = self.asset(op.a)?;
        let key = self.signer(op, Some(&v.holders.operate.id), op.b);
        let (grantee, home) = self.member(op.c);
        if grantee.public() == key.public() {
            return None;
        }
        let mut actions: Vec<i32> = ACTIONS
            .iter()
            .enumerate()
            .filter(|(i, _)| op.d & (1 << i) != 0)
            .map(|(_, a)| *a as i32)
            .collect();
        if actions.is_empty() || op.faithful && op.d.is_multiple_of(2) {
            actions = vec![pb::Action::Compute as i32, pb::Action::Derive as i32];
        }
        let mut places: Vec<String> = PLACES
            .iter()
            .enumerate()
            .filter(|(i, _)| op.b & (1 << i) != 0)
            .map(|(_, j)| j.to_string())
            .collect();
        // A quarter of the otherwise faithful grants leave the grantee's own place out: the
        // attack of a foreign grantee behind a domestic jurisdiction.
        if op.faithful && !op.a.is_multiple_of(4) && !places.iter().any(|p| p == home) {
            places.push(home.into());
        }
        if places.is_empty() {
            places.push(v.jurisdiction.clone());
        }
        Some((
            key,
            vec![grantee.clone()],
            Payload::IssueGrant(pb::IssueGrant {
                asset: id.to_vec(),
                grantee: party(&grantee),
                actions,
                purposes: vec![PURPOSES[usize::from(op.a) % 2].into()],
                not_before_ms: 0,
                not_after_ms: self.c.now + 90 * DAY,
                jurisdictions: places,
                max_uses: u64::from(op.d % 3),
                recipient_systems: vec![],
                policy_doc_hash: vec![],
            }),
        ))
    }

    fn usage(&mut self, op: &Op) -> Option<Built> {
        let (id, g) = self.grant(op.a)?;
        let key = self.signer(op, Some(&g.grantee.id), op.b);
        let (action, purpose, place) = if op.faithful {
            let a = ACTIONS
                .iter()
                .find(|a| {
                    g.actions
                        .contains(&shuquan_proto::views::action_word(**a as i32))
                })
                .copied()
                .unwrap_or(pb::Action::Compute);
            // Declares a place the grant names (not necessarily where the grantee is).
            let place = pick(&g.jurisdictions.iter().collect::<Vec<_>>(), op.c)
                .cloned()
                .unwrap_or_default();
            (a, g.purposes.first().cloned().unwrap_or_default(), place)
        } else {
            (
                ACTIONS[usize::from(op.c) % 5],
                PURPOSES[usize::from(op.d) % 3].to_string(),
                PLACES[usize::from(op.b) % 3].to_string(),
            )
        };
        Some((
            key,
            vec![],
            Payload::RecordUsage(pb::RecordUsage {
                grant: id.to_vec(),
                action: action as i32,
                purpose,
                jurisdiction: place,
                recipient_system: String::new(),
                output_fingerprint: vec![],
            }),
        ))
    }
}

fn filing(
    grants: Vec<Vec<u8>>,
    transfer: Option<pb::TransferExport>,
    destination: String,
    path: u8,
    declared: pb::Declared,
) -> pb::FileCrossBorder {
    let paths = [
        pb::ExportPath::SecurityAssessment,
        pb::ExportPath::Exempt,
        pb::ExportPath::StandardContract,
        pb::ExportPath::Certification,
    ];
    pb::FileCrossBorder {
        grants,
        destination,
        path: paths[usize::from(path) % 4] as i32,
        exempt_reason: "statistics".into(),
        declared: Some(declared),
        evidence_hash: vec![7; 32],
        transfer,
    }
}

/// What may not change while a subject is frozen: an asset's holders, a grant's uses,
/// covers and revocation, a filing's decision; and each one's frozen flag.
#[derive(Debug, PartialEq)]
enum Frozen {
    Asset((String, String, String), bool),
    Grant(u64, Vec<String>, bool, bool),
    Filing(String, bool),
}

fn asset_mark(v: AssetView) -> Frozen {
    Frozen::Asset(
        (v.holders.hold.id, v.holders.use_.id, v.holders.operate.id),
        v.frozen,
    )
}

fn decided(status: &str) -> String {
    match status {
        "approved" | "acknowledged" | "expired" => "decided".into(),
        s => s.into(),
    }
}

impl Run {
    fn frozen_now(&self) -> BTreeMap<Hash32, Frozen> {
        let l = self.c.ledger.queries();
        let mut out = BTreeMap::new();
        for a in &self.w.assets {
            if let Some(v) = l.asset(a).unwrap().filter(|v| v.frozen) {
                out.insert(*a, asset_mark(v));
                // Nothing changes on the grants of a frozen asset either.
                for g in l
                    .grants(GrantsOf::Asset(a), None, shuquan_ledger::Page::first(1000))
                    .unwrap()
                {
                    out.insert(g.id, grant_mark(&g));
                }
            }
        }
        for g in &self.w.grants {
            if let Some(v) = l.grant(g, None).unwrap().filter(|v| v.frozen) {
                out.insert(*g, grant_mark(&v));
            }
        }
        for f in &self.w.filings {
            if let Some(v) = l.filing(f).unwrap().filter(|v| v.frozen) {
                out.insert(*f, Frozen::Filing(decided(&v.status), v.frozen));
            }
        }
        out
    }

    fn mark_of(&self, id: &Hash32) -> Option<Frozen> {
        let l = self.c.ledger.queries();
        if let Some(v) = l.asset(id).unwrap() {
            return Some(asset_mark(v));
        }
        if let Some(v) = l.grant(id, None).unwrap() {
            return Some(grant_mark(&v));
        }
        l.filing(id)
            .unwrap()
            .map(|v| Frozen::Filing(decided(&v.status), v.frozen))
    }

    /// Records what an applied transaction created or counted.
    fn learn(&mut self, payload: &Payload, r: &pb::Receipt) {
        if r.code != 0 {
            return;
        }
        let created = Hash32::from_slice(&r.created).ok();
        match payload {
            Payload::RegisterAsset(p) => {
                let a = created.unwrap();
                self.w.assets.push(a);
                let mut subjects = p.pi.map_or(0, |pi| pi.subjects);
                for e in self
                    .c
                    .ledger
                    .queries()
                    .lineage(&a)
                    .unwrap()
                    .unwrap()
                    .parents
                {
                    subjects = subjects.max(self.w.subjects.get(&e.asset).copied().unwrap_or(0));
                    if let Ok(g) = e.via.parse::<Hash32>() {
                        *self.w.uses.entry(g).or_default() += 1;
                    }
                }
                self.w.subjects.insert(a, subjects);
            }
            Payload::IssueGrant(_) => self.w.grants.push(created.unwrap()),
            Payload::FileCrossBorder(_) => self.w.filings.push(created.unwrap()),
            Payload::RecordUsage(u) => {
                *self
                    .w
                    .uses
                    .entry(Hash32::from_slice(&u.grant).unwrap())
                    .or_default() += 1
            }
            Payload::TransferRight(t) => {
                let a = Hash32::from_slice(&t.asset).unwrap();
                let v = self.c.ledger.queries().asset(&a).unwrap().unwrap();
                let receiver = self
                    .members
                    .iter()
                    .find(|(k, _)| party(k) == t.to)
                    .map(|m| m.1);
                let sensitive = v.grade == "important" || v.contains_pi;
                if sensitive && receiver != Some(v.jurisdiction.as_str()) {
                    *self
                        .w
                        .exports
                        .entry((a, t.right, t.to.clone()))
                        .or_default() += 1;
                }
            }
            _ => {}
        }
    }

    /// Promises 1–3 over the whole state, after a block.
    fn check(&self, payload: &Payload, r: &pb::Receipt) -> Result<(), TestCaseError> {
        let l = self.c.ledger.queries();
        let now = self.c.ledger.applied().unwrap().timestamp_ms;
        let filings: BTreeMap<String, FilingView> = self
            .w
            .filings
            .iter()
            .filter_map(|f| l.filing(f).unwrap())
            .map(|f| (f.id.to_hex(), f))
            .collect();
        // 1. A use abroad (by where the grantee is, or where it says it is).
        if let (Payload::RecordUsage(u), 0) = (payload, r.code) {
            let g = l
                .grant(&Hash32::from_slice(&u.grant).unwrap(), None)
                .unwrap()
                .unwrap();
            let a = l.asset(&g.asset.parse().unwrap()).unwrap().unwrap();
            let home = self.home_of(&g.grantee.id).unwrap();
            prop_assert!(
                g.jurisdictions.iter().any(|j| j == home),
                "grant {} names not its grantee's place {home}",
                g.id
            );
            let abroad = [home, u.jurisdiction.as_str()]
                .into_iter()
                .any(|j| j != a.jurisdiction);
            if abroad {
                prop_assert!(
                    !(a.grade == "important" && u.action == pb::Action::Read as i32),
                    "important data read abroad"
                );
            }
            for j in g.jurisdictions.iter().filter(|j| **j != a.jurisdiction) {
                let covered = g.covers.iter().any(|cv| {
                    let (cj, fid) = cv.split_once('=').unwrap();
                    cj == j
                        && filings.get(fid).is_some_and(|f| {
                            f.grants.contains(&g.id.to_hex())
                                && f.destination == *j
                                && matches!(f.status.as_str(), "approved" | "acknowledged")
                                && f.valid_until_ms > now
                        })
                });
                prop_assert!(covered, "grant {} used with {j} uncovered", g.id);
            }
        }
        // 2. Covers name what they cover; spent approvals match transfers.
        let mut used: BTreeMap<(Hash32, i32, Vec<u8>), u64> = BTreeMap::new();
        for f in filings.values() {
            if f.status == "used" {
                let t = f.transfer.as_ref().unwrap();
                let right = match t.right.as_str() {
                    "hold" => 1,
                    "use" => 2,
                    _ => 3,
                };
                *used
                    .entry((
                        t.asset.parse().unwrap(),
                        right,
                        hex::decode(&t.receiver.id).unwrap(),
                    ))
                    .or_default() += 1;
            }
        }
        prop_assert_eq!(
            &used,
            &self.w.exports,
            "spent transfer approvals differ from transfers abroad"
        );
        for gid in &self.w.grants {
            let g = l.grant(gid, None).unwrap().unwrap();
            for cv in &g.covers {
                let (cj, fid) = cv.split_once('=').unwrap();
                let f = &filings[fid];
                prop_assert!(
                    f.grants.contains(&gid.to_hex()) && f.destination == cj && f.transfer.is_none(),
                    "cover {cv} of grant {gid} names something else"
                );
            }
            // 3. Uses.
            prop_assert!(
                g.max_uses == 0 || g.uses <= g.max_uses,
                "grant {gid}: {} of {} uses",
                g.uses,
                g.max_uses
            );
            prop_assert_eq!(
                g.uses,
                self.w.uses.get(gid).copied().unwrap_or(0),
                "grant {} uses",
                gid
            );
        }
        Ok(())
    }
}

fn grant_mark(v: &GrantView) -> Frozen {
    Frozen::Grant(v.uses, v.covers.clone(), v.status == "revoked", v.frozen)
}

/// Whether a transaction may change a frozen subject's marks: only a freeze or unfreeze of
/// that very subject (its frozen flag: a grant of a frozen asset may be frozen too). An
/// attestation changes none of them.
fn may_change(payload: &Payload, id: &Hash32) -> bool {
    match payload {
        Payload::Unfreeze(u) => u.subject == id.as_bytes(),
        Payload::Freeze(f) => f.subject == id.as_bytes(),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_sequences_keep_the_export_and_freeze_promises(ops in prop::collection::vec(op(), 30..90)) {
        let mut run = Run::new();
        for op in &ops {
            let frozen = run.frozen_now();
            let Some((payload, receipt)) = run.apply(op) else { continue };
            run.learn(&payload, &receipt);
            // 4. Frozen subjects.
            for (id, before) in &frozen {
                if receipt.code == 0 && may_change(&payload, id) {
                    continue;
                }
                let after = run.mark_of(id);
                prop_assert_eq!(after.as_ref(), Some(before), "{:?} changed frozen {}", op, id);
            }
            run.check(&payload, &receipt)?;
            if std::env::var("PROPS_STATS").is_ok() {
                eprintln!("STAT {} {}", shuquan_proto::tx::payload_kind(&payload), receipt.code);
            }
        }
        // 5. An asset's history chain is exactly the committed part of its history.
        let height = run.c.ledger.applied().unwrap().height;
        for a in &run.w.assets {
            let committed: Vec<Hash32> = run.c.ledger.queries().history(a).unwrap()
                .into_iter()
                .filter(|e| e.receipt.code == 0)
                .map(|e| e.receipt.tx_id)
                .collect();
            let bundle = run.c.ledger.bundles().audit_bundle(a, height, false).unwrap().unwrap();
            let bundle = pb::AuditBundle::decode(bundle.as_slice()).unwrap();
            let chain: Vec<Hash32> = bundle.events.iter()
                .map(|e| Hash32::from_slice(&e.receipt.as_ref().unwrap().tx_id).unwrap())
                .collect();
            prop_assert_eq!(chain, committed, "history chain of {}", a);
        }
        // 6. A node that joins by the state snapshot and fetches the blocks top down ends
        //    with the same ledger, derived indexes and history rows included.
        let mut snap = Vec::new();
        run.c.ledger.snapshots().export_state(&mut snap).unwrap();
        let joined = Chain::new();
        joined.ledger.snapshots().install_state(&mut std::io::Cursor::new(snap), b"m").unwrap();
        while let Some(gap) = joined.ledger.gap().unwrap() {
            let count = (gap.hi - gap.lo + 1).min(7);
            let blocks = run.c.ledger.blocks_for_sync(gap.hi, count, 1 << 22).unwrap();
            prop_assert_eq!(joined.ledger.fill_gap(&blocks).unwrap(), Ok(count));
        }
        prop_assert_eq!(
            joined.ledger.snapshots().digest().unwrap(),
            run.c.ledger.snapshots().digest().unwrap()
        );
    }
}
