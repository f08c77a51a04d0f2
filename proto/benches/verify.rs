//! Signature verification: one transaction at a time (`verify_strict`) against one batch,
//! and the national algorithms' cost: the same transactions signed with SM2 on an SM3
//! chain (SM2 has no batch equation, so its batch is one check after another), and signing.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shuquan_proto::hash::Hashing;
use shuquan_proto::keys::Scheme;
use shuquan_proto::pb::{self, tx_body::Payload};
use shuquan_proto::tx::{decode_tx, ChainRef, DecodedTx, Unsigned, DEFAULT_MAX_TX_BYTES};
use shuquan_proto::{verify, Keypair};

fn chain(scheme: Scheme) -> ChainRef {
    ChainRef {
        id: "bench".into(),
        genesis_hash: shuquan_proto::Hash32([1; 32]),
        hash: match scheme {
            Scheme::Ed25519 => Hashing::BLAKE3,
            Scheme::Sm2 => Hashing::SM3,
        },
    }
}

fn txs(scheme: Scheme, n: usize) -> Vec<DecodedTx> {
    (0..n)
        .map(|i| {
            let key = Keypair::from_secret(scheme, [(i % 251) as u8 + 1; 32]).unwrap();
            let body = pb::TxBody {
                chain_id: "bench".into(),
                timestamp_ms: 1_767_225_600_000 + i as u64,
                signer: key.public().to_vec(),
                cosigners: vec![],
                payload: Some(Payload::Unfreeze(pb::Unfreeze {
                    subject: vec![i as u8; 32],
                })),
            };
            let chain = chain(scheme);
            let mut tx = Unsigned::new(body, &chain);
            tx.sign(&key).expect("signing");
            decode_tx(&tx.encode(), &chain, DEFAULT_MAX_TX_BYTES).unwrap()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("verify");
    for scheme in Scheme::ALL {
        for n in [1usize, 64, 256] {
            let set = txs(scheme, n);
            let refs: Vec<&DecodedTx> = set.iter().collect();
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(
                BenchmarkId::new(format!("single/{scheme}"), n),
                &refs,
                |b, refs| b.iter(|| refs.iter().all(|t| verify::verify_tx(t).is_ok())),
            );
            g.bench_with_input(
                BenchmarkId::new(format!("batch/{scheme}"), n),
                &refs,
                |b, refs| b.iter(|| verify::verify_txs(refs).iter().all(|r| r.is_ok())),
            );
        }
    }
    g.finish();
    let mut g = c.benchmark_group("sign");
    let msg = [0x42_u8; 220];
    for scheme in Scheme::ALL {
        let key = Keypair::from_secret(scheme, [7; 32]).unwrap();
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::new("tx", scheme), |b| {
            b.iter(|| key.sign(&msg))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
