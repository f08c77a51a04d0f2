//! The HTTP client of the node's API: JSON in and out, and errors that say what to do.
//! Over HTTPS it trusts the usual web roots, or only the CA certificates given with
//! `--ca-cert`. A node that lets only members read answers 401 with a `Bearer` challenge
//! naming its chain: the client then signs a read token with `--key` (see `token`), and
//! sends a fresh one with every later request.

use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;

use anyhow::{anyhow, Context};
use serde::de::DeserializeOwned;
use shuquan_proto::views::ErrorView;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use crate::Ctx;

/// A client of one node.
pub(crate) struct Client<'a> {
    base: String,
    agent: ureq::Agent,
    /// Where the member key for read tokens comes from (`--key`), if anywhere.
    reader: Option<&'a Ctx>,
    /// The chain's genesis hash, once the node asked for tokens.
    audience: RefCell<Option<String>>,
}

/// The CA certificates in a PEM file (`--ca-cert`).
pub(crate) fn ca_certs(path: &Path) -> anyhow::Result<Vec<Certificate<'static>>> {
    let pem =
        std::fs::read(path).with_context(|| format!("reading --ca-cert {}", path.display()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        if let PemItem::Certificate(c) =
            item.with_context(|| format!("--ca-cert {} is not PEM", path.display()))?
        {
            certs.push(c);
        }
    }
    if certs.is_empty() {
        anyhow::bail!("--ca-cert {} holds no PEM certificate", path.display());
    }
    Ok(certs)
}

/// The value of `param` in a `WWW-Authenticate: Bearer ...` challenge.
fn challenge_param(challenge: &str, param: &str) -> Option<String> {
    let rest = challenge.trim().strip_prefix("Bearer")?;
    rest.split(',').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim() == param).then(|| v.trim().trim_matches('"').to_string())
    })
}

impl<'a> Client<'a> {
    /// A client of the node at `base`, trusting the web's roots, without a member key.
    pub(crate) fn new(base: &str) -> Client<'static> {
        Client::with(base, &[], None)
    }

    /// A client of the node at `base`; `ca` (if not empty) are the only roots it trusts
    /// over HTTPS; `reader` gives the member key for read tokens.
    pub(crate) fn with(base: &str, ca: &[Certificate<'static>], reader: Option<&'a Ctx>) -> Self {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)));
        if !ca.is_empty() {
            config = config.tls_config(
                TlsConfig::builder()
                    .root_certs(RootCerts::new_with_certs(ca))
                    .build(),
            );
        }
        Client {
            base: base.trim_end_matches('/').to_string(),
            agent: config.build().into(),
            reader,
            audience: RefCell::new(None),
        }
    }

    /// `GET url`, with a fresh read token once the node asked for them; a 401 with a
    /// `Bearer` challenge is answered with a token, once.
    fn fetch(&self, url: &str) -> anyhow::Result<ureq::http::Response<ureq::Body>> {
        let aud = self.audience.borrow().clone();
        let resp = self.call(url, aud.as_deref())?;
        if resp.status() != 401 || aud.is_some() {
            return Ok(resp);
        }
        let Some(aud) = resp
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .and_then(|c| challenge_param(c, "audience"))
        else {
            return Ok(resp);
        };
        if self.reader.is_none_or(|r| !r.has_key()) {
            anyhow::bail!(
                "this node lets members read: give --key FILE (a member's account key, before \
                 the command) or set SHUQUAN_KEY"
            );
        }
        *self.audience.borrow_mut() = Some(aud.clone());
        self.call(url, Some(&aud))
    }

    fn call(
        &self,
        url: &str,
        aud: Option<&str>,
    ) -> anyhow::Result<ureq::http::Response<ureq::Body>> {
        let mut req = self.agent.get(url);
        if let (Some(aud), Some(reader)) = (aud, self.reader) {
            let token = crate::token::mint(reader.reader_key()?, aud)?;
            req = req.header("authorization", &format!("Bearer {token}"));
        }
        req.call().map_err(|e| self.unreachable(e))
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
        let resp = self.fetch(&format!("{}{path}", self.base))?;
        self.answer(path, resp)
    }

    /// The chain's genesis hash, which read tokens name as their audience, and whether the
    /// node lets only members read: from its `Bearer` challenge, or from `/v1/status` when
    /// it answers anyone.
    pub(crate) fn audience(&self) -> anyhow::Result<(String, bool)> {
        let path = "/v1/status";
        let resp = self.call(&format!("{}{path}", self.base), None)?;
        if resp.status() == 401 {
            let challenge = resp
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .and_then(|c| challenge_param(c, "audience"));
            return match challenge {
                Some(aud) => Ok((aud, true)),
                None => Err(anyhow!(
                    "the node refused {path} without saying which chain a token must name"
                )),
            };
        }
        let status: serde_json::Value = self.answer(path, resp)?;
        let aud = status["genesis_hash"]
            .as_str()
            .ok_or_else(|| anyhow!("the node's {path} names no genesis_hash"))?;
        Ok((aud.to_string(), false))
    }

    /// `GET path` answered in bytes (protobuf), up to 1 GiB.
    pub(crate) fn get_bytes(&self, path: &str) -> anyhow::Result<Vec<u8>> {
        let mut resp = self.fetch(&format!("{}{path}", self.base))?;
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
