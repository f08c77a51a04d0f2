//! The registration endpoints: certificates (by asset id or registration number) and the
//! objections filed against an asset's applications.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use shuquan_proto::views as v;

use super::queries::{found, hash, Answer};
use super::{Api, ApiError};

/// A registration certificate: `{id}` is an asset id (64 hex) or a registration number.
pub(super) async fn certificate(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::RegistrationView> {
    let q = app.ledger.queries();
    let asset = if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        hash(&id, "asset id")?
    } else {
        match q.asset_of_number(&id)? {
            Some(a) => a,
            None => {
                return Err(ApiError::not_found(format_args!(
                    "registration number {id:?} (give an asset id or a number like GX-2026-000001)"
                )))
            }
        }
    };
    let Some(view) = q.asset(&asset)? else {
        return Err(ApiError::not_found(format_args!("asset {asset}")));
    };
    match q.certificate(&asset)? {
        Some(c) => Ok(Json(c)),
        None => Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "asset {asset} has no certificate: its registration is {}{}",
                view.status,
                view.application
                    .and_then(|a| a.notice_ends_ms)
                    .map(|t| format!(" until {t} (block time; the next block after that certifies it unless an objection is open)"))
                    .unwrap_or_default()
            ),
        )),
    }
}

/// Every objection filed against an asset's applications.
pub(super) async fn asset_objections(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<Vec<v::ObjectionView>> {
    let id = hash(&id, "asset id")?;
    if app.ledger.queries().asset(&id)?.is_none() {
        return Err(ApiError::not_found(format_args!("asset {id}")));
    }
    Ok(Json(app.ledger.queries().objections(&id)?))
}

/// One objection.
pub(super) async fn objection(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::ObjectionView> {
    let id = hash(&id, "objection id")?;
    found(
        app.ledger.queries().objection(&id)?,
        format_args!("objection {id}"),
    )
}
