//! Explorer sessions in `members` mode. A browser cannot sign a token per request, so a
//! member signs in once on `/explorer/sign-in` with a read token (`shuquan token` makes
//! one); the node checks it as it checks a bearer token (and spends it), then remembers a
//! random 256-bit session id for [`TTL_S`] and hands it to the browser in an `HttpOnly`,
//! `SameSite=Lax` cookie. The session only reads: the guard accepts it for `GET` and `HEAD`
//! alone, and checks on every request that the member is still active and the key still in
//! force, so a suspension or a key revocation ends it at once. Sessions live in memory:
//! a restart signs everyone out. At most [`PER_KEY`] per key (a new one ends that key's
//! oldest, so one member cannot fill the table) and [`MAX_SESSIONS`] in all; past that a
//! sign-in is refused (503) rather than the memory grown.

use std::collections::HashMap;

use shuquan_proto::PublicKey;

/// The cookie that carries the session id.
pub(crate) const COOKIE: &str = "shuquan_session";
/// How long a session lasts from its sign-in, seconds.
pub(crate) const TTL_S: u64 = 30 * 60;
/// Most sessions at a time.
pub(crate) const MAX_SESSIONS: usize = 10_000;
/// Most sessions of one key at a time.
pub(crate) const PER_KEY: usize = 8;

/// A signed-in browser.
#[derive(Debug, Clone)]
struct Session {
    key: PublicKey,
    /// When it ends, seconds since the epoch.
    ends: u64,
}

/// The live sessions, by id.
#[derive(Debug)]
pub(crate) struct Sessions {
    cap: usize,
    by_id: HashMap<[u8; 32], Session>,
}

/// Why no session was opened.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// As many live sessions as the cap.
    Full,
    /// The operating system gave no randomness.
    NoRandomness,
}

impl Sessions {
    /// No sessions, at most `cap` at a time.
    pub(crate) fn new(cap: usize) -> Self {
        Sessions {
            cap,
            by_id: HashMap::new(),
        }
    }

    /// Opens a session of `key` at `now` (seconds); returns its id (hex) for the cookie.
    pub(crate) fn open(&mut self, key: PublicKey, now: u64) -> Result<String, Refused> {
        let mine: Vec<([u8; 32], u64)> = self
            .by_id
            .iter()
            .filter(|(_, s)| s.key == key)
            .map(|(id, s)| (*id, s.ends))
            .collect();
        if mine.len() >= PER_KEY {
            if let Some((oldest, _)) = mine.iter().min_by_key(|(_, ends)| *ends) {
                self.by_id.remove(oldest);
            }
        }
        if self.by_id.len() >= self.cap {
            self.by_id.retain(|_, s| s.ends > now);
            if self.by_id.len() >= self.cap {
                return Err(Refused::Full);
            }
        }
        let mut id = [0u8; 32];
        getrandom::fill(&mut id).map_err(|_| Refused::NoRandomness)?;
        self.by_id.insert(
            id,
            Session {
                key,
                ends: now.saturating_add(TTL_S),
            },
        );
        Ok(hex::encode(id))
    }

    /// The key whose session `id` (hex) is, if it is live at `now`.
    pub(crate) fn get(&self, id: &str, now: u64) -> Option<PublicKey> {
        let id = parse(id)?;
        self.by_id.get(&id).filter(|s| s.ends > now).map(|s| s.key)
    }

    /// Ends session `id` (hex), if there is one.
    pub(crate) fn close(&mut self, id: &str) {
        if let Some(id) = parse(id) {
            self.by_id.remove(&id);
        }
    }

    /// How many sessions are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }
}

fn parse(id: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(id, &mut out).ok()?;
    Some(out)
}

/// The session id a request's `Cookie` headers carry, if any.
pub(crate) fn cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie_named(headers, COOKIE)
}

/// The value of the cookie `name` a request's `Cookie` headers carry, if any.
pub(crate) fn cookie_named(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('='))
        .map(str::to_string)
}

/// The `Set-Cookie` value that hands the browser session `id` (`secure` over HTTPS).
pub(crate) fn set_cookie(id: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={id}; Path=/; Max-Age={TTL_S}; HttpOnly; SameSite=Lax{secure}")
}

/// The `Set-Cookie` value that makes the browser forget its session.
pub(crate) fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn key(n: u8) -> PublicKey {
        shuquan_proto::Keypair::from_seed([n; 32]).unwrap().public()
    }

    #[test]
    fn a_session_lasts_its_ttl_and_no_longer() {
        let mut s = Sessions::new(4);
        let id = s.open(key(1), 1_000).unwrap();
        assert_eq!(id.len(), 64);
        assert_eq!(s.get(&id, 1_000), Some(key(1)));
        assert_eq!(s.get(&id, 1_000 + TTL_S - 1), Some(key(1)));
        assert_eq!(s.get(&id, 1_000 + TTL_S), None);
    }

    #[test]
    fn unknown_malformed_and_closed_ids_find_nothing() {
        let mut s = Sessions::new(4);
        let id = s.open(key(1), 0).unwrap();
        let other = s.open(key(2), 0).unwrap();
        assert_ne!(id, other);
        assert_eq!(s.get(&"00".repeat(32), 0), None);
        assert_eq!(s.get("not hex", 0), None);
        assert_eq!(s.get(&id[..62], 0), None);
        s.close(&id);
        assert_eq!(s.get(&id, 0), None);
        assert_eq!(s.get(&other, 0), Some(key(2)));
    }

    #[test]
    fn past_the_cap_expired_sessions_make_room_and_live_ones_refuse() {
        let mut s = Sessions::new(2);
        s.open(key(1), 0).unwrap();
        s.open(key(2), 0).unwrap();
        assert_eq!(s.open(key(3), 10), Err(Refused::Full));
        // Once the first two ended, they are swept to make room.
        let id = s.open(key(3), TTL_S).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s.get(&id, TTL_S), Some(key(3)));
    }

    #[test]
    fn one_key_keeps_at_most_its_share_and_loses_its_oldest_first() {
        let mut s = Sessions::new(100);
        let first = s.open(key(1), 0).unwrap();
        let second = s.open(key(1), 1).unwrap();
        for t in 2..PER_KEY as u64 {
            s.open(key(1), t).unwrap();
        }
        let other = s.open(key(2), 0).unwrap();
        assert_eq!(s.len(), PER_KEY + 1);
        let newest = s.open(key(1), 50).unwrap();
        assert_eq!(s.len(), PER_KEY + 1, "the key's oldest made room");
        assert_eq!(s.get(&first, 50), None);
        assert_eq!(s.get(&second, 50), Some(key(1)));
        assert_eq!(s.get(&newest, 50), Some(key(1)));
        assert_eq!(s.get(&other, 50), Some(key(2)));
    }

    #[test]
    fn the_cookie_is_found_among_others_and_is_http_only() {
        let mut h = axum::http::HeaderMap::new();
        h.append(
            axum::http::header::COOKIE,
            "explorer_lang=zh; shuquan_session=abcd".parse().unwrap(),
        );
        assert_eq!(cookie(&h).as_deref(), Some("abcd"));
        let set = set_cookie("abcd", true);
        for part in [
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/",
            "Max-Age=1800",
        ] {
            assert!(set.contains(part), "{set}");
        }
        assert!(!set_cookie("abcd", false).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }
}
