//! Operations: liveness, readiness, metrics and this document.

use utoipa::{OpenApi, ToSchema};

/// `GET /ready`'s body.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct Ready {
    /// Whether the node knows a leader and has applied everything committed.
    ready: bool,
    /// `ready`, or why not.
    reason: String,
    /// The Raft leader's id, if known.
    leader_id: Option<u64>,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "ops",
    responses((status = 200, description = "`ok`", body = String, content_type = "text/plain")))]
#[allow(dead_code)]
fn health() {}

/// Readiness: a leader is known and the committed entries are applied.
#[utoipa::path(get, path = "/ready", tag = "ops", responses(
    (status = 200, description = "Ready.", body = Ready),
    (status = 503, description = "Not ready yet; `reason` says why.", body = Ready)))]
#[allow(dead_code)]
fn ready() {}

/// Prometheus metrics (OpenMetrics text).
#[utoipa::path(get, path = "/metrics", tag = "ops", responses(
    (status = 200, description = "The metrics.", body = String,
        content_type = "application/openmetrics-text")))]
#[allow(dead_code)]
fn metrics() {}

/// This document: the API in OpenAPI 3.1.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "ops", responses(
    (status = 200, description = "The OpenAPI 3.1 document.", body = Object)))]
#[allow(dead_code)]
fn openapi() {}

/// The routes of this file.
#[derive(OpenApi)]
#[openapi(paths(health, ready, metrics, openapi))]
pub(super) struct Doc;
