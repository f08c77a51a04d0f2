//! Raft's view of the ledger: several blocks applied as one batch equal the same blocks
//! applied one by one; a state snapshot installed on a node behind, followed by block sync,
//! reproduces the ledger exactly; a snapshot of another chain, damaged bytes or forged rows
//! change nothing; blocks a peer forged or misplaced are refused with a reason.

use std::io::Cursor;

use shuquan_ledger::{Gap, Ledger};
use shuquan_proto::pb;
use shuquan_proto::pb::tx_body::Payload;

use crate::harness::*;

fn proposals(c: &mut Chain, n: u8) -> Vec<pb::Proposal> {
    let org1 = c.org1.clone();
    (0..n)
        .map(|i| {
            let tx = c.tx(
                &org1,
                &[],
                Payload::RegisterAsset(register_payload(100 + i)),
            );
            pb::Proposal {
                timestamp_ms: c.now + u64::from(i) * 1000,
                proposer: key(9).public().to_vec(),
                txs: vec![tx],
            }
        })
        .collect()
}

fn hashes(l: &Ledger) -> Vec<shuquan_proto::Hash32> {
    let h = l.applied().unwrap().height;
    (1..=h)
        .map(|h| l.queries().block(h).unwrap().unwrap().hash)
        .collect()
}

#[test]
fn a_batch_of_blocks_equals_the_blocks_one_by_one() {
    let mut one = Chain::new();
    let ps = proposals(&mut one, 4);
    let batch = Chain::new();
    for p in &ps {
        one.ledger.apply(p, b"m").unwrap();
    }
    let blocks = batch.ledger.apply_blocks(&ps, b"mark-4").unwrap();
    assert_eq!(blocks.len(), 4);
    assert_eq!(hashes(&one.ledger), hashes(&batch.ledger));
    // Same rows, different Raft marks: the digest sees only the rows.
    assert_eq!(
        one.ledger.snapshots().digest().unwrap(),
        batch.ledger.snapshots().digest().unwrap()
    );
    assert_eq!(one.ledger.snapshots().digest().unwrap().0, 4);
    let applied = batch.ledger.applied().unwrap();
    assert_eq!(
        (applied.height, applied.mark.as_slice()),
        (4, &b"mark-4"[..])
    );
    // A batch with no block moves only the mark.
    batch.ledger.apply_blocks(&[], b"mark-5").unwrap();
    let again = batch.ledger.applied().unwrap();
    assert_eq!(
        (again.height, again.block_hash.clone()),
        (4, applied.block_hash)
    );
    assert_eq!(again.mark, b"mark-5");
    assert_eq!(
        batch.ledger.snapshots().digest().unwrap(),
        one.ledger.snapshots().digest().unwrap()
    );
    // One more block on one side, and the digests part.
    let more = proposals(&mut one, 5).pop().unwrap();
    one.ledger.apply(&more, b"m").unwrap();
    assert_ne!(
        batch.ledger.snapshots().digest().unwrap().1,
        one.ledger.snapshots().digest().unwrap().1
    );
}

/// A chain with certified blocks: assets, a grant and uses of it, over many blocks.
fn busy_chain() -> (Chain, shuquan_proto::Hash32) {
    busy_chain_on(genesis_with_nodes())
}

fn busy_chain_on(genesis: pb::Genesis) -> (Chain, shuquan_proto::Hash32) {
    let mut c = Chain::with_genesis(genesis);
    let (org1, org3) = (c.org1.clone(), c.org3.clone());
    let asset = c.asset(&org1, 7);
    let grant = applies(c.grant_with(asset, &org1, &org3, |_| {})).unwrap();
    for seed in 30..40 {
        c.asset(&org3, seed);
        applies(c.usage(&org3, grant, |_| {}));
    }
    c.certify(&[1, 2]);
    (c, asset)
}

fn export(l: &Ledger) -> Vec<u8> {
    let mut out = Vec::new();
    l.snapshots().export_state(&mut out).unwrap();
    out
}

/// Fetches the whole gap from `src`, top down, as the node's sync task does.
fn sync(dst: &Ledger, src: &Ledger) {
    while let Some(Gap { lo, hi, .. }) = dst.gap().unwrap() {
        let count = (hi - lo + 1).min(4);
        let blocks = src.blocks_for_sync(hi, count, 1 << 20).unwrap();
        assert_eq!(dst.fill_gap(&blocks).unwrap(), Ok(count));
    }
}

