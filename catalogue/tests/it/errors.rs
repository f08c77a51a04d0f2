//! Bad filters and limits are refused with an error naming the field; limits bound pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use shuquan_catalogue::{Error, Filter, PageRequest};

fn bad(req: PageRequest) -> &'static str {
    let cat = catalogue_with(&samples(3));
    match cat.search(&req, NOW) {
        Err(Error::BadFilter { field, .. }) => field,
        other => panic!("expected BadFilter for {req:?}, got {other:?}"),
    }
}

#[test]
fn bad_filters_name_the_field() {
    let f = |filter: Filter| PageRequest {
        filter,
        ..Default::default()
    };
    assert_eq!(
        bad(f(Filter {
            grade: some("secret"),
            ..Default::default()
        })),
        "grade"
    );
    assert_eq!(
        bad(f(Filter {
            origin: some("alien"),
            ..Default::default()
        })),
        "origin"
    );
    assert_eq!(
        bad(f(Filter {
            status: some("registred"),
            ..Default::default()
        })),
        "status"
    );
    assert_eq!(
        bad(f(Filter {
            sharing: some("shared"),
            ..Default::default()
        })),
        "sharing"
    );
    assert_eq!(
        bad(f(Filter {
            delivery_mode: some("email"),
            ..Default::default()
        })),
        "delivery_mode"
    );
    assert_eq!(
        bad(f(Filter {
            holder: some("org1"),
            ..Default::default()
        })),
        "holder"
    );
    assert_eq!(
        bad(f(Filter {
            holder: Some("AB".repeat(32)),
            ..Default::default()
        })),
        "holder"
    );
    assert_eq!(
        bad(f(Filter {
            sector: some(""),
            ..Default::default()
        })),
        "sector"
    );
    assert_eq!(
        bad(f(Filter {
            text: some("   "),
            ..Default::default()
        })),
        "text"
    );
    assert_eq!(
        bad(f(Filter {
            text: Some("字".repeat(201)),
            ..Default::default()
        })),
        "text"
    );
    assert_eq!(
        bad(f(Filter {
            text: some("?!* ()"),
            ..Default::default()
        })),
        "text"
    );
    assert_eq!(
        bad(f(Filter {
            registered_from_ms: Some(5),
            registered_to_ms: Some(4),
            ..Default::default()
        })),
        "registered_from_ms"
    );
    assert_eq!(
        bad(PageRequest {
            limit: 0,
            ..Default::default()
        }),
        "limit"
    );
    assert_eq!(
        bad(PageRequest {
            limit: 201,
            ..Default::default()
        }),
        "limit"
    );
    let ok = Filter {
        text: Some("字".repeat(200)),
        ..Default::default()
    };
    assert!(catalogue_with(&samples(3)).search(&f(ok), NOW).is_ok());
}

#[test]
fn limit_bounds_page_size() {
    let cat = catalogue_with(&samples(250));
    for (limit, expect) in [(1, 1), (20, 20), (200, 200)] {
        let page = cat
            .search(
                &PageRequest {
                    limit,
                    ..Default::default()
                },
                NOW,
            )
            .unwrap();
        assert_eq!(page.entries.len(), expect);
        assert!(page.next_cursor.is_some());
        assert_eq!(page.total, Some(250));
        assert_eq!(page.indexed_height, 10);
    }
    assert_eq!(PageRequest::default().limit, 20);
}
