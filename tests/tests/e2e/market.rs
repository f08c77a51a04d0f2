//! The README's market part, end to end with the real binaries on a 3-node devnet, every
//! command through a follower: the council admits org3; a request to an unconditional asset
//! is granted in its own block, one to a not-shared asset is refused, a conditional one is
//! approved and another declined; answer times; a licence is listed, ordered, accepted,
//! confirmed by both sides and settled, with its voucher; two buyers race for one right
//! (one wins, the other fails market_closed); an order on a frozen asset's listing is
//! refused; price statistics; cancel and dispute; the asset's audit bundle verifies
//! offline with its vouchers.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;
use std::time::Duration;

use serde_json::Value;
use shuquan_tests::cluster::Cluster;
use shuquan_tests::Cli;

/// Runs `shuquan --key KEY args` with JSON output: the transaction must commit.
#[track_caller]
fn tx(cli: &Cli, key: &str, args: &[&str]) -> Value {
    let mut all = vec!["--key", key, "tx"];
    all.extend_from_slice(args);
    all.push("--wait");
    let v = cli.json(&all);
    assert_eq!(v["status"], "committed", "{args:?}: {v}");
    v
}

/// As [`tx`], expecting the transaction to fail in its block with `code` (`name (number`).
#[track_caller]
fn refused(cli: &Cli, key: &str, args: &[&str], code: &str) -> Output {
    let mut all = vec!["--output", "json", "--key", key, "tx"];
    all.extend_from_slice(args);
    all.push("--wait");
    let out = cli.run(&all);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected {code}, it applied: {args:?}"
    );
    assert!(err.contains(code), "expected {code}: {err}");
    out
}