#[test]
fn a_state_snapshot_then_block_sync_reproduce_the_ledger() {
    snapshot_then_block_sync(genesis_with_nodes);
}

/// The same on the national algorithms: the state tree rebuilt from the snapshot's rows
/// with SM3 gives the certified root, and block sync checks SM3 roots and SM2 signatures.
#[test]
fn on_an_sm_chain_a_state_snapshot_then_block_sync_reproduce_the_ledger() {
    snapshot_then_block_sync(genesis_sm_with_nodes);
}

fn snapshot_then_block_sync(genesis: fn() -> pb::Genesis) {
    let (src, asset) = busy_chain_on(genesis());
    let top = src.ledger.applied().unwrap();
    let dst = Chain::with_genesis(genesis());
    let snap = export(&src.ledger);
    let applied = dst
        .ledger
        .snapshots()
        .install_state(&mut Cursor::new(&snap), b"raft-mark")
        .unwrap();
    assert_eq!(
        (applied.height, &applied.block_hash),
        (top.height, &top.block_hash)
    );
    assert_eq!(applied.mark, b"raft-mark");
    // The state is there at once; the history is not.
    assert_eq!(
        dst.ledger.queries().asset(&asset).unwrap(),
        src.ledger.queries().asset(&asset).unwrap()
    );
    assert_eq!(
        dst.ledger.gap().unwrap(),
        Some(Gap {
            lo: 1,
            hi: top.height,
            anchor: shuquan_proto::Hash32::from_slice(&top.block_hash).unwrap()
        })
    );
    assert!(dst.ledger.queries().history(&asset).unwrap().is_empty());
    assert!(dst
        .ledger
        .bundles()
        .audit_bundle(&asset, top.height, false)
        .is_err());
    sync(&dst.ledger, &src.ledger);
    assert_eq!(dst.ledger.gap().unwrap(), None);
    assert_eq!(hashes(&dst.ledger), hashes(&src.ledger));
    assert_eq!(
        dst.ledger.snapshots().digest().unwrap(),
        src.ledger.snapshots().digest().unwrap()
    );
    assert_eq!(
        dst.ledger.queries().history(&asset).unwrap(),
        src.ledger.queries().history(&asset).unwrap()
    );
    assert_eq!(
        dst.ledger
            .bundles()
            .audit_bundle(&asset, top.height, false)
            .unwrap(),
        src.ledger
            .bundles()
            .audit_bundle(&asset, top.height, false)
            .unwrap()
    );
    // Both go on alike.
    let mut src = src;
    let org1 = src.org1.clone();
    let next = src.tx(&org1, &[], Payload::RegisterAsset(register_payload(90)));
    let p = pb::Proposal {
        timestamp_ms: src.now,
        proposer: key(9).public().to_vec(),
        txs: vec![next],
    };
    let a = src.ledger.apply(&p, b"m").unwrap();
    let b = dst.ledger.apply(&p, b"m").unwrap();
    assert_eq!(a.hash, b.hash);
    // A replayed old transaction fails alike on both (its id is in the snapshot's window).
    let old = src.ledger.bundles().raw_block(2).unwrap().unwrap().txs[0].clone();
    let p = pb::Proposal {
        timestamp_ms: src.now + 1000,
        proposer: key(9).public().to_vec(),
        txs: vec![old],
    };
    let a = src.ledger.apply(&p, b"m").unwrap();
    let b = dst.ledger.apply(&p, b"m").unwrap();
    assert_ne!(a.receipts[0].code, 0);
    assert_eq!(a.hash, b.hash);
}

#[test]
fn a_node_behind_keeps_its_blocks_and_fetches_only_the_rest() {
    let (src, _) = busy_chain();
    let top = src.ledger.applied().unwrap().height;
    // The node applied the first five blocks before it fell behind.
    let dst = Chain::with_genesis(genesis_with_nodes());
    for h in 1..=5 {
        let b = src.ledger.bundles().raw_block(h).unwrap().unwrap();
        let header: pb::BlockHeader = prost::Message::decode(b.header.as_slice()).unwrap();
        let p = pb::Proposal {
            timestamp_ms: header.timestamp_ms,
            proposer: header.proposer,
            txs: b.txs,
        };
        dst.ledger.apply(&p, b"m").unwrap();
    }
    dst.ledger
        .snapshots()
        .install_state(&mut Cursor::new(export(&src.ledger)), b"m")
        .unwrap();
    assert_eq!(
        dst.ledger.gap().unwrap().map(|g| (g.lo, g.hi)),
        Some((6, top))
    );
    sync(&dst.ledger, &src.ledger);
    assert_eq!(
        dst.ledger.snapshots().digest().unwrap(),
        src.ledger.snapshots().digest().unwrap()
    );
}

