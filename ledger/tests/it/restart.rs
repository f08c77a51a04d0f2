//! The ledger continues after a reopen, refuses another genesis, and a failed transaction
//! changes nothing.

use shuquan_ledger::Ledger;
use shuquan_proto::pb;

use crate::harness::*;

#[test]
fn a_reopened_ledger_continues_from_its_last_applied_block() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    for seed in 1..=5 {
        c.asset(&org1, seed);
    }
    let applied = c.ledger.applied().unwrap();
    let hashes: Vec<_> = (1..=applied.height)
        .map(|h| c.ledger.queries().block(h).unwrap().unwrap().hash)
        .collect();
    assert_eq!(applied.mark, b"mark");
    let now = c.now;
    let Chain {
        _dir: dir, ledger, ..
    } = c;
    ledger.flush().unwrap();
    drop(ledger);
    sled_released(dir.path());
    let reopened = Ledger::open(dir.path(), genesis()).unwrap();
    assert_eq!(reopened.applied().unwrap(), applied);
    let again: Vec<_> = (1..=applied.height)
        .map(|h| reopened.queries().block(h).unwrap().unwrap().hash)
        .collect();
    assert_eq!(again, hashes);
    // The next block links to the last one.
    let p = pb::Proposal {
        timestamp_ms: now,
        proposer: vec![],
        txs: vec![],
    };
    let next = reopened.apply(&p, b"").unwrap();
    assert_eq!(next.header.height, applied.height + 1);
    assert_eq!(next.header.prev_hash, applied.block_hash);
}

#[test]
fn another_genesis_is_refused() {
    let Chain {
        _dir: dir, ledger, ..
    } = Chain::new();
    drop(ledger);
    sled_released(dir.path());
    let mut other = genesis();
    other.chain_id = "another".into();
    let err = Ledger::open(dir.path(), other).unwrap_err().to_string();
    assert!(err.contains("genesis"), "{err}");
}

#[test]
fn a_failed_transaction_leaves_the_state_unchanged() {
    let mut c = Chain::new();
    let (org1, org2) = (c.org1.clone(), c.org2.clone());
    let asset = c.asset(&org1, 1);
    let before = c.ledger.queries().asset(&asset).unwrap().unwrap();
    // Fails late (after the holder was updated in memory): receiver did not cosign.
    let out = c.run(
        &org1,
        &[],
        pb::tx_body::Payload::TransferRight(pb::TransferRight {
            asset: asset.to_vec(),
            right: 2,
            to: party(&org2),
            price: None,
            consideration_hash: vec![],
        }),
    );
    assert!(out.is_err());
    let after = c.ledger.queries().asset(&asset).unwrap().unwrap();
    assert_eq!(before.holders, after.holders);
    assert_eq!(before.history_head, after.history_head);
}

#[test]
fn every_transaction_has_an_inclusion_proof_into_its_block() {
    let mut c = Chain::new();
    let org1 = c.org1.clone();
    let txs: Vec<Vec<u8>> = (1..=7)
        .map(|i| {
            c.tx(
                &org1,
                &[],
                pb::tx_body::Payload::RegisterAsset(register_payload(i)),
            )
        })
        .collect();
    let b = c.block(txs);
    for r in &b.receipts {
        let id = shuquan_proto::Hash32::from_slice(&r.tx_id).unwrap();
        let mut proof = c.ledger.queries().inclusion_proof(&id).unwrap().unwrap();
        assert_eq!(proof.block_hash, b.hash);
        proof.verify(shuquan_proto::hash::Hashing::BLAKE3).unwrap();
        proof.index = (proof.index + 1) % 7;
        assert!(
            proof.verify(shuquan_proto::hash::Hashing::BLAKE3).is_err(),
            "a proof for another position must fail"
        );
    }
}

#[test]
fn blocks_waiting_in_memory_reach_disk_when_the_ledger_closes() {
    let dir = tempfile::tempdir().unwrap();
    let slow = shuquan_ledger::Tuning {
        batching: shuquan_ledger::Batching {
            every: std::time::Duration::from_secs(3600),
            max_bytes: 1 << 30,
        },
        ..Default::default()
    };
    let ledger = Ledger::open_tuned(dir.path(), genesis(), &slow).unwrap();
    let mut last = None;
    for i in 0..3 {
        let p = pb::Proposal {
            timestamp_ms: genesis().genesis_time_ms + 1_000 * (i + 1),
            proposer: vec![],
            txs: vec![],
        };
        last = Some(ledger.apply(&p, b"mark").unwrap());
    }
    let applied = ledger.applied().unwrap();
    assert_eq!(applied.height, 3);
    drop(ledger);
    sled_released(dir.path());
    let reopened = Ledger::open(dir.path(), genesis()).unwrap();
    assert_eq!(reopened.applied().unwrap(), applied);
    assert_eq!(
        reopened.queries().block(3).unwrap().unwrap().hash,
        last.unwrap().hash
    );
}
