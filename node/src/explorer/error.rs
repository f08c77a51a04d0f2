//! What a page answers when it cannot show what was asked: 400 for a malformed id, 404 for
//! one the chain does not know (and for paths the explorer does not have), 503 for history
//! this node has not fetched yet, 500 for a fault inside the node (logged). Always an HTML
//! page in the reader's language, never a panic.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::frame::{Ctx, Frame};
use super::i18n::Labels;

/// Why a page cannot be shown.
#[derive(Debug)]
pub(super) enum Fail {
    /// The request names nothing that could exist (a malformed id or height).
    BadRequest(String),
    /// The chain has no such thing.
    NotFound(String),
    /// This node cannot answer yet (history it has not fetched).
    Unavailable(String),
    /// A fault inside the node.
    Internal(String),
}

impl Fail {
    /// The HTTP status.
    pub(super) fn status(&self) -> StatusCode {
        match self {
            Fail::BadRequest(_) => StatusCode::BAD_REQUEST,
            Fail::NotFound(_) => StatusCode::NOT_FOUND,
            Fail::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Fail::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The page's heading.
    pub(super) fn heading(&self, t: &Labels) -> &'static str {
        match self {
            Fail::BadRequest(_) => t.bad_request,
            Fail::NotFound(_) => t.not_found,
            Fail::Unavailable(_) => t.unavailable,
            Fail::Internal(_) => t.internal,
        }
    }

    fn message(&self) -> &str {
        match self {
            Fail::BadRequest(m) | Fail::NotFound(m) | Fail::Unavailable(m) | Fail::Internal(m) => m,
        }
    }

    /// The error page.
    pub(super) fn render(&self, f: Frame) -> Result<String, askama::Error> {
        ErrorPage {
            code: self.status().as_u16(),
            message: self.message(),
            f,
        }
        .render()
    }
}

impl From<shuquan_ledger::Error> for Fail {
    fn from(e: shuquan_ledger::Error) -> Self {
        match e {
            shuquan_ledger::Error::Unavailable(why) => Fail::Unavailable(why),
            other => {
                tracing::error!(error = %other, "an explorer page failed inside the node");
                Fail::Internal(format!("{other}; see the node's log"))
            }
        }
    }
}

impl From<askama::Error> for Fail {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "an explorer page does not render");
        Fail::Internal(format!("the page does not render: {e}"))
    }
}

impl From<crate::Error> for Fail {
    fn from(e: crate::Error) -> Self {
        tracing::error!(error = %e, "an explorer page failed inside the node");
        Fail::Internal(format!("{e}; see the node's log"))
    }
}

/// The id a path names, or a 400 when the path does not decode (not UTF-8, say).
pub(super) fn path_id(
    p: Result<axum::extract::Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<String, Fail> {
    p.map(|axum::extract::Path(id)| id)
        .map_err(|e| Fail::BadRequest(e.body_text()))
}

#[derive(Template)]
#[template(path = "explorer/error.html")]
struct ErrorPage<'a> {
    f: Frame,
    code: u16,
    message: &'a str,
}

/// Any path under `/explorer` the explorer does not have.
pub(super) async fn no_route(
    axum::extract::State(app): axum::extract::State<std::sync::Arc<crate::api::Api>>,
    ctx: Ctx,
    uri: axum::http::Uri,
) -> Response {
    ctx.fail(
        Some(&app),
        Fail::NotFound(format!(
            "the explorer has no page {}",
            super::frame::page_path(uri.path())
        )),
    )
}
