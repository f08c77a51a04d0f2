//! The mempool under a producer's pattern: insert 2,000 transactions of 300 bytes, take
//! them as one block, and remove them as committed; and deduplicated re-inserts.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use shuquan_node::mempool::Mempool;
use shuquan_proto::Hash32;

const N: usize = 2_000;

fn ids() -> Vec<Hash32> {
    (0..N)
        .map(|i| {
            let mut h = [0u8; 32];
            h[..8].copy_from_slice(&(i as u64).to_be_bytes());
            Hash32(h)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let ids = ids();
    let raw = vec![7u8; 300];
    let signer = shuquan_proto::Keypair::from_seed([1; 32]).unwrap().public();
    let mut g = c.benchmark_group("mempool");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("insert_take_remove_2000", |b| {
        b.iter(|| {
            let m = Mempool::new(50_000, 50_000);
            for id in &ids {
                m.insert(*id, raw.clone(), signer).unwrap();
            }
            let block = m.take(N, usize::MAX);
            m.remove(block.iter().map(|(id, _)| id));
            assert!(m.is_empty());
        })
    });
    let full = Mempool::new(50_000, 50_000);
    for id in &ids {
        full.insert(*id, raw.clone(), signer).unwrap();
    }
    g.bench_function("duplicate_insert_2000", |b| {
        b.iter(|| {
            ids.iter()
                .filter(|id| full.insert(**id, Vec::new(), signer) == Ok(true))
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
