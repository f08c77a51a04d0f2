//! The catalogue: a filtered, searchable page of assets, and the same as DCAT-AP 3.

use shuquan_catalogue::Page;
use shuquan_proto::views::ErrorView;
use utoipa::{OpenApi, ToSchema};

/// `?sort=`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(super) enum Sort {
    /// Newest registration first (the default).
    Newest,
    /// Oldest first.
    Oldest,
    /// By name.
    Name,
}

#[utoipa::path(get, path = "/v1/catalogue", tag = "catalogue",
    params(
        ("sector" = Option<String>, Query, max_length = 64, description = "A sector code."),
        ("grade" = Option<String>, Query, description = "general, important or core."),
        ("origin" = Option<String>, Query, description = "public, enterprise or personal."),
        ("jurisdiction" = Option<String>, Query, max_length = 64, description = "A jurisdiction code."),
        ("holder" = Option<String>, Query, description = "The Hold right's holder: a short id or a member id."),
        ("status" = Option<String>, Query, description = "A registration status, `expired` or `in-force`."),
        ("delivery" = Option<String>, Query, description = "download, query, compute or verify."),
        ("sharing" = Option<String>, Query, description = "unconditional, conditional or not-shared."),
        ("registered_from" = Option<u64>, Query, description = "Registered at or after (ms)."),
        ("registered_to" = Option<u64>, Query, description = "Registered at or before (ms)."),
        ("q" = Option<String>, Query, max_length = 200, description = "Free text."),
        ("sort" = Option<Sort>, Query, description = "The order."),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 200, description = "Page size (default 20)."),
        ("cursor" = Option<String>, Query, description = "The previous page's `next_cursor`.")),
    responses(
        (status = 200, description = "One page of entries.", body = Page),
        (status = 400, description = "A filter, cursor or limit it cannot take.", body = ErrorView)))]
#[allow(dead_code)]
fn catalogue() {}

/// Certified entries as DCAT-AP 3 JSON-LD; the next page is in a `Link: rel="next"` header.
#[utoipa::path(get, path = "/v1/catalogue/dcat", tag = "catalogue",
    params(
        ("sector" = Option<String>, Query, max_length = 64, description = "A sector code."),
        ("grade" = Option<String>, Query, description = "general, important or core."),
        ("origin" = Option<String>, Query, description = "public, enterprise or personal."),
        ("jurisdiction" = Option<String>, Query, max_length = 64, description = "A jurisdiction code."),
        ("holder" = Option<String>, Query, description = "The Hold right's holder: a short id or a member id."),
        ("status" = Option<String>, Query, description = "A registration status (default `in-force`)."),
        ("delivery" = Option<String>, Query, description = "download, query, compute or verify."),
        ("sharing" = Option<String>, Query, description = "unconditional, conditional or not-shared."),
        ("registered_from" = Option<u64>, Query, description = "Registered at or after (ms)."),
        ("registered_to" = Option<u64>, Query, description = "Registered at or before (ms)."),
        ("q" = Option<String>, Query, max_length = 200, description = "Free text."),
        ("sort" = Option<Sort>, Query, description = "The order."),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 200, description = "Page size (default 20)."),
        ("cursor" = Option<String>, Query, description = "The previous page's cursor.")),
    responses(
        (status = 200, description = "A DCAT catalogue.", body = Object, content_type = "application/ld+json"),
        (status = 400, description = "A filter, cursor or limit it cannot take.", body = ErrorView)))]
#[allow(dead_code)]
fn dcat() {}

/// The routes of this file.
#[derive(OpenApi)]
#[openapi(paths(catalogue, dcat), components(schemas(Sort)))]
pub(super) struct Doc;
