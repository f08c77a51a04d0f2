//! The executor over rows in memory: no sled, no directory. One test per payload kind, each
//! checking the receipt and the rows the block wrote.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use prost::Message;
use shuquan_proto::genesis::{GenesisFile, MemberFile, ParamsFile};
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::{Hash32, Keypair};

use super::{execute, genesis_writes, Chain};
use crate::keys;
use crate::verdicts::Strict;
use crate::view::{MemView, StateView};

const T0: u64 = 1_767_225_600_000;
const DAY: u64 = 86_400_000;

fn key(n: u8) -> Keypair {
    Keypair::from_seed([n; 32]).unwrap()
}

struct Mem {
    view: MemView,
    genesis: pb::Genesis,
    chain: Chain,
    prev: pb::Applied,
    now: u64,
    proposals: Vec<pb::Proposal>,
}

/// The member id of the member whose key seed is `n` (see [`Mem::new`]).
fn mid(n: u8) -> Vec<u8> {
    let name = ["", "org1", "org2", "org3", "regulator", "auditor"][n as usize];
    shuquan_proto::hash::Hashing::BLAKE3
        .member_id("mem", name)
        .to_vec()
}

impl Mem {
    /// org1 (1) and org3 (3) in CN, org2 (2) in VN, a regulator (4) and an auditor (5).
    fn new() -> Self {
        let m = |id: &str, j: &str, role: &str, n: u8| MemberFile {
            id: id.into(),
            name: id.into(),
            org_code: String::new(),
            jurisdiction: j.into(),
            roles: vec![role.into()],
            account_keys: vec![key(n).public()],
            node_key: None,
            cert_key: None,
            node_addr: String::new(),
            is_ciio: false,
            learner: false,
        };
        let genesis = GenesisFile {
            council: Default::default(),
            chain_id: "mem".into(),
            genesis_time_ms: T0,
            hash: Default::default(),
            params: ParamsFile {
                registration_review: false,
                ..ParamsFile::default()
            },
            members: vec![
                m("org1", "CN", "member", 1),
                m("org2", "VN", "member", 2),
                m("org3", "CN", "member", 3),
                m("regulator", "CN", "regulator", 4),
                m("auditor", "CN", "auditor", 5),
            ],
        }
        .to_pb()
        .unwrap();
        let mut view = MemView::new();
        view.commit(genesis_writes(&genesis).unwrap());
        Mem {
            view,
            chain: Chain::of(&genesis),
            genesis,
            proposals: vec![],
            prev: pb::Applied {
                height: 0,
                block_hash: Hash32::ZERO.to_vec(),
                timestamp_ms: T0,
                mark: vec![],
            },
            now: T0 + DAY,
        }
    }

    /// One transaction in its own block; its receipt.
    fn run(&mut self, signer: u8, cosigners: &[u8], payload: Payload) -> pb::Receipt {
        let cos: Vec<Keypair> = cosigners.iter().map(|n| key(*n)).collect();
        let cos: Vec<&Keypair> = cos.iter().collect();
        let raw =
            shuquan_proto::tx::sign_all(&self.chain.chain, self.now, &key(signer), &cos, payload)
                .expect("signing");
        let proposal = pb::Proposal {
            timestamp_ms: self.now,
            proposer: key(9).public().to_vec(),
            txs: vec![raw],
        };
        let executed = execute(&self.chain, &self.view, &self.prev, &proposal, &Strict).unwrap();
        self.proposals.push(proposal);
        self.view.commit(executed.writes);
        let b = executed.block;
        self.prev = pb::Applied {
            height: b.header.height,
            block_hash: b.hash.to_vec(),
            timestamp_ms: b.header.timestamp_ms,
            mark: vec![],
        };
        self.now += 1000;
        b.receipts[0].clone()
    }

    /// Runs a transaction that must apply; the id it created.
    fn ok(&mut self, signer: u8, cosigners: &[u8], payload: Payload) -> Hash32 {
        let r = self.run(signer, cosigners, payload);
        assert_eq!(r.code, 0, "{r:?}");
        Hash32::from_slice(&r.created).unwrap_or_default()
    }

