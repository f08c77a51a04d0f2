//! The dependency rules of docs/ARCHITECTURE.md, checked on the real dependency graph
//! (`cargo tree`, offline, from the lockfile): which of our crates a crate may use, and which
//! outside crates must never reach it (a verifier or a CLI that pulls in a network stack, a
//! pure ledger that pulls in a runtime).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::process::Command;

/// Every package `krate` depends on for its normal build, transitively.
fn tree(krate: &str) -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["tree", "-p", krate, "-e", "normal", "--prefix", "none"])
        .args(["--offline", "--locked"])
        .output()
        .expect("running cargo tree");
    assert!(
        out.status.success(),
        "cargo tree -p {krate}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Our crates (`shuquan-*`) among `deps`, but `krate` itself.
fn ours(krate: &str, deps: &BTreeSet<String>) -> BTreeSet<String> {
    deps.iter()
        .filter(|d| d.starts_with("shuquan-") && *d != krate)
        .cloned()
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[track_caller]
fn none_of(krate: &str, deps: &BTreeSet<String>, forbidden: &[&str]) {
    for f in forbidden {
        assert!(
            !deps.contains(*f),
            "{krate} depends on {f}, which it must not"
        );
    }
}

#[test]
fn crates_depend_only_one_way() {
    let rules: &[(&str, &[&str])] = &[
        ("shuquan-proto", &[]),
        ("shuquan-consensus", &[]),
        ("shuquan-ledger", &["shuquan-proto"]),
        ("shuquan-catalogue", &[]),
        ("shuquan-keystore", &["shuquan-proto"]),
        (
            "shuquan-node",
            &[
                "shuquan-proto",
                "shuquan-consensus",
                "shuquan-ledger",
                "shuquan-catalogue",
                "shuquan-keystore",
            ],
        ),
        (
            "shuquan-cli",
            &["shuquan-proto", "shuquan-ledger", "shuquan-keystore"],
        ),
        ("shuquan-bench", &["shuquan-proto", "shuquan-ledger"]),
    ];
    for (krate, allowed) in rules {
        let deps = tree(krate);
        assert_eq!(ours(krate, &deps), set(allowed), "our crates {krate} uses");
    }
}

#[test]
fn the_verifier_and_the_cli_carry_no_network_stack_and_the_ledger_no_runtime() {
    let network = ["shuquan-node", "libp2p", "axum", "hyper", "openraft"];
    none_of("shuquan-cli", &tree("shuquan-cli"), &network);
    let ledger = tree("shuquan-ledger");
    none_of("shuquan-ledger", &ledger, &network);
    none_of("shuquan-ledger", &ledger, &["tokio"]);
    let proto = tree("shuquan-proto");
    none_of("shuquan-proto", &proto, &network);
    none_of("shuquan-proto", &proto, &["tokio", "sled"]);
    // Key encryption and passphrase prompts stay out of the verifier's crate.
    none_of("shuquan-proto", &proto, &["age", "rpassword"]);
    let keystore = tree("shuquan-keystore");
    none_of("shuquan-keystore", &keystore, &network);
    none_of("shuquan-keystore", &keystore, &["tokio"]);
}
