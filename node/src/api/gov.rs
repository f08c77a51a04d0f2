//! The governance endpoints: the council in force and the council's proposals.

use std::sync::Arc;

use axum::extract::{Path, State};

use super::error::Query;
use axum::Json;
use serde::Deserialize;
use shuquan_proto::views as v;

use super::queries::{found, hash, Answer};
use super::Api;

pub(super) async fn council(State(app): State<Arc<Api>>) -> Answer<v::CouncilView> {
    Ok(Json(app.ledger.queries().council()?))
}

/// The nodes governance decided (the set Raft membership and the allow list follow).
pub(super) async fn nodes(State(app): State<Arc<Api>>) -> Answer<Vec<v::NodeView>> {
    Ok(Json(app.ledger.queries().nodes()?))
}

#[derive(Debug, Deserialize)]
pub(super) struct ProposalsQuery {
    /// Only proposals still open for votes.
    #[serde(default)]
    open: bool,
    limit: Option<usize>,
}

/// Proposals, newest first.
pub(super) async fn proposals(
    State(app): State<Arc<Api>>,
    Query(q): Query<ProposalsQuery>,
) -> Answer<Vec<v::ProposalView>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(app.ledger.queries().proposals(q.open, limit)?))
}

pub(super) async fn proposal(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
) -> Answer<v::ProposalView> {
    let id = hash(&id, "proposal id")?;
    found(
        app.ledger.queries().proposal(&id)?,
        format_args!("proposal {id}"),
    )
}
