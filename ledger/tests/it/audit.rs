//! Audit bundles and the whole-chain check. A bundle built by the ledger verifies offline
//! with the genesis alone; every way of tampering with it fails with its own reason; and
//! `audit chain` names the first block of a ledger whose rows were corrupted.

use prost::Message;
use shuquan_ledger::audit::{open_data_dir, ChainAudit};
use shuquan_ledger::Ledger;
use shuquan_proto::audit::verify_bundle;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::{Hash32, Keypair};

use crate::harness::*;

fn transfer(asset: Hash32, right: pb::Right, to: &Keypair) -> Payload {
    Payload::TransferRight(pb::TransferRight {
        asset: asset.to_vec(),
        right: right as i32,
        to: party(to),
        price: None,
        consideration_hash: vec![],
    })
}

fn attest(subject: Hash32) -> Payload {
    Payload::Attest(pb::Attest {
        subject: subject.to_vec(),
        kind: pb::AttestKind::Quality as i32,
        result: pb::AttestResult::Pass as i32,
        report_hash: vec![2; 32],
        valid_until_ms: 0,
    })
}

/// Asset A (org1) with five events — registration, a transfer of Use to org3 in a block
/// shared with other assets' transactions, a grant to org3, a use of it, an attestation —
/// plus a failed transfer that is not part of its history; asset B (org3) has its own
/// events, one in A's shared block. Every block is certified by nodes 1 and 2.
struct Scene {
    c: Chain,
    a: Hash32,
    b: Hash32,
}

fn scene() -> Scene {
    scene_on(genesis_with_nodes())
}

/// The same scene on the national algorithms (SM3; org1 signs with SM2, org3 and the
/// auditor with ed25519; the nodes certify with SM2).
fn sm_scene() -> Scene {
    scene_on(genesis_sm_with_nodes())
}

fn scene_on(genesis: pb::Genesis) -> Scene {
    let mut c = Chain::with_genesis(genesis);
    let (org1, org2, org3, auditor) = (
        c.org1.clone(),
        c.org2.clone(),
        c.org3.clone(),
        c.auditor.clone(),
    );
    let a = c.asset(&org1, 1);
    let b = c.asset(&org3, 2);
    let shared = vec![
        c.tx(
            &org2,
            &[],
            Payload::RegisterAsset(pb::RegisterAsset {
                jurisdiction: "VN".into(),
                ..register_payload(3)
            }),
        ),
        c.tx(&org1, &[&org3], transfer(a, pb::Right::Use, &org3)),
        c.tx(&auditor, &[], attest(b)),
    ];
    let block = c.block(shared);
    assert!(
        block.receipts.iter().all(|r| r.code == 0),
        "{:?}",
        block.receipts
    );
    let g = applies(c.grant_with(a, &org1, &org3, |_| {})).unwrap();
    applies(c.usage(&org3, g, |_| {}));
    applies(c.run(&auditor, &[], attest(a)));
    // Not the holder of Use any more: fails, and is no event of A.
    assert!(c
        .run(&org1, &[&org2], transfer(a, pb::Right::Use, &org2))
        .is_err());
    applies(c.run(&org3, &[&org1], transfer(b, pb::Right::Hold, &org1)));
    c.certify(&[1, 2]);
    Scene { c, a, b }
}

impl Scene {
    fn height(&self) -> u64 {
        self.c.ledger.applied().unwrap().height
    }

    fn bundle_at(&self, asset: &Hash32, height: u64) -> pb::AuditBundle {
        let bytes = self
            .c
            .ledger
            .bundles()
            .audit_bundle(asset, height, false)
            .unwrap()
            .unwrap();
        pb::AuditBundle::decode(&bytes[..]).unwrap()
    }

    fn bundle(&self) -> pb::AuditBundle {
        self.bundle_at(&self.a, self.height())
    }

    /// The verifier's complaint about `b`.
    #[track_caller]
    fn reason(&self, b: &pb::AuditBundle) -> String {
        match verify_bundle(&b.encode_to_vec(), self.c.ledger.genesis()) {
            Ok(_) => panic!("a tampered bundle verified"),
            Err(e) => e.to_string(),
        }
    }
}

#[track_caller]
fn assert_says(reason: &str, expected: &str) {
    assert!(
        reason.contains(expected),
        "{reason:?} does not say {expected:?}"
    );
}

