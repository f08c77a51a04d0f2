//! Single-node commit throughput and latency through the real raft-log store (fsync per
//! append batch). Concurrent writers let openraft batch entries into one append, so one
//! fsync covers many entries. Besides criterion's timings, prints p50/p99 latency and
//! entries/s for each batch size.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use shuquan_consensus::{Config, MemNetwork, MemStateMachine, Node, NodeInfo, Role, Transport};
use tokio::runtime::Runtime;

const PAYLOAD: usize = 256;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn single_node(dir: &std::path::Path) -> (Node, MemNetwork) {
    let net = MemNetwork::new(1);
    let transport: Arc<dyn Transport> = Arc::new(net.clone());
    let config = Config {
        snapshot_every: 1_000_000,
        ..Config::for_tests()
    };
    let node = Node::start(1, &config, dir, MemStateMachine::new(), transport)
        .await
        .unwrap();
    net.register(&node);
    node.initialize([(1, NodeInfo::new("00", "mem://1"))].into_iter().collect())
        .await
        .unwrap();
    node.wait_until(Duration::from_secs(10), |s| s.role == Role::Leader)
        .await
        .unwrap();
    (node, net)
}

/// Write `batch` entries concurrently; returns each write's latency.
async fn write_batch(node: &Node, batch: usize) -> Vec<Duration> {
    let mut tasks = Vec::with_capacity(batch);
    for _ in 0..batch {
        let node = node.clone();
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            node.write(vec![7u8; PAYLOAD]).await.unwrap();
            t.elapsed()
        }));
    }
    let mut out = Vec::with_capacity(batch);
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A fixed-size measurement printed as one line per batch size.
fn report(rt: &Runtime) {
    let dir = tempfile::tempdir().unwrap();
    let (node, net) = rt.block_on(single_node(dir.path()));
    for batch in [1usize, 16, 64, 256] {
        let rounds = (2048 / batch).max(8);
        let (lat, elapsed) = rt.block_on(async {
            write_batch(&node, batch).await; // warm-up
            let start = Instant::now();
            let mut lat = Vec::new();
            for _ in 0..rounds {
                lat.extend(write_batch(&node, batch).await);
            }
            (lat, start.elapsed())
        });
        let mut sorted = lat.clone();
        sorted.sort();
        let rate = lat.len() as f64 / elapsed.as_secs_f64();
        println!(
            "commit report: batch {batch:>3} ({} writes of {PAYLOAD} B): {rate:>8.0} entries/s, p50 {:?}, p99 {:?}",
            lat.len(),
            percentile(&sorted, 0.50),
            percentile(&sorted, 0.99),
        );
    }
    net.clear();
    rt.block_on(node.shutdown()).unwrap();
}

fn bench_commit(c: &mut Criterion) {
    let rt = runtime();
    report(&rt);

    let dir = tempfile::tempdir().unwrap();
    let (node, net) = rt.block_on(single_node(dir.path()));
    let mut group = c.benchmark_group("commit");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    for batch in [1usize, 64] {
        group.throughput(Throughput::Elements(batch as u64));
        group.bench_with_input(
            BenchmarkId::new("concurrent_writes", batch),
            &batch,
            |b, &batch| {
                b.to_async(&rt).iter(|| write_batch(&node, batch));
            },
        );
    }
    group.finish();
    net.clear();
    rt.block_on(node.shutdown()).unwrap();
}

criterion_group!(benches, bench_commit);
criterion_main!(benches);
