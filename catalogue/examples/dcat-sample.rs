//! Prints a sample DCAT-AP JSON-LD catalogue for `scripts/dcat-check`: certified entries
//! covering every sharing class and delivery mode (Chinese names included), plus entries
//! that must be left out (not yet certified, rejected, cancelled, expired), which it checks
//! are absent before printing.

use std::process::ExitCode;

use shuquan_catalogue::{dcat, CatalogMeta, Entry};

const NOW: u64 = 1_790_000_000_000;

fn entry(n: u64, name: &str, status: &str, number: bool) -> Entry {
    Entry {
        asset: format!("{:064x}", 0xa_55e7_0000 + n),
        number: number.then(|| format!("GX-2026-{n:06}")),
        name: name.into(),
        description: format!("{name}: sample asset {n} registered on the Shuquan ledger."),
        sector: "transport".into(),
        grade: "general".into(),
        origin: "enterprise".into(),
        jurisdiction: "CN-GX".into(),
        holder: format!("{:064x}", 0x0e9_0000 + n % 2),
        holder_short: format!("org{}", n % 2 + 1),
        holder_name: ["Guangxi Power Grid Co.", "南宁公交集团"][(n % 2) as usize].into(),
        status: status.into(),
        valid_until_ms: NOW + 86_400_000,
        delivery_modes: vec!["download".into()],
        sharing: "unconditional".into(),
        applied_height: 100 + n,
        applied_at_ms: 1_767_225_600_000 + n * 60_000,
        registered_at_ms: if number {
            1_769_904_000_000 + n * 60_000
        } else {
            0
        },
        fingerprint: format!("{:064x}", 0xf1_0000 + n),
        size_bytes: 1_048_576 * n,
    }
}

fn main() -> ExitCode {
    let mode = |m: &[&str]| m.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let included = [
        Entry {
            delivery_modes: mode(&["download", "query"]),
            ..entry(1, "南宁公交 GPS 轨迹 2026", "registered", true)
        },
        Entry {
            sharing: "conditional".into(),
            sector: "energy".into(),
            jurisdiction: "VN".into(),
            delivery_modes: mode(&["compute"]),
            ..entry(2, "电网负荷曲线 Grid load curves", "changed", true)
        },
        Entry {
            sharing: "not-shared".into(),
            sector: "health".into(),
            grade: "important".into(),
            jurisdiction: "CN".into(),
            delivery_modes: mode(&["verify"]),
            ..entry(3, "Clinic visits (aggregated)", "renewed", true)
        },
        Entry {
            sector: "port-operations".into(),
            valid_until_ms: 0,
            description: String::new(),
            delivery_modes: mode(&["download", "query", "compute", "verify"]),
            ..entry(4, "钦州港集装箱吞吐量", "registered", true)
        },
    ];
    let excluded = [
        entry(5, "Applied, not certified", "applied", false),
        entry(6, "In review", "in-review", false),
        entry(7, "Cancelled certificate", "cancelled", true),
        Entry {
            valid_until_ms: NOW - 1,
            ..entry(8, "Expired certificate", "registered", true)
        },
        entry(9, "Rejected", "rejected", false),
    ];
    let meta = CatalogMeta {
        base_url: "https://node1.shuquan.example/".into(),
        chain_id: "shuquan-devnet".into(),
        title: "Shuquan data-rights catalogue".into(),
        description: "Certified data assets registered on the Shuquan ledger.".into(),
        publisher_name: "Shuquan devnet consortium".into(),
        homepage: None,
        blake3_fingerprints: true,
    };
    let all: Vec<Entry> = included.iter().chain(&excluded).cloned().collect();
    let doc = dcat(&meta, &all, NOW);
    let text = doc.to_string();
    let missing: Vec<&str> = included
        .iter()
        .filter(|e| !text.contains(&e.asset))
        .map(|e| e.name.as_str())
        .collect();
    let leaked: Vec<&str> = excluded
        .iter()
        .filter(|e| text.contains(&e.asset))
        .map(|e| e.name.as_str())
        .collect();
    if !missing.is_empty() || !leaked.is_empty() {
        eprintln!("dcat-sample: missing {missing:?}, wrongly included {leaked:?}");
        return ExitCode::FAILURE;
    }
    match serde_json::to_string_pretty(&doc) {
        Ok(pretty) => {
            println!("{pretty}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dcat-sample: {e}");
            ExitCode::FAILURE
        }
    }
}
