//! The chain's hashing, BLAKE3 against SM3 (the national algorithm a genesis may choose):
//! Merkle trees of a block's transaction ids (the root, one inclusion proof, and checking
//! it, for blocks of 1, 1,000 and 2,000 leaves), a domain-separated id over a typical
//! transaction body, and a data set's fingerprint per MiB.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shuquan_proto::hash::{HashFunction, Hashing};
use shuquan_proto::{merkle, Hash32};

fn leaves(h: Hashing, n: usize) -> Vec<Hash32> {
    (0..n)
        .map(|i| merkle::leaf_hash(h, &(i as u64).to_be_bytes()))
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("merkle");
    for f in HashFunction::ALL {
        let h = f.hashing();
        for n in [1usize, 1_000, 2_000] {
            let set = leaves(h, n);
            let root = merkle::root_of_leaves(h, &set);
            let mid = n / 2;
            let path = merkle::proof(h, &set, mid).unwrap();
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new(format!("root/{f}"), n), &set, |b, set| {
                b.iter(|| merkle::root_of_leaves(h, set))
            });
            g.throughput(Throughput::Elements(1));
            g.bench_with_input(BenchmarkId::new(format!("proof/{f}"), n), &set, |b, set| {
                b.iter(|| merkle::proof(h, set, mid))
            });
            g.bench_with_input(
                BenchmarkId::new(format!("verify_proof/{f}"), n),
                &path,
                |b, path| {
                    b.iter(|| merkle::verify(h, &set[mid], mid as u64, n as u64, path, &root))
                },
            );
        }
    }
    g.finish();

    let mut g = c.benchmark_group("hash");
    let body = vec![0x5a_u8; 220];
    let mib = vec![0xa5_u8; 1 << 20];
    for f in HashFunction::ALL {
        let h = f.hashing();
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::new("tx_id", f), |b| {
            b.iter(|| h.tx_id("bench", &body))
        });
        g.throughput(Throughput::Bytes(mib.len() as u64));
        g.bench_function(BenchmarkId::new("fingerprint_1mib", f), |b| {
            b.iter(|| h.fingerprint(&mib))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