#[test]
fn a_bundle_proves_history_title_and_grants_with_the_genesis_alone() {
    let s = scene();
    let bytes = s.bundle().encode_to_vec();
    let r = verify_bundle(&bytes, s.c.ledger.genesis()).unwrap();
    let kinds: Vec<&str> = r.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "register_asset",
            "transfer_right",
            "issue_grant",
            "record_usage",
            "attest"
        ]
    );
    assert_eq!(r.height, s.height());
    assert_eq!(r.holders.hold, party_hex(&s.c.org1));
    assert_eq!(r.holders.use_, party_hex(&s.c.org3));
    assert_eq!(r.title.len(), 2);
    assert_eq!(r.grants.len(), 1);
    assert_eq!(
        (r.grants[0].status.as_str(), r.grants[0].uses),
        ("active", 1)
    );
    // The shared block: A's transfer is its second transaction.
    assert_eq!((r.events[1].height, r.events[1].index), (3, 1));
    // The state root in the header is the tree's root at that height.
    let header = s.c.ledger.queries().header(s.height()).unwrap().unwrap();
    assert_eq!(
        header.state_root,
        s.c.ledger
            .bundles()
            .state_root(s.height())
            .unwrap()
            .unwrap()
            .to_vec()
    );
}

#[test]
fn every_flipped_byte_of_a_bundle_is_caught() {
    let s = scene();
    let bytes = s.bundle().encode_to_vec();
    let genesis = s.c.ledger.genesis();
    for i in 0..bytes.len() {
        for mask in [0x01u8, 0x80] {
            let mut bad = bytes.clone();
            bad[i] ^= mask;
            assert!(
                verify_bundle(&bad, genesis).is_err(),
                "flipping byte {i} of {} with {mask:#04x} went unnoticed",
                bytes.len()
            );
        }
    }
}

#[test]
fn dropped_events_are_caught() {
    let s = scene();
    let mut b = s.bundle();
    b.events.pop();
    assert_says(
        &s.reason(&b),
        "the certified record counts 5 events, the bundle holds 4: events are missing",
    );
    let mut b = s.bundle();
    b.events.remove(0);
    assert_says(&s.reason(&b), "is not the registration of asset");
    let mut b = s.bundle();
    b.events.remove(2);
    assert_says(&s.reason(&b), "event 3 (tx");
    let mut b = s.bundle();
    b.events.swap(3, 4);
    assert_says(&s.reason(&b), "event 5 (block 5 index 0) is out of order");
}

#[test]
fn an_event_of_another_asset_is_caught() {
    let s = scene();
    let other = s.bundle_at(&s.b, s.height());
    // B's attestation sits in A's shared block, right after A's transfer.
    let theirs = other.events.iter().find(|e| e.height == 3).unwrap().clone();
    let mut b = s.bundle();
    b.events[1] = theirs;
    assert_says(
        &s.reason(&b),
        &format!("event 2 (tx {}", tx_id(&b.events[1])),
    );
    assert_says(&s.reason(&b), &format!("does not concern asset {}", s.a));
}

fn tx_id(ev: &pb::ProvenTx) -> Hash32 {
    let body = pb::TxRaw::decode(&ev.tx[..]).unwrap().body;
    shuquan_proto::hash::Hashing::BLAKE3.tx_id(CHAIN, &body)
}

#[test]
fn an_event_not_in_its_block_is_caught() {
    let s = scene();
    let mut b = s.bundle();
    b.events[1].index = 0;
    assert_says(&s.reason(&b), "is not included in block 3 at index 0");
    let mut b = s.bundle();
    b.events[3].receipt.as_mut().unwrap().code = 7;
    assert_says(&s.reason(&b), "the receipt of event 4");
}

#[test]
fn weak_or_foreign_certificates_are_caught() {
    let s = scene();
    let mut b = s.bundle();
    b.headers[0]
        .certificate
        .as_mut()
        .unwrap()
        .signatures
        .truncate(1);
    assert_says(
        &s.reason(&b),
        "certificate of block 1 has 1 of 3 signatures (2 needed)",
    );
    let mut b = s.bundle();
    let cert = b.headers[0].certificate.as_mut().unwrap();
    let hash = Hash32::from_slice(&cert.block_hash).unwrap();
    cert.signatures[0] = shuquan_proto::cert::sign_block(
        &key(30),
        shuquan_proto::hash::Hashing::BLAKE3,
        CHAIN,
        1,
        &hash,
    )
    .expect("signing");
    assert_says(&s.reason(&b), "which is not a voter node at that height");
    let mut b = s.bundle();
    b.headers[0].certificate = None;
    assert_says(&s.reason(&b), "block 1 has no certificate");
}

