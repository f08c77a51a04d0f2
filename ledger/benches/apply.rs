//! Ledger apply: blocks of 1,000 mixed transactions (registrations, grants, usage records),
//! signatures verified in one batch, written in one sled batch.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use shuquan_ledger::Ledger;
use shuquan_proto::genesis::{GenesisFile, MemberFile, ParamsFile};
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::{Hash32, Keypair};

mod common;

use common::{key, register, CHAIN, T0};
use shuquan_proto::tx::ChainRef;

fn genesis() -> pb::Genesis {
    let m = |id: &str, j: &str, n: u8| MemberFile {
        id: id.into(),
        name: id.into(),
        org_code: String::new(),
        jurisdiction: j.into(),
        roles: vec!["member".into()],
        account_keys: vec![key(n).public()],
        node_key: None,
        cert_key: None,
        node_addr: String::new(),
        is_ciio: false,
        learner: false,
    };
    GenesisFile {
        council: Default::default(),
        chain_id: CHAIN.into(),
        genesis_time_ms: T0,
        hash: Default::default(),
        params: ParamsFile::default(),
        members: vec![m("a", "CN", 1), m("b", "CN", 2)],
    }
    .to_pb()
    .unwrap()
}

fn tx(signer: &Keypair, cos: &[&Keypair], p: Payload, ts: u64) -> Vec<u8> {
    static CHAIN_REF: std::sync::OnceLock<ChainRef> = std::sync::OnceLock::new();
    let chain = CHAIN_REF.get_or_init(|| ChainRef::of(&genesis()));
    shuquan_proto::tx::sign_all(chain, ts, signer, cos, p).expect("signing")
}

fn grant(asset: Hash32, grantee: &str) -> Payload {
    Payload::IssueGrant(pb::IssueGrant {
        asset: asset.to_vec(),
        grantee: shuquan_proto::hash::Hashing::BLAKE3
            .member_id(CHAIN, grantee)
            .to_vec(),
        actions: vec![3],
        purposes: vec!["academic-research".into()],
        not_after_ms: T0 + 365 * 86_400_000,
        jurisdictions: vec!["CN".into()],
        ..Default::default()
    })
}

/// A ledger with 200 assets each with a grant, and a block of 1,000 fresh transactions:
/// 500 registrations, 200 grants, 300 usage records.
fn setup() -> (tempfile::TempDir, Ledger, pb::Proposal) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path(), genesis()).unwrap();
    let (a, b) = (key(1), key(2));
    let now = T0 + 1000;
    let regs: Vec<Vec<u8>> = (0..200).map(|i| tx(&a, &[], register(i), now)).collect();
    let blk = ledger
        .apply(
            &pb::Proposal {
                timestamp_ms: now,
                proposer: vec![],
                txs: regs,
            },
            b"",
        )
        .unwrap();
    let assets: Vec<Hash32> = blk
        .receipts
        .iter()
        .map(|r| Hash32::from_slice(&r.created).unwrap())
        .collect();
    let grants: Vec<Vec<u8>> = assets
        .iter()
        .map(|x| tx(&a, &[&b], grant(*x, "b"), now))
        .collect();
    let blk = ledger
        .apply(
            &pb::Proposal {
                timestamp_ms: now,
                proposer: vec![],
                txs: grants.clone(),
            },
            b"",
        )
        .unwrap();
    let gids: Vec<Hash32> = blk
        .receipts
        .iter()
        .map(|r| Hash32::from_slice(&r.created).unwrap())
        .collect();
    let mut txs = Vec::with_capacity(1000);
    for i in 0..1000u32 {
        let t = now + 1 + u64::from(i);
        txs.push(match i % 10 {
            0..=4 => tx(&a, &[], register(10_000 + i), t),
            5 | 6 => tx(
                &a,
                &[&b],
                grant(assets[(i as usize) % assets.len()], "b"),
                t,
            ),
            _ => tx(
                &b,
                &[],
                Payload::RecordUsage(pb::RecordUsage {
                    grant: gids[(i as usize) % gids.len()].to_vec(),
                    action: 3,
                    purpose: "academic-research".into(),
                    jurisdiction: "CN".into(),
                    ..Default::default()
                }),
                t,
            ),
        });
    }
    (
        dir,
        ledger,
        pb::Proposal {
            timestamp_ms: now + 2000,
            proposer: vec![],
            txs,
        },
    )
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ledger");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1000));
    g.bench_function("apply_block_1000_mixed", |bch| {
        bch.iter_batched(
            setup,
            |(dir, ledger, p)| {
                let b = ledger.apply(&p, b"").unwrap();
                assert!(
                    b.receipts.iter().all(|r| r.code == 0),
                    "bench transactions must apply"
                );
                (dir, ledger)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
