//! Sort orders, cursor pagination (each match exactly once, also while blocks are applied
//! between page fetches) and cursor errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use crate::common::*;
use shuquan_catalogue::{Entry, Error, Filter, PageRequest, Sort};

fn sorted(mut entries: Vec<Entry>, sort: Sort) -> Vec<Entry> {
    match sort {
        Sort::Newest => {
            entries.sort_by(|a, b| (b.applied_height, &b.asset).cmp(&(a.applied_height, &a.asset)))
        }
        Sort::Oldest => {
            entries.sort_by(|a, b| (a.applied_height, &a.asset).cmp(&(b.applied_height, &b.asset)))
        }
        Sort::Name => entries.sort_by(|a, b| (&a.name, &a.asset).cmp(&(&b.name, &b.asset))),
    }
    entries
}

#[test]
fn every_sort_pages_through_every_match_once_in_order() {
    let entries = samples(120);
    // Two applies: the index has more than one segment.
    let mut cat = catalogue_with(&entries[..60]);
    cat.apply(&entries[60..], 11).unwrap();
    for sort in [Sort::Newest, Sort::Oldest, Sort::Name] {
        for limit in [1, 7, 20, 119, 120, 200] {
            let found = all_pages(&cat, &Filter::default(), sort, limit);
            assert_eq!(
                ids(&found),
                ids(&sorted(entries.clone(), sort)),
                "{sort:?} {limit}"
            );
        }
        let filter = Filter {
            grade: Some("core".into()),
            ..Default::default()
        };
        let expected: Vec<_> = entries
            .iter()
            .filter(|e| e.grade == "core")
            .cloned()
            .collect();
        assert_eq!(
            ids(&all_pages(&cat, &filter, sort, 6)),
            ids(&sorted(expected, sort))
        );
    }
}

#[test]
fn total_on_first_page_only() {
    let cat = catalogue_with(&samples(30));
    let first = cat
        .search(
            &PageRequest {
                limit: 10,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_eq!(first.total, Some(30));
    let req = PageRequest {
        limit: 10,
        cursor: first.next_cursor,
        ..Default::default()
    };
    let second = cat.search(&req, NOW).unwrap();
    assert_eq!((second.entries.len(), second.total), (10, None));
    let empty = cat
        .search(
            &PageRequest {
                limit: 30,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_eq!(empty.next_cursor, None, "no cursor when nothing follows");
}

/// New blocks (new assets, and changes to existing ones) between page fetches: every
/// entry that existed before the first page is returned exactly once, nothing twice.
#[test]
fn pagination_is_stable_under_concurrent_commits() {
    for sort in [Sort::Newest, Sort::Oldest, Sort::Name] {
        let entries = samples(100);
        let mut cat = catalogue_with(&entries);
        let before: BTreeSet<String> = entries.iter().map(|e| e.asset.clone()).collect();
        let mut seen = Vec::new();
        let mut cursor = None;
        let mut height = 1_000; // above every sample height
        let mut next_new = 1_000;
        loop {
            let req = PageRequest {
                sort,
                limit: 7,
                cursor: cursor.take(),
                ..Default::default()
            };
            let page = cat.search(&req, NOW).unwrap();
            seen.extend(page.entries.iter().map(|e| e.asset.clone()));
            let Some(c) = page.next_cursor else { break };
            cursor = Some(c);
            // A block: three new assets and two status changes of existing ones.
            height += 1;
            let mut block: Vec<Entry> = (0..3)
                .map(|k| {
                    next_new += 1;
                    Entry {
                        applied_height: height,
                        name: format!("A new one {k}"),
                        ..sample(next_new)
                    }
                })
                .collect();
            for k in [height % 100, (height * 7) % 100] {
                block.push(Entry {
                    status: "cancelled".into(),
                    ..entries[k as usize].clone()
                });
            }
            cat.apply(&block, height).unwrap();
        }
        let unique: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "{sort:?}: an entry came twice");
        assert!(
            before.is_subset(&unique),
            "{sort:?}: an existing entry was skipped"
        );
        if sort == Sort::Newest {
            assert_eq!(unique, before, "newer entries sort before the cursor");
        }
    }
}

#[test]
fn bad_cursors_are_errors() {
    let cat = catalogue_with(&samples(30));
    let first = cat
        .search(
            &PageRequest {
                limit: 5,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let good = first.next_cursor.unwrap();
    let attempt = |cursor: &str, sort: Sort| {
        let req = PageRequest {
            sort,
            limit: 5,
            cursor: Some(cursor.into()),
            ..Default::default()
        };
        cat.search(&req, NOW)
    };
    assert!(attempt(&good, Sort::Newest).is_ok());
    for (cursor, sort) in [
        (good.as_str(), Sort::Oldest),
        (good.as_str(), Sort::Name),
        (&good[..good.len() - 2], Sort::Newest),
        ("not a cursor", Sort::Newest),
        ("", Sort::Newest),
        ("02", Sort::Newest),
        ("ff6e", Sort::Newest),
    ] {
        assert!(
            matches!(attempt(cursor, sort), Err(Error::BadCursor(_))),
            "{cursor} {sort:?}"
        );
    }
    let mut invalid_utf8 = String::from("0161");
    invalid_utf8.push_str(&"00".repeat(32));
    invalid_utf8.push_str("ff");
    assert!(matches!(
        attempt(&invalid_utf8, Sort::Name),
        Err(Error::BadCursor(_))
    ));
}

#[test]
fn name_order_pages_through_equal_and_empty_names() {
    let entries: Vec<Entry> = (0..12)
        .map(|i| Entry {
            name: ["", "同名", "Same", "", "同名"][i % 5].into(),
            ..sample(i as u64)
        })
        .collect();
    let cat = catalogue_with(&entries);
    let found = all_pages(&cat, &Filter::default(), Sort::Name, 1);
    assert_eq!(ids(&found), ids(&sorted(entries, Sort::Name)));
}

#[test]
fn catalogue_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<shuquan_catalogue::Catalogue>();
}
