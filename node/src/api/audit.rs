//! The audit endpoints, answered in protobuf (`application/x-protobuf`): an asset's audit
//! bundle at the certified height, and raw chain segments for `shuquan audit chain`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};

use super::error::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use prost::Message;
use serde::Deserialize;
use shuquan_proto::{pb, Hash32};

use super::{Api, ApiError};

/// Bundles built at once: each may hold a long history in memory; more requests queue.
static BUILDING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Longest wait for the blocks applied before a bundle request to be certified.
const CERTIFY_WAIT: Duration = Duration::from_secs(3);
/// Most blocks in one chain segment.
pub(super) const SEGMENT_BLOCKS: u64 = 256;
/// A segment stops growing past this many bytes.
const SEGMENT_BYTES: usize = 8 << 20;

/// Runs ledger reads that may take a while off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> shuquan_ledger::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(ApiError::from)
}

fn protobuf(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/x-protobuf")], bytes).into_response()
}

/// `?parents=true` adds the lineage parents' records.
#[derive(Deserialize)]
pub(super) struct BundleQuery {
    #[serde(default)]
    parents: bool,
}

/// `GET /v1/assets/{id}/bundle`: the asset's audit bundle as of the certified height. If
/// blocks applied before the request are not certified yet, waits for them (up to 3 s) so
/// the bundle holds what the asset looked like when asked.
pub(super) async fn bundle(
    State(app): State<Arc<Api>>,
    Path(id): Path<String>,
    Query(q): Query<BundleQuery>,
) -> Result<Response, ApiError> {
    let asset: Hash32 = id
        .parse()
        .map_err(|e| ApiError::bad_request(format!("asset id {id:?}: {e}")))?;
    let applied = app.ledger.applied()?.height;
    let deadline = Instant::now() + CERTIFY_WAIT;
    let mut certified = app.ledger.certs().certified_height()?;
    while certified < applied && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        certified = app.ledger.certs().certified_height()?;
    }
    let height = certified.min(applied);
    let _permit = BUILDING
        .acquire()
        .await
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "stopping", e.to_string()))?;
    let ledger = app.ledger.clone();
    let built = blocking(move || ledger.bundles().audit_bundle(&asset, height, q.parents)).await?;
    match built {
        Some(bytes) => Ok(protobuf(bytes)),
        None if app.ledger.queries().asset(&asset)?.is_some() => Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_certified",
            format!("asset {asset} was registered after the certified height {height}; try again in a moment"),
        )),
        None => Err(ApiError::not_found(format_args!("asset {asset}"))),
    }
}

/// `?from=H&limit=N` (N ≤ 256).
#[derive(Deserialize)]
pub(super) struct ChainQuery {
    from: u64,
    #[serde(default = "default_limit")]
    limit: u64,
}

fn default_limit() -> u64 {
    SEGMENT_BLOCKS
}

/// `GET /v1/chain?from=H&limit=N`: blocks `H..` as stored (header bytes, transactions,
/// certificate), at most N of them and about 8 MiB; empty past the tip.
pub(super) async fn chain(
    State(app): State<Arc<Api>>,
    Query(q): Query<ChainQuery>,
) -> Result<Response, ApiError> {
    if q.from == 0 {
        return Err(ApiError::bad_request(
            "from must be at least 1 (the first block)",
        ));
    }
    let limit = q.limit.clamp(1, SEGMENT_BLOCKS);
    let ledger = app.ledger.clone();
    let segment = blocking(move || -> shuquan_ledger::Result<pb::ChainSegment> {
        let mut seg = pb::ChainSegment::default();
        let mut size = 0;
        for h in q.from..q.from.saturating_add(limit) {
            let Some(block) = ledger.bundles().raw_block(h)? else {
                break;
            };
            size += block.encoded_len();
            seg.blocks.push(block);
            if size > SEGMENT_BYTES {
                break;
            }
        }
        Ok(seg)
    })
    .await?;
    Ok(protobuf(segment.encode_to_vec()))
}
