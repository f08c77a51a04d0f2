//! API errors: JSON bodies with a stable code and a message that says what to do.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shuquan_proto::codes::{FailureCode, Rejection};
use shuquan_proto::views::ErrorView;

/// An error answer.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    view: ErrorView,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            view: ErrorView {
                code: code.into(),
                message: message.into(),
                rule: None,
                failure_code: None,
            },
        }
    }

    /// 400.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 404.
    pub(crate) fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        let status = match r.code {
            FailureCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            FailureCode::UnknownSigner | FailureCode::MissingRole => StatusCode::FORBIDDEN,
            FailureCode::Replay => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError {
            status,
            view: ErrorView {
                code: r.code.name().into(),
                message: r.message(),
                rule: Some(r.code.rule().into()),
                failure_code: Some(r.code.number()),
            },
        }
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> Self {
        tracing::error!(error = %e, "request failed inside the node");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("{e}; see the node's log"),
        )
    }
}

impl From<shuquan_ledger::Error> for ApiError {
    fn from(e: shuquan_ledger::Error) -> Self {
        match e {
            shuquan_ledger::Error::Unavailable(why) => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", why)
            }
            other => crate::Error::from(other).into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.view)).into_response()
    }
}

pub(super) async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route {uri}; see GET /v1/status"),
    )
}
