//! Governance: the council, the nodes and the council's proposals.

use shuquan_proto::views::{CouncilView, ErrorView, NodeView, ProposalView};
use shuquan_proto::Hash32;
use utoipa::OpenApi;

#[utoipa::path(get, path = "/v1/council", tag = "gov", responses(
    (status = 200, description = "The council in force.", body = CouncilView)))]
#[allow(dead_code)]
fn council() {}

#[utoipa::path(get, path = "/v1/nodes", tag = "gov", responses(
    (status = 200, description = "The nodes governance decided.", body = Vec<NodeView>)))]
#[allow(dead_code)]
fn nodes() {}

#[utoipa::path(get, path = "/v1/proposals", tag = "gov",
    params(
        ("open" = Option<bool>, Query, description = "Only proposals still open for votes."),
        ("limit" = Option<u64>, Query, description = "Most proposals (default 100; clamped to 1..=1000).")),
    responses(
        (status = 200, description = "Proposals, newest first.", body = Vec<ProposalView>),
        (status = 400, description = "A malformed parameter.", body = ErrorView)))]
#[allow(dead_code)]
fn proposals() {}

#[utoipa::path(get, path = "/v1/proposals/{id}", tag = "gov",
    params(("id" = Hash32, Path, description = "Proposal id.")),
    responses(
        (status = 200, description = "The proposal and its votes.", body = ProposalView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "No such proposal.", body = ErrorView)))]
#[allow(dead_code)]
fn proposal() {}

/// The routes of this file.
#[derive(OpenApi)]
#[openapi(paths(council, nodes, proposals, proposal))]
pub(super) struct Doc;
