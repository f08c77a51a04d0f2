//! The catalogue endpoints: `GET /v1/catalogue` (filters, sorting, cursor pages, as JSON)
//! and `GET /v1/catalogue/dcat` (the certified entries as W3C DCAT 3 / DCAT-AP JSON-LD, for
//! the region's and cities' catalogue platforms to harvest; the next page is in a `Link`
//! header).

use std::sync::Arc;

use axum::extract::State;

use super::error::Query;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use shuquan_catalogue::{CatalogMeta, Filter, Page, PageRequest, Sort, DEFAULT_LIMIT};
use shuquan_proto::hash::Hashing;

use super::{Api, ApiError};

/// The query string of both endpoints.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CatalogueQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    sector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grade: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jurisdiction: Option<String>,
    /// A short id (`org1`) or a member id.
    #[serde(skip_serializing_if = "Option::is_none")]
    holder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sharing: Option<String>,
    /// Certified at or after (ms since the epoch).
    #[serde(skip_serializing_if = "Option::is_none")]
    registered_from: Option<u64>,
    /// Certified at or before (ms since the epoch).
    #[serde(skip_serializing_if = "Option::is_none")]
    registered_to: Option<u64>,
    /// Free text over name and description.
    #[serde(skip_serializing_if = "Option::is_none")]
    q: Option<String>,
    /// newest (default), oldest or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

impl CatalogueQuery {
    fn request(self, h: Hashing, chain_id: &str) -> Result<PageRequest, ApiError> {
        let holder = self.holder.map(|name| {
            if shuquan_proto::gov::is_short_id(&name) && name.len() != 64 {
                h.member_id(chain_id, &name).to_hex()
            } else {
                name.to_ascii_lowercase()
            }
        });
        let sort = match self.sort.as_deref() {
            None | Some("newest") => Sort::Newest,
            Some("oldest") => Sort::Oldest,
            Some("name") => Sort::Name,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "sort {other:?}: use newest, oldest or name"
                )))
            }
        };
        Ok(PageRequest {
            filter: Filter {
                sector: self.sector,
                grade: self.grade,
                origin: self.origin,
                jurisdiction: self.jurisdiction,
                holder,
                status: self.status,
                delivery_mode: self.delivery,
                sharing: self.sharing,
                registered_from_ms: self.registered_from,
                registered_to_ms: self.registered_to,
                text: self.q,
            },
            sort,
            limit: self.limit.unwrap_or(DEFAULT_LIMIT),
            cursor: self.cursor,
        })
    }
}

/// Runs a search on the blocking pool (a search waits while the index commits).
async fn search(app: Arc<Api>, q: CatalogueQuery) -> Result<Page, ApiError> {
    let req = q.request(app.ledger.hashing(), app.ledger.chain_id())?;
    let now = app.ledger.applied()?.timestamp_ms;
    let found = tokio::task::spawn_blocking(move || app.catalogue.search(&req, now))
        .await
        .map_err(|_| ApiError::from(crate::Error::Stopped("catalogue search")))?;
    found.map_err(|e| match e {
        shuquan_catalogue::Error::BadFilter { .. } | shuquan_catalogue::Error::BadCursor(_) => {
            ApiError::bad_request(e.to_string())
        }
        other => ApiError::from(crate::Error::Catalogue(other.to_string())),
    })
}

/// A page of the catalogue.
pub(super) async fn catalogue(
    State(app): State<Arc<Api>>,
    Query(q): Query<CatalogueQuery>,
) -> Result<Json<Page>, ApiError> {
    Ok(Json(search(app, q).await?))
}

/// A page of the catalogue's certified entries as DCAT-AP JSON-LD.
pub(super) async fn dcat(
    State(app): State<Arc<Api>>,
    headers: HeaderMap,
    Query(mut q): Query<CatalogueQuery>,
) -> Result<Response, ApiError> {
    // The catalogue publishes registrations in force unless asked for a status.
    q.status
        .get_or_insert_with(|| shuquan_catalogue::IN_FORCE.to_string());
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let page = search(app.clone(), q.clone()).await?;
    let chain_id = app.ledger.chain_id().to_string();
    let meta = CatalogMeta {
        base_url: app
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{host}")),
        title: format!("Shuquan data catalogue of chain {chain_id}"),
        description: "Data assets registered on a Shuquan data-rights ledger: certified registrations, their holders, sharing classes and delivery modes.".into(),
        publisher_name: app.operator_name.clone(),
        homepage: None,
        chain_id,
        blake3_fingerprints: app.ledger.hashing() == shuquan_proto::hash::Hashing::BLAKE3,
    };
    let now = app.ledger.applied()?.timestamp_ms;
    let doc = shuquan_catalogue::dcat(&meta, &page.entries, now);
    let mut resp = Json(doc).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    if let Some(next) = page.next_cursor {
        // The same filters, from the next cursor on.
        q.cursor = Some(next);
        let query = serde_urlencoded::to_string(&q).unwrap_or_default();
        let link = format!("</v1/catalogue/dcat?{query}>; rel=\"next\"");
        if let Ok(v) = HeaderValue::from_str(&link) {
            resp.headers_mut().insert(header::LINK, v);
        }
    }
    Ok(resp)
}
