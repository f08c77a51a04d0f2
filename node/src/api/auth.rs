//! Who may read (`api.read`). In `public` mode anyone who reaches the API reads. In
//! `members` mode every request but `/health`, `/ready`, `/metrics`, `POST /v1/tx` (signed
//! anyway) and, with `api.open_catalogue`, the catalogue must carry
//! `Authorization: Bearer <token>`: an EdDSA JSON Web Token (RFC 7519, RFC 8037: `alg`
//! `EdDSA`, Ed25519) signed by an account key in force of an active member. Its header's
//! `kid` and its `sub` are that key (hex); `aud` is the chain's genesis hash (hex), so a
//! token for one chain is useless on another; `iat` and `exp` (seconds) span at most
//! [`MAX_LIFETIME_S`], checked with [`SKEW_S`] of leeway; `jti` is a fresh nonce, and a
//! token is accepted once (see [`replay`]).
//!
//! A refusal is 401 with `WWW-Authenticate: Bearer realm="shuquan", audience="<genesis
//! hash>"` and a JSON `{code, message}` that says what is wrong; 503 `busy` when the node
//! remembers as many live tokens as it may. A browser reading the explorer without a token
//! is sent to `/explorer/sign-in` instead, where one token opens a session (see
//! [`session`]) that its cookie then carries for `GET`s.

mod replay;
pub(crate) mod session;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use shuquan_proto::{pb, PublicKey};

use super::{Api, ApiError};

/// The longest lifetime (`exp - iat`) a token may have, seconds.
pub(crate) const MAX_LIFETIME_S: u64 = 300;
/// How far a client's clock may be from the node's, seconds.
pub(crate) const SKEW_S: u64 = 30;
/// Most live tokens remembered against replay; past it new tokens get 503.
const MAX_LIVE_TOKENS: usize = 200_000;
/// Longest `jti` accepted, bytes.
const MAX_JTI: usize = 128;

/// The read policy and what enforcing it needs.
#[derive(Debug)]
pub(crate) struct Access {
    members_only: bool,
    open_catalogue: bool,
    audience: String,
    seen: Mutex<replay::Seen>,
    sessions: Mutex<session::Sessions>,
    /// The API speaks HTTPS (itself, or behind a proxy its `public_url` names): session
    /// cookies are `Secure`.
    tls: bool,
    /// The origin of `public_url`, lowercase, if configured.
    public_origin: Option<String>,
}

/// Who a request's token proved to be; in the request's extensions in `members` mode.
#[derive(Clone, Debug)]
pub(crate) struct Reader {
    /// The account key that signed the token.
    pub(crate) key: PublicKey,
    /// The member's short id.
    pub(crate) member: String,
    /// Proved by an explorer session's cookie (not a bearer token).
    pub(crate) session: bool,
}

impl Access {
    /// The policy of `api` for the chain whose genesis hash (hex) is `audience`, served at
    /// `public_url` if one is configured.
    pub(crate) fn new(
        api: &crate::config::ApiSection,
        audience: String,
        public_url: Option<&str>,
    ) -> Self {
        let public_origin = public_url.and_then(origin_of);
        let public_https = public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"));
        Access {
            members_only: api.members_only(),
            open_catalogue: api.open_catalogue,
            audience,
            seen: Mutex::new(replay::Seen::new(MAX_LIVE_TOKENS)),
            sessions: Mutex::new(session::Sessions::new(session::MAX_SESSIONS)),
            tls: api.tls().is_some() || public_https,
            public_origin,
        }
    }

    /// The origin (`https://host:port`) of the configured `public_url`, if any: forms the
    /// browser posts from there are this node's own, whatever `Host` a proxy sends.
    pub(crate) fn public_origin(&self) -> Option<&str> {
        self.public_origin.as_deref()
    }

    /// Whether only members may read.
    pub(crate) fn members_only(&self) -> bool {
        self.members_only
    }

    /// Whether the API speaks HTTPS.
    pub(crate) fn https(&self) -> bool {
        self.tls
    }

    /// Whether anyone may make this request.
    pub(crate) fn is_open(&self, method: &Method, path: &str) -> bool {
        !self.members_only
            || matches!(
                path,
                "/health"
                    | "/ready"
                    | "/metrics"
                    | "/v1/openapi.json"
                    | "/explorer/sign-in"
                    | "/explorer/sign-out"
            )
            || path.starts_with("/explorer/static/")
            || (method == Method::POST && path == "/v1/tx")
            || (self.open_catalogue && matches!(path, "/v1/catalogue" | "/v1/catalogue/dcat"))
    }
}

