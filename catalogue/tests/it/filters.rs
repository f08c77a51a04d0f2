//! Each filter narrows a search to exactly the entries it means, checked against a
//! brute-force oracle (status with expiry at `now`, registration time ranges included).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use shuquan_catalogue::{Filter, PageRequest, Sort};

fn check(filter: Filter) -> usize {
    let entries = samples(300);
    let cat = catalogue_with(&entries);
    let expected: Vec<_> = entries
        .iter()
        .filter(|e| matches(e, &filter, NOW))
        .cloned()
        .collect();
    let found = all_pages(&cat, &filter, Sort::Newest, 37);
    assert_eq!(set(&found), set(&expected), "{filter:?}");
    assert_eq!(found.len(), expected.len(), "duplicates for {filter:?}");
    let first = cat.search(
        &PageRequest {
            filter: filter.clone(),
            ..Default::default()
        },
        NOW,
    );
    assert_eq!(
        first.unwrap().total,
        Some(expected.len() as u64),
        "{filter:?}"
    );
    expected.len()
}

#[test]
fn each_filter_narrows_to_its_matches() {
    let all = check(Filter::default());
    assert_eq!(all, 300);
    let single = [
        Filter {
            sector: some("energy"),
            ..Default::default()
        },
        Filter {
            grade: some("core"),
            ..Default::default()
        },
        Filter {
            origin: some("personal"),
            ..Default::default()
        },
        Filter {
            jurisdiction: some("VN"),
            ..Default::default()
        },
        Filter {
            holder: Some(id(2)),
            ..Default::default()
        },
        Filter {
            delivery_mode: some("compute"),
            ..Default::default()
        },
        Filter {
            sharing: some("not-shared"),
            ..Default::default()
        },
        Filter {
            status: some("in-review"),
            ..Default::default()
        },
    ];
    for filter in single {
        let n = check(filter);
        assert!(
            n > 0 && n < all,
            "a filter that narrows nothing proves nothing"
        );
    }
    let combined = Filter {
        sector: some("transport"),
        grade: some("general"),
        sharing: some("unconditional"),
        delivery_mode: some("download"),
        ..Default::default()
    };
    assert!(check(combined) > 0);
    assert_eq!(
        check(Filter {
            sector: some("mining"),
            ..Default::default()
        }),
        0
    );
}

#[test]
fn status_filter_evaluates_expiry_at_now() {
    for status in [
        "registered",
        "changed",
        "renewed",
        "expired",
        "cancelled",
        "applied",
    ] {
        let n = check(Filter {
            status: some(status),
            ..Default::default()
        });
        assert!(n > 0, "{status}");
    }
    // One entry, before and after its validity end.
    let entry = shuquan_catalogue::Entry {
        status: "registered".into(),
        valid_until_ms: NOW,
        ..sample(0)
    };
    let cat = catalogue_with(std::slice::from_ref(&entry));
    let count = |status: &str, now: u64| {
        let req = PageRequest {
            filter: Filter {
                status: some(status),
                ..Default::default()
            },
            ..Default::default()
        };
        cat.search(&req, now).unwrap().entries.len()
    };
    // As the ledger: expired from the validity's end on.
    assert_eq!(
        (count("registered", NOW - 1), count("expired", NOW - 1)),
        (1, 0)
    );
    assert_eq!((count("in-force", NOW - 1), count("in-force", NOW)), (1, 0));
    assert_eq!((count("registered", NOW), count("expired", NOW)), (0, 1));
    let page = cat
        .search(
            &PageRequest {
                filter: Filter {
                    status: some("expired"),
                    ..Default::default()
                },
                ..Default::default()
            },
            NOW + 1,
        )
        .unwrap();
    assert_eq!(
        page.entries[0].status, "registered",
        "entries carry the stored status"
    );
    assert_eq!(page.entries[0].effective_status(NOW + 1), "expired");
}

#[test]
fn registered_between_is_inclusive_and_skips_uncertified() {
    let base = 1_750_000_000_000;
    for (from, to) in [
        (Some(base + 10_000), Some(base + 50_000)),
        (None, Some(base + 30_000)),
        (Some(base + 200_000), None),
        (Some(base + 3_000), Some(base + 3_000)),
    ] {
        let n = check(Filter {
            registered_from_ms: from,
            registered_to_ms: to,
            ..Default::default()
        });
        assert!(n > 0, "{from:?}..{to:?}");
    }
    check(Filter {
        registered_to_ms: Some(0),
        ..Default::default()
    });
}