    fn row<M: Message + Default>(&self, key: &[u8]) -> M {
        M::decode(&self.view.get(key).unwrap().expect("row")[..]).unwrap()
    }

    fn asset(&self, id: &Hash32) -> pb::AssetRecord {
        self.row(&keys::asset(id))
    }

    fn grant(&self, id: &Hash32) -> pb::GrantRecord {
        self.row(&keys::grant(id))
    }

    fn filing(&self, id: &Hash32) -> pb::FilingRecord {
        self.row(&keys::filing(id))
    }

    fn register(&mut self, signer: u8, seed: u8, grade: pb::Grade) -> Hash32 {
        let jurisdiction = if signer == 2 { "VN" } else { "CN" };
        self.ok(signer, &[], register(seed, grade, jurisdiction))
    }

    fn grant_to(&mut self, asset: Hash32, grantee: u8, places: &[&str]) -> Hash32 {
        self.ok(
            1,
            &[grantee],
            Payload::IssueGrant(pb::IssueGrant {
                asset: asset.to_vec(),
                grantee: mid(grantee),
                actions: vec![pb::Action::Compute as i32],
                purposes: vec!["academic-research".into()],
                not_after_ms: self.now + 30 * DAY,
                jurisdictions: places.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            }),
        )
    }
}

fn register(seed: u8, grade: pb::Grade, jurisdiction: &str) -> Payload {
    Payload::RegisterAsset(pb::RegisterAsset {
        fingerprint: vec![seed; 32],
        size_bytes: 10,
        name: format!("set {seed}"),
        grade: grade as i32,
        origin: pb::Origin::Enterprise as i32,
        jurisdiction: jurisdiction.into(),
        delivery_modes: vec![pb::DeliveryMode::Compute as i32],
        sharing: pb::SharingClass::Conditional as i32,
        ..Default::default()
    })
}

#[test]
fn register_asset_makes_the_signer_holder_of_every_right() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::General);
    let rec = m.asset(&a);
    let me = mid(1);
    assert_eq!(
        (
            rec.holder_hold.clone(),
            rec.holder_use.clone(),
            rec.holder_operate.clone()
        ),
        (me.clone(), me.clone(), me)
    );
    assert_eq!(rec.event_count, 1);
    let r = m.run(1, &[], register(2, pb::Grade::General, "VN"));
    assert_eq!(
        r.code,
        shuquan_proto::FailureCode::JurisdictionMismatch.number()
    );
}

#[test]
fn transfer_right_moves_one_right_with_the_receivers_signature() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::General);
    let t = |to: u8| {
        Payload::TransferRight(pb::TransferRight {
            asset: a.to_vec(),
            right: pb::Right::Use as i32,
            to: mid(to),
            ..Default::default()
        })
    };
    assert_eq!(
        m.run(1, &[], t(3)).code,
        shuquan_proto::FailureCode::MissingSignature.number()
    );
    m.ok(1, &[3], t(3));
    let rec = m.asset(&a);
    assert_eq!(rec.holder_use, mid(3));
    assert_eq!(rec.holder_hold, mid(1));
}

#[test]
fn issue_grant_is_active_at_home_and_pending_abroad() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::General);
    let home = m.grant_to(a, 3, &["CN"]);
    let abroad = m.grant_to(a, 2, &["VN"]);
    assert_eq!(m.grant(&home).status, pb::GrantStatus::Active as i32);
    assert_eq!(
        m.grant(&abroad).status,
        pb::GrantStatus::PendingExport as i32
    );
}

#[test]
fn revoke_grant_ends_a_grant_once() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::General);
    let g = m.grant_to(a, 3, &["CN"]);
    let revoke = Payload::RevokeGrant(pb::RevokeGrant {
        grant: g.to_vec(),
        reason_hash: vec![],
    });
    m.ok(3, &[], revoke.clone());
    assert_eq!(m.grant(&g).status, pb::GrantStatus::Revoked as i32);
    assert_eq!(
        m.run(1, &[], revoke).code,
        shuquan_proto::FailureCode::WrongState.number()
    );
}

