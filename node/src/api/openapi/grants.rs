//! Grants, cross-border filings and attestations, and a grant as an ODRL policy.

use shuquan_proto::views::{AttestationView, ErrorView, FilingView, GrantView};
use shuquan_proto::Hash32;
use utoipa::OpenApi;

#[utoipa::path(get, path = "/v1/grants/{id}", tag = "grants",
    params(
        ("id" = Hash32, Path, description = "Grant id."),
        ("at" = Option<u64>, Query, description = "Its status at this time (ms).")),
    responses(
        (status = 200, description = "The grant.", body = GrantView),
        (status = 400, description = "A malformed id or parameter.", body = ErrorView),
        (status = 404, description = "No such grant.", body = ErrorView)))]
#[allow(dead_code)]
fn grant() {}

#[utoipa::path(get, path = "/v1/grants/{id}/odrl", tag = "grants",
    params(("id" = Hash32, Path, description = "Grant id.")),
    responses(
        (status = 200, description = "The grant as a W3C ODRL 2.2 agreement.", body = Object, content_type = "application/ld+json"),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such grant.", body = ErrorView)))]
#[allow(dead_code)]
fn grant_odrl() {}

#[utoipa::path(get, path = "/v1/filings/{id}", tag = "grants",
    params(("id" = Hash32, Path, description = "Filing id.")),
    responses(
        (status = 200, description = "The cross-border filing.", body = FilingView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such filing.", body = ErrorView)))]
#[allow(dead_code)]
fn filing() {}

#[utoipa::path(get, path = "/v1/attestations/{id}", tag = "grants",
    params(("id" = Hash32, Path, description = "Attestation id.")),
    responses(
        (status = 200, description = "The attestation.", body = AttestationView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such attestation.", body = ErrorView)))]
#[allow(dead_code)]
fn attestation() {}

/// The routes of this file.
#[derive(OpenApi)]
#[openapi(paths(grant, grant_odrl, filing, attestation))]
pub(super) struct Doc;
