//! The market endpoints: access requests (by addressee or asset) and the public answer
//! times, listings and their orders, orders, vouchers and the price statistics of completed
//! trades. Each handler is a thin shell over a function of the ledger, so the unit tests
//! call the same code on a sample chain; unknown ids answer 404, malformed ids and
//! parameters 400 (unknown parameters included), with a message that says what to give.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::Json;
use chrono::{DateTime, NaiveDate};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use shuquan_ledger::{Ledger, ListingsOf, OrdersOf, Page, PriceFilter, RequestsOf};
use shuquan_proto::views as v;
use shuquan_proto::Hash32;

use super::queries::{find_member, hash, Answer};
use super::{Api, ApiError};

#[cfg(test)]
mod tests;

/// The query string as `T`; a parameter `T` does not know, or a value it cannot take, is a
/// 400 naming it.
pub(super) fn params<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("query string {:?}: {e}", raw.unwrap_or(""))))
}

/// A parameter given with a value (`?x=` counts as absent).
fn given(p: &Option<String>) -> Option<&str> {
    p.as_deref().filter(|s| !s.is_empty())
}

/// `?after=ID&limit=N`: one page in id order (N from 1 to 1000, default 100), after the
/// last id of the previous page.
fn page(after: &Option<String>, limit: Option<usize>, what: &str) -> Result<Page, ApiError> {
    let limit = limit.unwrap_or(Page::DEFAULT_LIMIT);
    if limit == 0 || limit > Page::MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit={limit}: give 1 to {}",
            Page::MAX_LIMIT
        )));
    }
    let after = given(after).map(|a| hash(a, what)).transpose()?;
    Ok(Page { after, limit })
}

