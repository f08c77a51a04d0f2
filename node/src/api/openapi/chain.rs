//! The chain: node status, genesis, the block event stream, submitting transactions, and
//! transactions, blocks, certificates and raw segments.

use std::collections::BTreeMap;

use shuquan_proto::views::{
    BlockView, CertificateView, ErrorView, InclusionProofView, MemberView, StatusView, SubmitView,
    TxView,
};
use shuquan_proto::Hash32;
use utoipa::{OpenApi, ToSchema};

/// `GET /v1/genesis`'s body.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct Genesis {
    chain_id: String,
    genesis_hash: Hash32,
    genesis_time_ms: u64,
    /// The hash function of every id, root and digest of the chain.
    #[schema(pattern = "^(blake3|sm3)$")]
    hash: String,
    /// The genesis's members.
    members: Vec<MemberView>,
    /// The parameters in force (governance may have changed the genesis's), by name.
    params: BTreeMap<String, serde_json::Value>,
}

/// `POST /v1/tx` as JSON.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct JsonTx {
    /// The `TxRaw` protobuf bytes, hex.
    #[schema(pattern = "^[0-9a-fA-F]*$")]
    tx: String,
}

/// `?wait=`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub(super) enum Wait {
    /// Answer at once (202).
    None,
    /// Wait for the block that holds it (200), or answer 202 after the timeout.
    Commit,
}

#[utoipa::path(get, path = "/v1/status", tag = "chain", responses(
    (status = 200, description = "The node's chain, role, height, peers and clock.", body = StatusView)))]
#[allow(dead_code)]
fn status() {}

#[utoipa::path(get, path = "/v1/genesis", tag = "chain", responses(
    (status = 200, description = "The genesis and the parameters in force.", body = Genesis)))]
#[allow(dead_code)]
fn genesis() {}

/// Server-sent events: one `block` event (a `BlockView`, id = its height) per applied block.
#[utoipa::path(get, path = "/v1/events", tag = "chain",
    params(
        ("from" = Option<u64>, Query, description = "The first height to send (default: the next block)."),
        ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this height.")),
    responses(
        (status = 200, description = "An endless `text/event-stream`.", body = String,
            content_type = "text/event-stream"),
        (status = 400, description = "A parameter or `Last-Event-ID` that is not a height.", body = ErrorView)))]
#[allow(dead_code)]
fn events() {}

/// Submits a signed transaction: admitted to the mempool (202), or, with `?wait=commit`,
/// answered with its receipt once a block holds it (200).
#[utoipa::path(post, path = "/v1/tx", tag = "chain",
    params(
        ("wait" = Option<Wait>, Query, description = "`commit`: wait for the block."),
        ("timeout_ms" = Option<u64>, Query, description = "Longest wait (capped by the node's).")),
    request_body(description = "A `TxRaw`: protobuf bytes, or JSON with them in hex.", content(
        (JsonTx = "application/json"),
        (Vec<u8> = "application/x-protobuf"))),
    responses(
        (status = 200, description = "Committed: the receipt (`status` is its result).", body = SubmitView),
        (status = 202, description = "Admitted and pending (or still pending after the wait).", body = SubmitView),
        (status = 400, description = "Not a transaction, or refused at admission (`code`, `rule`).", body = ErrorView),
        (status = 403, description = "The signer is not a member, or lacks the role.", body = ErrorView),
        (status = 409, description = "Already committed (a replay).", body = ErrorView),
        (status = 413, description = "Larger than the chain's transaction limit.", body = ErrorView),
        (status = 429, description = "The signer has its quota of transactions waiting.", body = ErrorView)))]
#[allow(dead_code)]
fn submit() {}

#[utoipa::path(get, path = "/v1/txs/{id}", tag = "chain",
    params(("id" = Hash32, Path, description = "Transaction id.")),
    responses(
        (status = 200, description = "The transaction, its payload and receipt.", body = TxView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "Not committed (it may be in the mempool).", body = ErrorView)))]
#[allow(dead_code)]
fn tx() {}

#[utoipa::path(get, path = "/v1/txs/{id}/proof", tag = "chain",
    params(("id" = Hash32, Path, description = "Transaction id.")),
    responses(
        (status = 200, description = "Its Merkle inclusion proof.", body = InclusionProofView),
        (status = 400, description = "A malformed id.", body = ErrorView),
        (status = 404, description = "Not committed.", body = ErrorView)))]
#[allow(dead_code)]
fn proof() {}

#[utoipa::path(get, path = "/v1/blocks/latest", tag = "chain", responses(
    (status = 200, description = "The last applied block.", body = BlockView),
    (status = 404, description = "The chain is empty.", body = ErrorView)))]
#[allow(dead_code)]
fn latest_block() {}

#[utoipa::path(get, path = "/v1/blocks/{height}", tag = "chain",
    params(("height" = u64, Path, description = "Block height.")),
    responses(
        (status = 200, description = "The block and its receipts.", body = BlockView),
        (status = 400, description = "Not a number.", body = ErrorView),
        (status = 404, description = "No such block here.", body = ErrorView)))]
#[allow(dead_code)]
fn block() {}

#[utoipa::path(get, path = "/v1/blocks/{height}/certificate", tag = "chain",
    params(("height" = u64, Path, description = "Block height.")),
    responses(
        (status = 200, description = "The block's certificate and whether it verifies.", body = CertificateView),
        (status = 400, description = "Not a number.", body = ErrorView),
        (status = 404, description = "No certificate for that block (yet).", body = ErrorView)))]
#[allow(dead_code)]
fn certificate() {}

/// Blocks `from..` as stored: a `ChainSegment` protobuf (at most 256 blocks, about 8 MiB).
#[utoipa::path(get, path = "/v1/chain", tag = "chain",
    params(
        ("from" = u64, Query, minimum = 1, description = "The first height."),
        ("limit" = Option<u64>, Query, description = "Most blocks (1 to 256, default 256; clamped).")),
    responses(
        (status = 200, description = "The segment (empty past the last block).", body = Vec<u8>,
            content_type = "application/x-protobuf"),
        (status = 400, description = "`from` missing, 0 or not a number.", body = ErrorView)))]
#[allow(dead_code)]
fn chain() {}

/// The routes of this file.
#[derive(OpenApi)]
#[openapi(
    paths(
        status,
        genesis,
        events,
        submit,
        tx,
        proof,
        latest_block,
        block,
        certificate,
        chain
    ),
    components(schemas(Wait))
)]
pub(super) struct Doc;