#[test]
fn state_proofs_of_another_height_or_value_are_caught() {
    let s = scene();
    let top = s.height();
    let earlier = s.bundle_at(&s.a, top - 1);
    let mut b = s.bundle();
    b.record = earlier.record.clone();
    assert_says(
        &s.reason(&b),
        &format!("is of height {}, the bundle proves height {top}", top - 1),
    );
    b.record.as_mut().unwrap().height = top;
    assert_says(&s.reason(&b), "state proof mismatch");

    let mut b = s.bundle();
    let proof = b.record.as_mut().unwrap();
    let mut record = pb::AssetRecord::decode(&proof.value[..]).unwrap();
    record.holder_use = party(&s.c.org2);
    proof.value = record.encode_to_vec();
    assert_says(&s.reason(&b), "state proof mismatch");

    let mut b = s.bundle();
    b.grants.clear();
    assert_says(&s.reason(&b), "has no state proof in the bundle");
    let mut b = s.bundle();
    b.record = None;
    assert_says(&s.reason(&b), "no state proof of the asset's record");
}

#[test]
fn a_bundle_of_another_genesis_is_refused() {
    let s = scene();
    let bytes = s.bundle().encode_to_vec();
    let e = verify_bundle(&bytes, &genesis()).unwrap_err().to_string();
    assert_says(&e, "the bundle is of genesis");
}

#[test]
fn lineage_parents_are_proven_on_request() {
    let mut s = scene();
    let org3 = s.c.org3.clone();
    let a = s.a;
    let child =
        applies(s.c.register_with(&org3, 9, |r| r.derived_from = vec![a.to_vec()])).unwrap();
    s.c.certify(&[1, 3]);
    let h = s.height();
    let genesis = s.c.ledger.genesis().clone();
    let with =
        s.c.ledger
            .bundles()
            .audit_bundle(&child, h, true)
            .unwrap()
            .unwrap();
    let r = verify_bundle(&with, &genesis).unwrap();
    assert_eq!(r.parents.len(), 1);
    assert_eq!(r.parents[0].name.as_deref(), Some("data set 1"));
    // A's five events and the derivation, which is an event of the parent too.
    assert_eq!(r.parents[0].event_count, Some(6));
    let without =
        s.c.ledger
            .bundles()
            .audit_bundle(&child, h, false)
            .unwrap()
            .unwrap();
    let r = verify_bundle(&without, &genesis).unwrap();
    assert_eq!((r.parents[0].id, r.parents[0].name.clone()), (a, None));
    // The parent's own bundle proves the derivation as its sixth event.
    let parent =
        s.c.ledger
            .bundles()
            .audit_bundle(&a, h, false)
            .unwrap()
            .unwrap();
    let r = verify_bundle(&parent, &genesis).unwrap();
    assert_eq!(r.events.len(), 6);
    assert_eq!(r.events[5].kind, "register_asset");
}

/// Runs `audit chain` over every block of `ledger`, then compares its rows.
fn audit_chain(ledger: &Ledger) -> shuquan_ledger::Result<shuquan_ledger::audit::Verdict> {
    let mut audit = ChainAudit::new(ledger.genesis().clone())?;
    for h in 1..=ledger.applied()?.height {
        audit.check(&ledger.bundles().raw_block(h)?.unwrap())?;
    }
    audit.compare_rows(ledger)?;
    audit.finish()
}

#[test]
fn audit_chain_re_executes_a_sound_chain() {
    let s = scene();
    let v = audit_chain(&s.c.ledger).unwrap();
    let top = s.height();
    assert_eq!(v.blocks, top);
    assert_eq!(v.txs, 10);
    assert_eq!(
        v.state_root,
        s.c.ledger.bundles().state_root(top).unwrap().unwrap()
    );
    assert_eq!(v.tip, s.c.ledger.certs().block_hash(top).unwrap().unwrap());
    assert_eq!(v.last_certified, top);
}

/// Rewrites one row of a closed ledger directory.
fn corrupt(dir: &std::path::Path, key: &[u8], f: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    let db = sled::open(dir).unwrap();
    let tree = db.open_tree("ledger").unwrap();
    let old = tree.get(key).unwrap().unwrap().to_vec();
    tree.insert(key, f(old)).unwrap();
    db.flush().unwrap();
}

