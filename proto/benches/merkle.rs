//! Merkle trees of a block's transaction ids: the root, one inclusion proof, and checking
//! it, for blocks of 1, 1,000 and 2,000 (the block limit) leaves.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shuquan_proto::{merkle, Hash32};

fn leaves(n: usize) -> Vec<Hash32> {
    (0..n)
        .map(|i| merkle::leaf_hash(&(i as u64).to_be_bytes()))
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("merkle");
    for n in [1usize, 1_000, 2_000] {
        let set = leaves(n);
        let root = merkle::root_of_leaves(&set);
        let mid = n / 2;
        let path = merkle::proof(&set, mid).unwrap();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("root", n), &set, |b, set| {
            b.iter(|| merkle::root_of_leaves(set))
        });
        g.throughput(Throughput::Elements(1));
        g.bench_with_input(BenchmarkId::new("proof", n), &set, |b, set| {
            b.iter(|| merkle::proof(set, mid))
        });
        g.bench_with_input(BenchmarkId::new("verify_proof", n), &path, |b, path| {
            b.iter(|| merkle::verify(&set[mid], mid as u64, n as u64, path, &root))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
