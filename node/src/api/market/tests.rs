//! The market endpoints on the sample chain: what they answer, and that unknown ids are 404
//! and malformed ids or parameters 400, never a panic or a 500.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::*;
use crate::linked::sample::{self, member_id, Sample};

fn chain() -> (tempfile::TempDir, Sample) {
    let dir = tempfile::tempdir().unwrap();
    let s = sample::build(dir.path()).unwrap();
    (dir, s)
}

/// The status of an error answer, and its message.
#[track_caller]
fn refused<T: std::fmt::Debug>(r: Result<T, ApiError>) -> (StatusCode, String) {
    let e = r.expect_err("an error answer");
    let message = format!("{e:?}");
    (e.into_response().status(), message)
}

const UNKNOWN: &str = "00000000000000000000000000000000000000000000000000000000000000ff";

#[test]
fn requests_are_found_by_addressee_or_asset_and_nothing_else() {
    let (_dir, s) = chain();
    let l = &s.ledger;
    let to = requests_by(l, Some("to=org1")).unwrap();
    assert_eq!(to.len(), 1);
    assert_eq!(to[0].id, s.request);
    assert_eq!(to[0].grant, Some(s.request_grant.to_hex()));
    let by_hex = requests_by(l, Some(&format!("to={}", member_id("org1")))).unwrap();
    assert_eq!(by_hex, to);
    let of = requests_by(l, Some(&format!("asset={}", s.asset))).unwrap();
    assert_eq!(of, to);
    assert!(requests_by(l, Some("to=org3")).unwrap().is_empty());
    assert_eq!(
        request_of(l, &s.request.to_hex()).unwrap().status,
        "granted"
    );

    let both = format!("to=org1&asset={}", s.asset);
    for bad in [
        None,
        Some(""),
        Some("to="),
        Some(both.as_str()),
        Some("asset=zz"),
        Some("colour=red"),
    ] {
        let (status, message) = refused(requests_by(l, bad));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {message}");
    }
    assert!(refused(requests_by(l, None)).1.contains("exactly one"));
    for unknown in ["to=nobody".to_string(), format!("asset={UNKNOWN}")] {
        assert_eq!(
            refused(requests_by(l, Some(&unknown))).0,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(refused(request_of(l, "r1")).0, StatusCode::BAD_REQUEST);
    assert_eq!(refused(request_of(l, UNKNOWN)).0, StatusCode::NOT_FOUND);
    let times = l.queries().answer_times().unwrap();
    let org1 = times
        .iter()
        .find(|t| t.member.id == member_id("org1").to_hex())
        .unwrap();
    assert_eq!((org1.received, org1.answered), (1, 1));
}

#[test]
fn listings_default_to_open_ones_and_name_their_orders() {
    let (_dir, s) = chain();
    let l = &s.ledger;
    let open = listings_by(l, None).unwrap();
    let ids: Vec<Hash32> = open.iter().map(|x| x.id).collect();
    let mut both = vec![s.right_listing, s.licence_listing];
    both.sort();
    assert_eq!(ids, both, "in id order");
    // One at a time: the page after the first holds the second, then nothing.
    let first = listings_by(l, Some("limit=1")).unwrap();
    assert_eq!(first.iter().map(|x| x.id).collect::<Vec<_>>(), [both[0]]);
    let after = |id: Hash32| format!("limit=1&after={id}");
    let second = listings_by(l, Some(&after(both[0]))).unwrap();
    assert_eq!(second.iter().map(|x| x.id).collect::<Vec<_>>(), [both[1]]);
    assert_eq!(listings_by(l, Some(&after(both[1]))).unwrap(), []);
    for bad in ["limit=0", "limit=1001", "after=zz"] {
        assert_eq!(
            refused(listings_by(l, Some(bad))).0,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    assert_eq!(
        listings_by(l, Some(&format!("asset={}&all=true", s.asset)))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        listings_by(l, Some(&format!("asset={}", s.by_right))).unwrap(),
        []
    );
    assert_eq!(listing_of(l, &s.licence_listing.to_hex()).unwrap().sold, 1);
    let orders = listing_orders_of(l, &s.licence_listing.to_hex(), None).unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].id, s.order);

    for bad in ["all=yes", "asset=12", "open=true"] {
        assert_eq!(
            refused(listings_by(l, Some(bad))).0,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    assert!(refused(listings_by(l, Some("all=yes")))
        .1
        .contains("all=true"));
    let unknown_asset = format!("asset={UNKNOWN}");
    assert_eq!(
        refused(listings_by(l, Some(&unknown_asset))).0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        refused(listing_of(l, "not-an-id")).0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(refused(listing_of(l, UNKNOWN)).0, StatusCode::NOT_FOUND);
    assert_eq!(
        refused(listing_orders_of(l, UNKNOWN, None)).0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        refused(listing_orders_of(l, "%00", None)).0,
        StatusCode::BAD_REQUEST
    );
}

#[test]
fn orders_and_vouchers_are_found_by_member_and_number() {
    let (_dir, s) = chain();
    let l = &s.ledger;
    let order = order_of(l, &s.order.to_hex()).unwrap();
    assert_eq!(order.status, "settled");
    assert_eq!(order.grant, Some(s.order_grant.to_hex()));
    assert_eq!(
        orders_by(l, Some("member=org3")).unwrap(),
        std::slice::from_ref(&order)
    );
    assert_eq!(orders_by(l, Some("member=org1")).unwrap(), [order]);
    assert_eq!(orders_by(l, Some("member=org2")).unwrap(), []);
    assert!(refused(orders_by(l, None)).1.contains("?member="));
    assert_eq!(
        refused(orders_by(l, Some("member=ghost"))).0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        refused(orders_by(l, Some("buyer=org3"))).0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(refused(order_of(l, "")).0, StatusCode::BAD_REQUEST);
    assert_eq!(refused(order_of(l, UNKNOWN)).0, StatusCode::NOT_FOUND);

    let voucher = voucher_of(l, &s.voucher).unwrap();
    assert_eq!(
        (voucher.order, voucher.offer.as_str()),
        (s.order, "licence")
    );
    assert_eq!(
        l.queries().vouchers(None, 1000).unwrap(),
        std::slice::from_ref(&voucher)
    );
    assert_eq!(vouchers_by(l, None).unwrap(), [voucher]);
    assert_eq!(
        vouchers_by(l, Some(&format!("after={}", s.voucher))).unwrap(),
        []
    );
    assert_eq!(
        refused(vouchers_by(l, Some("limit=0"))).0,
        StatusCode::BAD_REQUEST
    );
    for bad in ["", "../etc/passwd", "GX V", &"9".repeat(65)] {
        assert_eq!(
            refused(voucher_of(l, bad)).0,
            StatusCode::BAD_REQUEST,
            "{bad:?}"
        );
    }
    assert_eq!(
        refused(voucher_of(l, "GX-V-1999-000001")).0,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn prices_filter_by_sector_kind_and_time() {
    let (_dir, s) = chain();
    let l = &s.ledger;
    let all = prices_of(l, None).unwrap();
    assert_eq!(all.count, 1);
    assert_eq!(all.groups[0].median_minor, 120_000);
    assert_eq!(all.groups[0].unit, "per-month");
    let count = |q: &str| prices_of(l, Some(q)).unwrap().count;
    assert_eq!(count("sector=&kind=&since="), 1);
    assert_eq!(count("kind=licence&sector=transport"), 1);
    assert_eq!(count("kind=hold"), 0);
    assert_eq!(count("sector=energy"), 0);
    assert_eq!(count("since=2026-01-01"), 1);
    assert_eq!(count("since=2099-01-01T00:00:00Z"), 0);
    assert_eq!(count("since=4070908800000"), 0);
    for bad in [
        "kind=rent",
        "since=yesterday",
        "since=2026-13-01",
        "since=-5",
        "limit=3",
    ] {
        assert_eq!(
            refused(prices_of(l, Some(bad))).0,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}

#[test]
fn since_takes_a_date_a_time_or_milliseconds() {
    assert_eq!(since_ms("2026-01-01").unwrap(), sample::T0);
    assert_eq!(since_ms("2026-01-01T08:00:00+08:00").unwrap(), sample::T0);
    // An offset's `+` that was not percent-encoded arrives as a space.
    assert_eq!(since_ms("2026-01-01T08:00:00 08:00").unwrap(), sample::T0);
    assert_eq!(
        since_ms("2026-01-01T00:00:00.5Z").unwrap(),
        sample::T0 + 500
    );
    assert_eq!(since_ms("1767225600000").unwrap(), sample::T0);
    for bad in [
        "",
        "1969-12-31",
        "99999999999999999999999",
        "2026-01-01T00:00",
        "01/01/2026",
    ] {
        assert!(since_ms(bad).is_err(), "{bad}");
    }
}