/// Rewrites block `height` in the block files of a closed ledger directory, with a valid
/// checksum (as someone editing the files would), keeping its length.
fn corrupt_block(dir: &std::path::Path, height: u64, f: impl FnOnce(&mut pb::RawBlock)) {
    use std::os::unix::fs::FileExt;
    let db = sled::open(dir).unwrap();
    let tree = db.open_tree("ledger").unwrap();
    let mut key = b"bloc:".to_vec();
    key.extend_from_slice(&height.to_be_bytes());
    let loc = tree.get(&key).unwrap().unwrap();
    let segment = u32::from_be_bytes(loc[0..4].try_into().unwrap());
    let offset = u64::from_be_bytes(loc[4..12].try_into().unwrap());
    let len = u32::from_be_bytes(loc[12..16].try_into().unwrap()) as usize;
    drop(tree);
    drop(db);
    let path = dir.join("blocks").join(format!("{segment:08}.seg"));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let mut bytes = vec![0u8; len];
    file.read_exact_at(&mut bytes, offset + 8).unwrap();
    let mut block = pb::RawBlock::decode(bytes.as_slice()).unwrap();
    f(&mut block);
    let bytes = block.encode_to_vec();
    assert_eq!(bytes.len(), len, "the edit keeps the frame's length");
    file.write_all_at(&crc32fast::hash(&bytes).to_le_bytes(), offset + 4)
        .unwrap();
    file.write_all_at(&bytes, offset + 8).unwrap();
}

#[test]
fn audit_chain_names_the_block_of_a_corrupted_transaction() {
    let s = scene();
    let transfer = &s.bundle().events[1];
    let (height, index) = (transfer.height, transfer.index as usize);
    let dir = s.c.into_dir();
    corrupt_block(dir.path(), height, |b| {
        let n = b.txs[index].len();
        b.txs[index][n - 1] ^= 1; // the last signature byte
    });
    let ledger = open_data_dir(dir.path(), genesis_with_nodes()).unwrap();
    match audit_chain(&ledger) {
        Err(shuquan_ledger::Error::Audit { height, reason }) => {
            assert_eq!(height, 3);
            assert_says(&reason, "results root mismatch");
        }
        other => panic!("expected a finding at block 3, got {other:?}"),
    }
}

#[test]
fn audit_chain_finds_a_corrupted_state_row() {
    let s = scene();
    let a = s.a;
    let dir = s.c.into_dir();
    let row = shuquan_proto::state::asset_row(&a);
    corrupt(dir.path(), &row, |v| {
        let mut rec = pb::AssetRecord::decode(&v[..]).unwrap();
        rec.holder_hold = party(&key(6));
        rec.encode_to_vec()
    });
    let ledger = open_data_dir(dir.path(), genesis_with_nodes()).unwrap();
    match audit_chain(&ledger) {
        Err(shuquan_ledger::Error::Audit { height, reason }) => {
            // A's record was last written by its attestation, in block 6.
            assert_eq!(height, 6);
            assert_says(&reason, &format!("row asset:{a} holds a different value"));
        }
        other => panic!("expected a finding, got {other:?}"),
    }
}

/// The state tree's hashing is part of the chain format: a new jmt release or a changed key
/// layout that moves this root is a new chain format, not an upgrade.
#[test]
fn the_state_tree_encoding_is_frozen() {
    let c = Chain::with_genesis(genesis_with_nodes());
    assert_eq!(
        c.ledger.bundles().state_root(0).unwrap().unwrap().to_hex(),
        "560cc29b07d8cd707407e8131d8e10dda01c3a23b8eb8bdf47dd124d0f09d473"
    );
}

#[test]
fn a_ledger_without_a_state_tree_is_refused_with_a_reason() {
    let s = scene();
    let top = s.height();
    let dir = s.c.into_dir();
    {
        let db = sled::open(dir.path()).unwrap();
        let tree = db.open_tree("ledger").unwrap();
        for k in tree.scan_prefix(b"jmtn:").keys() {
            tree.remove(k.unwrap()).unwrap();
        }
        db.flush().unwrap();
    }
    let e = Ledger::open(dir.path(), genesis_with_nodes()).unwrap_err();
    assert_says(
        &e.to_string(),
        &format!("has no state tree at height {top}"),
    );
}

