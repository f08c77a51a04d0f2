//! The linked-data endpoints for other data spaces: `GET /v1/grants/{id}/odrl` (a grant as
//! an ODRL 2.2 Agreement), `GET /v1/listings/{id}/odrl` (a licence listing as an ODRL
//! Offer) and `GET /v1/assets/{id}/prov` (history and lineage as PROV-O), all JSON-LD
//! (`application/ld+json`) with IRIs under the node's `public_url` (else the request's
//! host), as the DCAT catalogue's.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use shuquan_ledger::Ledger;

use super::queries::hash;
use super::{Api, ApiError};
use crate::linked::{odrl, read, Iris};

#[cfg(test)]
mod tests;

/// The IRIs of this node's documents: under `public_url`, else `http://<Host>` (a Host
/// header that is not a plain host name and port reads as 127.0.0.1).
fn iris(app: &Api, headers: &HeaderMap) -> Iris {
    if let Some(url) = &app.public_url {
        return Iris::new(url);
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1");
    Iris::new(&format!("http://{host}"))
}

/// A JSON-LD answer.
fn json_ld(doc: Value) -> Response {
    let mut resp = Json(doc).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    resp
}

pub(super) fn grant_odrl_of(ledger: &Ledger, iris: &Iris, id: &str) -> Result<Value, ApiError> {
    let id = hash(id, "grant id")?;
    match ledger.queries().grant(&id, None)? {
        Some(g) => Ok(odrl::grant_agreement(iris, &g)),
        None => Err(ApiError::not_found(format_args!("grant {id}"))),
    }
}

pub(super) fn listing_odrl_of(ledger: &Ledger, iris: &Iris, id: &str) -> Result<Value, ApiError> {
    let id = hash(id, "listing id")?;
    let Some(listing) = ledger.queries().listing(&id)? else {
        return Err(ApiError::not_found(format_args!("listing {id}")));
    };
    match odrl::listing_offer(iris, &listing) {
        Ok(Some(doc)) => Ok(doc),
        Ok(None) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_a_licence",
            format!(
                "listing {id} offers the {} right (a transfer), not a licence: only licence \
                 listings have an ODRL offer; see GET /v1/listings/{id}",
                listing.offer
            ),
        )),
        Err(e) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("listing {id}: its licence terms do not read ({e}); see the node's log"),
        )),
    }
}

pub(super) fn asset_prov_of(ledger: &Ledger, iris: &Iris, id: &str) -> Result<Value, ApiError> {
    let id = hash(id, "asset id")?;
    read::asset_prov(ledger, iris, &id)?
        .ok_or_else(|| ApiError::not_found(format_args!("asset {id}")))
}

/// `GET /v1/grants/{id}/odrl`.
pub(super) async fn grant_odrl(
    State(app): State<Arc<Api>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(json_ld(grant_odrl_of(
        &app.ledger,
        &iris(&app, &headers),
        &id,
    )?))
}

/// `GET /v1/listings/{id}/odrl`.
pub(super) async fn listing_odrl(
    State(app): State<Arc<Api>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(json_ld(listing_odrl_of(
        &app.ledger,
        &iris(&app, &headers),
        &id,
    )?))
}

/// `GET /v1/assets/{id}/prov`.
pub(super) async fn asset_prov(
    State(app): State<Arc<Api>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(json_ld(asset_prov_of(
        &app.ledger,
        &iris(&app, &headers),
        &id,
    )?))
}
