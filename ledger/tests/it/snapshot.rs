//! Raft's view of the ledger: several blocks applied as one batch equal the same blocks
//! applied one by one; a snapshot installed on another ledger reproduces it exactly, and a
//! snapshot of another chain or damaged bytes change nothing.

use shuquan_ledger::Ledger;
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

#[test]
fn an_installed_snapshot_reproduces_the_ledger() {
    let mut src = Chain::new();
    let org1 = src.org1.clone();
    let asset = src.asset(&org1, 7);
    let org3 = src.org3.clone();
    applies(src.grant_with(asset, &org1, &org3, |_| {}));
    let snap = src.ledger.snapshots().export().unwrap();

    // The target has blocks of its own, which the snapshot replaces.
    let mut dst = Chain::new();
    let org1 = dst.org1.clone();
    for seed in 20..25 {
        dst.asset(&org1, seed);
    }
    let applied = dst.ledger.snapshots().install(&snap, b"raft-mark").unwrap();
    assert_eq!(applied.height, src.ledger.applied().unwrap().height);
    assert_eq!(applied.mark, b"raft-mark");
    assert_eq!(hashes(&dst.ledger), hashes(&src.ledger));
    assert_eq!(
        dst.ledger.snapshots().digest().unwrap(),
        src.ledger.snapshots().digest().unwrap()
    );
    assert!(dst.ledger.queries().asset(&asset).unwrap().is_some());
    // The target's own assets are gone.
    assert_eq!(
        dst.ledger
            .queries()
            .assets_by_fingerprint(&shuquan_proto::Hash32([20; 32]))
            .unwrap(),
        vec![]
    );
}

#[test]
fn foreign_or_damaged_snapshots_change_nothing() {
    let mut src = Chain::new();
    let org1 = src.org1.clone();
    src.asset(&org1, 1);
    let snap = src.ledger.snapshots().export().unwrap();

    let mut other = genesis();
    other.chain_id = "another-chain".into();
    let dir = tempfile::tempdir().unwrap();
    let foreign = Ledger::open(dir.path(), other).unwrap();
    assert!(
        foreign.snapshots().install(&snap, b"m").is_err(),
        "a snapshot of another genesis"
    );
    assert_eq!(foreign.applied().unwrap().height, 0);

    let mut dst = Chain::new();
    let org1 = dst.org1.clone();
    dst.asset(&org1, 2);
    let before = hashes(&dst.ledger);
    for bad in [&snap[..snap.len() - 3], &snap[..10], b"junk".as_slice()] {
        assert!(dst.ledger.snapshots().install(bad, b"m").is_err());
        assert_eq!(
            hashes(&dst.ledger),
            before,
            "a failed install changed the ledger"
        );
    }
}