#[test]
fn a_later_badly_signed_copy_of_an_event_breaks_neither_bundles_nor_audit_chain() {
    let mut s = scene();
    let mut copy = s.bundle().events[1].tx.clone();
    let n = copy.len();
    copy[n - 1] ^= 1; // same body, same id, a bad signature
    let b = s.c.block(vec![copy]);
    assert_ne!(b.receipts[0].code, 0);
    s.c.certify(&[1, 2]);
    let bytes = s.bundle().encode_to_vec();
    let r = verify_bundle(&bytes, s.c.ledger.genesis()).unwrap();
    assert_eq!((r.events[1].height, r.events[1].index), (3, 1));
    let v = audit_chain(&s.c.ledger).unwrap();
    assert_eq!(v.blocks, s.height());
}

#[test]
fn audit_chain_proves_only_up_to_the_last_certified_block() {
    let mut s = scene();
    let top = s.height();
    let org1 = s.c.org1.clone();
    s.c.asset(&org1, 42);
    let v = audit_chain(&s.c.ledger).unwrap();
    assert_eq!((v.blocks, v.last_certified), (top + 1, top));
}

#[test]
fn a_directory_without_a_ledger_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    drop(sled::open(dir.path()).unwrap());
    sled_released(dir.path());
    let e = open_data_dir(dir.path(), genesis_with_nodes()).unwrap_err();
    assert_says(&e.to_string(), "holds no ledger");
    let db = sled::open(dir.path()).unwrap();
    assert!(db.open_tree("ledger").unwrap().is_empty());
}

#[test]
fn on_an_sm_chain_a_bundle_verifies_offline_and_audit_chain_re_executes_it() {
    let s = sm_scene();
    assert_eq!(s.c.ledger.hashing(), shuquan_proto::hash::Hashing::SM3);
    assert_eq!(s.c.org1.scheme(), shuquan_proto::keys::Scheme::Sm2);
    assert_eq!(s.c.org3.scheme(), shuquan_proto::keys::Scheme::Ed25519);
    let bytes = s.bundle().encode_to_vec();
    let r = verify_bundle(&bytes, s.c.ledger.genesis()).unwrap();
    assert_eq!(r.asset, s.a);
    assert_eq!(r.events.len(), 5);
    assert_eq!(r.events[0].signer, s.c.org1.public().to_hex());
    assert_eq!(r.events[0].signer.len(), 66, "an SM2 key");
    // Ids are SM3's: the asset id is not what BLAKE3 would make of the same transaction.
    let reg = r.events[0].tx_id;
    assert_eq!(shuquan_proto::hash::Hashing::SM3.asset_id(CHAIN, &reg), s.a);
    assert_ne!(
        shuquan_proto::hash::Hashing::BLAKE3.asset_id(CHAIN, &reg),
        s.a
    );
    // Any flipped byte is still caught (a sample: the SM2 signatures are in there).
    for i in (0..bytes.len()).step_by(97) {
        let mut bad = bytes.clone();
        bad[i] ^= 0x10;
        assert!(
            verify_bundle(&bad, s.c.ledger.genesis()).is_err(),
            "byte {i}"
        );
    }
    // The genesis says SM3: the same bundle read against a BLAKE3 genesis fails.
    let mut blake = s.c.ledger.genesis().clone();
    blake.hash = 0;
    assert!(verify_bundle(&bytes, &blake).is_err());
    // `audit chain` re-executes every block with SM3 and the SM2 signatures.
    let v = audit_chain(&s.c.ledger).unwrap();
    let top = s.height();
    assert_eq!((v.blocks, v.txs, v.last_certified), (top, 10, top));
    assert_eq!(
        v.state_root,
        s.c.ledger.bundles().state_root(top).unwrap().unwrap()
    );
}

#[test]
fn on_an_sm_chain_a_certificate_by_node_keys_instead_of_sm2_keys_is_refused() {
    let s = sm_scene();
    let mut b = s.bundle();
    let header = &b.headers.last().unwrap().header;
    let hash = shuquan_proto::block::block_hash(
        shuquan_proto::hash::Hashing::SM3,
        &pb::BlockHeader::decode(&header[..]).unwrap(),
    );
    let h = s.height();
    let cert = b.headers.last_mut().unwrap().certificate.as_mut().unwrap();
    // Node 1's ed25519 node key signs instead of its SM2 certificate key: not a voter.
    cert.signatures[0] = shuquan_proto::cert::sign_block(
        &node_key(1),
        shuquan_proto::hash::Hashing::SM3,
        CHAIN,
        h,
        &hash,
    )
    .unwrap();
    assert_says(&s.reason(&b), "which is not a voter node");
}
