//! `/explorer/sign-in` and `/explorer/sign-out`, for a node that lets only members read
//! (`api.read = "members"`). The page asks for a read token, which the member makes with
//! `shuquan --key <member key> token` (the browser never sees a key); the node checks and
//! spends it as it would a bearer token and answers with a session cookie (see
//! `api::auth::session`), then sends the browser back where it was going. A refused token
//! shows the page again with the reason. Both forms are refused when another site posts
//! them (`Origin`, checked against `Host` or the configured `public_url`, or
//! `Sec-Fetch-Site`), and `next` only ever leads to a page of the explorer.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::Fail;
use super::frame::{Ctx, Frame};
use crate::api::{auth, Api};

#[derive(Template)]
#[template(path = "explorer/signin.html")]
struct SignInPage {
    f: Frame,
    members_only: bool,
    refused: Option<String>,
    next: String,
    node_url: String,
}

/// The sign-in form's fields (and the page's query).
#[derive(Debug, Default, Deserialize)]
struct Form {
    #[serde(default)]
    token: String,
    #[serde(default)]
    next: String,
}

/// `GET /explorer/sign-in?next=...`: the form.
pub(super) async fn page(
    State(app): State<Arc<Api>>,
    ctx: Ctx,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let form: Form =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let page = render(&app, &ctx, &headers, &form.next, None);
    ctx.respond(&app, page)
}

/// `POST /explorer/sign-in`: checks the token, opens a session, goes on to `next`.
pub(super) async fn submit(
    State(app): State<Arc<Api>>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(fail) = same_site(&headers, app.access.public_origin()) {
        return ctx.fail(Some(&app), fail);
    }
    let form: Form = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let next = safe_next(&form.next);
    if !app.access.members_only() {
        return see_other(&next, None);
    }
    match auth::sign_in(&app, &form.token) {
        Ok((_, cookie)) => see_other(&next, Some(&cookie)),
        Err(refused) => {
            tracing::debug!(code = refused.code, "explorer sign-in refused");
            match render(&app, &ctx, &headers, &next, Some(refused.message)) {
                Ok(body) => ctx.html(refused.status, body),
                Err(fail) => ctx.fail(Some(&app), fail),
            }
        }
    }
}

/// `POST /explorer/sign-out`: ends the session and forgets the cookie.
pub(super) async fn sign_out(
    State(app): State<Arc<Api>>,
    ctx: Ctx,
    headers: HeaderMap,
) -> Response {
    if let Err(fail) = same_site(&headers, app.access.public_origin()) {
        return ctx.fail(Some(&app), fail);
    }
    let clear = auth::sign_out(&app, &headers);
    let to = if app.access.members_only() {
        "/explorer/sign-in"
    } else {
        "/explorer"
    };
    see_other(to, Some(&clear))
}

fn render(
    app: &Api,
    ctx: &Ctx,
    headers: &HeaderMap,
    next: &str,
    refused: Option<String>,
) -> Result<String, Fail> {
    let f = ctx.frame(app, ctx.t().sign_in)?;
    Ok(SignInPage {
        f,
        members_only: app.access.members_only(),
        refused,
        next: safe_next(next),
        node_url: node_url(app, headers),
    }
    .render()?)
}

/// The node's address as the browser reached it (for the command the page shows).
fn node_url(app: &Api, headers: &HeaderMap) -> String {
    if let Some(url) = &app.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or("127.0.0.1:7070");
    let scheme = if app.access.https() { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// Where to go after signing in: `next` if it is a page of the explorer (visible ASCII, no
/// `//`, backslash or dot segment), else its home.
fn safe_next(next: &str) -> String {
    let inside =
        next == "/explorer" || next.starts_with("/explorer/") || next.starts_with("/explorer?");
    let path = next.split('?').next().unwrap_or_default();
    let plain = next.chars().all(|c| c.is_ascii_graphic() && c != '\\');
    let no_dots = !path.split('/').any(|seg| seg == ".." || seg == ".");
    if inside && plain && no_dots && !next.contains("//") {
        next.to_string()
    } else {
        "/explorer".into()
    }
}

/// Refuses a form another site posted: its `Origin` must be this node as the browser
/// reached it (`Host`) or as configured (`public_origin`, behind a proxy that rewrites
/// `Host`).
fn same_site(headers: &HeaderMap, public_origin: Option<&str>) -> Result<(), Fail> {
    let cross = "the form was posted from another site; open the explorer and sign in there";
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site" || v == "same-site")
    {
        return Err(Fail::BadRequest(cross.into()));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    if let (Some(o), Some(public)) = (origin.to_str().ok(), public_origin) {
        if o.eq_ignore_ascii_case(public) {
            return Ok(());
        }
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, h)| h);
    match (origin_host, host) {
        (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => Ok(()),
        _ => Err(Fail::BadRequest(cross.into())),
    }
}

fn see_other(to: &str, cookie: Option<&str>) -> Response {
    let location = header::HeaderValue::from_str(to)
        .unwrap_or_else(|_| header::HeaderValue::from_static("/explorer"));
    let mut resp = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    if let Some(c) = cookie.and_then(|c| header::HeaderValue::from_str(c).ok()) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_leads_only_inside_the_explorer() {
        for ok in ["/explorer", "/explorer/assets/ab", "/explorer?lang=zh"] {
            assert_eq!(safe_next(ok), ok);
        }
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example/explorer",
            "/explorer//evil",
            "/explorerx",
            "/v1/status",
            "/explorer/\\evil",
            "/explorer\r\nSet-Cookie: x",
            "/explorer/\u{0}",
            "/explorer/\u{7f}",
            "/explorer/\u{e9}",
            "/explorer/../v1/status",
            "/explorer/./x",
        ] {
            assert_eq!(safe_next(bad), "/explorer", "{bad:?}");
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, header::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn forms_posted_from_another_site_are_refused() {
        let ours = |pairs: &[(&'static str, &'static str)]| same_site(&headers(pairs), None);
        assert!(ours(&[("host", "node:7070")]).is_ok());
        assert!(ours(&[("host", "node:7070"), ("origin", "http://node:7070")]).is_ok());
        assert!(ours(&[("host", "node:7070"), ("origin", "https://evil:7070")]).is_err());
        assert!(ours(&[("host", "node:7070"), ("origin", "null")]).is_err());
        assert!(ours(&[("host", "node:7070"), ("sec-fetch-site", "cross-site")]).is_err());
        assert!(ours(&[("host", "node:7070"), ("sec-fetch-site", "same-origin")]).is_ok());
        // Behind a proxy that sends its own Host, the configured public origin is ours.
        let proxied = headers(&[
            ("host", "127.0.0.1:7070"),
            ("origin", "https://ledger.example"),
        ]);
        assert!(same_site(&proxied, None).is_err());
        assert!(same_site(&proxied, Some("https://ledger.example")).is_ok());
        assert!(same_site(&proxied, Some("https://other.example")).is_err());
    }
}