#[test]
fn foreign_or_damaged_state_snapshots_change_nothing() {
    let (src, _) = busy_chain();
    let snap = export(&src.ledger);

    let mut other = genesis_with_nodes();
    other.chain_id = "another-chain".into();
    let dir = tempfile::tempdir().unwrap();
    let foreign = Ledger::open(dir.path(), other).unwrap();
    let err = foreign
        .snapshots()
        .install_state(&mut Cursor::new(&snap), b"m")
        .unwrap_err()
        .to_string();
    assert!(err.contains("genesis"), "{err}");
    assert_eq!(foreign.applied().unwrap().height, 0);

    let mut dst = Chain::with_genesis(genesis_with_nodes());
    let org1 = dst.org1.clone();
    dst.asset(&org1, 2);
    let before = dst.ledger.snapshots().digest().unwrap();
    let mut flipped = snap.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 1;
    for bad in [
        &snap[..snap.len() - 3],
        &snap[..10],
        b"junk".as_slice(),
        &flipped,
    ] {
        assert!(dst
            .ledger
            .snapshots()
            .install_state(&mut Cursor::new(bad), b"m")
            .is_err());
        assert_eq!(
            dst.ledger.snapshots().digest().unwrap(),
            before,
            "a failed install changed the ledger"
        );
    }
}

