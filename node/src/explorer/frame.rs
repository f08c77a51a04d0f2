//! What every page shares: the request's language ([`Ctx`], an extractor: `?lang=`, then
//! the `explorer_lang` cookie a `?lang=` sets, then `Accept-Language`), the page frame the
//! base template draws ([`Frame`]: labels, language switch, search box, chain and time
//! zone), and the HTML response with its security headers.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::Fail;
use super::i18n::{Labels, Lang};
use super::text::{Word, Zone};
use crate::api::Api;

/// The cookie that keeps a language chosen with `?lang=`.
const LANG_COOKIE: &str = "explorer_lang";

/// No scripts, styles or images from anywhere but the node; no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The request as the explorer needs it: its language and how to switch it.
#[derive(Clone, Debug)]
pub(super) struct Ctx {
    /// The page's language.
    pub(super) lang: Lang,
    /// Set by `?lang=` (the answer sets the cookie).
    chosen: bool,
    /// This page's address with the other language.
    switch_href: String,
    /// The member signed in to the explorer (a session), if any.
    signed_in: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let uri = &parts.uri;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(uri.query().unwrap_or_default()).unwrap_or_default();
        let asked = pairs
            .iter()
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(v));
        let cookie = crate::api::auth::session::cookie_named(&parts.headers, LANG_COOKIE)
            .and_then(|v| Lang::parse(&v));
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::negotiate);
        let lang = asked.or(cookie).or(accept).unwrap_or(Lang::En);
        let mut rest: Vec<(String, String)> =
            pairs.into_iter().filter(|(k, _)| k != "lang").collect();
        rest.push(("lang".into(), lang.other().code().into()));
        let switch_href = format!(
            "{}?{}",
            page_path(uri.path()),
            serde_urlencoded::to_string(&rest).unwrap_or_default()
        );
        let signed_in = parts
            .extensions
            .get::<crate::api::auth::Reader>()
            .filter(|r| r.session)
            .map(|r| r.member.clone());
        Ok(Ctx {
            lang,
            chosen: asked.is_some(),
            switch_href,
            signed_in,
        })
    }
}

/// What the base template draws around every page.
#[derive(Debug)]
pub(super) struct Frame {
    /// The labels.
    pub(super) t: &'static Labels,
    /// The page's language, `en` or `zh`.
    pub(super) lang: &'static str,
    /// The page's title.
    pub(super) title: String,
    /// The language switch: where it goes and what it says.
    pub(super) switch_href: String,
    /// Its text (the other language's name).
    pub(super) switch_label: &'static str,
    /// What the search box holds.
    pub(super) q: String,
    /// The chain id.
    pub(super) chain_id: String,
    /// The chain's time zone, for showing times.
    pub(super) zone: Zone,
    /// The member signed in to the explorer, if any (the header offers to sign out).
    pub(super) signed_in: Option<String>,
}

impl Frame {
    /// The time zone's label (`UTC+08:00`).
    pub(super) fn zone_label(&self) -> String {
        self.zone.label()
    }
}

