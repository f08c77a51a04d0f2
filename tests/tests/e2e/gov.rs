//! Governance end to end on a 3-node devnet, through the CLI as an operator runs it: the
//! council (org1, org2, regulator: the members that run the nodes) admits org5, whose
//! registration is refused before and accepted after; org5 rotates its key (the old one is
//! refused, its rights stay); the council revokes org5's key with a replacement; every node
//! ends with the same chain and the same proposals.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::Value;
use shuquan_tests::cluster::Cluster;
use shuquan_tests::Cli;

fn new_key(cli: &Cli, name: &str) -> (String, String) {
    let file = cli.dir.join(format!("{name}.key"));
    let file = file.to_str().unwrap().to_string();
    let v = cli.json(&["keys", "new", "--out", &file]);
    (file, v["public_key"].as_str().unwrap().to_string())
}

fn register(cli: &Cli, key: &str, name: &str) -> std::process::Output {
    cli.run(&[
        "--output",
        "json",
        "--key",
        key,
        "tx",
        "register",
        "--fingerprint",
        &shuquan_proto::hash::Hashing::BLAKE3
            .fingerprint(name.as_bytes())
            .to_hex(),
        "--size",
        "10",
        "--name",
        name,
        "--grade",
        "general",
        "--jurisdiction",
        "CN",
        "--wait",
    ])
}

#[track_caller]
fn refused(out: &std::process::Output, code: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected {code}, it applied");
    assert!(err.contains(code), "expected {code}: {err}");
}

#[track_caller]
fn committed(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "committed", "{v}");
    v
}

#[test]
fn the_council_admits_a_member_which_rotates_its_key_and_loses_a_stolen_one() {
    let cluster = Cluster::start(3, &[]).unwrap();
    cluster.wait_leader(Duration::from_secs(30)).unwrap();
    let cli = cluster.cli(2);
    let k = |who: &str| cluster.key_file(who).display().to_string();
    let council = cli.json(&["query", "council"]);
    let names: Vec<&str> = council["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["member"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(names, ["org1", "org2", "regulator"], "{council}");

    let (org5, org5_pub) = new_key(&cli, "org5");
    refused(&register(&cli, &org5, "before admission"), "unknown_signer");

    // org1 proposes; org2 and the regulator vote: 3 of 3 is more than two thirds.
    let p = committed(&cli.run(&[
        "--output",
        "json",
        "--key",
        &k("org1"),
        "gov",
        "propose",
        "admit-member",
        "--name",
        "org5",
        "--key",
        &org5_pub,
        "--roles",
        "member",
        "--jurisdiction",
        "CN",
        "--institution",
        "Nanning Logistics Data Co.",
        "--wait",
    ]));
    let id = p["proposal"].as_str().unwrap().to_string();
    let open = cli.json(&["query", "proposals", "--open"]);
    assert_eq!(open[0]["id"], id.as_str());
    committed(&cli.run(&[
        "--output",
        "json",
        "--key",
        &k("org2"),
        "gov",
        "vote",
        &id,
        "--yes",
        "--wait",
    ]));
    refused(
        &cli.run(&["--key", &k("org2"), "gov", "vote", &id, "--no", "--wait"]),
        "already_voted",
    );
    committed(&cli.run(&[
        "--output",
        "json",
        "--key",
        &k("regulator"),
        "gov",
        "vote",
        &id,
        "--yes",
        "--wait",
    ]));
    let prop = cli.json(&["query", "proposal", &id]);
    assert_eq!(
        (prop["status"].as_str(), prop["yes"].as_u64()),
        (Some("executed"), Some(3)),
        "{prop}"
    );

    // Admitted: org5 registers, on another node too.
    let a = committed(&register(&cluster.cli(1), &org5, "after admission"));
    let asset = a["asset"].as_str().unwrap().to_string();
    let org5_id = cli.json(&["query", "member", "org5"])["member"]["member_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        cli.json(&["query", "asset", &asset])["holders"]["hold"],
        serde_json::json!({"member": "org5", "id": org5_id})
    );

    // org5 rotates its key: the old one is refused, the asset stays org5's.
    let (next, next_pub) = new_key(&cli, "org5-next");
    committed(&cli.run(&[
        "--output",
        "json",
        "--key",
        &org5,
        "tx",
        "rotate-key",
        "--new-key",
        &next,
        "--wait",
    ]));
    refused(&register(&cli, &org5, "with the old key"), "unknown_signer");
    committed(&cli.run(&[
        "--output",
        "json",
        "--key",
        &next,
        "tx",
        "transfer",
        "--asset",
        &asset,
        "--right",
        "use",
        "--to",
        "org1",
        "--cosign-key",
        &k("org1"),
        "--wait",
    ]));
    let holders = &cli.json(&["query", "asset", &asset])["holders"];
    assert_eq!(holders["hold"]["id"], org5_id.as_str());
    let member = cli.json(&["query", "member", "org5"]);
    assert_eq!(member["member"]["account_keys"][0], next_pub.as_str());

    // The new key is stolen: the council revokes it and puts org5's replacement in.
    let (spare, spare_pub) = new_key(&cli, "org5-spare");
    let p = committed(&cli.run(&[
        "--output",
        "json",
        "--key",
        &k("org1"),
        "gov",
        "propose",
        "revoke-key",
        "--member",
        "org5",
        "--key",
        &next_pub,
        "--replacement",
        &spare_pub,
        "--wait",
    ]));
    let id2 = p["proposal"].as_str().unwrap().to_string();
    for who in ["org2", "regulator"] {
        committed(&cli.run(&[
            "--output",
            "json",
            "--key",
            &k(who),
            "gov",
            "vote",
            &id2,
            "--yes",
            "--wait",
        ]));
    }
    refused(
        &register(&cli, &next, "with the stolen key"),
        "unknown_signer",
    );
    committed(&register(&cli, &spare, "with the replacement"));

    // A member outside the council neither proposes nor votes.
    refused(
        &cli.run(&[
            "--key",
            &k("auditor"),
            "gov",
            "vote",
            &id2,
            "--yes",
            "--wait",
        ]),
        "proposal_closed",
    );
    refused(
        &cli.run(&[
            "--key",
            &k("auditor"),
            "gov",
            "propose",
            "suspend-member",
            "org5",
            "--wait",
        ]),
        "not_council",
    );

    let h = cluster.wait_same_height(Duration::from_secs(30)).unwrap();
    cluster.assert_same_chain(h);
    let everywhere: Vec<Value> = (1..=3)
        .map(|i| cluster.cli(i).json(&["query", "proposals"]))
        .collect();
    assert!(everywhere.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(everywhere[0].as_array().unwrap().len(), 2);
}
