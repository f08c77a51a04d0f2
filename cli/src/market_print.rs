//! The text form of the market's views: tables of requests, listings, orders, vouchers,
//! answer times and prices, and a voucher printed as a certificate. Members show as their
//! short ids (the `member` the views give), in full with the start of their member id
//! (`org1 [3f2a1b0c…]`, as `readable` shows parties), amounts as `1200.00 CNY`, times in
//! the chain's time zone (`--utc`: UTC), as `readable` shows them.

use std::fmt::Write;

use shuquan_proto::views::{
    AnswerTimesView, ListingView, OrderView, PricesView, RequestView, VoucherView,
};

use crate::readable::{member, Readable};

/// Minor units as `1200.00 CNY`.
pub(crate) fn amount(minor: u64, currency: &str) -> String {
    format!("{}.{:02} {currency}", minor / 100, minor % 100)
}

/// A span of milliseconds as `90d`, `3d 4h`, `2h 5m`, `4m 10s` or `850 ms` (the two
/// largest units, the second left out when zero).
pub(crate) fn span(ms: u64) -> String {
    let s = ms / 1000;
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let two = |a: u64, ua: &str, b: u64, ub: &str| {
        if b == 0 {
            format!("{a}{ua}")
        } else {
            format!("{a}{ua} {b}{ub}")
        }
    };
    match (d, h, m) {
        _ if s == 0 => format!("{ms} ms"),
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) => two(m, "m", sec, "s"),
        (0, _, _) => two(h, "h", m, "m"),
        _ => two(d, "d", h, "h"),
    }
}

fn short(id: &str) -> String {
    format!("{}…", id.get(..12).unwrap_or(id))
}

fn day(z: &Readable, ms: u64) -> String {
    z.time(ms)
        .get(..10)
        .map_or_else(|| ms.to_string(), str::to_string)
}

fn or_dash(s: Option<String>) -> String {
    s.unwrap_or_else(|| "-".into())
}

/// Access requests, oldest first.
pub(crate) fn requests(rs: &[RequestView]) -> String {
    let mut o = String::new();
    if rs.is_empty() {
        return "(no access requests)\n".into();
    }
    let _ = writeln!(
        o,
        "{:>7}  {:<9}  {:<14}  {:<10}  {:<10}  {:<16}  {:<22}  {:<6}  {:>6}  {:<9}  REQUEST",
        "BLOCK", "STATUS", "ASSET", "FROM", "TO", "ACTIONS", "PURPOSES", "IN", "TERM", "ANSWERED"
    );
    for r in rs {
        let answered = match (r.automatic, r.answer_ms, &r.reason) {
            (true, _, _) => "at once".to_string(),
            (_, Some(ms), _) => format!("in {}", span(ms)),
            _ => "-".into(),
        };
        let _ = writeln!(
            o,
            "{:>7}  {:<9}  {:<14}  {:<10}  {:<10}  {:<16}  {:<22}  {:<6}  {:>6}  {:<9}  {}",
            r.filed_height,
            r.status,
            short(&r.asset.to_hex()),
            r.requester.short(),
            r.addressee.short(),
            r.actions.join(","),
            r.purposes.join(","),
            r.jurisdictions.join(","),
            span(r.duration_ms),
            answered,
            r.id
        );
        if let Some(g) = &r.grant {
            let _ = writeln!(o, "{:>7}  grant {g}", "");
        }
        if let Some(reason) = &r.reason {
            let _ = writeln!(o, "{:>7}  declined: {reason}", "");
        }
    }
    o
}

/// One access request.
pub(crate) fn request(z: &Readable, r: &RequestView) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Access request {}  ({})", r.id, r.status);
    let rows: Vec<(&str, String)> = vec![
        ("asset", r.asset.to_hex()),
        ("from", member(&r.requester)),
        ("to", member(&r.addressee)),
        ("actions", r.actions.join(", ")),
        ("purposes", r.purposes.join(", ")),
        ("jurisdictions", r.jurisdictions.join(", ")),
        ("term", span(r.duration_ms)),
        (
            "max uses",
            r.max_uses.map_or("unlimited".into(), |n| n.to_string()),
        ),
        ("message hash", or_dash(r.message_hash.clone())),
        (
            "filed",
            format!("block {}, {}", r.filed_height, z.time(r.filed_ms)),
        ),
        ("expires", z.time(r.expires_ms)),
        (
            "answered",
            match (r.answered_ms, r.answer_ms) {
                (Some(at), Some(took)) if r.automatic => {
                    format!(
                        "{} (at once: unconditional sharing, {})",
                        z.time(at),
                        span(took)
                    )
                }
                (Some(at), Some(took)) => format!("{} (after {})", z.time(at), span(took)),
                _ => "-".into(),
            },
        ),
        ("grant", or_dash(r.grant.clone())),
        ("declined for", or_dash(r.reason.clone())),
        ("tx", r.tx_id.clone()),
    ];
    for (k, v) in rows {
        let _ = writeln!(o, "  {k:<14} {v}");
    }
    o
}

