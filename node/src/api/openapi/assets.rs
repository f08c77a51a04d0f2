//! Assets: the record, history, rights at a height, grants, lineage, filings, fingerprints,
//! the audit bundle and the PROV-O history.

use shuquan_proto::views::{
    AssetView, ErrorView, FilingView, GrantView, HistoryEntryView, LineageView, RightsView,
};
use shuquan_proto::Hash32;
use utoipa::{OpenApi, ToSchema};

/// `GET /v1/fingerprints/{fp}`'s body.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct Fingerprint {
    fingerprint: Hash32,
    /// The assets registered with it.
    assets: Vec<Hash32>,
}

#[utoipa::path(get, path = "/v1/assets/{id}", tag = "assets",
    params(("id" = Hash32, Path, description = "Asset id.")),
    responses(
        (status = 200, description = "The asset.", body = AssetView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such asset.", body = ErrorView)))]
#[allow(dead_code)]
fn asset() {}

#[utoipa::path(get, path = "/v1/assets/{id}/history", tag = "assets",
    params(("id" = Hash32, Path, description = "Asset id.")),
    responses(
        (status = 200, description = "Every event, oldest first.", body = Vec<HistoryEntryView>),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such asset.", body = ErrorView)))]
#[allow(dead_code)]
fn history() {}

#[utoipa::path(get, path = "/v1/assets/{id}/rights", tag = "assets",
    params(
        ("id" = Hash32, Path, description = "Asset id."),
        ("height" = Option<u64>, Query, description = "At this block height."),
        ("time" = Option<u64>, Query, description = "At the last block at or before this time (ms).")),
    responses(
        (status = 200, description = "The three rights' holders at that height.", body = RightsView),
        (status = 400, description = "A malformed id or parameter.", body = ErrorView),
        (status = 404, description = "No such asset (at that height).", body = ErrorView)))]
#[allow(dead_code)]
fn rights() {}

#[utoipa::path(get, path = "/v1/assets/{id}/grants", tag = "assets",
    params(
        ("id" = Hash32, Path, description = "Asset id."),
        ("at" = Option<u64>, Query, description = "Statuses at this time (ms)."),
        ("after" = Option<Hash32>, Query, description = "The last grant id of the previous page."),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100).")),
    responses(
        (status = 200, description = "One page of its grants, in id order (empty for an unknown asset).", body = Vec<GrantView>),
        (status = 400, description = "A malformed id or parameter.", body = ErrorView)))]
#[allow(dead_code)]
fn asset_grants() {}

#[utoipa::path(get, path = "/v1/assets/{id}/lineage", tag = "assets",
    params(("id" = Hash32, Path, description = "Asset id.")),
    responses(
        (status = 200, description = "Its parents and children.", body = LineageView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such asset.", body = ErrorView)))]
#[allow(dead_code)]
fn lineage() {}

#[utoipa::path(get, path = "/v1/assets/{id}/filings", tag = "assets",
    params(("id" = Hash32, Path, description = "Asset id.")),
    responses(
        (status = 200, description = "Cross-border filings of its grants (empty for an unknown asset).", body = Vec<FilingView>),
        (status = 400, description = "A malformed id.", body = ErrorView)))]
#[allow(dead_code)]
fn asset_filings() {}

#[utoipa::path(get, path = "/v1/fingerprints/{fp}", tag = "assets",
    params(("fp" = Hash32, Path, description = "A data set's fingerprint (the chain's hash of its bytes: BLAKE3, or SM3).")),
    responses(
        (status = 200, description = "The assets registered with it.", body = Fingerprint),
        (status = 400, description = "A malformed fingerprint.", body = ErrorView),
        (status = 404, description = "No asset has it.", body = ErrorView)))]
#[allow(dead_code)]
fn fingerprint() {}

/// The asset's audit bundle at the certified height: an `AuditBundle` protobuf.
#[utoipa::path(get, path = "/v1/assets/{id}/bundle", tag = "assets",
    params(
        ("id" = Hash32, Path, description = "Asset id."),
        ("parents" = Option<bool>, Query, description = "Include the assets it derives from.")),
    responses(
        (status = 200, description = "The bundle.", body = Vec<u8>, content_type = "application/x-protobuf"),
        (status = 400, description = "A malformed id or parameter.", body = ErrorView),
        (status = 404, description = "No such asset.", body = ErrorView),
        (status = 409, description = "Registered after the certified height: retry in a moment.", body = ErrorView)))]
#[allow(dead_code)]
fn bundle() {}

/// The asset's history and lineage as W3C PROV-O (JSON-LD).
#[utoipa::path(get, path = "/v1/assets/{id}/prov", tag = "assets",
    params(("id" = Hash32, Path, description = "Asset id.")),
    responses(
        (status = 200, description = "A PROV-O JSON-LD document.", body = Object, content_type = "application/ld+json"),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such asset.", body = ErrorView)))]
#[allow(dead_code)]
fn prov() {}

/// The routes of this file.
#[derive(OpenApi)]
#[openapi(paths(
    asset,
    history,
    rights,
    asset_grants,
    lineage,
    asset_filings,
    fingerprint,
    bundle,
    prov
))]
pub(super) struct Doc;
