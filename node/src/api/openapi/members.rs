//! Members, the transactions they signed, and their grants.

use shuquan_proto::views::{ErrorView, GrantView, MemberView, ReceiptView};
use shuquan_proto::Hash32;
use utoipa::{OpenApi, ToSchema};

/// `?side=`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(super) enum Side {
    /// Grants the member received (the default).
    Grantee,
    /// Grants the member gave.
    Grantor,
}

#[utoipa::path(get, path = "/v1/members", tag = "members", responses(
    (status = 200, description = "Every member.", body = Vec<MemberView>)))]
#[allow(dead_code)]
fn members() {}

#[utoipa::path(get, path = "/v1/members/{member}", tag = "members",
    params(("member" = String, Path, description = "A short id (`org1`), a member id or an account key.")),
    responses(
        (status = 200, description = "The member.", body = MemberView),
        (status = 404, description = "No such member.", body = ErrorView)))]
#[allow(dead_code)]
fn member() {}

#[utoipa::path(get, path = "/v1/members/{member}/txs", tag = "members",
    params(
        ("member" = String, Path, description = "A short id (`org1`), a member id or an account key."),
        ("limit" = Option<u64>, Query, description = "Most receipts (default 1000, at most 10000).")),
    responses(
        (status = 200, description = "Receipts of transactions it signed or cosigned.", body = Vec<ReceiptView>),
        (status = 400, description = "A malformed parameter.", body = ErrorView),
        (status = 404, description = "No such member.", body = ErrorView)))]
#[allow(dead_code)]
fn member_txs() {}

#[utoipa::path(get, path = "/v1/members/{member}/grants", tag = "members",
    params(
        ("member" = String, Path, description = "A short id (`org1`), a member id or an account key."),
        ("side" = Option<Side>, Query, description = "Received (default) or given."),
        ("at" = Option<u64>, Query, description = "Statuses at this time (ms)."),
        ("after" = Option<Hash32>, Query, description = "The last grant id of the previous page."),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "Page size (default 100).")),
    responses(
        (status = 200, description = "One page of its grants, in id order.", body = Vec<GrantView>),
        (status = 400, description = "A malformed parameter.", body = ErrorView),
        (status = 404, description = "No such member.", body = ErrorView)))]
#[allow(dead_code)]
fn member_grants() {}

/// The routes of this file.
#[derive(OpenApi)]
#[openapi(
    paths(members, member, member_txs, member_grants),
    components(schemas(Side))
)]
pub(super) struct Doc;
