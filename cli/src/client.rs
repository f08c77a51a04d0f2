//! The HTTP client of the node's API: JSON in and out, and errors that say what to do.

use std::time::Duration;

use anyhow::{anyhow, Context};
use serde::de::DeserializeOwned;
use shuquan_proto::views::ErrorView;

/// A client of one node.
pub(crate) struct Client {
    base: String,
    agent: ureq::Agent,
}

impl Client {
    pub(crate) fn new(base: &str) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Client {
            base: base.trim_end_matches('/').to_string(),
            agent,
        }
    }

    fn unreachable(&self, e: ureq::Error) -> anyhow::Error {
        anyhow!(
            "cannot reach the node at {}: {e}\n  is shuquand running? point at it with --node URL or SHUQUAN_NODE",
            self.base
        )
    }

    fn answer<T: DeserializeOwned>(
        &self,
        path: &str,
        mut resp: ureq::http::Response<ureq::Body>,
    ) -> anyhow::Result<T> {
        let status = resp.status();
        let text = resp
            .body_mut()
            .read_to_string()
            .context("reading the node's answer")?;
        if status.is_success() {
            return serde_json::from_str(&text).with_context(|| {
                format!("the node's answer to {path} is not what this CLI expects")
            });
        }
        match serde_json::from_str::<ErrorView>(&text) {
            Ok(e) => Err(ApiFailure {
                status: status.as_u16(),
                error: e,
            }
            .into()),
            Err(_) => Err(anyhow!(
                "the node answered {path} with HTTP {status}: {text}"
            )),
        }
    }

    /// `GET path`.
    pub(crate) fn get<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let url = format!("{}{path}", self.base);
        let resp = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| self.unreachable(e))?;
        self.answer(path, resp)
    }

    /// `GET path` answered in bytes (protobuf), up to 1 GiB.
    pub(crate) fn get_bytes(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let url = format!("{}{path}", self.base);
        let mut resp = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| self.unreachable(e))?;
        if !resp.status().is_success() {
            return self.answer::<serde_json::Value>(path, resp).and_then(|v| {
                Err(anyhow!(
                    "the node answered {path} with an unexpected success: {v}"
                ))
            });
        }
        resp.body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .with_context(|| format!("reading the node's answer to {path}"))
    }

    /// `POST path` with protobuf bytes.
    pub(crate) fn post_bytes<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &[u8],
    ) -> anyhow::Result<T> {
        let url = format!("{}{path}", self.base);
        let resp = self
            .agent
            .post(&url)
            .header("content-type", "application/x-protobuf")
            .send(body)
            .map_err(|e| self.unreachable(e))?;
        self.answer(path, resp)
    }
}

/// An error answer from the node.
#[derive(Debug)]
pub(crate) struct ApiFailure {
    pub(crate) status: u16,
    pub(crate) error: ErrorView,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = &self.error;
        match (&e.rule, e.failure_code) {
            (Some(rule), Some(n)) => write!(
                f,
                "the node refused it (HTTP {}): {} ({n}, rule {rule}): {}",
                self.status, e.code, e.message
            ),
            _ => write!(f, "HTTP {} {}: {}", self.status, e.code, e.message),
        }
    }
}

impl std::error::Error for ApiFailure {}
