//! Upserts replace documents, rebuild replaces the whole index, bad entries change
//! nothing, and a reopened on-disk catalogue keeps its entries and indexed height.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use shuquan_catalogue::{Catalogue, Entry, Error, Filter, PageRequest, Sort};

fn count(cat: &Catalogue, filter: Filter) -> usize {
    all_pages(cat, &filter, Sort::Newest, 200).len()
}

#[test]
fn upsert_replaces_by_asset_id() {
    let entries = samples(10);
    let mut cat = catalogue_with(&entries);
    let mut changed = entries[2].clone();
    assert_eq!(changed.status, "in-notice");
    changed.status = "withdrawn".into();
    changed.holder = id(77);
    changed.name = "全新名称 renamed".into();
    // The same asset twice in one block: the last one wins.
    let stale = Entry {
        status: "rejected".into(),
        ..entries[2].clone()
    };
    cat.apply(&[stale, changed.clone()], 11).unwrap();
    assert_eq!(cat.indexed_height(), 11);
    assert_eq!(cat.len().unwrap(), 10);
    assert_eq!(cat.get(&changed.asset).unwrap(), Some(changed.clone()));
    let by = |f: Filter| ids(&all_pages(&cat, &f, Sort::Newest, 50));
    assert!(by(Filter {
        status: Some("withdrawn".into()),
        ..Default::default()
    })
    .contains(&changed.asset));
    assert!(!by(Filter {
        status: Some("in-notice".into()),
        ..Default::default()
    })
    .contains(&changed.asset));
    assert!(by(Filter {
        status: Some("rejected".into()),
        ..Default::default()
    })
    .iter()
    .all(|a| *a != changed.asset));
    assert_eq!(
        by(Filter {
            holder: Some(id(77)),
            ..Default::default()
        }),
        [changed.asset.clone()]
    );
    assert!(!by(Filter {
        holder: Some(entries[2].holder.clone()),
        ..Default::default()
    })
    .contains(&changed.asset));
    assert_eq!(
        by(Filter {
            text: Some("全新".into()),
            ..Default::default()
        }),
        [changed.asset.clone()]
    );
    assert!(!by(Filter {
        text: Some("curve".into()),
        ..Default::default()
    })
    .contains(&changed.asset));
}

#[test]
fn bad_entries_change_nothing() {
    let entries = samples(5);
    let mut cat = catalogue_with(&entries);
    for asset in ["", "xyz", &id(1).to_uppercase().replace('0', "A")] {
        let bad = Entry {
            asset: asset.into(),
            ..sample(99)
        };
        let err = cat.apply(&[sample(50), bad.clone()], 12).unwrap_err();
        assert!(matches!(err, Error::BadEntry { .. }), "{err}");
        let err = cat.rebuild([sample(60), bad].into_iter(), 12).unwrap_err();
        assert!(matches!(err, Error::BadEntry { .. }), "{err}");
    }
    assert_eq!(cat.indexed_height(), 10);
    assert_eq!(
        ids(&all_pages(&cat, &Filter::default(), Sort::Oldest, 20)),
        ids(&entries)
    );
    assert!(matches!(
        cat.get("nope"),
        Err(Error::BadFilter { field: "asset", .. })
    ));
    assert_eq!(cat.get(&id(4)).unwrap(), None);
}

#[test]
fn rebuild_replaces_everything() {
    let mut cat = catalogue_with(&samples(50));
    let fresh: Vec<Entry> = (500..520).map(sample).collect();
    cat.rebuild(fresh.clone().into_iter(), 99).unwrap();
    assert_eq!(cat.indexed_height(), 99);
    assert_eq!(cat.len().unwrap(), 20);
    assert_eq!(
        ids(&all_pages(&cat, &Filter::default(), Sort::Oldest, 7)),
        ids(&fresh)
    );
    assert_eq!(cat.get(&sample(0).asset).unwrap(), None);
    let first = cat.search(&PageRequest::default(), NOW).unwrap();
    assert_eq!((first.total, first.indexed_height), (Some(20), 99));
    cat.rebuild(std::iter::empty(), 100).unwrap();
    assert!(cat.is_empty().unwrap());
}

#[test]
fn reopen_keeps_entries_and_height() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalogue");
    let entries = samples(40);
    {
        let mut cat = Catalogue::open(&path).unwrap();
        assert_eq!((cat.indexed_height(), cat.len().unwrap()), (0, 0));
        cat.apply(&entries[..30], 7).unwrap();
        cat.apply(&entries[30..], 8).unwrap();
        // The directory is locked while open.
        assert!(matches!(Catalogue::open(&path), Err(Error::Index(_))));
    }
    let mut cat = Catalogue::open(&path).unwrap();
    assert_eq!(cat.indexed_height(), 8);
    assert_eq!(
        ids(&all_pages(&cat, &Filter::default(), Sort::Oldest, 9)),
        ids(&entries)
    );
    assert_eq!(
        count(
            &cat,
            Filter {
                text: Some("公交".into()),
                ..Default::default()
            }
        ),
        10
    );
    cat.apply(&[], 9).unwrap();
    drop(cat);
    assert_eq!(Catalogue::open(&path).unwrap().indexed_height(), 9);
}

#[test]
fn a_reader_searches_without_the_writer_and_sees_each_commit() {
    let mut cat = Catalogue::in_ram().unwrap();
    cat.apply(&[sample(0)], 1).unwrap();
    let reader = cat.reader();
    let all = PageRequest {
        limit: 200,
        ..Default::default()
    };
    let page = reader.search(&all, NOW).unwrap();
    assert_eq!((page.entries.len(), page.indexed_height), (1, 1));
    // The reader works from another thread while this one writes.
    let seen = std::thread::scope(|s| {
        let r = s.spawn(|| reader.search(&all, NOW).unwrap().entries.len());
        cat.apply(&[sample(1), sample(2)], 2).unwrap();
        r.join().unwrap()
    });
    assert!(seen == 1 || seen == 3, "{seen}");
    let page = reader.search(&all, NOW).unwrap();
    assert_eq!((page.entries.len(), page.indexed_height), (3, 2));
}
