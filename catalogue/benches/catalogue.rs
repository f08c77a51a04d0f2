//! Catalogue benchmarks on 100,000 synthetic entries (deterministic pseudo-random sectors,
//! grades, jurisdictions, names with some Chinese): a page with three filters, a free-text
//! page, the first unfiltered page, the 50th page by cursor, and `apply` of one block of 100
//! upserts (in RAM, and on disk where the commit syncs its files).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use shuquan_catalogue::{Catalogue, Entry, Filter, PageRequest};

const N: u64 = 100_000;
const NOW: u64 = 1_800_000_000_000;
const SECTORS: &[&str] = &[
    "transport",
    "energy",
    "health",
    "finance",
    "agriculture",
    "education",
    "environment",
    "government",
    "logistics",
    "tourism",
    "manufacturing",
    "telecom",
];
const GRADES: &[&str] = &["general", "important", "core"];
const ORIGINS: &[&str] = &["public", "enterprise", "personal"];
const SHARING: &[&str] = &["unconditional", "conditional", "not-shared"];
const STATUSES: &[&str] = &[
    "registered",
    "registered",
    "renewed",
    "changed",
    "in-review",
    "applied",
];
const JURISDICTIONS: &[&str] = &["CN-GX", "CN-GD", "CN-YN", "CN-HI", "CN", "VN", "LA", "TH"];
const MODES: &[&str] = &["download", "query", "compute", "verify"];
const PLACES: &[&str] = &[
    "南宁", "柳州", "桂林", "北海", "钦州", "玉林", "Hanoi", "Kunming",
];
const TOPICS: &[&str] = &[
    "公交客流",
    "电网负荷",
    "医院门诊",
    "港口吞吐",
    "气象观测",
    "traffic counts",
    "bus GPS",
    "power load",
    "clinic visits",
    "air quality",
    "tax filings",
    "crop yields",
];

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

fn entry(rng: &mut Rng, i: u64) -> Entry {
    let status = rng.pick(STATUSES);
    let certified = matches!(status, "registered" | "renewed" | "changed");
    let modes: Vec<String> = MODES
        .iter()
        .filter(|_| rng.next().is_multiple_of(2))
        .map(|m| m.to_string())
        .collect();
    let holder = rng.next() % 500;
    Entry {
        asset: format!("{:016x}{:048x}", rng.next(), i),
        number: certified.then(|| format!("GX-2026-{i:06}")),
        name: format!(
            "{}{} {} {}",
            rng.pick(PLACES),
            rng.pick(TOPICS),
            2020 + i % 7,
            i
        ),
        description: format!(
            "{} data from {} collected by institution {holder}, updated {}.",
            rng.pick(TOPICS),
            rng.pick(PLACES),
            ["daily", "weekly", "monthly"][(i % 3) as usize]
        ),
        sector: rng.pick(SECTORS).into(),
        grade: rng.pick(GRADES).into(),
        origin: rng.pick(ORIGINS).into(),
        jurisdiction: rng.pick(JURISDICTIONS).into(),
        holder: format!("{holder:064x}"),
        holder_short: format!("org{holder}"),
        holder_name: format!("Institution {holder}"),
        status: status.into(),
        valid_until_ms: if certified {
            NOW - 86_400_000 * 30 + rng.next() % (86_400_000 * 365)
        } else {
            0
        },
        delivery_modes: modes,
        sharing: rng.pick(SHARING).into(),
        applied_height: 1 + i / 20,
        applied_at_ms: 1_700_000_000_000 + i * 3_000,
        registered_at_ms: if certified {
            1_700_100_000_000 + i * 3_000
        } else {
            0
        },
        fingerprint: format!("{:064x}", rng.next()),
        size_bytes: rng.next() % 10_000_000_000,
    }
}

fn entries() -> Vec<Entry> {
    let mut rng = Rng(42);
    (0..N).map(|i| entry(&mut rng, i)).collect()
}

/// Builds a catalogue the way a node would: a rebuild, then blocks.
fn load(mut cat: Catalogue, all: &[Entry], label: &str) -> Catalogue {
    let started = Instant::now();
    let (bulk, blocks) = all.split_at(all.len() - 5_000);
    cat.rebuild(bulk.iter().cloned(), 1).unwrap();
    let mut height = 1;
    for block in blocks.chunks(500) {
        height += 1;
        cat.apply(block, height).unwrap();
    }
    eprintln!(
        "{label}: indexed {} entries in {:.1?}",
        cat.len().unwrap(),
        started.elapsed()
    );
    cat
}

/// Blocks of 100 upserts: 20 new assets and 80 status changes of existing ones.
struct Blocks {
    rng: Rng,
    height: u64,
    next: u64,
}

impl Blocks {
    fn make(&mut self, all: &[Entry]) -> (Vec<Entry>, u64) {
        self.height += 1;
        let mut upserts = Vec::with_capacity(100);
        for _ in 0..20 {
            self.next += 1;
            upserts.push(Entry {
                applied_height: self.height,
                ..entry(&mut self.rng, self.next)
            });
        }
        for _ in 0..80 {
            let old = &all[(self.rng.next() % N) as usize];
            upserts.push(Entry {
                status: "changed".into(),
                ..old.clone()
            });
        }
        (upserts, self.height)
    }
}

fn page(cat: &Catalogue, req: &PageRequest) -> usize {
    let page = cat.search(req, NOW).unwrap();
    assert!(!page.entries.is_empty());
    page.entries.len()
}

fn benches(c: &mut Criterion) {
    let all = entries();
    let mut cat = load(Catalogue::in_ram().unwrap(), &all, "in RAM");

    let filtered = PageRequest {
        filter: Filter {
            sector: Some("transport".into()),
            grade: Some("important".into()),
            sharing: Some("conditional".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let total = cat.search(&filtered, NOW).unwrap().total.unwrap();
    eprintln!("filtered page: {total} matches");
    c.bench_function("filtered_page_3_filters", |b| {
        b.iter(|| page(&cat, &filtered))
    });

    let text = PageRequest {
        filter: Filter {
            text: Some("公交客流".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    eprintln!(
        "free-text page: {} matches",
        cat.search(&text, NOW).unwrap().total.unwrap()
    );
    c.bench_function("free_text_page", |b| b.iter(|| page(&cat, &text)));

    let first = PageRequest::default();
    c.bench_function("newest_page_1_unfiltered", |b| {
        b.iter(|| page(&cat, &first))
    });

    let mut deep = PageRequest::default();
    for _ in 0..49 {
        deep.cursor = cat.search(&deep, NOW).unwrap().next_cursor;
    }
    c.bench_function("cursor_page_50", |b| b.iter(|| page(&cat, &deep)));

    let mut blocks = Blocks {
        rng: Rng(7),
        height: 10_000,
        next: N,
    };
    c.bench_function("apply_100_upserts_ram", |b| {
        b.iter_batched(
            || blocks.make(&all),
            |(upserts, h)| cat.apply(&upserts, h).unwrap(),
            BatchSize::PerIteration,
        )
    });

    let dir = tempfile::tempdir().unwrap();
    let mut disk = load(Catalogue::open(dir.path()).unwrap(), &all, "on disk");
    c.bench_function("apply_100_upserts_disk", |b| {
        b.iter_batched(
            || blocks.make(&all),
            |(upserts, h)| disk.apply(&upserts, h).unwrap(),
            BatchSize::PerIteration,
        )
    });
}

criterion_group! {
    name = catalogue;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    targets = benches
}
criterion_main!(catalogue);