/// An asset id that names an asset: 400 if malformed, 404 if unknown.
fn known_asset(ledger: &Ledger, id: &str) -> Result<Hash32, ApiError> {
    let id = hash(id, "asset id")?;
    match ledger.queries().asset(&id)? {
        Some(_) => Ok(id),
        None => Err(ApiError::not_found(format_args!("asset {id}"))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestsQuery {
    to: Option<String>,
    asset: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

pub(super) fn request_of(ledger: &Ledger, id: &str) -> Result<v::RequestView, ApiError> {
    let id = hash(id, "request id")?;
    let view = ledger.queries().request(&id)?;
    view.ok_or_else(|| ApiError::not_found(format_args!("request {id}")))
}

pub(super) fn requests_by(
    ledger: &Ledger,
    raw: Option<&str>,
) -> Result<Vec<v::RequestView>, ApiError> {
    let q: RequestsQuery = params(raw)?;
    let page = page(&q.after, q.limit, "after (a request id)")?;
    match (given(&q.to), given(&q.asset)) {
        (Some(to), None) => {
            let (member, _) = find_member(ledger, to)?;
            Ok(ledger
                .queries()
                .requests(RequestsOf::To(member.as_bytes()), page)?)
        }
        (None, Some(asset)) => {
            let asset = known_asset(ledger, asset)?;
            Ok(ledger.queries().requests(RequestsOf::Asset(&asset), page)?)
        }
        _ => Err(ApiError::bad_request(
            "give exactly one of ?to=<member: short id, member id or account key> and \
             ?asset=<asset id>",
        )),
    }
}

/// `GET /v1/requests/{id}`.
pub(super) async fn request(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::RequestView> {
    Ok(Json(request_of(&app.ledger, &id)?))
}

/// `GET /v1/requests?to=<member>` or `?asset=<id>`, oldest first.
pub(super) async fn requests(
    State(app): State<Arc<Api>>,
    RawQuery(raw): RawQuery,
) -> Answer<Vec<v::RequestView>> {
    Ok(Json(requests_by(&app.ledger, raw.as_deref())?))
}

/// `GET /v1/requests/answer-times`: how fast each member answers the requests addressed to it.
pub(super) async fn answer_times(State(app): State<Arc<Api>>) -> Answer<Vec<v::AnswerTimesView>> {
    Ok(Json(app.ledger.queries().answer_times()?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListingsQuery {
    asset: Option<String>,
    all: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

pub(super) fn listings_by(
    ledger: &Ledger,
    raw: Option<&str>,
) -> Result<Vec<v::ListingView>, ApiError> {
    let q: ListingsQuery = params(raw)?;
    let page = page(&q.after, q.limit, "after (a listing id)")?;
    let open_only = match given(&q.all) {
        None | Some("false") => true,
        Some("true") => false,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "all={other}: use all=true (every listing) or all=false (open ones, the default)"
            )))
        }
    };
    let asset = given(&q.asset)
        .map(|a| known_asset(ledger, a))
        .transpose()?;
    let of = match &asset {
        Some(a) => ListingsOf::Asset(a),
        None => ListingsOf::All,
    };
    Ok(ledger.queries().listings(of, open_only, page)?)
}

pub(super) fn listing_of(ledger: &Ledger, id: &str) -> Result<v::ListingView, ApiError> {
    let id = hash(id, "listing id")?;
    let view = ledger.queries().listing(&id)?;
    view.ok_or_else(|| ApiError::not_found(format_args!("listing {id}")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    after: Option<String>,
    limit: Option<usize>,
}

pub(super) fn listing_orders_of(
    ledger: &Ledger,
    id: &str,
    raw: Option<&str>,
) -> Result<Vec<v::OrderView>, ApiError> {
    let q: PageQuery = params(raw)?;
    let page = page(&q.after, q.limit, "after (an order id)")?;
    let listing = listing_of(ledger, id)?;
    Ok(ledger
        .queries()
        .orders(OrdersOf::Listing(&listing.id), page)?)
}

/// `GET /v1/listings?asset=<id>&all=true`: open listings (every one with `all=true`) of an
/// asset, or of the whole chain, newest first.
pub(super) async fn listings(
    State(app): State<Arc<Api>>,
    RawQuery(raw): RawQuery,
) -> Answer<Vec<v::ListingView>> {
    Ok(Json(listings_by(&app.ledger, raw.as_deref())?))
}

/// `GET /v1/listings/{id}`.
pub(super) async fn listing(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::ListingView> {
    Ok(Json(listing_of(&app.ledger, &id)?))
}

/// `GET /v1/listings/{id}/orders`, newest first.
pub(super) async fn listing_orders(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer<Vec<v::OrderView>> {
    Ok(Json(listing_orders_of(&app.ledger, &id, raw.as_deref())?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrdersQuery {
    member: Option<String>,
    after: Option<String>,
    limit: Option<usize>,
}

pub(super) fn order_of(ledger: &Ledger, id: &str) -> Result<v::OrderView, ApiError> {
    let id = hash(id, "order id")?;
    let view = ledger.queries().order(&id)?;
    view.ok_or_else(|| ApiError::not_found(format_args!("order {id}")))
}

pub(super) fn orders_by(ledger: &Ledger, raw: Option<&str>) -> Result<Vec<v::OrderView>, ApiError> {
    let q: OrdersQuery = params(raw)?;
    let page = page(&q.after, q.limit, "after (an order id)")?;
    let Some(name) = given(&q.member) else {
        return Err(ApiError::bad_request(
            "give ?member=<short id, member id or account key> (orders it placed or sold), or \
             ask GET /v1/listings/{id}/orders",
        ));
    };
    let (member, _) = find_member(ledger, name)?;
    Ok(ledger
        .queries()
        .orders(OrdersOf::Member(member.as_bytes()), page)?)
}

/// `GET /v1/orders/{id}`.
pub(super) async fn order(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::OrderView> {
    Ok(Json(order_of(&app.ledger, &id)?))
}

/// `GET /v1/orders?member=<member>`: the orders a member placed or sold, newest first.
pub(super) async fn orders(
    State(app): State<Arc<Api>>,
    RawQuery(raw): RawQuery,
) -> Answer<Vec<v::OrderView>> {
    Ok(Json(orders_by(&app.ledger, raw.as_deref())?))
}

pub(super) fn voucher_of(ledger: &Ledger, number: &str) -> Result<v::VoucherView, ApiError> {
    let well_formed = !number.is_empty()
        && number.len() <= 64
        && number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !well_formed {
        return Err(ApiError::bad_request(format!(
            "voucher number {number:?}: give one like GX-V-2026-000001"
        )));
    }
    let view = ledger.queries().voucher(number)?;
    view.ok_or_else(|| ApiError::not_found(format_args!("voucher {number}")))
}

/// `GET /v1/vouchers/{number}`.
pub(super) async fn voucher(
    State(app): State<Arc<Api>>,
    Path(number): Path<String>,
) -> Answer<v::VoucherView> {
    Ok(Json(voucher_of(&app.ledger, &number)?))
}

pub(super) fn vouchers_by(
    ledger: &Ledger,
    raw: Option<&str>,
) -> Result<Vec<v::VoucherView>, ApiError> {
    let q: PageQuery = params(raw)?;
    let limit = q.limit.unwrap_or(Page::DEFAULT_LIMIT);
    if limit == 0 || limit > Page::MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit={limit}: give 1 to {}",
            Page::MAX_LIMIT
        )));
    }
    Ok(ledger.queries().vouchers(given(&q.after), limit)?)
}

/// `GET /v1/vouchers?after=NUMBER&limit=N`: vouchers in number order, one page.
pub(super) async fn vouchers(
    State(app): State<Arc<Api>>,
    RawQuery(raw): RawQuery,
) -> Answer<Vec<v::VoucherView>> {
    Ok(Json(vouchers_by(&app.ledger, raw.as_deref())?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PricesQuery {
    sector: Option<String>,
    kind: Option<String>,
    since: Option<String>,
}

/// `since`: a date (`2026-01-01`, midnight UTC), an RFC 3339 time or ms since the epoch.
pub(super) fn since_ms(s: &str) -> Result<u64, ApiError> {
    let bad = || {
        ApiError::bad_request(format!(
            "since={s:?}: give a date (2026-01-01, from midnight UTC), an RFC 3339 time \
             (2026-01-01T08:00:00+08:00; write + as %2B) or milliseconds since the epoch"
        ))
    };
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| bad());
    }
    // A `+` of an offset that was not percent-encoded arrives as a space.
    let time = DateTime::parse_from_rfc3339(s)
        .or_else(|e| match s.rfind(' ') {
            Some(i) if i > 10 => {
                DateTime::parse_from_rfc3339(&format!("{}+{}", &s[..i], &s[i + 1..]))
            }
            _ => Err(e),
        })
        .map(|t| t.timestamp_millis());
    let ms = match time {
        Ok(ms) => ms,
        Err(_) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp_millis())
            .ok_or_else(bad)?,
    };
    u64::try_from(ms).map_err(|_| bad())
}

pub(super) fn prices_of(ledger: &Ledger, raw: Option<&str>) -> Result<v::PricesView, ApiError> {
    let q: PricesQuery = params(raw)?;
    let kind = given(&q.kind).map(str::to_string);
    if let Some(k) = &kind {
        if !["hold", "use", "operate", "licence"].contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "kind={k}: use hold, use, operate (a right sold) or licence"
            )));
        }
    }
    let filter = PriceFilter {
        sector: given(&q.sector).map(str::to_string),
        kind,
        since_ms: given(&q.since).map(since_ms).transpose()?,
    };
    Ok(ledger.queries().prices(&filter)?)
}

/// `GET /v1/prices?sector=&kind=&since=`: completed trades' unit prices (count, quartiles),
/// by currency and price unit.
pub(super) async fn prices(
    State(app): State<Arc<Api>>,
    RawQuery(raw): RawQuery,
) -> Answer<v::PricesView> {
    Ok(Json(prices_of(&app.ledger, raw.as_deref())?))
}