/// How fast each member answers the requests addressed to it.
pub(crate) fn answer_times(ts: &[AnswerTimesView]) -> String {
    if ts.is_empty() {
        return "(no access requests yet)\n".into();
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:<12}  {:>8}  {:>8}  {:>7}  {:>5}  {:>7}  {:>13}  {:>13}",
        "MEMBER", "RECEIVED", "ANSWERED", "AT ONCE", "OPEN", "EXPIRED", "MEDIAN ANSWER", "LONGEST"
    );
    for t in ts {
        let _ = writeln!(
            o,
            "{:<12}  {:>8}  {:>8}  {:>7}  {:>5}  {:>7}  {:>13}  {:>13}",
            t.member.short(),
            t.received,
            t.answered,
            t.automatic,
            t.open,
            t.expired,
            t.median_answer_ms.map_or("-".into(), span),
            t.max_answer_ms.map_or("-".into(), span)
        );
    }
    o
}

/// Listings, newest first.
pub(crate) fn listings(z: &Readable, ls: &[ListingView]) -> String {
    if ls.is_empty() {
        return "(no listings)\n".into();
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:>7}  {:<9}  {:<8}  {:>16}  {:<9}  {:<10}  {:<14}  {:<10}  {:>4}  LISTING",
        "BLOCK", "STATUS", "OFFER", "PRICE", "UNIT", "SELLER", "ASSET", "UNTIL", "SOLD"
    );
    for l in ls {
        let _ = writeln!(
            o,
            "{:>7}  {:<9}  {:<8}  {:>16}  {:<9}  {:<10}  {:<14}  {:<10}  {:>4}  {}",
            l.listed_height,
            l.status,
            l.offer,
            l.price,
            l.unit,
            l.seller.short(),
            short(&l.asset.to_hex()),
            day(z, l.valid_until_ms),
            l.sold,
            l.id
        );
    }
    o
}

/// One listing.
pub(crate) fn listing(z: &Readable, l: &ListingView) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Listing {}  ({})", l.id, l.status);
    let offer = match (&l.licence, l.offer.as_str()) {
        (Some(t), _) => {
            let list = |k: &str| {
                t[k].as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_default()
            };
            let uses = t["max_uses"].as_u64().unwrap_or(0);
            format!(
                "a licence: {} for {} in {}, {} each{}",
                list("actions"),
                list("purposes"),
                list("jurisdictions"),
                span(t["duration_ms"].as_u64().unwrap_or(0)),
                if uses == 0 {
                    String::new()
                } else {
                    format!(", at most {uses} uses")
                }
            )
        }
        (None, right) => format!("the {right} right (sold once)"),
    };
    let rows: Vec<(&str, String)> = vec![
        ("asset", l.asset.to_hex()),
        ("seller", member(&l.seller)),
        ("offer", offer),
        ("price", format!("{} {}", l.price, l.unit)),
        ("delivery", l.delivery_modes.join(", ")),
        ("valid until", z.time(l.valid_until_ms)),
        (
            "listed",
            format!("block {}, {}", l.listed_height, z.time(l.listed_ms)),
        ),
        ("orders accepted", l.sold.to_string()),
        ("tx", l.tx_id.clone()),
    ];
    for (k, v) in rows {
        let _ = writeln!(o, "  {k:<16} {v}");
    }
    o
}

/// Orders, newest first.
pub(crate) fn orders(os: &[OrderView]) -> String {
    if os.is_empty() {
        return "(no orders)\n".into();
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:>7}  {:<14}  {:<10}  {:<10}  {:>4}  {:>16}  {:<18}  ORDER",
        "BLOCK", "STATUS", "BUYER", "SELLER", "QTY", "TOTAL", "VOUCHER"
    );
    for x in os {
        let _ = writeln!(
            o,
            "{:>7}  {:<14}  {:<10}  {:<10}  {:>4}  {:>16}  {:<18}  {}",
            x.placed_height,
            x.status,
            x.buyer.short(),
            x.seller.short(),
            x.quantity,
            x.total,
            x.voucher.as_deref().unwrap_or("-"),
            x.id
        );
    }
    o
}

/// One order.
pub(crate) fn order(z: &Readable, x: &OrderView) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Order {}  ({})", x.id, x.status);
    let yes = |b: bool| if b { "confirmed" } else { "not yet" };
    let rows: Vec<(&str, String)> = vec![
        ("listing", x.listing.to_hex()),
        ("asset", x.asset.to_hex()),
        ("buyer", member(&x.buyer)),
        ("seller", member(&x.seller)),
        ("quantity", x.quantity.to_string()),
        ("total", x.total.clone()),
        (
            "placed",
            format!("block {}, {}", x.placed_height, z.time(x.placed_ms)),
        ),
        ("expires", z.time(x.expires_ms)),
        (
            "accepted",
            match (x.accepted_height, x.accepted_ms) {
                (Some(h), Some(t)) => format!("block {h}, {}", z.time(t)),
                _ => "-".into(),
            },
        ),
        ("voucher", or_dash(x.voucher.clone())),
        ("grant", or_dash(x.grant.clone())),
        ("payment", yes(x.payment_confirmed).to_string()),
        ("payment ref", or_dash(x.payment_ref_hash.clone())),
        ("delivery", yes(x.delivery_confirmed).to_string()),
        ("delivery ref", or_dash(x.delivery_ref_hash.clone())),
        (
            "dispute",
            match (&x.disputed_by, &x.dispute_evidence) {
                (Some(by), Some(e)) => format!("raised by {}, evidence {e}", by.short()),
                _ => "-".into(),
            },
        ),
        ("tx", x.tx_id.clone()),
    ];
    for (k, v) in rows {
        let _ = writeln!(o, "  {k:<13} {v}");
    }
    o
}

