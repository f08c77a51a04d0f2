//! Registration: certificates and objections.

use shuquan_proto::views::{ErrorView, ObjectionView, RegistrationView};
use shuquan_proto::Hash32;
use utoipa::OpenApi;

#[utoipa::path(get, path = "/v1/certificates/{id}", tag = "registry",
    params(("id" = String, Path, description = "An asset id (64 hex) or a registration number (`GX-2026-000001`).")),
    responses(
        (status = 200, description = "The registration certificate.", body = RegistrationView),
        (status = 404, description = "No such asset or number, or not certified (yet).", body = ErrorView)))]
#[allow(dead_code)]
fn certificate() {}

#[utoipa::path(get, path = "/v1/assets/{id}/objections", tag = "registry",
    params(("id" = Hash32, Path, description = "Asset id.")),
    responses(
        (status = 200, description = "Every objection to its applications.", body = Vec<ObjectionView>),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such asset.", body = ErrorView)))]
#[allow(dead_code)]
fn asset_objections() {}

#[utoipa::path(get, path = "/v1/objections/{id}", tag = "registry",
    params(("id" = Hash32, Path, description = "Objection id.")),
    responses(
        (status = 200, description = "The objection.", body = ObjectionView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such objection.", body = ErrorView)))]
#[allow(dead_code)]
fn objection() {}

/// The routes of this file.
#[derive(OpenApi)]
#[openapi(paths(certificate, asset_objections, objection))]
pub(super) struct Doc;