/// `scheme://authority` of a URL, lowercase.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}").to_ascii_lowercase())
}

/// Why a sign-in failed: the HTTP status, a code and what to do.
#[derive(Debug)]
pub(crate) struct SignInRefused {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

/// Signs a browser in with a read `token` (checked and spent as a bearer token is):
/// the reader and the `Set-Cookie` value of its new session.
pub(crate) fn sign_in(app: &Api, token: &str) -> Result<(Reader, String), SignInRefused> {
    let refuse = |d: Denied| SignInRefused {
        status: d.status(),
        code: d.code(),
        message: d.message(&app.access.audience),
    };
    let reader = admit_token(app, token.trim()).map_err(refuse)?;
    let now = app.clock.now_ms() / 1000;
    let id = app
        .access
        .sessions
        .lock()
        .map_err(|_| refuse(Denied::Internal(crate::Error::Stopped("sessions").into())))?
        .open(reader.key, now)
        .map_err(|r| match r {
            session::Refused::Full => SignInRefused {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "busy",
                message: "this node has as many explorer sessions open as it keeps; retry in a \
                          few minutes"
                    .into(),
            },
            session::Refused::NoRandomness => refuse(Denied::Internal(
                crate::Error::Stopped("randomness for a session id").into(),
            )),
        })?;
    tracing::info!(member = %reader.member, key = %reader.key, "explorer sign-in");
    Ok((reader, session::set_cookie(&id, app.access.tls)))
}

/// Ends the session the request's cookie names (if any): the `Set-Cookie` value that
/// clears it in the browser.
pub(crate) fn sign_out(app: &Api, headers: &HeaderMap) -> String {
    if let Some(id) = session::cookie(headers) {
        if let Ok(mut sessions) = app.access.sessions.lock() {
            sessions.close(&id);
        }
    }
    session::clear_cookie(app.access.tls)
}

/// Why a request was refused.
#[derive(Debug)]
enum Denied {
    Missing,
    Malformed(String),
    BadSignature(String),
    Expired { exp: u64, now: u64 },
    NotYetValid { at: u64, now: u64 },
    TooLong(u64),
    WrongAudience(String),
    NotMember { key: PublicKey, why: String },
    Replayed,
    Full,
    Internal(ApiError),
}

fn time(s: u64) -> String {
    chrono::DateTime::from_timestamp(i64::try_from(s).unwrap_or(i64::MAX), 0)
        .map_or_else(|| format!("{s} s"), |t| t.to_rfc3339())
}

impl Denied {
    fn status(&self) -> StatusCode {
        match self {
            Denied::Full => StatusCode::SERVICE_UNAVAILABLE,
            Denied::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Denied::Missing => "token_missing",
            Denied::Malformed(_) => "token_malformed",
            Denied::BadSignature(_) => "token_bad_signature",
            Denied::Expired { .. } => "token_expired",
            Denied::NotYetValid { .. } => "token_not_yet_valid",
            Denied::TooLong(_) => "token_lifetime_too_long",
            Denied::WrongAudience(_) => "token_wrong_audience",
            Denied::NotMember { .. } => "token_not_member",
            Denied::Replayed => "token_replayed",
            Denied::Full => "busy",
            Denied::Internal(_) => "internal",
        }
    }

    fn message(&self, audience: &str) -> String {
        match self {
            Denied::Missing => "this node lets members read: send `Authorization: Bearer <token>`, \
                 an EdDSA JWT signed by your member account key (the shuquan CLI makes one: give --key)"
                .into(),
            Denied::Malformed(why) => format!("the bearer token is malformed: {why}"),
            Denied::BadSignature(kid) => format!(
                "the token's signature does not verify with the key it names ({kid})"
            ),
            Denied::Expired { exp, now } => format!(
                "the token expired at {} (the node's time is {}); make a new one",
                time(*exp),
                time(*now)
            ),
            Denied::NotYetValid { at, now } => format!(
                "the token is not valid before {} (the node's time is {}); check your clock",
                time(*at),
                time(*now)
            ),
            Denied::TooLong(s) => format!(
                "the token lives {s} s (exp - iat); this node accepts at most {MAX_LIFETIME_S} s"
            ),
            Denied::WrongAudience(aud) => format!(
                "the token is for {aud:?}, not this chain: aud must be its genesis hash {audience}"
            ),
            Denied::NotMember { key, why } => format!(
                "{key} is not an account key in force of an active member: {why}"
            ),
            Denied::Replayed => "this token was used already: make a new one (with a fresh jti) for every request".into(),
            Denied::Full => "the node remembers too many live tokens to admit more; retry in a few seconds".into(),
            Denied::Internal(_) => String::new(),
        }
    }

