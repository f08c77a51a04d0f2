//! Operations endpoints: `/health` (the process serves), `/ready` (it has a leader and has
//! applied what it knows committed), `/metrics` (Prometheus text).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;
use shuquan_consensus::Role;

use super::Api;

pub(super) async fn health() -> &'static str {
    "ok"
}

pub(super) async fn ready(State(app): State<Arc<Api>>) -> impl IntoResponse {
    let st = app.raft.status().await;
    let caught_up = st.last_applied >= st.committed;
    let role_ok = matches!(st.role, Role::Leader | Role::Follower | Role::Learner);
    let ready = st.leader_id.is_some() && caught_up && role_ok;
    let reason = if !role_ok {
        format!("raft role is {:?}", st.role)
    } else if st.leader_id.is_none() {
        "no leader known yet".to_string()
    } else if !caught_up {
        format!(
            "applying committed entries: applied {:?} of {:?}",
            st.last_applied, st.committed
        )
    } else {
        "ready".to_string()
    };
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(json!({ "ready": ready, "reason": reason, "leader_id": st.leader_id })),
    )
}

pub(super) async fn metrics(State(app): State<Arc<Api>>) -> impl IntoResponse {
    app.metrics
        .refresh(&app.raft, &app.p2p, app.pipeline.mempool().len())
        .await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.encode(),
    )
}
