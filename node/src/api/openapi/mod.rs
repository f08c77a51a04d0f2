//! The HTTP API described in OpenAPI 3.1, served at `GET /v1/openapi.json`.
//!
//! Each area's file declares its routes with `#[utoipa::path]` on small stubs that name the
//! real path, method, parameters and answers of the handlers in `api/*.rs`; the response
//! bodies are the views of `shuquan_proto::views` (their schemas come from the `openapi`
//! feature of `shuquan-proto` and `shuquan-catalogue`). The answers every `/v1` route can
//! give (401 in `api.read = members` mode, 408 past the request timeout, 503 while the
//! ledger is unavailable) are added to every operation here, and so are the two ways a
//! member proves who reads in that mode (a bearer token, an explorer session cookie), as
//! security schemes each guarded operation lists beside "none" (a public node). `tests.rs`
//! checks that every route of the router is described.

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
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi;

use super::{auth, ApiError};

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
         valid bearer token or explorer session (`WWW-Authenticate` says why).",
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
    add_security(&mut doc);
    doc
}

/// The security scheme of a member's read token.
const TOKEN: &str = "memberToken";
/// The security scheme of an explorer session.
const SESSION: &str = "explorerSession";

/// Paths anyone may use in `api.read = members` mode (besides `/health`, `/ready` and
/// `/metrics`, which are not under `/v1`; the catalogue is open unless configured closed).
const OPEN: &[&str] = &["/v1/openapi.json", "/v1/tx"];

/// Describes how members prove who reads, and lists it on every guarded operation beside
/// the empty requirement (a public node asks for nothing).
fn add_security(doc: &mut Document) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        TOKEN,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "On a node with `api.read = members`: an EdDSA JSON Web Token (RFC 7519, \
                     RFC 8037, Ed25519) signed by an account key in force of an active member. \
                     Header `kid` and claim `sub` are that key (hex); `aud` is the chain's \
                     genesis hash (the 401 challenge names it); `iat` and `exp` (seconds) span \
                     at most 300 s; `jti` is a fresh nonce: each token is accepted once. \
                     `shuquan --key FILE token` prints one.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        SESSION,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            auth::session::COOKIE,
            "On a node with `api.read = members`: the session a member opened on \
             `/explorer/sign-in` with a read token; good for GET and HEAD for 30 minutes, \
             while the member stays active.",
        ))),
    );
    let either = vec![
        SecurityRequirement::default(),
        SecurityRequirement::new(TOKEN, Vec::<String>::new()),
        SecurityRequirement::new(SESSION, Vec::<String>::new()),
    ];
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/v1/") || OPEN.contains(&path.as_str()) {
            continue;
        }
        if let Some(op) = item.get.as_mut() {
            op.security = Some(either.clone());
        }
    }
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
