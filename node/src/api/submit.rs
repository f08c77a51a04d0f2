//! `POST /v1/tx`: the transaction pipeline (admission, mempool, gossip), and with
//! `?wait=commit` the wait for the transaction's block, correlated by its id: `200` with the
//! receipt once a block holds it, `202` with status `pending` if none did within the wait
//! (the transaction stays queued and may still commit; `GET /v1/txs/{id}` tells).

use std::sync::Arc;
use std::time::Duration;

use super::{Api, ApiError};
use crate::pipeline::{Admission, Origin};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;

use super::error::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use shuquan_proto::views::{ReceiptView, SubmitView};
use shuquan_proto::Hash32;

#[derive(Debug, Deserialize)]
pub(super) struct SubmitQuery {
    /// `commit` to wait for the block.
    #[serde(default)]
    wait: Option<String>,
    /// Longest wait in ms.
    #[serde(default)]
    timeout_ms: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct JsonTx {
    tx: String,
}

fn body_bytes(headers: &HeaderMap, body: &Bytes) -> Result<Vec<u8>, ApiError> {
    let ctype = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ctype.starts_with("application/x-protobuf") || ctype.starts_with("application/octet-stream")
    {
        return Ok(body.to_vec());
    }
    let json: JsonTx = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "expected protobuf TxRaw bytes (Content-Type: application/x-protobuf) or JSON {{\"tx\": \"<hex>\"}}: {e}"
        ))
    })?;
    hex::decode(json.tx.trim())
        .map_err(|e| ApiError::bad_request(format!("field tx is not hex: {e}")))
}

pub(super) async fn submit(
    State(app): State<Arc<Api>>,
    Query(q): Query<SubmitQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<SubmitView>), ApiError> {
    let body = body.map_err(body_rejection)?;
    let raw = body_bytes(&headers, &body)?;
    let wait = match q.wait.as_deref() {
        None | Some("") | Some("none") => false,
        Some("commit") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "wait={other}: use wait=commit or leave it out"
            )))
        }
    };
    // Register the wait before admitting: the block cannot slip past unseen. The id is
    // the body's, fixed before any check (a transaction that does not decode is refused
    // below and the waiter dropped).
    let mut waiter = match (wait, tx_id_of(&app, &raw)) {
        (true, Some(id)) => Some(app.waiters.wait(id)),
        _ => None,
    };
    // Inline, not on the blocking pool: admission is a signature check and a few reads
    // from sled's cache (tens of µs), cheaper than two thread hand-offs.
    let id = match app.pipeline.admit(&raw, Origin::Client)? {
        Admission::Queued { id } | Admission::Known { id } => id,
        Admission::Refused(r) => return Err(r.into()),
        Admission::Full { capacity } => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "mempool_full",
                format!(
                    "the mempool holds its limit of {capacity} transactions; retry in a moment"
                ),
            ))
        }
        Admission::SignerQuota { signer, quota } => {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "signer_quota",
                format!(
                    "key {signer} already has {quota} transactions waiting for a block; retry when some commit"
                ),
            ))
        }
    };
    let pending = || {
        let view = SubmitView {
            tx_id: id,
            status: "pending".into(),
            receipt: None,
        };
        (StatusCode::ACCEPTED, Json(view))
    };
    let Some(waiter) = waiter.as_mut() else {
        return Ok(pending());
    };
    let limit = q
        .timeout_ms
        .map_or(app.max_wait, Duration::from_millis)
        .min(app.max_wait);
    match tokio::time::timeout(limit, waiter.receipt()).await {
        Ok(Some(receipt)) => Ok((StatusCode::OK, Json(committed(id, receipt)))),
        Ok(None) => Err(crate::Error::Stopped("block application").into()),
        // Not in a block yet (or it came with a snapshot, which resolves no waiter): one
        // read tells which; otherwise it is still pending.
        Err(_) => match app.ledger.queries().receipt(&id)? {
            Some(receipt) => Ok((StatusCode::OK, Json(committed(id, receipt)))),
            None => Ok(pending()),
        },
    }
}

/// A body that could not be read (over the size limit: 413) as a JSON error, not axum's text.
fn body_rejection(e: BytesRejection) -> ApiError {
    let status = e.status();
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "too_large"
    } else {
        "bad_request"
    };
    ApiError::new(status, code, format!("the request body: {}", e.body_text()))
}

/// The id of a transaction's body, if its envelope decodes (the checks come later).
fn tx_id_of(app: &Api, raw: &[u8]) -> Option<Hash32> {
    use prost::Message;
    let envelope = shuquan_proto::pb::TxRaw::decode(raw).ok()?;
    Some(
        app.ledger
            .hashing()
            .tx_id(app.ledger.chain_id(), &envelope.body),
    )
}

fn committed(id: Hash32, receipt: ReceiptView) -> SubmitView {
    let status = receipt.result.clone();
    SubmitView {
        tx_id: id,
        status,
        receipt: Some(receipt),
    }
}