/// Rewrites one row of a state snapshot and fixes its checksum, as a sender that lies
/// would (the format is in `shuquan_ledger::snapshot`'s docs).
fn forge(snap: &[u8], f: impl Fn(&[u8], &mut Vec<u8>)) -> Vec<u8> {
    let magic = shuquan_ledger::STATE_SNAPSHOT_MAGIC.len();
    let u32_at = |b: &[u8], i: usize| u32::from_be_bytes(b[i..i + 4].try_into().unwrap()) as usize;
    let mut out = snap[..magic + 4 + u32_at(snap, magic)].to_vec();
    let mut i = out.len();
    loop {
        let k = u32_at(snap, i);
        if k == u32::MAX as usize {
            out.extend_from_slice(&snap[i..i + 12]);
            break;
        }
        let key = &snap[i + 4..i + 4 + k];
        let vlen = u32_at(snap, i + 4 + k);
        let mut value = snap[i + 8 + k..i + 8 + k + vlen].to_vec();
        f(key, &mut value);
        out.extend_from_slice(&(k as u32).to_be_bytes());
        out.extend_from_slice(key);
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(&value);
        i += 8 + k + vlen;
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

#[test]
fn a_forged_state_row_fails_the_root_and_the_next_open_starts_over() {
    let (src, asset) = busy_chain();
    let snap = export(&src.ledger);
    let row = shuquan_proto::state::asset_row(&asset);
    let forged = forge(&snap, |k, v| {
        if k == row.as_slice() {
            let mut a: pb::AssetRecord = prost::Message::decode(v.as_slice()).unwrap();
            a.holder_operate = party(&key(6));
            *v = prost::Message::encode_to_vec(&a);
        }
    });
    assert_ne!(forged, snap);
    let dst = Chain::with_genesis(genesis_with_nodes());
    let err = dst
        .ledger
        .snapshots()
        .install_state(&mut Cursor::new(&forged), b"m")
        .unwrap_err()
        .to_string();
    assert!(err.contains("state root"), "{err}");
    // As after a crash mid-install: reopening starts from the genesis state again, and the
    // true snapshot then installs.
    let Chain {
        _dir: dir, ledger, ..
    } = dst;
    drop(ledger);
    sled_released(dir.path());
    let reopened = Ledger::open(dir.path(), genesis_with_nodes()).unwrap();
    assert_eq!(reopened.applied().unwrap().height, 0);
    assert!(reopened.queries().asset(&asset).unwrap().is_none());
    reopened
        .snapshots()
        .install_state(&mut Cursor::new(&snap), b"m")
        .unwrap();
    assert_eq!(
        reopened.queries().asset(&asset).unwrap(),
        src.ledger.queries().asset(&asset).unwrap()
    );
}

#[test]
fn forged_or_misplaced_blocks_are_refused_with_a_reason() {
    let (src, _) = busy_chain();
    let dst = Chain::with_genesis(genesis_with_nodes());
    dst.ledger
        .snapshots()
        .install_state(&mut Cursor::new(export(&src.ledger)), b"m")
        .unwrap();
    let gap = dst.ledger.gap().unwrap().unwrap();
    let top = src.ledger.blocks_for_sync(gap.hi, 2, 1 << 20).unwrap();
    let refused = |blocks: &[pb::RawBlock], says: &str| {
        let why = dst.ledger.fill_gap(blocks).unwrap().unwrap_err();
        assert!(why.contains(says), "{why}");
        assert_eq!(
            dst.ledger.gap().unwrap(),
            Some(gap),
            "a refused block changed the gap"
        );
    };
    // A signature changed (the roots bind bodies; signatures are checked).
    let mut b = top.clone();
    let n = b[1].txs[0].len();
    b[1].txs[0][n - 1] ^= 1;
    refused(&b, "signatures");
    // A transaction's body changed (its root no longer matches).
    let mut b = top.clone();
    let mut raw: pb::TxRaw = prost::Message::decode(b[1].txs[0].as_slice()).unwrap();
    raw.body.push(0);
    b[1].txs[0] = prost::Message::encode_to_vec(&raw);
    refused(&b, "transaction root");
    // A receipt changed.
    let mut b = top.clone();
    b[1].receipts[0].code = 999;
    refused(&b, "results root");
    // Blocks of the wrong heights.
    let lower = src.ledger.blocks_for_sync(gap.hi - 2, 2, 1 << 20).unwrap();
    refused(&lower, "served for height");
    // A header changed (it no longer hashes to what the chain says).
    let mut b = top.clone();
    let mut h: pb::BlockHeader = prost::Message::decode(b[1].header.as_slice()).unwrap();
    h.timestamp_ms += 1;
    b[1].header = prost::Message::encode_to_vec(&h);
    refused(&b, "hashes to");
    // The first block from the top that fails is the reason: a forged signature in the
    // top block before a broken link below it, and a link before the body below it.
    let mut b = top.clone();
    let n = b[1].txs[0].len();
    b[1].txs[0][n - 1] ^= 1;
    let mut h: pb::BlockHeader = prost::Message::decode(b[0].header.as_slice()).unwrap();
    h.timestamp_ms += 1;
    b[0].header = prost::Message::encode_to_vec(&h);
    refused(&b, &format!("block {}: the signatures", gap.hi));
    let mut b = top.clone();
    b[0].receipts[0].code = 999;
    refused(&b, &format!("block {}: its receipts", gap.hi - 1));
    // The true blocks are taken.
    assert_eq!(dst.ledger.fill_gap(&top).unwrap(), Ok(2));
}

#[test]
fn a_ledger_that_crashed_mid_install_restarts_from_the_genesis_state() {
    let (src, asset) = busy_chain();
    let snap = export(&src.ledger);
    let dst = Chain::with_genesis(genesis_with_nodes());
    dst.ledger
        .snapshots()
        .install_state(&mut Cursor::new(&snap), b"m")
        .unwrap();
    let Chain {
        _dir: dir, ledger, ..
    } = dst;
    drop(ledger);
    sled_released(dir.path());
    // A crash in the middle of the next install: the marker is down and a state row gone.
    {
        let db = sled::open(dir.path()).unwrap();
        let tree = db.open_tree("ledger").unwrap();
        tree.insert(b"meta:installing", &[1u8][..]).unwrap();
        tree.remove(shuquan_proto::state::asset_row(&asset))
            .unwrap();
        db.flush().unwrap();
    }
    let reopened = Ledger::open(dir.path(), genesis_with_nodes()).unwrap();
    assert_eq!(
        reopened.applied().unwrap().height,
        0,
        "no half state passes as applied"
    );
    assert_eq!(reopened.gap().unwrap(), None);
    assert!(reopened.queries().asset(&asset).unwrap().is_none());
    // The genesis members are back, and the snapshot installs again.
    assert!(!reopened.queries().members().unwrap().is_empty());
    reopened
        .snapshots()
        .install_state(&mut Cursor::new(&snap), b"m")
        .unwrap();
    assert_eq!(
        reopened.queries().asset(&asset).unwrap(),
        src.ledger.queries().asset(&asset).unwrap()
    );
}

/// A review chain where applications were rejected, withdrawn and changed (freeing and
/// claiming fingerprints, deleting state rows): a node that installs its snapshot agrees on
/// every row and on what a fingerprint is free for, and both apply the next blocks alike.
#[test]
fn a_snapshot_carries_registrations_fingerprint_claims_and_the_notice_queue() {
    use pb::tx_body::Payload as P;
    let mut src = Chain::with_genesis(genesis_with_review());
    let (org1, org3, registry) = (src.org1.clone(), src.org3.clone(), src.registry.clone());
    let review = |asset: shuquan_proto::Hash32, d: pb::ReviewDecision, r: pb::ReviewReason| {
        P::Review(pb::Review {
            asset: asset.to_vec(),
            decision: d as i32,
            reason: r as i32,
        })
    };
    let accept = |a| review(a, pb::ReviewDecision::Accept, pb::ReviewReason::Unspecified);
    // Rejected: fingerprint 1 free again. Withdrawn: fingerprint 2 free again.
    let rejected = src.asset(&org1, 1);
    applies(src.run(
        &registry,
        &[],
        review(
            rejected,
            pb::ReviewDecision::Reject,
            pb::ReviewReason::Duplicate,
        ),
    ));
    let withdrawn = src.asset(&org1, 2);
    applies(src.run(
        &org1,
        &[],
        P::Withdraw(pb::Withdraw {
            asset: withdrawn.to_vec(),
        }),
    ));
    // Certified, then a change claims fingerprint 4 and waits in notice.
    let changed = src.asset(&org1, 3);
    applies(src.run(&registry, &[], accept(changed)));
    src.now += NOTICE;
    src.block(vec![]);
    applies(src.run(
        &org1,
        &[],
        P::Amend(pb::Amend {
            asset: changed.to_vec(),
            kind: pb::AmendKind::Change as i32,
            change: Some(pb::AssetChange {
                fingerprint: vec![4; 32],
                size_bytes: 10,
                ..Default::default()
            }),
            evidence_hash: vec![],
        }),
    ));
    applies(src.run(&registry, &[], accept(changed)));
    src.certify(&[1, 2]);

    let dst = Chain::with_genesis(genesis_with_review());
    dst.ledger
        .snapshots()
        .install_state(&mut Cursor::new(&export(&src.ledger)), b"m")
        .unwrap();
    sync(&dst.ledger, &src.ledger);
    assert_eq!(
        dst.ledger.snapshots().digest().unwrap(),
        src.ledger.snapshots().digest().unwrap()
    );
    // The same next blocks on both: org3 takes the freed fingerprints, is refused the
    // claimed one, and the notice ends (the change is certified) on both alike.
    let mut dst = dst;
    dst.now = src.now;
    let txs = vec![
        src.tx(&org3, &[], P::RegisterAsset(register_payload(1))),
        src.tx(&org3, &[], P::RegisterAsset(register_payload(2))),
        src.tx(&org3, &[], P::RegisterAsset(register_payload(4))),
    ];
    src.now += NOTICE;
    let p = pb::Proposal {
        timestamp_ms: src.now,
        proposer: key(9).public().to_vec(),
        txs,
    };
    let a = src.ledger.apply(&p, b"m").unwrap();
    let b = dst.ledger.apply(&p, b"m").unwrap();
    assert_eq!(a.hash, b.hash);
    let codes: Vec<u32> = a.receipts.iter().map(|r| r.code).collect();
    assert_eq!(
        codes,
        vec![
            0,
            0,
            shuquan_proto::codes::FailureCode::FingerprintTaken.number()
        ]
    );
    assert_eq!(
        src.ledger
            .queries()
            .certificate(&changed)
            .unwrap()
            .unwrap()
            .sequence,
        2
    );
    assert_eq!(
        dst.ledger.snapshots().digest().unwrap(),
        src.ledger.snapshots().digest().unwrap()
    );
}
