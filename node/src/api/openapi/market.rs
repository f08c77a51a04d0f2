//! The market: access requests and answer times, listings (and a licence as an ODRL offer),
//! orders, vouchers and prices. Unknown query parameters are a 400 here.

use shuquan_proto::views::{
    AnswerTimesView, ErrorView, ListingView, OrderView, PricesView, RequestView, VoucherView,
};
use shuquan_proto::Hash32;
use utoipa::{OpenApi, ToSchema};

/// `?kind=` of `/v1/prices`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(super) enum Kind {
    /// The Hold right sold.
    Hold,
    /// The Use right sold.
    Use,
    /// The Operate right sold.
    Operate,
    /// A licence.
    Licence,
}

#[utoipa::path(get, path = "/v1/requests", tag = "market",
    params(
        ("to" = Option<String>, Query, description = "The addressee: a short id, member id or account key (exactly one of `to` and `asset`)."),
        ("asset" = Option<Hash32>, Query, description = "An asset id."),
        ("after" = Option<Hash32>, Query, description = "The last request id of the previous page."),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100).")),
    responses(
        (status = 200, description = "One page of requests, oldest first.", body = Vec<RequestView>),
        (status = 400, description = "Not exactly one of `to` and `asset`, or a malformed parameter.", body = ErrorView),
        (status = 404, description = "No such member or asset.", body = ErrorView)))]
#[allow(dead_code)]
fn requests() {}

#[utoipa::path(get, path = "/v1/requests/answer-times", tag = "market", responses(
    (status = 200, description = "Per member: requests received, answered, and how fast.", body = Vec<AnswerTimesView>)))]
#[allow(dead_code)]
fn answer_times() {}

#[utoipa::path(get, path = "/v1/requests/{id}", tag = "market",
    params(("id" = Hash32, Path, description = "Request id.")),
    responses(
        (status = 200, description = "The request.", body = RequestView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such request.", body = ErrorView)))]
#[allow(dead_code)]
fn request() {}

#[utoipa::path(get, path = "/v1/listings", tag = "market",
    params(
        ("asset" = Option<Hash32>, Query, description = "Only this asset's listings."),
        ("all" = Option<bool>, Query, description = "Every listing, not only open ones."),
        ("after" = Option<Hash32>, Query, description = "The last listing id of the previous page."),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100).")),
    responses(
        (status = 200, description = "One page of listings.", body = Vec<ListingView>),
        (status = 400, description = "A malformed parameter.", body = ErrorView),
        (status = 404, description = "No such asset.", body = ErrorView)))]
#[allow(dead_code)]
fn listings() {}

#[utoipa::path(get, path = "/v1/listings/{id}", tag = "market",
    params(("id" = Hash32, Path, description = "Listing id.")),
    responses(
        (status = 200, description = "The listing.", body = ListingView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such listing.", body = ErrorView)))]
#[allow(dead_code)]
fn listing() {}

#[utoipa::path(get, path = "/v1/listings/{id}/orders", tag = "market",
    params(
        ("id" = Hash32, Path, description = "Listing id."),
        ("after" = Option<Hash32>, Query, description = "The last order id of the previous page."),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100).")),
    responses(
        (status = 200, description = "One page of its orders.", body = Vec<OrderView>),
        (status = 400, description = "A malformed id or parameter.", body = ErrorView),
        (status = 404, description = "No such listing.", body = ErrorView)))]
#[allow(dead_code)]
fn listing_orders() {}

#[utoipa::path(get, path = "/v1/listings/{id}/odrl", tag = "market",
    params(("id" = Hash32, Path, description = "Listing id.")),
    responses(
        (status = 200, description = "The licence as a W3C ODRL 2.2 offer.", body = Object, content_type = "application/ld+json"),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such listing, or it sells a right, not a licence.", body = ErrorView)))]
#[allow(dead_code)]
fn listing_odrl() {}

#[utoipa::path(get, path = "/v1/orders", tag = "market",
    params(
        ("member" = Option<String>, Query, description = "The buyer or seller: a short id, member id or account key (required)."),
        ("after" = Option<Hash32>, Query, description = "The last order id of the previous page."),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100).")),
    responses(
        (status = 200, description = "One page of the orders it placed or sold.", body = Vec<OrderView>),
        (status = 400, description = "No `member`, or a malformed parameter.", body = ErrorView),
        (status = 404, description = "No such member.", body = ErrorView)))]
#[allow(dead_code)]
fn orders() {}

#[utoipa::path(get, path = "/v1/orders/{id}", tag = "market",
    params(("id" = Hash32, Path, description = "Order id.")),
    responses(
        (status = 200, description = "The order.", body = OrderView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such order.", body = ErrorView)))]
#[allow(dead_code)]
fn order() {}

#[utoipa::path(get, path = "/v1/vouchers", tag = "market",
    params(
        ("after" = Option<String>, Query, description = "The last voucher number of the previous page."),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100).")),
    responses(
        (status = 200, description = "One page of vouchers, in number order.", body = Vec<VoucherView>),
        (status = 400, description = "A malformed parameter.", body = ErrorView)))]
#[allow(dead_code)]
fn vouchers() {}

#[utoipa::path(get, path = "/v1/vouchers/{number}", tag = "market",
    params(("number" = String, Path, description = "A voucher number (`GX-V-2026-000001`).")),
    responses(
        (status = 200, description = "The voucher.", body = VoucherView),
        (status = 400, description = "Not a voucher number (1 to 64 letters, digits and `-`).", body = ErrorView),
        (status = 404, description = "No such voucher.", body = ErrorView)))]
#[allow(dead_code)]
fn voucher() {}

#[utoipa::path(get, path = "/v1/prices", tag = "market",
    params(
        ("sector" = Option<String>, Query, description = "A sector code."),
        ("kind" = Option<Kind>, Query, description = "A right sold, or a licence."),
        ("since" = Option<String>, Query, description = "A date, an RFC 3339 time or ms since the epoch.")),
    responses(
        (status = 200, description = "Unit prices of completed trades, by currency and unit.", body = PricesView),
        (status = 400, description = "A malformed parameter.", body = ErrorView)))]
#[allow(dead_code)]
fn prices() {}

/// The routes of this file.
#[derive(OpenApi)]
#[openapi(
    paths(
        requests,
        answer_times,
        request,
        listings,
        listing,
        listing_orders,
        listing_odrl,
        orders,
        order,
        vouchers,
        voucher,
        prices
    ),
    components(schemas(Kind))
)]
pub(super) struct Doc;