#[test]
fn record_usage_counts_a_use_of_an_active_grant() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::General);
    let g = m.grant_to(a, 3, &["CN"]);
    let usage = Payload::RecordUsage(pb::RecordUsage {
        grant: g.to_vec(),
        action: pb::Action::Compute as i32,
        purpose: "academic-research".into(),
        jurisdiction: "CN".into(),
        ..Default::default()
    });
    m.ok(3, &[], usage.clone());
    m.ok(3, &[], usage.clone());
    assert_eq!(m.grant(&g).uses, 2);
    assert_eq!(
        m.run(1, &[], usage).code,
        shuquan_proto::FailureCode::NotGrantee.number()
    );
}

fn filing(grants: &[Hash32]) -> Payload {
    Payload::FileCrossBorder(pb::FileCrossBorder {
        grants: grants.iter().map(|g| g.to_vec()).collect(),
        destination: "VN".into(),
        path: pb::ExportPath::Exempt as i32,
        exempt_reason: "statistics".into(),
        declared: Some(pb::Declared::default()),
        evidence_hash: vec![7; 32],
        transfer: None,
    })
}

#[test]
fn file_cross_border_records_a_filing_by_the_operate_holder() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::General);
    let g = m.grant_to(a, 2, &["VN"]);
    assert_eq!(
        m.run(3, &[], filing(&[g])).code,
        shuquan_proto::FailureCode::NotExporter.number()
    );
    let f = m.ok(1, &[], filing(&[g]));
    let rec = m.filing(&f);
    assert_eq!(
        (rec.status, rec.exporter_member.as_str()),
        (pb::FilingStatus::Filed as i32, "org1")
    );
}

#[test]
fn decide_cross_border_approval_activates_the_grant() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::General);
    let g = m.grant_to(a, 2, &["VN"]);
    let f = m.ok(1, &[], filing(&[g]));
    let decide = Payload::DecideCrossBorder(pb::DecideCrossBorder {
        filing: f.to_vec(),
        decision: pb::Decision::Approve as i32,
        valid_until_ms: m.now + 10 * DAY,
    });
    assert_eq!(
        m.run(1, &[], decide.clone()).code,
        shuquan_proto::FailureCode::MissingRole.number()
    );
    m.ok(4, &[], decide);
    assert_eq!(m.filing(&f).status, pb::FilingStatus::Approved as i32);
    assert_eq!(m.grant(&g).status, pb::GrantStatus::Active as i32);
}

#[test]
fn attest_supersedes_the_same_auditors_earlier_attestation() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::General);
    let attest = |r: u8| {
        Payload::Attest(pb::Attest {
            subject: a.to_vec(),
            kind: pb::AttestKind::Quality as i32,
            result: pb::AttestResult::Pass as i32,
            report_hash: vec![r; 32],
            valid_until_ms: 0,
        })
    };
    let first = m.ok(5, &[], attest(1));
    let second = m.ok(5, &[], attest(2));
    let rec: pb::AttestationRecord = m.row(&keys::attestation(&first));
    assert_eq!(rec.superseded_by, second.to_vec());
}

#[test]
fn freeze_and_unfreeze_hold_and_release_an_asset() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::General);
    m.ok(
        4,
        &[],
        Payload::Freeze(pb::Freeze {
            subject: a.to_vec(),
            reason_hash: vec![3; 32],
        }),
    );
    assert!(m.asset(&a).frozen);
    let g = Payload::IssueGrant(pb::IssueGrant {
        asset: a.to_vec(),
        grantee: mid(3),
        actions: vec![pb::Action::Compute as i32],
        purposes: vec!["academic-research".into()],
        not_after_ms: m.now + DAY,
        jurisdictions: vec!["CN".into()],
        ..Default::default()
    });
    assert_eq!(
        m.run(1, &[3], g.clone()).code,
        shuquan_proto::FailureCode::Frozen.number()
    );
    m.ok(
        4,
        &[],
        Payload::Unfreeze(pb::Unfreeze {
            subject: a.to_vec(),
        }),
    );
    assert!(!m.asset(&a).frozen);
    m.ok(1, &[3], g);
}

