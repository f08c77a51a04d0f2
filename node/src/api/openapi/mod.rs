//! The HTTP API described in OpenAPI 3.1, served at `GET /v1/openapi.json`.
//!
//! Each area's file declares its routes with `#[utoipa::path]` on small stubs that name the
//! real path, method, parameters and answers of the handlers in `api/*.rs`; the response
//! bodies are the views of `shuquan_proto::views` (their schemas come from the `openapi`
//! feature of `shuquan-proto` and `shuquan-catalogue`). The answers every `/v1` route can
//! give (401 in `api.read = members` mode, 408 past the request timeout, 503 while the
//! ledger is unavailable) are added to every operation here. `tests.rs` checks that every
//! route of the router is described.

mod assets;
mod catalogue;
mod chain;
mod gov;
mod grants;
mod market;
mod members;
mod ops;
mod registry;
#[cfg(test)]
mod tests;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use shuquan_proto::views::ErrorView;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi;

use super::ApiError;

/// The document's head: title, version, licence and where the reusable error answers are.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Shuquan node API",
        description = "The HTTP/JSON API of a Shuquan node (a permissioned ledger of data \
            rights): transactions in, ledger reads out. Ids, hashes and keys are lowercase hex; \
            every error is JSON `{code, message}` (with `rule` and `failure_code` for a \
            rejected transaction).",
        license(name = "Apache-2.0")
    ),
    components(schemas(ErrorView))
)]
struct Head;

/// Answers every `/v1` operation may give, by status: (status, component name, description).
const COMMON: &[(&str, &str, &str)] = &[
    (
        "401",
        "Unauthorized",
        "The node lets only members read (`api.read = members`) and the request carries no \
         valid bearer token (`WWW-Authenticate` says why).",
    ),
    (
        "408",
        "Timeout",
        "The request took longer than the node's request timeout.",
    ),
    (
        "503",
        "Unavailable",
        "The ledger cannot answer now (e.g. while it installs a snapshot), or the node is busy; \
         retry in a moment.",
    ),
];

/// The whole document.
pub(crate) fn document() -> Document {
    let mut doc = Head::openapi();
    for part in [
        ops::Doc::openapi(),
        chain::Doc::openapi(),
        assets::Doc::openapi(),
        grants::Doc::openapi(),
        members::Doc::openapi(),
        gov::Doc::openapi(),
        registry::Doc::openapi(),
        catalogue::Doc::openapi(),
        market::Doc::openapi(),
    ] {
        doc.merge(part);
    }
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    add_common(&mut doc);
    doc
}

/// Adds the [`COMMON`] answers as reusable components, referenced from every `/v1` operation.
fn add_common(doc: &mut Document) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (status, name, description) in COMMON {
        let mut response = ResponseBuilder::new().description(*description);
        if *status != "408" {
            response = response.content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorView")))
                    .build(),
            );
        }
        components
            .responses
            .insert((*name).to_string(), RefOr::T(response.build()));
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let versioned = path.starts_with("/v1/");
        let ops: [Option<&mut Operation>; 2] = [item.get.as_mut(), item.post.as_mut()];
        for op in ops.into_iter().flatten() {
            for (status, name, _) in COMMON {
                if versioned || *status == "408" {
                    op.responses
                        .responses
                        .entry((*status).to_string())
                        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
                }
            }
        }
    }
}

/// `GET /v1/openapi.json`.
pub(super) async fn openapi_json() -> Response {
    match document().to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the OpenAPI document does not serialize: {e}"),
        )
        .into_response(),
    }
}
