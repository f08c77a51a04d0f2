//! The offline flow for parties on different machines: `tx build`, `tx sign` by each party,
//! `tx submit`; a partly signed transaction is refused with the missing signer named.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use shuquan_tests::DevNode;

#[test]
fn build_sign_by_each_party_then_submit() {
    let node = DevNode::start().unwrap();
    let k = |who: &str| node.key_file(who).display().to_string();
    let pk = |who: &str| node.key(who).public().to_hex();
    let dir = node.dir.path();
    let reg = dir.join("register.json");
    let reg_s = reg.to_str().unwrap();

    // Built where no node is reachable: the genesis file gives the chain id and the genesis
    // hash every signature binds.
    let offline = shuquan_tests::Cli {
        node: "http://127.0.0.1:9".into(),
        dir: dir.to_path_buf(),
    };
    let genesis = dir.join("chain").join("genesis.toml");
    let built = offline.json(&[
        "tx",
        "build",
        "--out",
        reg_s,
        "--genesis",
        genesis.to_str().unwrap(),
        "--signer",
        &pk("org1"),
        "register",
        "--fingerprint",
        &"cd".repeat(32),
        "--size",
        "42",
        "--name",
        "Offline data set",
        "--grade",
        "general",
        "--jurisdiction",
        "CN",
    ]);
    assert_eq!(built["needs_signatures_from"][0], pk("org1").as_str());
    // Unsigned: refused, naming the missing signer.
    let early = node.cli(&["tx", "submit", reg_s]);
    assert!(!early.status.success());
    assert!(
        String::from_utf8_lossy(&early.stderr).contains("missing_signature"),
        "{}",
        String::from_utf8_lossy(&early.stderr)
    );
    // A stranger's key cannot sign it.
    let wrong = node.cli(&["--key", &k("org2"), "tx", "sign", reg_s]);
    assert!(!wrong.status.success());
    node.cli_json(&["--key", &k("org1"), "tx", "sign", reg_s]);
    let done = node.cli_json(&["tx", "submit", reg_s, "--wait"]);
    assert_eq!(done["status"], "committed", "{done}");
    let asset = done["asset"].as_str().unwrap().to_string();

    // A transfer needs the receiver's signature too, collected in the same file.
    let tr = dir.join("transfer.json");
    let tr_s = tr.to_str().unwrap();
    node.cli_json(&[
        "tx",
        "build",
        "--out",
        tr_s,
        "--signer",
        &pk("org1"),
        "--cosigner",
        &pk("org2"),
        "transfer",
        "--asset",
        &asset,
        "--right",
        "hold",
        "--to",
        &pk("org2"),
    ]);
    let after_one = node.cli_json(&["--key", &k("org1"), "tx", "sign", tr_s]);
    assert_eq!(after_one["missing"][0], pk("org2").as_str());
    node.cli_json(&["--key", &k("org2"), "tx", "sign", tr_s]);
    let done = node.cli_json(&["tx", "submit", tr_s, "--wait"]);
    assert_eq!(done["status"], "committed", "{done}");
    assert_eq!(
        node.cli_json(&["query", "asset", &asset])["holders"]["hold"]["id"],
        node.cli_json(&["query", "member", &pk("org2")])["member"]["member_id"]
    );
}
