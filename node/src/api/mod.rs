//! The HTTP/JSON API (axum). Paths are versioned under `/v1`; transactions arrive as
//! protobuf `TxRaw` bytes (`application/x-protobuf`) or as JSON `{"tx": "<hex>"}`; every
//! error is JSON `{"code", "message"}` with a fitting HTTP status.

mod audit;
pub(crate) mod auth;
mod catalogue;
mod error;
mod events;
mod gov;
mod linked;
mod market;
mod openapi;
mod ops;
mod queries;
mod registry;
mod serve;
mod submit;
pub(crate) mod tls;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use shuquan_consensus::{Node as RaftNode, NodeId};
use shuquan_ledger::Ledger;
use shuquan_proto::PublicKey;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::p2p::P2p;
use crate::pipeline::Pipeline;
use crate::waiters::Waiters;

pub(crate) use error::ApiError;
pub(crate) use serve::{serve, ServeLimits};

/// What the API's handlers may use, and nothing else of the node: the ledger's reads, the
/// transaction pipeline and its waiters, the applied height, and what `/v1/status`,
/// `/ready` and `/metrics` report. The daemon builds it.
#[derive(Debug)]
pub(crate) struct Api {
    /// The ledger (reads, and admission through the pipeline).
    pub(crate) ledger: Arc<Ledger>,
    /// Where submitted transactions go.
    pub(crate) pipeline: Arc<Pipeline>,
    /// `?wait=commit` by transaction id.
    pub(crate) waiters: Arc<Waiters>,
    /// The height of the last applied block, as it changes (wakes the event stream).
    pub(crate) height: watch::Receiver<u64>,
    /// This node's key.
    pub(crate) node_key: PublicKey,
    /// This node's Raft id.
    pub(crate) node_id: NodeId,
    /// Raft, for the node's role, term and leader.
    pub(crate) raft: RaftNode,
    /// The network, for the peers connected.
    pub(crate) p2p: P2p,
    /// The node's clock.
    pub(crate) clock: Arc<Clock>,
    /// Prometheus metrics.
    pub(crate) metrics: Arc<Metrics>,
    /// Longest `?wait=commit`.
    pub(crate) max_wait: Duration,
    /// Longest time to read a request and answer it; slower clients get 408.
    pub(crate) request_timeout: Duration,
    /// The catalogue of assets.
    pub(crate) catalogue: Arc<crate::catalogue::CatalogueIndex>,
    /// The name of the member that runs this node (the DCAT catalogue's publisher).
    pub(crate) operator_name: String,
    /// The API's public base URL, if configured (`public_url`).
    pub(crate) public_url: Option<String>,
    /// Who may read (`api.read`), and the tokens seen.
    pub(crate) access: auth::Access,
}

/// Largest request body: a transaction at the size limit, hex-encoded in JSON, with room.
pub(crate) fn body_limit(max_tx_bytes: usize) -> usize {
    max_tx_bytes * 2 + 4096
}

/// The API's routes.
pub(crate) fn router(app: Arc<Api>) -> Router {
    let limit = body_limit(app.ledger.genesis_params().max_tx_bytes as usize);
    Router::new()
        .route("/health", get(ops::health))
        .route("/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/v1/events", get(events::events))
        .route("/v1/tx", post(submit::submit))
        .route("/v1/openapi.json", get(openapi::openapi_json))
        .route("/v1/status", get(queries::status))
        .route("/v1/genesis", get(queries::genesis))
        .route("/v1/assets/{id}", get(queries::asset))
        .route("/v1/assets/{id}/history", get(queries::history))
        .route("/v1/assets/{id}/rights", get(queries::rights))
        .route("/v1/assets/{id}/grants", get(queries::asset_grants))
        .route("/v1/assets/{id}/lineage", get(queries::lineage))
        .route("/v1/assets/{id}/filings", get(queries::asset_filings))
        .route("/v1/fingerprints/{fp}", get(queries::fingerprint))
        .route("/v1/grants/{id}", get(queries::grant))
        .route("/v1/filings/{id}", get(queries::filing))
        .route("/v1/attestations/{id}", get(queries::attestation))
        .route("/v1/members", get(queries::members))
        .route("/v1/members/{member}", get(queries::member))
        .route("/v1/members/{member}/txs", get(queries::member_txs))
        .route("/v1/members/{member}/grants", get(queries::member_grants))
        .route("/v1/council", get(gov::council))
        .route("/v1/nodes", get(gov::nodes))
        .route("/v1/proposals", get(gov::proposals))
        .route("/v1/proposals/{id}", get(gov::proposal))
        .route("/v1/txs/{id}", get(queries::tx))
        .route("/v1/txs/{id}/proof", get(queries::proof))
        .route("/v1/blocks/latest", get(queries::latest_block))
        .route("/v1/blocks/{height}", get(queries::block))
        .route("/v1/blocks/{height}/certificate", get(queries::certificate))
        .route("/v1/assets/{id}/bundle", get(audit::bundle))
        .route(
            "/v1/assets/{id}/objections",
            get(registry::asset_objections),
        )
        .route("/v1/objections/{id}", get(registry::objection))
        .route("/v1/certificates/{id}", get(registry::certificate))
        .route("/v1/catalogue", get(catalogue::catalogue))
        .route("/v1/catalogue/dcat", get(catalogue::dcat))
        .route("/v1/chain", get(audit::chain))
        .route("/v1/requests", get(market::requests))
        .route("/v1/requests/answer-times", get(market::answer_times))
        .route("/v1/requests/{id}", get(market::request))
        .route("/v1/listings", get(market::listings))
        .route("/v1/listings/{id}", get(market::listing))
        .route("/v1/listings/{id}/orders", get(market::listing_orders))
        .route("/v1/listings/{id}/odrl", get(linked::listing_odrl))
        .route("/v1/orders", get(market::orders))
        .route("/v1/orders/{id}", get(market::order))
        .route("/v1/vouchers", get(market::vouchers))
        .route("/v1/vouchers/{number}", get(market::voucher))
        .route("/v1/prices", get(market::prices))
        .route("/v1/grants/{id}/odrl", get(linked::grant_odrl))
        .route("/v1/assets/{id}/prov", get(linked::asset_prov))
        .merge(crate::explorer::router())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            auth::guard,
        ))
        .layer(DefaultBodyLimit::max(limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            app.request_timeout,
        ))
        .with_state(app)
}