    fn into_response(self, audience: &str) -> Response {
        let status = self.status();
        let message = self.message(audience);
        let code = self.code();
        let mut resp = match self {
            Denied::Internal(e) => return e.into_response(),
            _ => ApiError::new(status, code, message).into_response(),
        };
        if status == StatusCode::UNAUTHORIZED {
            let error = match code {
                "token_missing" => String::new(),
                _ => ", error=\"invalid_token\"".into(),
            };
            let challenge = format!("Bearer realm=\"shuquan\", audience=\"{audience}\"{error}");
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        resp
    }
}

/// `aud`: one string, or a list of them (RFC 7519 allows both).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims a read token carries.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    aud: Audience,
    iat: u64,
    exp: u64,
    #[serde(default)]
    nbf: Option<u64>,
    jti: String,
}

/// Checks a token's form, signature, audience and times at `now` (seconds): the pure part.
fn verify(token: &str, audience: &str, now: u64) -> Result<(PublicKey, Claims), Denied> {
    let head = jsonwebtoken::decode_header(token)
        .map_err(|e| Denied::Malformed(format!("not a JWT ({e})")))?;
    if head.alg != Algorithm::EdDSA {
        return Err(Denied::Malformed(format!(
            "alg is {:?}; sign with EdDSA (Ed25519)",
            head.alg
        )));
    }
    let kid = head
        .kid
        .ok_or_else(|| Denied::Malformed("no kid: name the signing account key (hex)".into()))?;
    let key: PublicKey = kid
        .parse()
        .map_err(|e| Denied::Malformed(format!("kid is not an account key: {e}")))?;
    if key.scheme() != shuquan_proto::keys::Scheme::Ed25519 {
        return Err(Denied::Malformed(format!(
            "kid is an {} key: JWTs are signed with EdDSA, so sign with an ed25519 account key",
            key.scheme()
        )));
    }
    let mut rules = Validation::new(Algorithm::EdDSA);
    // The times and the audience are checked below, with messages that say which failed.
    rules.required_spec_claims = HashSet::new();
    rules.validate_exp = false;
    rules.validate_nbf = false;
    rules.validate_aud = false;
    let data =
        jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_ed_der(key.as_bytes()), &rules)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                    Denied::BadSignature(kid.clone())
                }
                _ => Denied::Malformed(format!("{e}; the claims are sub, aud, iat, exp and jti")),
            })?;
    let c = data.claims;
    if c.sub != kid {
        return Err(Denied::Malformed("sub and kid name different keys".into()));
    }
    let ours = match &c.aud {
        Audience::One(a) => a == audience,
        Audience::Many(all) => all.iter().any(|a| a == audience),
    };
    if !ours {
        let aud = match c.aud {
            Audience::One(a) => a,
            Audience::Many(all) => all.join(", "),
        };
        return Err(Denied::WrongAudience(aud));
    }
    if c.jti.is_empty() || c.jti.len() > MAX_JTI {
        return Err(Denied::Malformed(format!(
            "jti must be a nonce of 1 to {MAX_JTI} bytes"
        )));
    }
    if c.exp <= c.iat {
        return Err(Denied::Malformed("exp must be after iat".into()));
    }
    if c.exp - c.iat > MAX_LIFETIME_S {
        return Err(Denied::TooLong(c.exp - c.iat));
    }
    if now > c.exp.saturating_add(SKEW_S) {
        return Err(Denied::Expired { exp: c.exp, now });
    }
    let from = c.nbf.unwrap_or(0).max(c.iat);
    if from > now.saturating_add(SKEW_S) {
        return Err(Denied::NotYetValid { at: from, now });
    }
    Ok((key, c))
}

/// Checks the request's token against the ledger's members now and admits it once.
fn check(app: &Api, headers: &HeaderMap) -> Result<Reader, Denied> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(Denied::Missing)?
        .to_str()
        .map_err(|_| Denied::Malformed("the Authorization header is not text".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| Denied::Malformed("write `Authorization: Bearer <token>`".into()))?;
    admit_token(app, token)
}

