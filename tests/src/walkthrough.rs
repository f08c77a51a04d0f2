//! The README walkthrough, as one function any test can run against any node of a chain
//! that reviews registrations: apply to register a file, the regulator (also the
//! registrar) accepts it, the public notice runs out and the next block issues the
//! certificate; then transfer the Use right (cosigned), grant `compute` to a member in VN
//! (pending), the regulator approves the filing, the grantee records usage, then history
//! and lineage.

use std::path::PathBuf;

use crate::Cli;

/// Runs the walkthrough through `cli`, with member key files from `key_file`, asserting
/// each step; returns the asset id and org2's member id (hex), what holders and grants name.
pub fn run(cli: &Cli, key_file: impl Fn(&str) -> PathBuf) -> (String, String) {
    let k = |who: &str| key_file(who).display().to_string();
    let data = cli.dir.join("bus-gps-2026.csv");
    std::fs::write(&data, "route,lat,lon\n12,22.81,108.36\n").unwrap();
    let org2 = cli.json(&["query", "member", "org2"])["member"]["member_id"]
        .as_str()
        .unwrap()
        .to_string();

    let reg = cli.json(&[
        "--key",
        &k("org1"),
        "tx",
        "register",
        "--file",
        data.to_str().unwrap(),
        "--name",
        "Bus GPS 2026",
        "--grade",
        "general",
        "--jurisdiction",
        "CN",
        "--sector",
        "transport",
        "--wait",
    ]);
    assert_eq!(reg["status"], "committed", "{reg}");
    assert_eq!(reg["registration"], "applied", "{reg}");
    let asset = reg["asset"].as_str().unwrap().to_string();

    // Nothing moves before the certificate.
    let early = cli.run(&[
        "--key",
        &k("org1"),
        "tx",
        "transfer",
        "--asset",
        &asset,
        "--right",
        "use",
        "--to",
        "org2",
        "--cosign-key",
        &k("org2"),
        "--wait",
    ]);
    assert!(!early.status.success());
    assert!(String::from_utf8_lossy(&early.stderr).contains("not_registered"));
    let r = cli.json(&[
        "--key",
        &k("regulator"),
        "tx",
        "review",
        "--asset",
        &asset,
        "--accept",
        "--wait",
    ]);
    assert_eq!(r["status"], "committed", "{r}");
    assert_eq!(cli.json(&["query", "asset", &asset])["status"], "in-notice");
    // The notice (10 s on a dev chain) runs out; the next block issues the certificate.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let cert = loop {
        let out = cli.run(&["--output", "json", "query", "certificate", &asset]);
        if out.status.success() {
            break serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no certificate a minute after the review"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    let number = cert["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("GX-"), "{cert}");
    assert_eq!(cert["status"], "registered", "{cert}");
    assert_eq!(
        cli.json(&["query", "certificate", &number])["asset"],
        asset.as_str()
    );

    let t = cli.json(&[
        "--key",
        &k("org1"),
        "tx",
        "transfer",
        "--asset",
        &asset,
        "--right",
        "use",
        "--to",
        "org2",
        "--cosign-key",
        &k("org2"),
        "--price",
        "1200.00CNY",
        "--wait",
    ]);
    assert_eq!(t["status"], "committed", "{t}");

    // Two years on: within the chain's longest term, and valid whenever the test runs.
    let not_after = format!("{}-12-31", 1970 + crate::now_ms() / 31_556_952_000 + 2);
    let g = cli.json(&[
        "--key",
        &k("org1"),
        "tx",
        "grant",
        "--asset",
        &asset,
        "--grantee",
        "org2",
        "--actions",
        "compute",
        "--purposes",
        "academic-research",
        "--not-after",
        &not_after,
        "--jurisdictions",
        "VN",
        "--cosign-key",
        &k("org2"),
        "--wait",
    ]);
    let grant = g["grant"].as_str().unwrap().to_string();
    // `GET /v1/assets/{id}/grants` names the parties and shows times in the chain's zone.
    let grants = cli.json(&["query", "grants", &asset]);
    assert_eq!(grants[0]["status"], "pending-export");
    assert_eq!(
        grants[0]["grantee"],
        serde_json::json!({"member": "org2", "id": org2}),
        "{grants}"
    );
    assert_eq!(grants[0]["grantor"]["member"], "org1", "{grants}");
    // `--not-after 2028-12-31` is a day of the chain's zone: the grant ends at its midnight.
    let until = grants[0]["not_after"].as_str().unwrap_or_default();
    assert_eq!(until, "2029-01-01T00:00:00+08:00", "{grants}");
    assert_eq!(
        Some(until.to_string()),
        shuquan_proto::views::rfc3339(grants[0]["not_after_ms"].as_u64().unwrap_or(0), 480),
        "{grants}"
    );

    // Usage before approval fails with its code, and the CLI exits non-zero.
    let org2_key = k("org2");
    let usage = [
        "--key",
        &org2_key,
        "tx",
        "usage",
        "--grant",
        &grant,
        "--action",
        "compute",
        "--purpose",
        "academic-research",
        "--jurisdiction",
        "VN",
        "--wait",
    ];
    let early = cli.run(&usage);
    assert!(!early.status.success());
    assert!(String::from_utf8_lossy(&early.stderr).contains("grant_inactive"));

    let f = cli.json(&[
        "--key",
        &k("org1"),
        "tx",
        "file-cross-border",
        "--grants",
        &grant,
        "--destination",
        "VN",
        "--path",
        "exempt",
        "--reason",
        "non-personal transport statistics",
        "--evidence",
        &"ab".repeat(32),
        "--wait",
    ]);
    let filing = f["filing"].as_str().unwrap().to_string();
    // An approval lasts at most three years: until the middle of next year.
    let next_year = 1970 + crate::now_ms() / 31_556_952_000 + 1;
    let until = format!("{next_year}-06-30");
    let d = cli.json(&[
        "--key",
        &k("regulator"),
        "tx",
        "decide-cross-border",
        "--filing",
        &filing,
        "--approve",
        "--valid-until",
        &until,
        "--wait",
    ]);
    assert_eq!(d["status"], "committed", "{d}");
    assert_eq!(
        cli.json(&["query", "grants", &asset])[0]["status"],
        "active"
    );

    let u = cli.json(&usage);
    assert_eq!(u["status"], "committed", "{u}");

    let history = cli.json(&["query", "history", &asset]);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "register_asset",
            "transfer_right",
            "review",
            "transfer_right",
            "issue_grant",
            "record_usage",
            "file_cross_border",
            "decide_cross_border",
            "record_usage"
        ]
    );
    assert_eq!(history[1]["receipt"]["result"], "failed");
    // For people: members by name with their id's start, times in the chain's time zone
    // (+08:00 on a dev chain), one aligned row per transaction; `--utc` on request.
    let text = |args: &[&str]| String::from_utf8_lossy(&cli.run(args).stdout).to_string();
    let table = text(&["query", "history", &asset]);
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 1 + kinds.len(), "{table}");
    let kind_at = rows[0].find("KIND").unwrap();
    assert!(
        rows[1..]
            .iter()
            .all(|r| r.get(kind_at..).is_some_and(|k| !k.starts_with(' '))),
        "{table}"
    );
    assert!(
        rows[1].contains("org1 [") && rows[1].contains("+08:00"),
        "{table}"
    );
    assert!(
        !table.contains(&history[0]["signer"]["key"].as_str().unwrap()[..20]),
        "no raw keys: {table}"
    );
    assert!(text(&["--utc", "query", "history", &asset]).contains("+00:00"));
    let grants = text(&["query", "grants", &asset]);
    assert!(
        grants.contains("org2 [") && grants.contains("+08:00") && grants.contains("active"),
        "{grants}"
    );
    assert_eq!(history[5]["receipt"]["result"], "failed");
    let lineage = cli.json(&["query", "lineage", &asset]);
    assert_eq!(lineage["asset"], asset.as_str());
    let a = cli.json(&["query", "asset", &asset]);
    assert_eq!(a["holders"]["use"]["id"], org2.as_str());
    (asset, org2)
}
