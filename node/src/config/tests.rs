//! Tests of configuration layering and validation.

#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn key_of(e: Error) -> String {
    match e {
        Error::Config { key, .. } => key,
        other => panic!("expected a config error, got {other}"),
    }
}

#[test]
fn defaults_are_valid() {
    NodeConfig::default().validate().unwrap();
}

#[test]
fn flags_beat_environment_beat_file_beat_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("node.toml");
    std::fs::write(
        &file,
        "api = \"127.0.0.1:9001\"\ndata_dir = \"n1\"\n[raft]\nsnapshot_every = 10\nheartbeat_ms = 100\n[mempool]\nsize = 7\n",
    )
    .unwrap();
    let cfg = NodeConfig::load(
        Some(&file),
        env(&[
            ("SHUQUAN_RAFT_SNAPSHOT_EVERY", "20"),
            ("SHUQUAN_MEMPOOL_SIZE", "8"),
            ("SHUQUAN_NODE", "http://ignored-cli-variable"),
            ("OTHER", "x"),
        ]),
        &["raft.snapshot_every=30".into()],
    )
    .unwrap();
    assert_eq!(cfg.raft.snapshot_every, 30, "flag wins");
    assert_eq!(cfg.mempool.size, 8, "environment beats the file");
    assert_eq!(cfg.raft.heartbeat_ms, 100, "file beats defaults");
    assert_eq!(cfg.api, "127.0.0.1:9001");
    assert_eq!(cfg.p2p.max_established_per_peer, 2, "default kept");
    assert_eq!(
        cfg.data_dir,
        dir.path().join("n1"),
        "file paths are relative to the file"
    );
}

#[test]
fn environment_paths_stay_relative_to_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("node.toml");
    std::fs::write(&file, "data_dir = \"n1\"\n").unwrap();
    let cfg =
        NodeConfig::load(Some(&file), env(&[("SHUQUAN_DATA_DIR", "elsewhere")]), &[]).unwrap();
    assert_eq!(cfg.data_dir, PathBuf::from("elsewhere"));
}

#[test]
fn unknown_keys_and_bad_values_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("node.toml");
    std::fs::write(&file, "[raft]\nsnapshot_evry = 10\n").unwrap();
    let e = NodeConfig::load(Some(&file), env(&[]), &[]).unwrap_err();
    assert!(e.to_string().contains("snapshot_evry"), "{e}");

    let e = NodeConfig::load(None, env(&[("SHUQUAN_MEMPOOL_SIZE", "lots")]), &[]).unwrap_err();
    assert_eq!(key_of(e), "mempool.size");
    let e = NodeConfig::load(None, env(&[]), &["raft.nope=1".into()]).unwrap_err();
    assert_eq!(key_of(e), "raft.nope");
    let e = NodeConfig::load(None, env(&[]), &["mempool.size".into()]).unwrap_err();
    assert_eq!(key_of(e), "mempool.size");
}

#[test]
fn validate_names_the_offending_key() {
    let check = |f: &dyn Fn(&mut NodeConfig)| {
        let mut c = NodeConfig::default();
        f(&mut c);
        key_of(c.validate().unwrap_err())
    };
    assert_eq!(check(&|c| c.api = "localhost".into()), "api");
    assert_eq!(
        check(&|c| c.p2p.listen = "127.0.0.1:7100".into()),
        "p2p.listen"
    );
    assert_eq!(check(&|c| c.p2p.peers = vec!["abc".into()]), "p2p.peers");
    assert_eq!(check(&|c| c.mempool.size = 0), "mempool.size");
    assert_eq!(
        check(&|c| c.p2p.max_frame_bytes = 1 << 20),
        "p2p.max_frame_bytes"
    );
    assert_eq!(check(&|c| c.raft.election_min_ms = 10), "raft");
    assert_eq!(check(&|c| c.log_format = "yaml".into()), "log_format");
    assert_eq!(check(&|c| c.header_timeout_ms = 5), "header_timeout_ms");
    assert_eq!(check(&|c| c.max_connections = 0), "max_connections");
}

#[test]
fn every_key_has_an_environment_name() {
    assert_eq!(
        env_name("raft.snapshot_every"),
        "SHUQUAN_RAFT_SNAPSHOT_EVERY"
    );
    assert_eq!(env_name("api"), "SHUQUAN_API");
    let cfg = NodeConfig::load(None, env(&[("SHUQUAN_P2P_PEERS", "[\"a@b\"]")]), &[]).unwrap();
    assert_eq!(
        cfg.p2p.peers,
        vec!["a@b".to_string()],
        "arrays parse as TOML"
    );
}
