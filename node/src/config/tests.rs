//! Tests of configuration layering and validation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
    assert_eq!(cfg.api.listen, "127.0.0.1:9001");
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
    assert_eq!(check(&|c| c.api.listen = "localhost".into()), "api.listen");
    assert_eq!(check(&|c| c.api.read = "everyone".into()), "api.read");
    assert_eq!(
        check(&|c| c.api.tls_cert = "cert.pem".into()),
        "api.tls_cert"
    );
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
    assert_eq!(
        check(&|c| c.public_url = "node1.example.org".into()),
        "public_url"
    );
    assert_eq!(
        check(&|c| c.public_url = "https://a b".into()),
        "public_url"
    );
    let ok = NodeConfig {
        public_url: "https://node1.example.org".into(),
        ..NodeConfig::default()
    };
    ok.validate().unwrap();
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

/// A default as the README's table writes it.
fn shown(key: &str, v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => format!("`{s}`"),
        Value::Integer(n) if key.ends_with("bytes") && n % (1 << 20) == 0 => {
            format!("{} MiB", n >> 20)
        }
        Value::Integer(n) if key.ends_with("bytes") && n % 1024 == 0 => format!("{} KiB", n >> 10),
        Value::Integer(n) => n.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Array(a) if a.is_empty() => "`[]`".into(),
        other => other.to_string(),
    }
}

/// Defaults are declared once (in `Default` for the config, which takes Raft's and the p2p
/// layer's from their crates); the README's table must say the same, and name every key.
#[test]
fn the_readme_table_shows_every_key_with_its_default() {
    let readme = include_str!("../../../README.md");
    let table = readme
        .split("| key | default | |")
        .nth(1)
        .expect("the README's configuration table");
    let defaults = Value::try_from(NodeConfig::default()).unwrap();
    let lookup = |key: &str| -> Option<Value> {
        let mut v = &defaults;
        for part in key.split('.') {
            v = v.get(part)?;
        }
        Some(v.clone())
    };
    let mut seen = std::collections::BTreeSet::new();
    for row in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let names: Vec<&str> = cells[1]
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|n| !n.starts_with("--"))
            .collect();
        let values: Vec<&str> = cells[2].split(", ").collect();
        let section = names[0].split_once('.').map(|(s, _)| s);
        for (i, name) in names.iter().enumerate() {
            let key = match section {
                Some(s) if !name.contains('.') => format!("{s}.{name}"),
                _ => name.to_string(),
            };
            let want = values.get(i).or(values.first()).copied().unwrap_or("");
            let value = lookup(&key).unwrap_or_else(|| panic!("README names {key}, no such key"));
            assert_eq!(shown(&key, &value), want, "README default of {key}");
            seen.insert(key);
        }
    }
    let mut all = Vec::new();
    for (k, v) in defaults.as_table().unwrap() {
        match v.as_table() {
            Some(t) => all.extend(t.keys().map(|n| format!("{k}.{n}"))),
            None => all.push(k.clone()),
        }
    }
    for key in all {
        assert!(seen.contains(&key), "the README's table lacks {key}");
    }
}

#[test]
fn the_api_section_reads_the_old_address_forms_and_resolves_tls_files_beside_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("node.toml");
    std::fs::write(&file, "api = \"127.0.0.1:9001\"\n").unwrap();
    let cfg = NodeConfig::load(Some(&file), env(&[("SHUQUAN_API_READ", "members")]), &[]).unwrap();
    assert_eq!(cfg.api.listen, "127.0.0.1:9001");
    assert!(cfg.api.members_only());
    assert!(
        cfg.api.open_catalogue,
        "the catalogue stays open by default"
    );
    assert!(cfg.api.tls().is_none());

    std::fs::write(
        &file,
        "[api]\nlisten = \"127.0.0.1:9002\"\ntls_cert = \"tls/cert.pem\"\ntls_key = \"/etc/key.pem\"\n",
    )
    .unwrap();
    let cfg =
        NodeConfig::load(Some(&file), env(&[]), &["api.open_catalogue=false".into()]).unwrap();
    assert_eq!(cfg.api.listen, "127.0.0.1:9002");
    assert!(!cfg.api.members_only(), "public by default");
    assert!(!cfg.api.open_catalogue);
    assert_eq!(
        cfg.api.tls(),
        Some((
            dir.path().join("tls/cert.pem").as_path(),
            std::path::Path::new("/etc/key.pem")
        ))
    );

    let cfg = NodeConfig::load(None, env(&[("SHUQUAN_API", "127.0.0.1:9003")]), &[]).unwrap();
    assert_eq!(
        cfg.api.listen, "127.0.0.1:9003",
        "SHUQUAN_API still sets the address"
    );
    let cfg = NodeConfig::load(None, env(&[]), &["api=127.0.0.1:9004".into()]).unwrap();
    assert_eq!(cfg.api.listen, "127.0.0.1:9004", "--api and --set api= too");
}
