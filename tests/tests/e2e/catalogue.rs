//! The catalogue end to end, on a dev node: registrations become entries; filters,
//! free text and sorting narrow the page; cursor pages stay exact while blocks commit
//! between them; a bad filter is a 400; the DCAT endpoint serves certified entries as
//! JSON-LD with their registration numbers; a node restarted without its index rebuilds it.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::Value;
use shuquan_tests::{Cli, DevNode};

/// Registers a data set by org1 (certified at once on this chain) and returns its id.
fn register(cli: &Cli, key: &str, name: &str, sector: &str, sharing: &str) -> String {
    let out = cli.json(&[
        "--key",
        key,
        "tx",
        "register",
        "--fingerprint",
        &shuquan_proto::hash::Hashing::BLAKE3
            .fingerprint(name.as_bytes())
            .to_hex(),
        "--size",
        "100",
        "--name",
        name,
        "--grade",
        "general",
        "--jurisdiction",
        "CN",
        "--sector",
        sector,
        "--sharing",
        sharing,
        "--delivery",
        if sharing == "unconditional" {
            "download"
        } else {
            "compute"
        },
        "--wait",
    ]);
    assert_eq!(out["registration"], "registered", "{out}");
    out["asset"].as_str().unwrap().to_string()
}

/// A catalogue page, once the catalogue has indexed at least `height`.
fn page(cli: &Cli, args: &[&str], height: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut all = vec!["catalogue", "search"];
        all.extend_from_slice(args);
        let p = cli.json(&all);
        if p["indexed_height"].as_u64().unwrap_or(0) >= height {
            return p;
        }
        assert!(Instant::now() < deadline, "the catalogue lags: {p}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn assets(p: &Value) -> Vec<String> {
    p["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["asset"].as_str().unwrap().to_string())
        .collect()
}

fn height(cli: &Cli) -> u64 {
    cli.json(&["status"])["height"].as_u64().unwrap()
}

#[test]
fn the_catalogue_filters_searches_pages_and_serves_dcat() {
    let node = DevNode::start().unwrap();
    let cli = node.shuquan();
    let org1 = node.key_file("org1").display().to_string();
    let mut transport = Vec::new();
    for i in 0..7 {
        transport.push(register(
            &cli,
            &org1,
            &format!("公交 GPS route {i}"),
            "transport",
            "conditional",
        ));
    }
    let health = register(&cli, &org1, "Hospital beds", "health", "unconditional");
    let closed = register(&cli, &org1, "Tax records", "finance", "not-shared");
    let h = height(&cli);

    // Filters narrow; free text (Chinese too) finds; a filter on nothing finds nothing.
    let p = page(&cli, &["--sector", "transport"], h);
    assert_eq!(p["total"], 7, "{p}");
    assert_eq!(
        assets(&page(&cli, &["--sharing", "unconditional"], h)),
        vec![health.clone()]
    );
    assert_eq!(
        assets(&page(&cli, &["--delivery", "download"], h)),
        vec![health.clone()]
    );
    assert_eq!(page(&cli, &["公交"], h)["total"], 7);
    assert_eq!(assets(&page(&cli, &["Tax"], h)), vec![closed.clone()]);
    assert_eq!(page(&cli, &["--holder", "org2"], h)["total"], 0);
    assert_eq!(
        page(&cli, &["--holder", "org1", "--status", "registered"], h)["total"],
        9
    );
    let e = &page(&cli, &["Hospital"], h)["entries"][0];
    assert!(e["number"].as_str().unwrap().starts_with("GX-"), "{e}");
    assert_eq!(e["holder_short"], "org1");
    // Newest first by default, oldest on request.
    let newest = assets(&page(&cli, &["--limit", "200"], h));
    let mut oldest = assets(&page(&cli, &["--limit", "200", "--sort", "oldest"], h));
    oldest.reverse();
    assert_eq!(newest, oldest);
    assert_eq!(newest[0], closed);

    // Pages of 3 over the transport sector, with new registrations committing between
    // them: every entry that was there is seen exactly once, and nothing else.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut args = vec!["--sector", "transport", "--limit", "3"];
        if let Some(c) = &cursor {
            args.extend(["--cursor", c.as_str()]);
        }
        let p = page(&cli, &args, height(&cli));
        seen.extend(assets(&p));
        pages += 1;
        register(
            &cli,
            &org1,
            &format!("公交 GPS late {pages}"),
            "transport",
            "conditional",
        );
        match p["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let unique: BTreeSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "an entry came twice: {seen:?}");
    assert_eq!(unique, transport.iter().cloned().collect::<BTreeSet<_>>());

    // A bad filter is the client's error, with the field named.
    let bad = cli.run(&["catalogue", "search", "--grade", "secret"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("grade"));
    let bad = cli.run(&["catalogue", "search", "--cursor", "zz"]);
    assert!(!bad.status.success());

    // DCAT: certified entries, each identified by its registration number.
    let url = format!(
        "http://127.0.0.1:{}/v1/catalogue/dcat?sector=health",
        node.port
    );
    let resp = ureq::get(&url).call().unwrap();
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/ld+json")
    );
    let doc: Value = serde_json::from_reader(resp.into_body().into_reader()).unwrap();
    let text = doc.to_string();
    let number = page(&cli, &["Hospital"], h)["entries"][0]["number"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("dcat:Catalog"), "{text}");
    assert!(text.contains(&number), "{text}");
    assert!(!text.contains("Tax records"), "{text}");
}

#[test]
fn a_node_without_its_catalogue_index_rebuilds_it_from_the_ledger() {
    let mut node = DevNode::start_with(&["--set", "public_url=https://node1.example.org"]).unwrap();
    let cli = node.shuquan();
    let org1 = node.key_file("org1").display().to_string();
    let a = register(
        &cli,
        &org1,
        "Water quality 2026",
        "environment",
        "conditional",
    );
    let h = height(&cli);
    assert_eq!(assets(&page(&cli, &["Water"], h)), vec![a.clone()]);
    // The DCAT IRIs start with the configured public URL.
    let url = format!("http://127.0.0.1:{}/v1/catalogue/dcat", node.port);
    let doc: Value =
        serde_json::from_reader(ureq::get(&url).call().unwrap().into_body().into_reader()).unwrap();
    assert_eq!(
        doc["@id"], "https://node1.example.org/v1/catalogue/dcat",
        "{doc}"
    );
    node.kill9();
    std::fs::remove_dir_all(node.dir.path().join("chain").join("catalogue")).unwrap();
    node.restart().unwrap();
    let cli = node.shuquan();
    assert_eq!(assets(&page(&cli, &["Water"], h)), vec![a]);
}
