//! The explorer on a node that lets only members read: a browser without a session is sent
//! to the sign-in page; a token from `shuquan token` opens a session once (an HttpOnly
//! cookie) and leads back where the browser was going; the cookie reads pages and JSON by
//! `GET` only; forged, replayed and cross-site sign-ins are refused; signing out, and the
//! member's suspension, end the session.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use shuquan_tests::DevNode;

/// A client that shows redirects instead of following them and keeps no cookies.
fn browser() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// An answer: status, `Location`, `Set-Cookie` and body.
struct Answer {
    status: u16,
    location: String,
    set_cookie: String,
    body: String,
}

fn answer(mut resp: ureq::http::Response<ureq::Body>) -> Answer {
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (location, set_cookie) = (header("location"), header("set-cookie"));
    Answer {
        status: resp.status().as_u16(),
        location,
        set_cookie,
        body: resp.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn get(node: &DevNode, path: &str, cookie: Option<&str>) -> Answer {
    let mut req = browser().get(&format!("{}{path}", node.url()));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    answer(req.call().unwrap())
}

fn post(node: &DevNode, path: &str, form: &[(&str, &str)], extra: &[(&str, &str)]) -> Answer {
    let mut req = browser()
        .post(&format!("{}{path}", node.url()))
        .header("content-type", "application/x-www-form-urlencoded");
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    answer(
        req.send(serde_urlencoded::to_string(form).unwrap())
            .unwrap(),
    )
}

/// A fresh read token of dev member `who`, from the CLI.
fn token(node: &DevNode, who: &str) -> String {
    let key = node.key_file(who);
    let out = node.cli(&["--key", key.to_str().unwrap(), "token", "--ttl", "120"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(t.split('.').count(), 3, "a JWT: {t}");
    t
}

/// The `name=value` part of a `Set-Cookie`.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().trim().to_string()
}

fn sign_in(node: &DevNode, who: &str, next: &str) -> (Answer, String) {
    let t = token(node, who);
    let a = post(
        node,
        "/explorer/sign-in",
        &[("token", &t), ("next", next)],
        &[],
    );
    let pair = cookie_pair(&a.set_cookie);
    (a, pair)
}

#[test]
fn members_sign_in_to_the_explorer_with_a_token_and_read_with_a_session() {
    let node = DevNode::start_with(&["--set", "api.read=members"]).unwrap();

    // No session: pages send the browser to sign in (and back); JSON still answers 401.
    let a = get(&node, "/explorer/members/org2?lang=zh", None);
    assert_eq!(a.status, 303);
    assert_eq!(
        a.location,
        "/explorer/sign-in?next=%2Fexplorer%2Fmembers%2Forg2%3Flang%3Dzh"
    );
    assert_eq!(get(&node, "/v1/status", None).status, 401);
    let page = get(&node, &a.location, None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("name=\"token\""), "{}", page.body);
    assert!(
        page.body.contains(&format!(
            "shuquan --key member.key --node {} token",
            node.url()
        )),
        "the page shows the command that makes a token: {}",
        page.body
    );
    assert!(
        page.body
            .contains("value=\"/explorer/members/org2?lang=zh\""),
        "{}",
        page.body
    );
    // The style sheet is open, so the sign-in page is drawn.
    assert_eq!(
        get(&node, "/explorer/static/explorer.css", None).status,
        200
    );

    // A forged token is refused on the page, with the reason, and opens no session.
    let forged = {
        let t = token(&node, "org2");
        let mut parts: Vec<String> = t.split('.').map(str::to_string).collect();
        parts[1] = parts[1].chars().rev().collect();
        parts.join(".")
    };
    let refused = post(
        &node,
        "/explorer/sign-in",
        &[("token", &forged), ("next", "/explorer")],
        &[],
    );
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(refused.set_cookie.is_empty());
    assert!(
        refused.body.contains("id=\"sign-in-error\""),
        "{}",
        refused.body
    );
    let empty = post(&node, "/explorer/sign-in", &[("token", "")], &[]);
    assert_eq!(empty.status, 401);

    // A good token: a session cookie, HttpOnly, and back to the page asked for.
    let t = token(&node, "org2");
    let ok = post(
        &node,
        "/explorer/sign-in",
        &[("token", &t), ("next", "/explorer/members/org2?lang=zh")],
        &[("origin", &node.url())],
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location, "/explorer/members/org2?lang=zh");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(ok.set_cookie.contains(attr), "{}", ok.set_cookie);
    }
    let session = cookie_pair(&ok.set_cookie);
    assert!(session.starts_with("shuquan_session="), "{session}");

    // The same token again is a replay.
    let again = post(&node, "/explorer/sign-in", &[("token", &t)], &[]);
    assert_eq!(again.status, 401);
    assert!(again.body.contains("used already"), "{}", again.body);

    // The session reads pages (showing who is signed in) and JSON, by GET.
    let member = get(&node, "/explorer/members/org2", Some(&session));
    assert_eq!(member.status, 200, "{}", member.body);
    assert!(member.body.contains("id=\"signed-in\""), "{}", member.body);
    assert!(member.body.contains("id=\"sign-out\""));
    let status = browser()
        .get(&format!("{}/v1/status", node.url()))
        .header("cookie", &session)
        .call()
        .unwrap();
    assert_eq!(status.status().as_u16(), 200);
    // No shared cache may keep a member's answer and hand it to someone else.
    assert_eq!(
        status.headers().get("cache-control").unwrap(),
        "private, no-store"
    );
    assert_eq!(
        get(&node, "/explorer/catalogue", Some(&session)).status,
        200
    );
    // ... but not by another method (the guard refuses before any route is looked up), a
    // bearer token, even a bad one, takes precedence, and a made-up session is no session.
    let posted = browser()
        .post(&format!("{}/v1/members", node.url()))
        .header("cookie", &session)
        .send("")
        .unwrap();
    assert_eq!(posted.status().as_u16(), 401);
    assert!(posted.headers().contains_key("www-authenticate"));
    let bad_bearer = browser()
        .get(&format!("{}/v1/status", node.url()))
        .header("cookie", &session)
        .header("authorization", "Bearer not-a-token")
        .call()
        .unwrap();
    assert_eq!(bad_bearer.status().as_u16(), 401);
    let forged_session = format!("shuquan_session={}", "ab".repeat(32));
    assert_eq!(get(&node, "/explorer", Some(&forged_session)).status, 303);

    // A sign-in posted from another site is refused; `next` never leaves the explorer.
    let cross = post(
        &node,
        "/explorer/sign-in",
        &[("token", &token(&node, "org2"))],
        &[("origin", "http://evil.example")],
    );
    assert_eq!(cross.status, 400, "{}", cross.body);
    assert!(cross.set_cookie.is_empty());
    let (away, _) = sign_in(&node, "org2", "https://evil.example/");
    assert_eq!(away.status, 303);
    assert_eq!(away.location, "/explorer");

    // Signing out ends the session on the node, not only in the browser.
    let out = post(&node, "/explorer/sign-out", &[], &[]);
    assert_eq!(out.status, 303);
    assert!(out.set_cookie.contains("Max-Age=0"), "{}", out.set_cookie);
    let out = browser()
        .post(&format!("{}/explorer/sign-out", node.url()))
        .header("cookie", &session)
        .send("")
        .unwrap();
    assert_eq!(out.status().as_u16(), 303);
    assert_eq!(get(&node, "/explorer", Some(&session)).status, 303);

    // A member suspended while signed in reads no more.
    let (_, auditor) = sign_in(&node, "auditor", "/explorer");
    assert_eq!(get(&node, "/explorer", Some(&auditor)).status, 200);
    let org1_file = node.key_file("org1");
    let proposed = node.cli(&[
        "--output",
        "json",
        "--key",
        org1_file.to_str().unwrap(),
        "gov",
        "propose",
        "suspend-member",
        "auditor",
        "--wait",
    ]);
    assert!(
        proposed.status.success(),
        "{}",
        String::from_utf8_lossy(&proposed.stderr)
    );
    assert_eq!(get(&node, "/explorer", Some(&auditor)).status, 303);
    assert_eq!(get(&node, "/v1/status", Some(&auditor)).status, 401);
}

#[test]
fn on_a_public_node_the_sign_in_page_says_none_is_needed() {
    let node = DevNode::start().unwrap();
    let page = get(&node, "/explorer/sign-in", None);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("name=\"token\""), "{}", page.body);
    assert_eq!(get(&node, "/explorer", None).status, 200);
    // `shuquan token` still works, and says the node needs none.
    let key = node.key_file("org1");
    let out = node.cli(&["--key", key.to_str().unwrap(), "token"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs no token"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