impl Ctx {
    /// The labels of the page's language.
    pub(super) fn t(&self) -> &'static Labels {
        self.lang.labels()
    }

    /// A chain word in the page's language.
    pub(super) fn word(&self, w: &str) -> String {
        super::i18n::word(self.lang, w)
    }

    /// A chain word as a badge.
    pub(super) fn badge(&self, w: &str) -> Word {
        Word {
            key: w.to_string(),
            label: self.word(w),
        }
    }

    /// The frame of a page titled `title` on `app`'s chain.
    pub(super) fn frame(&self, app: &Api, title: impl Into<String>) -> Result<Frame, Fail> {
        Ok(self.frame_with(app.ledger.chain_id(), Zone::new(offset(app)?), title))
    }

    fn frame_with(&self, chain_id: &str, zone: Zone, title: impl Into<String>) -> Frame {
        Frame {
            t: self.t(),
            lang: self.lang.code(),
            title: title.into(),
            switch_href: self.switch_href.clone(),
            switch_label: self.lang.other().labels().lang_name,
            q: String::new(),
            chain_id: chain_id.to_string(),
            zone,
            signed_in: self.signed_in.clone(),
        }
    }

    /// The answer: the page, or the error page of what failed.
    pub(super) fn respond(&self, app: &Api, page: Result<String, Fail>) -> Response {
        match page {
            Ok(body) => self.html(StatusCode::OK, body),
            Err(fail) => self.fail(Some(app), fail),
        }
    }

    /// The error page of `fail` (`app`, when there is one, names the chain and its zone).
    pub(super) fn fail(&self, app: Option<&Api>, fail: Fail) -> Response {
        let (chain_id, zone) = match app {
            Some(app) => (
                app.ledger.chain_id().to_string(),
                Zone::new(offset(app).unwrap_or(0)),
            ),
            None => (String::new(), Zone::new(0)),
        };
        let status = fail.status();
        let frame = self.frame_with(&chain_id, zone, fail.heading(self.t()));
        match fail.render(frame) {
            Ok(body) => self.html(status, body),
            Err(e) => {
                tracing::error!(error = %e, "the explorer cannot render its error page");
                (status, "error").into_response()
            }
        }
    }

    /// An HTML answer with the explorer's headers.
    pub(super) fn html(&self, status: StatusCode, body: String) -> Response {
        let mut resp = (status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        h.insert(
            header::VARY,
            HeaderValue::from_static("accept-language, cookie"),
        );
        if self.chosen {
            let cookie = format!(
                "{LANG_COOKIE}={}; Path=/explorer; Max-Age=31536000; SameSite=Lax",
                self.lang.code()
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                h.insert(header::SET_COOKIE, v);
            }
        }
        resp
    }
}

/// The address of the page at `inner`, a path inside the explorer (the router sees paths
/// without the `/explorer` it is nested under).
pub(super) fn page_path(inner: &str) -> String {
    match inner {
        "" | "/" => "/explorer".into(),
        p => format!("/explorer{p}"),
    }
}

/// The chain's time zone (the parameter in force), minutes east of UTC.
fn offset(app: &Api) -> Result<i32, Fail> {
    Ok(app.ledger.params()?.law_utc_offset_minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ctx(uri: &str, headers: &[(&str, &str)]) -> Ctx {
        let mut req = axum::http::Request::builder().uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let (mut parts, ()) = req.body(()).unwrap_or_default().into_parts();
        match Ctx::from_request_parts(&mut parts, &()).await {
            Ok(ctx) => ctx,
            Err(never) => match never {},
        }
    }

    #[tokio::test]
    async fn the_query_beats_the_cookie_which_beats_accept_language() {
        let zh = [("accept-language", "zh-CN,zh;q=0.9")];
        assert_eq!(ctx("/", &zh).await.lang, Lang::Zh);
        assert_eq!(ctx("/?lang=en", &zh).await.lang, Lang::En);
        let cookie = [
            ("accept-language", "zh-CN"),
            ("cookie", "a=b; explorer_lang=en"),
        ];
        assert_eq!(ctx("/", &cookie).await.lang, Lang::En);
        assert_eq!(ctx("/?lang=zh", &cookie).await.lang, Lang::Zh);
        assert_eq!(ctx("/?lang=fr", &[]).await.lang, Lang::En);
    }

    #[tokio::test]
    async fn the_switch_keeps_the_query_and_flips_the_language() {
        let c = ctx("/catalogue?q=bus&lang=en&grade=general", &[]).await;
        assert_eq!(
            c.switch_href,
            "/explorer/catalogue?q=bus&grade=general&lang=zh"
        );
        assert!(c.chosen);
        let home = ctx("/", &[("accept-language", "zh")]).await;
        assert_eq!(home.switch_href, "/explorer?lang=en");
        assert!(!home.chosen);
    }
}
