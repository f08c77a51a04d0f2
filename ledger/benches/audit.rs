//! Auditing: building and verifying the bundle of an asset with 100 events (one block
//! each, every block certified by 2 of 3 member nodes), and `audit chain` over a data
//! directory of 1,000 blocks of 100 transactions (100,000 in all): re-verifying links,
//! roots, signatures and certificates, re-executing every block and comparing every row.
//! Bundle size and the chain's blocks/s are printed beside criterion's figures.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shuquan_ledger::audit::ChainAudit;
use shuquan_ledger::Ledger;
use shuquan_proto::audit::verify_bundle;
use shuquan_proto::cert::sign_block;
use shuquan_proto::genesis::{GenesisFile, MemberFile, ParamsFile};
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::{Hash32, Keypair};

mod common;

use common::{key, register, CHAIN, T0};

const BLOCKS: u32 = 1_000;
const PER_BLOCK: u32 = 100;

/// Members a and b (with nodes 21 and 22), c (node 23) and an auditor.
fn genesis() -> pb::Genesis {
    let m = |id: &str, role: &str, n: u8, node: Option<u8>| MemberFile {
        id: id.into(),
        name: id.into(),
        org_code: String::new(),
        jurisdiction: "CN".into(),
        roles: vec![role.into()],
        account_keys: vec![key(n).public()],
        node_key: node.map(|k| key(k).public()),
        cert_key: None,
        node_addr: node
            .map(|k| format!("127.0.0.1:{}", 9000 + u16::from(k)))
            .unwrap_or_default(),
        is_ciio: false,
        learner: false,
    };
    GenesisFile {
        council: Default::default(),
        chain_id: CHAIN.into(),
        genesis_time_ms: T0,
        hash: Default::default(),
        params: ParamsFile::default(),
        members: vec![
            m("a", "member", 1, Some(21)),
            m("b", "member", 2, Some(22)),
            m("c", "member", 3, Some(23)),
            m("auditor", "auditor", 5, None),
        ],
    }
    .to_pb()
    .unwrap()
}

fn transfer(asset: Hash32, to: &str) -> Payload {
    Payload::TransferRight(pb::TransferRight {
        asset: asset.to_vec(),
        right: pb::Right::Use as i32,
        to: shuquan_proto::hash::Hashing::BLAKE3
            .member_id(CHAIN, to)
            .to_vec(),
        ..Default::default()
    })
}

fn attest(asset: Hash32, n: u32) -> Payload {
    Payload::Attest(pb::Attest {
        subject: asset.to_vec(),
        kind: pb::AttestKind::Quality as i32,
        result: pb::AttestResult::Pass as i32,
        report_hash: blake3::hash(&n.to_be_bytes()).as_bytes().to_vec(),
        valid_until_ms: 0,
    })
}

/// Applies one block of `txs` at `ts` and returns its receipts.
fn apply(ledger: &Ledger, ts: u64, txs: Vec<Vec<u8>>) -> Vec<pb::Receipt> {
    let p = pb::Proposal {
        timestamp_ms: ts,
        proposer: key(21).public().to_vec(),
        txs,
    };
    ledger.apply(&p, b"bench").unwrap().receipts
}

/// Signs every block with nodes 21 and 22 (a majority of three).
fn certify(ledger: &Ledger) {
    let top = ledger.applied().unwrap().height;
    for h in 1..=top {
        let hash = ledger.certs().block_hash(h).unwrap().unwrap();
        for n in [21, 22] {
            let k = key(n);
            let sig = sign_block(&k, shuquan_proto::hash::Hashing::BLAKE3, CHAIN, h, &hash)
                .expect("signing");
            ledger
                .certs()
                .store_signature(h, &k.public(), &sig.signature)
                .unwrap();
        }
    }
    ledger.certs().set_certified_height(top).unwrap();
}

/// An asset with 100 events, one block each: registration, then use-right transfers
/// back and forth (cosigned) and attestations.
fn asset_with_100_events(ledger: &Ledger) -> Hash32 {
    let (a, b, auditor) = (key(1), key(2), key(5));
    let mut ts = T0 + 1000;
    let chain = ledger.chain().clone();
    let sign = |s: &Keypair, cos: &[&Keypair], p: Payload, ts: u64| {
        shuquan_proto::tx::sign_all(&chain, ts, s, cos, p).expect("signing")
    };
    let r = apply(ledger, ts, vec![sign(&a, &[], register(0), ts)]);
    let asset = Hash32::from_slice(&r[0].created).unwrap();
    for n in 1..100u32 {
        ts += 1000;
        let tx = match n % 3 {
            1 => sign(&a, &[&b], transfer(asset, "b"), ts),
            2 => sign(&b, &[&a], transfer(asset, "a"), ts),
            _ => sign(&auditor, &[], attest(asset, n), ts),
        };
        let r = apply(ledger, ts, vec![tx]);
        assert_eq!(r[0].code, 0, "{:?}", r[0]);
    }
    certify(ledger);
    asset
}

