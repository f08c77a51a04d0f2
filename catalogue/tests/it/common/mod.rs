//! Shared test fixtures: deterministic sample entries, a brute-force filter oracle, and a
//! helper that walks every page of a search.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use shuquan_catalogue::{
    Catalogue, Entry, Filter, PageRequest, Sort, CERTIFIED_STATUSES, DELIVERY_MODES, EXPIRED,
    GRADES, ORIGINS, SHARING, STATUSES,
};

/// The `now_ms` of every search in the tests.
pub(crate) const NOW: u64 = 1_800_000_000_000;
pub(crate) const SECTORS: &[&str] = &["transport", "energy", "health", "finance"];
pub(crate) const JURISDICTIONS: &[&str] = &["CN-GX", "CN-GD", "VN"];

/// A 64-hex id from a number.
pub(crate) fn id(n: u64) -> String {
    format!("{n:064x}")
}

/// Sample entry `i`: every field cycles with a different period, heights repeat in threes.
pub(crate) fn sample(i: u64) -> Entry {
    let pick = |list: &[&str], period: u64| list[(i % period) as usize % list.len()].to_string();
    let status = pick(STATUSES, 9);
    let certified = CERTIFIED_STATUSES.contains(&status.as_str()) || status == "cancelled";
    let name = match i % 4 {
        0 => format!("南宁公交数据 {i}"),
        1 => format!("Bus GPS traces {i}"),
        2 => format!("电网负荷 load curve {i}"),
        _ => format!("Clinic visits {i}"),
    };
    Entry {
        asset: id(1000 + i),
        number: certified.then(|| format!("GX-2026-{i:06}")),
        name,
        description: format!("Sample asset number {i} for the catalogue tests."),
        sector: pick(SECTORS, 4),
        grade: pick(GRADES, 3),
        origin: pick(ORIGINS, 5),
        jurisdiction: pick(JURISDICTIONS, 7),
        holder: id(i % 3),
        holder_short: format!("org{}", i % 3),
        holder_name: format!("Institution {}", i % 3),
        status,
        valid_until_ms: match i % 5 {
            0 => NOW - 1_000,
            1 => 0,
            2 => NOW, // valid through now: not expired
            _ => NOW + 1_000,
        },
        delivery_modes: DELIVERY_MODES
            .iter()
            .enumerate()
            .filter(|(bit, _)| ((i / 5) >> bit) & 1 == 1)
            .map(|(_, m)| m.to_string())
            .collect(),
        sharing: pick(SHARING, 11),
        applied_height: i / 3 + 1,
        applied_at_ms: 1_700_000_000_000 + (i / 3) * 5_000,
        registered_at_ms: if certified {
            1_750_000_000_000 + i * 1_000
        } else {
            0
        },
        fingerprint: id(5000 + i),
        size_bytes: 1024 * i,
    }
}

/// `n` sample entries.
pub(crate) fn samples(n: u64) -> Vec<Entry> {
    (0..n).map(sample).collect()
}

/// A RAM catalogue holding `entries` at height 10.
pub(crate) fn catalogue_with(entries: &[Entry]) -> Catalogue {
    let mut cat = Catalogue::in_ram().unwrap();
    cat.apply(entries, 10).unwrap();
    cat
}

/// What the filter means, computed the slow way (free text not covered).
pub(crate) fn matches(e: &Entry, f: &Filter, now: u64) -> bool {
    let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    let status_ok = match f.status.as_deref() {
        None => true,
        Some(EXPIRED) => e.effective_status(now) == EXPIRED,
        Some(s) => e.status == s && e.effective_status(now) != EXPIRED,
    };
    let registered_ok = (f.registered_from_ms.is_none() && f.registered_to_ms.is_none())
        || (e.registered_at_ms > 0
            && f.registered_from_ms.is_none_or(|t| e.registered_at_ms >= t)
            && f.registered_to_ms.is_none_or(|t| e.registered_at_ms <= t));
    eq(&f.sector, &e.sector)
        && eq(&f.grade, &e.grade)
        && eq(&f.origin, &e.origin)
        && eq(&f.jurisdiction, &e.jurisdiction)
        && eq(&f.holder, &e.holder)
        && eq(&f.sharing, &e.sharing)
        && f.delivery_mode
            .as_deref()
            .is_none_or(|m| e.delivery_modes.iter().any(|d| d == m))
        && status_ok
        && registered_ok
}

/// Every entry of every page, following cursors (at most `max_pages` pages).
pub(crate) fn all_pages(cat: &Catalogue, filter: &Filter, sort: Sort, limit: usize) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut cursor = None;
    for _ in 0..10_000 {
        let req = PageRequest {
            filter: filter.clone(),
            sort,
            limit,
            cursor: cursor.take(),
        };
        let page = cat.search(&req, NOW).unwrap();
        assert!(page.entries.len() <= limit);
        out.extend(page.entries);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
    panic!("pagination did not end");
}

/// The asset ids of `entries`, as a set.
pub(crate) fn set(entries: &[Entry]) -> BTreeSet<String> {
    entries.iter().map(|e| e.asset.clone()).collect()
}

/// `Some(s.to_string())`.
pub(crate) fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

/// The asset ids of `entries`, in order.
pub(crate) fn ids(entries: &[Entry]) -> Vec<String> {
    entries.iter().map(|e| e.asset.clone()).collect()
}