#[test]
fn the_same_blocks_give_the_same_hashes_in_memory_and_on_sled() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::Important);
    m.register(2, 2, pb::Grade::General);
    m.grant_to(a, 3, &["CN"]);
    let on_disk = crate::Ledger::open_temporary(m.genesis.clone()).unwrap();
    let blocks = on_disk
        .apply_blocks_with(&m.proposals, b"", &Strict)
        .unwrap();
    assert_eq!(blocks.last().unwrap().hash.to_vec(), m.prev.block_hash);
}

/// Golden: pruning stale tree nodes changes no root. The same blocks executed keeping every
/// version and keeping two give the same headers; the pruned tree holds fewer nodes, proves
/// the last three versions and no older one.
#[test]
fn the_state_root_after_pruning_equals_the_root_without_pruning() {
    let mut m = Mem::new();
    let a = m.register(1, 1, pb::Grade::General);
    let g = m.grant_to(a, 3, &["CN"]);
    for _ in 0..4 {
        m.ok(
            3,
            &[],
            Payload::RecordUsage(pb::RecordUsage {
                grant: g.to_vec(),
                action: pb::Action::Compute as i32,
                purpose: "academic-research".into(),
                jurisdiction: "CN".into(),
                recipient_system: String::new(),
                output_fingerprint: vec![],
            }),
        );
    }
    m.register(3, 2, pb::Grade::General);
    let replay = |retain: Option<u64>| {
        let chain = Chain {
            retain_versions: retain,
            ..m.chain.clone()
        };
        let mut view = MemView::new();
        view.commit(genesis_writes(&m.genesis).unwrap());
        let mut prev = pb::Applied {
            height: 0,
            block_hash: Hash32::ZERO.to_vec(),
            timestamp_ms: T0,
            mark: vec![],
        };
        let mut headers = Vec::new();
        for p in &m.proposals {
            let e = execute(&chain, &view, &prev, p, &Strict).unwrap();
            view.commit(e.writes);
            prev.height = e.block.header.height;
            prev.block_hash = e.block.hash.to_vec();
            prev.timestamp_ms = e.block.header.timestamp_ms;
            headers.push(e.block.header);
        }
        (view, headers)
    };
    let (all, all_headers) = replay(None);
    let (pruned, pruned_headers) = replay(Some(2));
    assert_eq!(pruned_headers, all_headers);
    let last = all_headers.last().unwrap();
    assert_eq!(
        Some(Hash32::from_slice(&last.state_root).unwrap()),
        crate::smt::root(shuquan_proto::hash::Hashing::BLAKE3, &all, last.height).unwrap()
    );
    let nodes = |v: &MemView| v.keys_with_prefix(b"jmtn:").unwrap().len();
    assert!(nodes(&pruned) < nodes(&all), "pruning deleted nothing");
    // The stale-node lists of pruned versions go with their nodes.
    let lists = |v: &MemView| v.keys_with_prefix(b"jmts:").unwrap().len();
    assert!(lists(&pruned) <= 2 && lists(&all) > 2, "{}", lists(&pruned));
    let top = last.height;
    let row = keys::asset(&a);
    for h in top - 2..=top {
        let proof =
            crate::smt::prove(shuquan_proto::hash::Hashing::BLAKE3, &pruned, &row, h).unwrap();
        assert!(proof.is_some(), "version {h} is provable");
        assert_eq!(
            crate::smt::root(shuquan_proto::hash::Hashing::BLAKE3, &pruned, h).unwrap(),
            crate::smt::root(shuquan_proto::hash::Hashing::BLAKE3, &all, h).unwrap()
        );
    }
    assert!(
        crate::smt::prove(shuquan_proto::hash::Hashing::BLAKE3, &pruned, &row, top - 3).is_err()
    );
    assert!(
        crate::smt::prove(shuquan_proto::hash::Hashing::BLAKE3, &all, &row, top - 3)
            .unwrap()
            .is_some()
    );
}