/// What a voucher records changing hands.
pub(crate) fn what_moved(v: &VoucherView) -> String {
    match (&v.grant, v.offer.as_str()) {
        (Some(g), _) => format!("a licence: grant {g}"),
        (None, "licence") => "a licence".into(),
        (None, right) => format!("the {right} right"),
    }
}

/// A voucher as a certificate: number, parties, asset and registration, what changed
/// hands, price, block and transaction.
pub(crate) fn voucher(z: &Readable, v: &VoucherView, asset_name: Option<&str>) -> String {
    let title = format!("TRANSACTION VOUCHER  {}", v.number);
    let rule = "=".repeat(title.len().max(60));
    let mut o = String::new();
    let _ = writeln!(o, "{rule}\n{title}\n{rule}");
    let asset = match asset_name {
        Some(n) => format!("{n:?}  {}", v.asset),
        None => v.asset.to_hex(),
    };
    let rows: Vec<(&str, String)> = vec![
        ("seller", member(&v.seller)),
        ("buyer", member(&v.buyer)),
        ("asset", asset),
        (
            "registration",
            if v.registration.is_empty() {
                "-".into()
            } else {
                v.registration.clone()
            },
        ),
        (
            "sector",
            if v.sector.is_empty() {
                "-".into()
            } else {
                v.sector.clone()
            },
        ),
        ("transferred", what_moved(v)),
        (
            "price",
            format!("{} {} x {} = {}", v.unit_price, v.unit, v.quantity, v.total),
        ),
        ("block", format!("{}, {}", v.height, z.time(v.time_ms))),
        ("transaction", v.tx_id.clone()),
        ("order", v.order.to_hex()),
        ("listing", v.listing.to_hex()),
    ];
    for (k, val) in rows {
        let _ = writeln!(o, "  {k:<13} {val}");
    }
    let _ = writeln!(o, "{rule}");
    o
}

/// Every voucher, in number order.
pub(crate) fn vouchers(vs: &[VoucherView]) -> String {
    if vs.is_empty() {
        return "(no vouchers)\n".into();
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:<18}  {:>7}  {:<10}  {:<10}  {:<8}  {:>16}  {:<18}  ASSET",
        "NUMBER", "BLOCK", "SELLER", "BUYER", "OFFER", "TOTAL", "REGISTRATION"
    );
    for v in vs {
        let _ = writeln!(
            o,
            "{:<18}  {:>7}  {:<10}  {:<10}  {:<8}  {:>16}  {:<18}  {}",
            v.number,
            v.height,
            v.seller.short(),
            v.buyer.short(),
            v.offer,
            v.total,
            v.registration,
            v.asset
        );
    }
    o
}

/// Price statistics: one line per currency and price unit.
pub(crate) fn prices(z: &Readable, p: &PricesView) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Unit prices of completed trades: sector {}, kind {}, {}: {} trade(s)",
        p.sector.as_deref().unwrap_or("any"),
        p.kind.as_deref().unwrap_or("any"),
        p.since_ms.map_or_else(
            || "all time".to_string(),
            |t| format!("since {}", z.time(t))
        ),
        p.count
    );
    if p.groups.is_empty() {
        return o;
    }
    let _ = writeln!(
        o,
        "{:<8}  {:<9}  {:>5}  {:>16}  {:>16}  {:>16}  {:>16}  {:>16}",
        "CURRENCY", "UNIT", "COUNT", "MIN", "Q1", "MEDIAN", "Q3", "MAX"
    );
    for g in &p.groups {
        let a = |m: u64| amount(m, &g.currency);
        let _ = writeln!(
            o,
            "{:<8}  {:<9}  {:>5}  {:>16}  {:>16}  {:>16}  {:>16}  {:>16}",
            g.currency,
            g.unit,
            g.count,
            a(g.min_minor),
            a(g.q1_minor),
            a(g.median_minor),
            a(g.q3_minor),
            a(g.max_minor)
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_spans_read_as_people_write_them() {
        assert_eq!(amount(120_000, "CNY"), "1200.00 CNY");
        assert_eq!(amount(5, "USD"), "0.05 USD");
        assert_eq!(span(850), "850 ms");
        assert_eq!(span(250_000), "4m 10s");
        assert_eq!(span(90 * 86_400_000), "90d");
        assert_eq!(span(86_400_000 + 4 * 3_600_000), "1d 4h");
        assert_eq!(span(3_900_000), "1h 5m");
    }
}
