//! `GET /v1/events`: a server-sent event stream of committed blocks, for institutions that
//! follow the chain. Each event is `event: block`, `id: HEIGHT`, and the block as JSON
//! (height, hash, previous hash, time, proposer, roots, and every transaction's id and
//! result). `?from=HEIGHT` (or the `Last-Event-ID` header, resuming after it) replays
//! from that height; by default the stream starts after the current block. Blocks are read
//! from the ledger, so a slow reader never misses one.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;

use super::error::Query;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream};
use serde::Deserialize;

use super::{Api, ApiError};

#[derive(Debug, Deserialize)]
pub(super) struct EventsQuery {
    /// First height to send.
    #[serde(default)]
    from: Option<u64>,
}

struct Cursor {
    app: Arc<Api>,
    next: u64,
    wake: tokio::sync::watch::Receiver<u64>,
}

pub(super) async fn events(
    State(app): State<Arc<Api>>,
    Query(q): Query<EventsQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(|s| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| ApiError::bad_request("Last-Event-ID must be a block height"))
        })
        .transpose()?;
    let wake = app.height.clone();
    let current = app.ledger.applied()?.height;
    let next = match (q.from, resume) {
        (Some(from), _) => from.max(1),
        (None, Some(last)) => last.saturating_add(1),
        (None, None) => current + 1,
    };
    let cursor = Cursor { app, next, wake };
    let stream = stream::unfold(cursor, |mut c| async move {
        loop {
            let block = match c.app.ledger.queries().block(c.next) {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "event stream cannot read a block; closing it");
                    return None;
                }
            };
            if let Some(view) = block {
                let data = serde_json::to_string(&view).unwrap_or_default();
                let event = Event::default()
                    .event("block")
                    .id(c.next.to_string())
                    .data(data);
                c.next += 1;
                return Some((Ok(event), c));
            }
            // Wait for the height to move (a block, or a snapshot install).
            if c.wake.changed().await.is_err() {
                return None;
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
