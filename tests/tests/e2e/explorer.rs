//! The web explorer in a real browser: a dev node runs the README walkthrough (register,
//! review and notice, transfer, grant, a usage that fails, the export filing and its
//! approval, a usage), then headless Chromium, driven through the DevTools protocol
//! (chromiumoxide), opens the explorer's pages and checks what a person would see: the
//! asset page (name, holders by member name, history, grant status, the audit commands),
//! the search (by name through the results, and by id straight to the asset), a block page
//! (certificate signers, transactions with the rendered reason of a failure), the member
//! and transaction pages, Chinese labels with `?lang=zh`, and a new block arriving live.
//! Screenshots land in `target/explorer-screenshots/`.
//!
//! Without a Chromium binary (`chromium`, `chromium-browser`, `google-chrome`, or the path
//! in `SHUQUAN_CHROMIUM`) the test says so and passes, unless `SHUQUAN_REQUIRE_CHROMIUM=1`
//! (`scripts/explorer-check`, which installs Debian's `chromium` first).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::handler::viewport::Viewport;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::Page;
use futures::StreamExt;
use shuquan_tests::{agent, bin_dir, DevNode};

/// The Chromium to drive: `SHUQUAN_CHROMIUM`, else the first of the usual names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SHUQUAN_CHROMIUM") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// Where the screenshots go: `target/explorer-screenshots/`.
fn screenshot_dir() -> PathBuf {
    let dir = bin_dir()
        .parent()
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join("explorer-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A line that `cargo test` shows even for a passing test (it captures `println!`).
fn notice(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

#[test]
fn the_explorer_shows_the_walkthrough_in_chromium() {
    let required = std::env::var("SHUQUAN_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1");
    let Some(chrome) = chromium() else {
        assert!(
            !required,
            "SHUQUAN_REQUIRE_CHROMIUM=1 but no Chromium was found (chromium, chromium-browser, \
             google-chrome on PATH, or SHUQUAN_CHROMIUM): scripts/explorer-check installs Debian's chromium"
        );
        notice(
            "SKIPPED the_explorer_shows_the_walkthrough_in_chromium: no Chromium binary found \
             (scripts/explorer-check installs Debian's chromium and runs it)",
        );
        return;
    };
    let node = DevNode::start_reviewing().unwrap();
    let cli = node.shuquan();
    let (asset, _org2) = shuquan_tests::walkthrough::run(&cli, |who| node.key_file(who));
    check_answers(&node, &asset);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    rt.block_on(drive(&chrome, profile.path(), &node, &asset));
}

/// Status codes and types without a browser: pages are HTML, bad ids 400, unknown ones 404.
fn check_answers(node: &DevNode, asset: &str) {
    let get = |path: &str| {
        let mut resp = agent()
            .get(&format!("{}{path}", node.url()))
            .call()
            .unwrap();
        let kind = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        (resp.status().as_u16(), kind, body)
    };
    for (path, status) in [
        ("/explorer".to_string(), 200),
        (format!("/explorer/assets/{asset}"), 200),
        ("/explorer/assets/not-an-id".into(), 400),
        (format!("/explorer/assets/{}", "0".repeat(64)), 404),
        ("/explorer/blocks/x1".into(), 400),
        ("/explorer/blocks/99999999".into(), 404),
        ("/explorer/blocks/1?from=x".into(), 400),
        (format!("/explorer/txs/{}", "f".repeat(64)), 404),
        ("/explorer/txs/%ff%fe".into(), 400),
        ("/explorer/members/nobody".into(), 404),
        ("/explorer/catalogue?sort=sideways".into(), 400),
        ("/explorer/catalogue?grade=secret".into(), 400),
        ("/explorer/no/such/page".into(), 404),
    ] {
        let (got, kind, body) = get(&path);
        assert_eq!(got, status, "GET {path}: {body}");
        assert!(kind.starts_with("text/html"), "GET {path}: {kind}");
        assert!(body.contains("</html>"), "GET {path}: {body}");
    }
    // Everything a user typed is escaped.
    let (_, _, body) = get("/explorer/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert!(!body.contains("<script>alert(1)"), "{body}");
    assert!(
        body.contains("&lt;script&gt;alert(1)") || body.contains("&#60;script&#62;alert(1)"),
        "{body}"
    );
}

async fn drive(chrome: &Path, profile: &Path, node: &DevNode, asset: &str) {
    let config = BrowserConfig::builder()
        .chrome_executable(chrome)
        .no_sandbox()
        .user_data_dir(profile)
        .window_size(1280, 900)
        .viewport(Viewport {
            width: 1280,
            height: 900,
            ..Viewport::default()
        })
        .launch_timeout(Duration::from_secs(60))
        .request_timeout(Duration::from_secs(60))
        .arg("--disable-gpu")
        .arg("--disable-dev-shm-usage")
        .arg("--lang=en-US")
        .build()
        .unwrap();
    let (mut browser, mut handler) = Browser::launch(config).await.unwrap();
    let events = tokio::spawn(async move {
        while let Some(event) = handler.next().await {
            if event.is_err() {
                break;
            }
        }
    });
    let base = node.url();
    let shots = screenshot_dir();
    let page = browser.new_page("about:blank").await.unwrap();

    // The asset page, in English.
    goto(&page, &format!("{base}/explorer/assets/{asset}?lang=en")).await;
    let text = wait_text(&page, "Rights holders").await;
    for shown in [
        "Bus GPS 2026",
        "registered",
        "GX-",
        "register_asset",
        "issue_grant",
        "grant_inactive",
        "(UTC+08:00)",
        "shuquan audit verify bus-gps-2026.bundle --genesis genesis.toml",
    ] {
        assert!(
            text.contains(shown),
            "the asset page lacks {shown:?}:\n{text}"
        );
    }
    let holders = inner_text(&page, "#holders").await;
    assert!(holders.contains("org1 ["), "{holders}");
    assert!(
        holders.contains("org2 ["),
        "the Use holder by name: {holders}"
    );
    let grants = inner_text(&page, "#grants").await;
    assert!(
        grants.contains("org2") && grants.contains("active"),
        "{grants}"
    );
    let history = inner_text(&page, "#history").await;
    assert!(history.contains("transfer_right"), "{history}");
    assert_eq!(
        attribute(&page, "#bundle", "href").await,
        format!("/v1/assets/{asset}/bundle")
    );
    screenshot(&page, &shots.join("asset.png")).await;

    // The search: a name lists the asset, the result leads to it; an id goes straight there.
    goto(&page, &format!("{base}/explorer?lang=en")).await;
    type_and_enter(&page, "#home-q", "Bus GPS").await;
    wait_url(&page, "/explorer/search").await;
    let results = wait_text(&page, "Bus GPS 2026").await;
    assert!(results.contains("org1"), "{results}");
    screenshot(&page, &shots.join("search.png")).await;
    page.find_element("a.asset-link")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_url(&page, &format!("/explorer/assets/{asset}")).await;
    wait_text(&page, "Rights holders").await;
    goto(&page, &format!("{base}/explorer/catalogue")).await;
    type_and_enter(&page, "#q", asset).await;
    wait_url(&page, &format!("/explorer/assets/{asset}")).await;
    wait_text(&page, "Rights holders").await;

    // A block page: the block of the usage that failed before the export was approved.
    let failed_height = failed_block(node, asset);
    goto(&page, &format!("{base}/explorer/blocks/{failed_height}")).await;
    let text = wait_text(&page, "Certificate signers").await;
    let signers = inner_text(&page, "#signers").await;
    assert!(signers.contains("org1 ["), "signers by name: {signers}");
    let txs = inner_text(&page, "#txs").await;
    assert!(txs.contains("record_usage"), "{txs}");
    assert!(
        txs.contains("grant_inactive (1002, RecordUsage)"),
        "the rendered reason: {txs}"
    );
    assert!(text.contains("Transaction root"), "{text}");
    screenshot(&page, &shots.join("block.png")).await;

    // Its failed transaction.
    page.find_element("#txs a")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_url(&page, "/explorer/txs/").await;
    let text = wait_text(&page, "Inclusion proof").await;
    assert!(text.contains("grant_inactive"), "{text}");
    assert!(text.contains("Bus GPS 2026"), "{text}");
    screenshot(&page, &shots.join("tx.png")).await;

    // A member.
    goto(&page, &format!("{base}/explorer/members/org2")).await;
    let text = wait_text(&page, "Grants it received").await;
    assert!(text.contains("Bus GPS 2026"), "{text}");
    screenshot(&page, &shots.join("member.png")).await;

    // Chinese: the asset page, and the choice stays for the next page.
    goto(&page, &format!("{base}/explorer/assets/{asset}?lang=zh")).await;
    let text = wait_text(&page, "权利持有人").await;
    for shown in ["历史记录", "访问授权", "下载审计包", "加工使用权", "有效"] {
        assert!(
            text.contains(shown),
            "the Chinese page lacks {shown:?}:\n{text}"
        );
    }
    screenshot(&page, &shots.join("asset-zh.png")).await;
    goto(&page, &format!("{base}/explorer")).await;
    wait_text(&page, "最新区块").await;

    // The home page: a new block arrives without a reload.
    goto(&page, &format!("{base}/explorer?lang=en")).await;
    wait_text(&page, "Latest blocks").await;
    let top: u64 = inner_text(&page, "#height").await.trim().parse().unwrap();
    let cli = node.shuquan();
    let key = node.key_file("org1");
    let file = node.dir.path().join("timetable.csv");
    std::fs::write(&file, "stop,first\nChaoyang Square,06:00\n").unwrap();
    let out = tokio::task::spawn_blocking(move || {
        cli.run(&[
            "--key",
            key.to_str().unwrap(),
            "tx",
            "register",
            "--file",
            file.to_str().unwrap(),
            "--name",
            "Bus timetable 2026",
            "--grade",
            "general",
            "--jurisdiction",
            "CN",
            "--sector",
            "transport",
            "--wait",
        ])
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{out:?}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let shown: u64 = inner_text(&page, "#height").await.trim().parse().unwrap();
        let rows = page
            .find_elements("#blocks tr.new")
            .await
            .map(|r| r.len())
            .unwrap_or(0);
        if shown > top && rows > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no new block appeared live on the home page (height {top})"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    screenshot(&page, &shots.join("home.png")).await;

    browser.close().await.unwrap();
    let _ = browser.wait().await;
    events.abort();
    notice(&format!("explorer screenshots: {}", shots.display()));
}

/// The height of the block holding the asset's first failed transaction.
fn failed_block(node: &DevNode, asset: &str) -> u64 {
    let (status, history) = node.get(&format!("/v1/assets/{asset}/history"));
    assert_eq!(status, 200, "{history}");
    history
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["receipt"]["result"] == "failed" && h["kind"] == "record_usage")
        .and_then(|h| h["receipt"]["height"].as_u64())
        .expect("a failed usage in the history")
}

async fn goto(page: &Page, url: &str) {
    if let Err(e) = page.goto(url).await {
        panic!("opening {url}: {e}");
    }
}

/// The page's visible text once it contains `needle` (within 15 s).
async fn wait_text(page: &Page, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text: String = page
            .evaluate("document.body ? document.body.innerText : ''")
            .await
            .ok()
            .and_then(|v| v.into_value().ok())
            .unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "the page never showed {needle:?}; it shows:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (15 s at most) until the page's address contains `part`.
async fn wait_url(page: &Page, part: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let url = page.url().await.ok().flatten().unwrap_or_default();
        if url.contains(part) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the browser never reached {part:?}; it is at {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn inner_text(page: &Page, selector: &str) -> String {
    page.find_element(selector)
        .await
        .unwrap_or_else(|e| panic!("no {selector}: {e}"))
        .inner_text()
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn attribute(page: &Page, selector: &str, name: &str) -> String {
    page.find_element(selector)
        .await
        .unwrap()
        .attribute(name)
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn type_and_enter(page: &Page, selector: &str, text: &str) {
    page.find_element(selector)
        .await
        .unwrap()
        .click()
        .await
        .unwrap()
        .type_str(text)
        .await
        .unwrap()
        .press_key("Enter")
        .await
        .unwrap();
}

async fn screenshot(page: &Page, path: &Path) {
    let png = page
        .screenshot(ScreenshotParams::builder().full_page(true).build())
        .await
        .unwrap();
    std::fs::write(path, png).unwrap();
}