fn bundle(c: &mut Criterion) {
    let ledger = Ledger::open_temporary(genesis()).unwrap();
    let asset = asset_with_100_events(&ledger);
    let height = ledger.applied().unwrap().height;
    let bytes = ledger
        .bundles()
        .audit_bundle(&asset, height, false)
        .unwrap()
        .unwrap();
    let report = verify_bundle(&bytes, ledger.genesis()).unwrap();
    assert_eq!(report.events.len(), 100);
    eprintln!(
        "bundle of {} events over {} certified blocks: {} bytes",
        report.events.len(),
        report.blocks,
        bytes.len()
    );
    let mut g = c.benchmark_group("bundle_100_events");
    g.bench_function("build", |bch| {
        bch.iter(|| {
            ledger
                .bundles()
                .audit_bundle(&asset, height, false)
                .unwrap()
        })
    });
    g.bench_function("verify", |bch| {
        bch.iter(|| verify_bundle(&bytes, ledger.genesis()).unwrap())
    });
    g.finish();
}

/// 1,000 blocks of 100 registrations and attestations by three members and an auditor.
fn chain_of_100k() -> Ledger {
    let ledger = Ledger::open_temporary(genesis()).unwrap();
    let signers = [key(1), key(2), key(3)];
    let auditor = key(5);
    let chain = ledger.chain().clone();
    let mut last_assets: Vec<Hash32> = Vec::new();
    let started = Instant::now();
    for blk in 0..BLOCKS {
        let ts = T0 + 1000 * u64::from(blk + 1);
        let txs: Vec<Vec<u8>> = (0..PER_BLOCK)
            .map(|i| {
                let n = blk * PER_BLOCK + i;
                match last_assets.get(i as usize) {
                    // A fifth of each block attests assets of the block before.
                    Some(a) if i % 5 == 0 => {
                        shuquan_proto::tx::sign_all(&chain, ts, &auditor, &[], attest(*a, n))
                            .expect("signing")
                    }
                    _ => shuquan_proto::tx::sign_all(
                        &chain,
                        ts,
                        &signers[(n % 3) as usize],
                        &[],
                        register(n),
                    )
                    .expect("signing"),
                }
            })
            .collect();
        let receipts = apply(&ledger, ts, txs);
        last_assets = receipts
            .iter()
            .filter(|r| r.code == 0 && !r.created.is_empty())
            .filter_map(|r| Hash32::from_slice(&r.created).ok())
            .collect();
    }
    certify(&ledger);
    eprintln!(
        "built a chain of {} blocks, {} transactions in {:.1} s",
        BLOCKS,
        BLOCKS * PER_BLOCK,
        started.elapsed().as_secs_f64()
    );
    ledger
}

fn audit_chain(ledger: &Ledger) -> shuquan_ledger::audit::Verdict {
    let mut audit = ChainAudit::new(ledger.genesis().clone()).unwrap();
    for h in 1..=ledger.applied().unwrap().height {
        audit
            .check(&ledger.bundles().raw_block(h).unwrap().unwrap())
            .unwrap();
    }
    audit.compare_rows(ledger).unwrap();
    audit.finish().unwrap()
}

fn chain(c: &mut Criterion) {
    let ledger = chain_of_100k();
    let started = Instant::now();
    let v = audit_chain(&ledger);
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(v.txs, u64::from(BLOCKS * PER_BLOCK));
    assert_eq!(v.last_certified, v.blocks);
    eprintln!(
        "audit chain, first run: {} blocks, {} tx in {secs:.2} s = {:.0} blocks/s, {:.0} tx/s",
        v.blocks,
        v.txs,
        v.blocks as f64 / secs,
        v.txs as f64 / secs
    );
    let mut g = c.benchmark_group("audit_chain_100k_tx");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(1));
    g.measurement_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(v.txs));
    g.bench_function("data_dir", |b| b.iter(|| audit_chain(&ledger)));
    g.finish();
}

criterion_group!(benches, bundle, chain);
criterion_main!(benches);