fn text(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn id(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .to_string()
}

/// org1 registers a data set in the transport sector (certified in its own block here).
fn register(cli: &Cli, org1: &str, name: &str, sharing: &str) -> String {
    let file = cli.dir.join(format!("{name}.csv"));
    std::fs::write(&file, format!("{name}\n1,2,3\n")).unwrap();
    let v = tx(
        cli,
        org1,
        &[
            "register",
            "--file",
            file.to_str().unwrap(),
            "--name",
            name,
            "--grade",
            "general",
            "--jurisdiction",
            "CN",
            "--sector",
            "transport",
            "--sharing",
            sharing,
        ],
    );
    assert_eq!(v["registration"], "registered", "{v}");
    id(&v, "asset")
}

/// The council (org1, org2, regulator) admits org3, a member in CN; returns its key file.
fn admit_org3(cli: &Cli, k: &dyn Fn(&str) -> String) -> String {
    let file = cli.dir.join("org3.key").display().to_string();
    let public = id(&cli.json(&["keys", "new", "--out", &file]), "public_key");
    let p = cli.json(&[
        "--key",
        &k("org1"),
        "gov",
        "propose",
        "admit-member",
        "--name",
        "org3",
        "--key",
        &public,
        "--jurisdiction",
        "CN",
        "--institution",
        "Nanning Bus Co.",
        "--wait",
    ]);
    let proposal = id(&p, "proposal");
    for who in ["org2", "regulator"] {
        cli.json(&[
            "--key",
            &k(who),
            "gov",
            "vote",
            &proposal,
            "--yes",
            "--wait",
        ]);
    }
    assert_eq!(
        cli.json(&["query", "proposal", &proposal])["status"],
        "executed"
    );
    file
}

fn member_id(cli: &Cli, who: &str) -> String {
    id(&cli.json(&["query", "member", who])["member"], "member_id")
}

#[test]
fn the_readme_market_runs_on_a_devnet_and_its_vouchers_verify_offline() {
    let cluster = Cluster::start(3, &[]).unwrap();
    let leader = cluster.wait_leader(Duration::from_secs(30)).unwrap();
    let follower = (1..=3).find(|&i| i != leader).unwrap();
    let cli = cluster.cli(follower);
    let k = |who: &str| cluster.key_file(who).display().to_string();
    let (org1, org2) = (k("org1"), k("org2"));
    let org3 = admit_org3(&cli, &k);
    let (org1_id, org2_id) = (member_id(&cli, "org1"), member_id(&cli, "org2"));

    let bus = register(&cli, &org1, "Bus GPS 2026", "conditional");
    let timetable = register(&cli, &org1, "Bus timetable 2026", "unconditional");
    let cameras = register(&cli, &org1, "Depot cameras 2026", "not-shared");

    // An unconditional asset: the request is granted in its own block, answered by no one.
    let request = |asset: &str, extra: &[&str]| {
        let mut a = vec![
            "request",
            "--asset",
            asset,
            "--actions",
            "compute",
            "--purposes",
            "transport-planning",
            "--jurisdictions",
            "CN",
            "--duration",
            "90d",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run_request = |asset: &str, extra: &[&str]| tx(&cli, &org3, &strs(&request(asset, extra)));
    let at_once = run_request(&timetable, &[]);
    assert_eq!(at_once["request_status"], "granted", "{at_once}");
    let grant = id(&at_once, "grant");
    let r = cli.json(&["query", "request", &id(&at_once, "request")]);
    assert_eq!(
        (&r["status"], &r["automatic"], &r["grant"]),
        (
            &Value::from("granted"),
            &Value::from(true),
            &Value::from(grant.as_str())
        ),
        "{r}"
    );
    assert_eq!(
        cli.json(&["query", "grant", &grant])["status"],
        "active",
        "the grant of an unconditional request is in force at once"
    );

    // A not-shared asset takes no requests.
    refused(
        &cli,
        &org3,
        &strs(&request(&cameras, &[])),
        "not_shared (1701",
    );

    // A conditional asset: the request waits for org1, which sees it addressed to it.
    let letter = cli.dir.join("request-letter.txt");
    std::fs::write(&letter, "Route planning study\n").unwrap();
    let open = run_request(&bus, &["--message-file", letter.to_str().unwrap()]);
    assert_eq!(open["request_status"], "open", "{open}");
    assert!(open.get("grant").is_none(), "{open}");
    let req = id(&open, "request");
    let to_me = cli.json(&["--key", &org1, "query", "requests", "--to", "me"]);
    let listed: Vec<&str> = to_me
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&req.as_str()), "{to_me}");
    let shown = text(&cli.run(&["--key", &org1, "query", "requests", "--to", "me"]));
    assert!(shown.contains(&req) && shown.contains("org3"), "{shown}");
    let letter_hash = shuquan_proto::hash::Hashing::BLAKE3
        .fingerprint(b"Route planning study\n")
        .to_hex();
    assert!(
        to_me
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["message_hash"] == letter_hash.as_str()),
        "the message file is hashed with BLAKE3: {to_me}"
    );
    refused(
        &cli,
        &org2,
        &["approve-request", "--request", &req],
        "not_party (1703",
    );
    let approved = tx(&cli, &org1, &["approve-request", "--request", &req]);
    let approved_grant = id(&approved, "grant");
    let r = cli.json(&["query", "request", &req]);
    assert_eq!(r["status"], "granted", "{r}");
    assert_eq!(r["grant"], approved_grant.as_str());
    assert_eq!(
        cli.json(&["query", "grant", &approved_grant])["grantee"],
        serde_json::json!({"member": "org3", "id": member_id(&cli, "org3")})
    );

    // Another request declined, with its reason.
    let second = id(&run_request(&bus, &[]), "request");
    tx(
        &cli,
        &org1,
        &[
            "decline-request",
            "--request",
            &second,
            "--reason",
            "scope-too-broad",
        ],
    );
    let r = cli.json(&["query", "request", &second]);
    assert_eq!(
        (&r["status"], &r["reason"]),
        (&Value::from("declined"), &Value::from("scope-too-broad"))
    );

    // Answer times: org1 received three, answered two, one was granted at once.
    let times = cli.json(&["query", "answer-times"]);
    let mine = times
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["member"]["id"] == org1_id.as_str())
        .unwrap_or_else(|| panic!("no answer times of org1: {times}"));
    assert_eq!(
        (&mine["received"], &mine["answered"], &mine["automatic"]),
        (&Value::from(3), &Value::from(2), &Value::from(1)),
        "{times}"
    );
    assert!(mine["median_answer_ms"].is_u64(), "{times}");
    let shown = text(&cli.run(&["query", "answer-times"]));
    assert!(
        shown.contains("org1") && shown.contains("MEDIAN"),
        "{shown}"
    );

    // A licence listed, ordered, accepted, confirmed by both sides: settled, with a voucher.
    let licence = |price: &str| {
        tx(
            &cli,
            &org1,
            &[
                "list",
                "--asset",
                &bus,
                "--licence",
                "--actions",
                "query,compute",
                "--purposes",
                "transport-planning",
                "--jurisdictions",
                "CN,VN",
                "--duration",
                "365d",
                "--price",
                price,
                "--unit",
                "one-off",
                "--delivery",
                "query,compute",
                "--valid-until",
                "30d",
            ],
        )
    };
    let listing = id(&licence("1200.00CNY"), "listing");
    let open_listings = cli.json(&["query", "listings"]);
    assert_eq!(open_listings[0]["id"], listing.as_str(), "{open_listings}");
    assert_eq!(open_listings[0]["price"], "1200.00 CNY");
    let order = id(&tx(&cli, &org2, &["order", "--listing", &listing]), "order");
    let accepted = tx(&cli, &org1, &["accept-order", "--order", &order]);
    let voucher = id(&accepted, "voucher");
    assert!(
        voucher.starts_with("GX-V-") && voucher.ends_with("-000001"),
        "{accepted}"
    );
    let licence_grant = id(&accepted, "grant");
    // org2 is in VN: the licence's grant is an export, pending as any other.
    assert_eq!(
        cli.json(&["query", "grant", &licence_grant])["status"],
        "pending-export"
    );
    refused(
        &cli,
        &org1,
        &["confirm", "--order", &order, "--delivery"],
        "not_party (1703",
    );
    let c = tx(&cli, &org2, &["confirm", "--order", &order, "--delivery"]);
    assert_eq!(c["order_status"], "accepted", "{c}");
    let c = tx(
        &cli,
        &org1,
        &[
            "confirm",
            "--order",
            &order,
            "--payment",
            "--ref",
            "CNAPS 2026-0042",
        ],
    );
    assert_eq!(c["order_status"], "settled", "{c}");
    let o = cli.json(&["query", "order", &order]);
    assert_eq!(
        (
            &o["status"],
            &o["voucher"],
            &o["payment_confirmed"],
            &o["delivery_confirmed"]
        ),
        (
            &Value::from("settled"),
            &Value::from(voucher.as_str()),
            &Value::from(true),
            &Value::from(true)
        ),
        "{o}"
    );
    assert_eq!(
        o["payment_ref_hash"],
        shuquan_proto::hash::Hashing::BLAKE3
            .fingerprint(b"CNAPS 2026-0042")
            .to_hex()
    );

    let v = cli.json(&["query", "voucher", &voucher]);
    assert_eq!(v["number"], voucher.as_str());
    assert_eq!(v["seller"]["id"], org1_id.as_str());
    assert_eq!(v["seller"]["member"], "org1");
    assert_eq!(v["buyer"]["id"], org2_id.as_str());
    assert_eq!(v["buyer"]["member"], "org2");
    assert_eq!(v["asset"], bus.as_str());
    assert_eq!(v["offer"], "licence");
    assert_eq!(v["grant"], licence_grant.as_str());
    assert_eq!(v["total"], "1200.00 CNY");
    assert!(
        v["registration"].as_str().unwrap().starts_with("GX-"),
        "{v}"
    );
    let certificate = text(&cli.run(&["query", "voucher", &voucher]));
    for shown in [
        "TRANSACTION VOUCHER",
        voucher.as_str(),
        "org1 [",
        "org2 [",
        "Bus GPS 2026",
        "1200.00 CNY one-off x 1 = 1200.00 CNY",
        // Its time in the chain's zone (the devnet's +08:00), as every table shows times.
        "+08:00",
        v["registration"].as_str().unwrap(),
        v["tx_id"].as_str().unwrap(),
    ] {
        assert!(
            certificate.contains(shown),
            "{shown:?} not in\n{certificate}"
        );
    }

    // A cheaper licence, bought by org3, then disputed.
    let cheap = id(&licence("800.00CNY"), "listing");
    let order3 = id(
        &tx(
            &cli,
            &org3,
            &[
                "order",
                "--listing",
                &cheap,
                "--payment-ref",
                "CNAPS 2026-0043",
            ],
        ),
        "order",
    );
    tx(&cli, &org1, &["accept-order", "--order", &order3]);
    let evidence = cli.dir.join("complaint.txt");
    std::fs::write(&evidence, "the API was down for a week\n").unwrap();
    tx(
        &cli,
        &org3,
        &[
            "dispute",
            "--order",
            &order3,
            "--evidence-file",
            evidence.to_str().unwrap(),
        ],
    );
    let o = cli.json(&["query", "order", &order3]);
    assert_eq!(o["status"], "disputed", "{o}");
    assert_eq!(o["disputed_by"]["id"], member_id(&cli, "org3").as_str());

    // Two buyers race for the Use right: the seller accepts both at once, one wins.
    let right = id(
        &tx(
            &cli,
            &org1,
            &[
                "list",
                "--asset",
                &bus,
                "--right",
                "use",
                "--price",
                "5000.00CNY",
                "--delivery",
                "download",
                "--valid-until",
                "30d",
            ],
        ),
        "listing",
    );
    let by2 = id(&tx(&cli, &org2, &["order", "--listing", &right]), "order");
    let by3 = id(&tx(&cli, &org3, &["order", "--listing", &right]), "order");
    let accepts: Vec<Output> = std::thread::scope(|s| {
        let handles: Vec<_> = [&by2, &by3]
            .map(|o| {
                let (cli, org1) = (&cli, &org1);
                s.spawn(move || {
                    cli.run(&[
                        "--output",
                        "json",
                        "--key",
                        org1,
                        "tx",
                        "accept-order",
                        "--order",
                        o,
                        "--wait",
                    ])
                })
            })
            .into_iter()
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let won: Vec<usize> = (0..2).filter(|&i| accepts[i].status.success()).collect();
    assert_eq!(won.len(), 1, "exactly one acceptance applies");
    let (winner, loser) = if won[0] == 0 { (&by2, 1) } else { (&by3, 0) };
    let err = String::from_utf8_lossy(&accepts[loser].stderr);
    assert!(err.contains("market_closed (1702"), "{err}");
    let w = cli.json(&["query", "order", winner]);
    assert_eq!(w["status"], "accepted", "{w}");
    let buyer = w["buyer"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        cli.json(&["query", "asset", &bus])["holders"]["use"]["id"],
        buyer.as_str()
    );
    assert_eq!(cli.json(&["query", "listing", &right])["status"], "sold");
    let lost = cli.json(&["query", "order", [&by2, &by3][loser]]);
    assert_eq!(lost["status"], "listing-closed", "{lost}");

    // An order on a listing of an asset frozen meanwhile is refused.
    let frozen = id(
        &tx(
            &cli,
            &org1,
            &[
                "list",
                "--asset",
                &timetable,
                "--licence",
                "--actions",
                "query",
                "--purposes",
                "transport-planning",
                "--jurisdictions",
                "CN",
                "--price",
                "10.00CNY",
                "--unit",
                "per-month",
                "--delivery",
                "query",
                "--valid-until",
                "30d",
            ],
        ),
        "listing",
    );
    tx(
        &cli,
        &k("regulator"),
        &[
            "freeze",
            "--subject",
            &timetable,
            "--reason",
            &"cd".repeat(32),
        ],
    );
    refused(
        &cli,
        &org3,
        &["order", "--listing", &frozen, "--quantity", "3"],
        "frozen (601",
    );

    // The maker cancels its open listing; nothing else changes.
    tx(&cli, &org1, &["cancel", "--id", &frozen]);
    assert_eq!(
        cli.json(&["query", "listing", &frozen])["status"],
        "cancelled"
    );
    assert!(cli
        .json(&["query", "listings"])
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["id"] != frozen.as_str() && l["id"] != right.as_str()));
    let all = cli.json(&["query", "listings", "--asset", &bus, "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");

    // Prices: three trades in transport, one-off CNY: 800 (disputed: left out), 1200, 5000.
    let p = cli.json(&["query", "prices", "--sector", "transport"]);
    assert_eq!(p["count"], 2, "{p}");
    let g = &p["groups"][0];
    assert_eq!(
        (
            &g["currency"],
            &g["unit"],
            &g["count"],
            &g["median_minor"],
            &g["min_minor"],
            &g["max_minor"]
        ),
        (
            &Value::from("CNY"),
            &Value::from("one-off"),
            &Value::from(2),
            &Value::from(120_000),
            &Value::from(120_000),
            &Value::from(500_000)
        ),
        "{p}"
    );
    let licences = cli.json(&[
        "query",
        "prices",
        "--sector",
        "transport",
        "--kind",
        "licence",
    ]);
    assert_eq!(licences["count"], 1, "{licences}");
    let table = text(&cli.run(&["query", "prices", "--sector", "transport"]));
    assert!(
        table.contains("MEDIAN") && table.contains("1200.00 CNY") && table.contains("5000.00 CNY"),
        "{table}"
    );
    assert_eq!(
        cli.json(&["query", "vouchers"]).as_array().unwrap().len(),
        3
    );
    let mine = cli.json(&["--key", &org2, "query", "orders", "--mine"]);
    assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");

    // The bus data's audit bundle, from the follower, verifies offline with its vouchers.
    let file = cluster.path("bus.bundle");
    let file = file.to_str().unwrap();
    cli.json(&["audit", "bundle", &bus, "--out", file]);
    let genesis = cluster.path("genesis.toml");
    let genesis = genesis.to_str().unwrap();
    let offline = Cli {
        node: "http://127.0.0.1:9".into(),
        dir: cli.dir.clone(),
    };
    let report = offline.json(&["audit", "verify", file, "--genesis", genesis]);
    assert_eq!(report["verdict"], "verified", "{report}");
    let numbers: Vec<&str> = report["report"]["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 3, "{report}");
    assert!(numbers.contains(&voucher.as_str()), "{numbers:?}");
    let shown = text(&offline.run(&["audit", "verify", file, "--genesis", genesis]));
    assert!(
        shown.contains("Transaction vouchers (3)")
            && shown.contains(&voucher)
            && shown.contains("VERIFIED"),
        "{shown}"
    );
}