/// Checks `token` against the ledger's members now and admits it once.
fn admit_token(app: &Api, token: &str) -> Result<Reader, Denied> {
    let access = &app.access;
    let now = app.clock.now_ms() / 1000;
    let (key, claims) = verify(token, &access.audience, now)?;
    let member = member_in_force(app, key)?;
    let mut seen = access
        .seen
        .lock()
        .map_err(|_| Denied::Internal(crate::Error::Stopped("replay memory").into()))?;
    seen.admit(
        key.as_bytes(),
        &claims.jti,
        claims.exp.saturating_add(SKEW_S),
        now,
    )
    .map_err(|r| match r {
        replay::Refused::Replayed => Denied::Replayed,
        replay::Refused::Full => Denied::Full,
    })?;
    Ok(Reader {
        key,
        member,
        session: false,
    })
}

/// The short id of the active member whose account key in force `key` is, now.
fn member_in_force(app: &Api, key: PublicKey) -> Result<String, Denied> {
    let found = app
        .ledger
        .queries()
        .find_member(&key.to_hex())
        .map_err(|e| Denied::Internal(e.into()))?;
    match found {
        None => Err(Denied::NotMember {
            key,
            why: "no member has this key".into(),
        }),
        Some((_, m)) if !m.account_keys.iter().any(|k| k == key.as_bytes()) => {
            Err(Denied::NotMember {
                key,
                why: format!("it was a key of {} and is revoked", m.id),
            })
        }
        Some((_, m)) if m.status != pb::MemberStatus::Active as i32 => Err(Denied::NotMember {
            key,
            why: format!(
                "member {} is {}",
                m.id,
                shuquan_proto::views::member_status_word(m.status)
            ),
        }),
        Some((_, m)) => Ok(m.id),
    }
}

/// The reader an explorer session cookie proves, if its session is live and its member
/// still active with the key in force (else the session ends).
fn session_reader(app: &Api, id: &str) -> Option<Reader> {
    let now = app.clock.now_ms() / 1000;
    let key = app.access.sessions.lock().ok()?.get(id, now)?;
    match member_in_force(app, key) {
        Ok(member) => Some(Reader {
            key,
            member,
            session: true,
        }),
        Err(denied) => {
            tracing::info!(key = %key, code = denied.code(), "explorer session ended: the member may no longer read");
            if let Ok(mut sessions) = app.access.sessions.lock() {
                sessions.close(id);
            }
            None
        }
    }
}

/// A members-only answer: no cache may keep it or give it to another reader (a shared
/// cache may store answers to cookie-carrying requests).
fn private(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.append(header::VARY, HeaderValue::from_static("cookie"));
    h.append(header::VARY, HeaderValue::from_static("authorization"));
    resp
}

/// Where a browser without a session goes: the sign-in page, then back to `uri`.
fn to_sign_in(uri: &axum::http::Uri) -> Response {
    let next = uri.path_and_query().map_or("/explorer", |p| p.as_str());
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    Redirect::to(&format!("/explorer/sign-in?{query}")).into_response()
}

/// The middleware: lets open requests through, and others with a good member's token.
pub(crate) async fn guard(State(app): State<Arc<Api>>, mut req: Request, next: Next) -> Response {
    if app.access.is_open(req.method(), req.uri().path()) {
        if app.access.members_only {
            // The sign-in page shows who is signed in.
            if let Some(reader) =
                session::cookie(req.headers()).and_then(|id| session_reader(&app, &id))
            {
                req.extensions_mut().insert(reader);
            }
        }
        return next.run(req).await;
    }
    // A session reads only: its cookie counts for GET and HEAD, and a bearer token wins.
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.get(..7)
                .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
        });
    if reads && !bearer {
        if let Some(reader) =
            session::cookie(req.headers()).and_then(|id| session_reader(&app, &id))
        {
            req.extensions_mut().insert(reader);
            return private(next.run(req).await);
        }
    }
    match check(&app, req.headers()) {
        Ok(reader) => {
            tracing::trace!(member = %reader.member, key = %reader.key, path = %req.uri().path(), "member read");
            req.extensions_mut().insert(reader);
            private(next.run(req).await)
        }
        Err(Denied::Missing) if reads && req.uri().path().starts_with("/explorer") => {
            to_sign_in(req.uri())
        }
        Err(denied) => {
            tracing::debug!(code = denied.code(), path = %req.uri().path(), "read refused");
            denied.into_response(&app.access.audience)
        }
    }
}

#[cfg(test)]
mod tests;
