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

/// `axum::extract::Query`, but a query string it cannot read is our JSON 400 (`bad_request`,
/// naming the parameter), not axum's plain-text rejection.
#[derive(Debug)]
pub(crate) struct Query<T>(pub(crate) T);

impl<T, S> axum::extract::FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(q)) => Ok(Query(q)),
            Err(e) => Err(ApiError::bad_request(format!(
                "query string {:?}: {}",
                parts.uri.query().unwrap_or(""),
                e.body_text()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use axum::extract::FromRequestParts;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Limit {
        #[allow(dead_code)]
        limit: Option<u64>,
    }

    /// Schemathesis found axum's plain-text 400 where the API promises JSON `{code, message}`.
    #[tokio::test]
    async fn an_unreadable_query_string_is_a_json_400() {
        let (mut parts, _) = axum::http::Request::get("/v1/proposals?limit=-1")
            .body(())
            .unwrap()
            .into_parts();
        let err = Query::<Limit>::from_request_parts(&mut parts, &())
            .await
            .unwrap_err();
        let resp = err.into_response();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert_eq!(resp.headers()["content-type"], "application/json");
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        let view: ErrorView = serde_json::from_slice(&body).unwrap();
        assert_eq!(view.code, "bad_request");
        assert!(view.message.contains("limit"), "{}", view.message);
    }
}
