//! `POST /v1/tx`: admission (stateless checks, signatures, signer and role, replay), the
//! mempool, and with `?wait=commit` the wait for the transaction's block.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use shuquan_proto::views::{ReceiptView, SubmitView};
use shuquan_proto::Hash32;
use tokio::sync::broadcast::error::RecvError;

use super::{ApiError, App};
use crate::mempool::Refused;

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
    State(app): State<Arc<App>>,
    Query(q): Query<SubmitQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<SubmitView>), ApiError> {
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
    // Subscribe before queueing, so the block cannot slip past unseen.
    let mut events = app.events.subscribe();
    // Inline, not on the blocking pool: admission is a signature check and a few reads
    // from sled's cache (tens of µs), cheaper than two thread hand-offs.
    let tx = app.ledger.admit(&raw, app.clock.now_ms())??;
    match app.mempool.insert(tx.id, tx.raw.clone(), tx.signer) {
        Ok(true) => {
            // Every node keeps it until a block holds it, so any leader can propose it.
            if let Err(e) = app.p2p.publish_tx(tx.raw).await {
                tracing::warn!(tx = %tx.id, error = %e, "could not gossip a transaction; followers forward it to the leader later");
            }
        }
        Ok(false) => {}
        Err(Refused::Full(cap)) => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "mempool_full",
                format!("the mempool holds its limit of {cap} transactions; retry in a moment"),
            ))
        }
        Err(Refused::SignerFull(quota)) => {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "signer_quota",
                format!(
                    "key {} already has {quota} transactions waiting for a block; retry when some commit",
                    tx.signer
                ),
            ))
        }
    }
    if !wait {
        let view = SubmitView {
            tx_id: tx.id,
            status: "pending".into(),
            receipt: None,
        };
        return Ok((StatusCode::ACCEPTED, Json(view)));
    }
    let limit = q
        .timeout_ms
        .map_or(app.max_wait, Duration::from_millis)
        .min(app.max_wait);
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(receipt) = app.ledger.queries().receipt(&tx.id)? {
            if receipt.height <= app.height.load(std::sync::atomic::Ordering::Acquire) {
                return Ok((StatusCode::OK, Json(committed(tx.id, receipt))));
            }
        }
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Err(_) => {
                return Err(ApiError::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    "wait_timeout",
                    format!("transaction {} is accepted but not yet in a block after {} ms; query it with GET /v1/txs/{}", tx.id, limit.as_millis(), tx.id),
                ))
            }
            // Look the receipt up only when the block holds this transaction: every waiter
            // sees every block, and a read per waiter per block cost more than the rest.
            Ok(Ok(block)) => {
                let mine = block.receipts.iter().any(|r| r.tx_id == tx.id.as_bytes());
                if !mine {
                    continue;
                }
            }
            Ok(Err(RecvError::Lagged(_))) => continue,
            Ok(Err(RecvError::Closed)) => return Err(crate::Error::Stopped("block producer").into()),
        }
    }
}

fn committed(id: Hash32, receipt: ReceiptView) -> SubmitView {
    let status = receipt.result.clone();
    SubmitView {
        tx_id: id,
        status,
        receipt: Some(receipt),
    }
}
