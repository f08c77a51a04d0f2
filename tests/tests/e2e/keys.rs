//! Encrypted key files, end to end with the real binaries: `shuquan keys new --encrypt`,
//! `keys show` without the passphrase, `keys encrypt` and `keys decrypt` in place, signing a
//! transaction on a dev node with an encrypted member key, a wrong or missing passphrase
//! refused by name, the plain-key warning on stderr only, and `shuquand` starting from an
//! encrypted node key.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use shuquan_tests::{bin, cluster::free_ports, wait_serving, DevNode};

const PASS: &str = "correct horse battery staple";

/// `shuquan args...` in `dir` against `node`, stdin closed (never a terminal), with only the
/// passphrase environment given in `env`.
fn shuquan(dir: &Path, node: &str, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(bin("shuquan"))
        .args(args)
        .current_dir(dir)
        .env("SHUQUAN_NODE", node)
        .env_remove("SHUQUAN_KEY")
        .env_remove("SHUQUAN_KEY_PASSPHRASE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("running shuquan")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Its stdout as JSON, after checking it succeeded.
fn json(out: &Output, what: &str) -> Value {
    assert!(out.status.success(), "{what} failed: {}", stderr(out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}): {:?}", out.stdout))
}

/// Asserts a clean failure (exit 1, no panic) whose stderr says `message`.
#[track_caller]
fn refused(out: &Output, message: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(message), "expected {message:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn warning(file: &str) -> String {
    format!("warning: key file {file} is not encrypted: `shuquan keys encrypt {file}` protects it")
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `tx register` of a small file named after `n`, signed with `key`.
fn register(dir: &Path, node: &str, env: &[(&str, &str)], key: &str, n: u32) -> Output {
    let data = format!("data-{n}.csv");
    std::fs::write(dir.join(&data), format!("route,n\n12,{n}\n")).unwrap();
    let name = format!("Encrypted key data {n}");
    shuquan(
        dir,
        node,
        env,
        &[
            "--output",
            "json",
            "--key",
            key,
            "tx",
            "register",
            "--file",
            &data,
            "--name",
            &name,
            "--grade",
            "general",
            "--jurisdiction",
            "CN",
            "--sector",
            "transport",
            "--wait",
        ],
    )
}

#[test]
fn an_encrypted_member_key_signs_and_a_wrong_passphrase_is_refused_by_name() {
    let node = DevNode::start().unwrap();
    let url = node.url();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let with_pass = [("SHUQUAN_KEY_PASSPHRASE", PASS)];

    // A new encrypted key: text on disk, owner-only, its public key readable without the
    // passphrase.
    let made = json(
        &shuquan(
            dir,
            &url,
            &with_pass,
            &[
                "--output",
                "json",
                "keys",
                "new",
                "--encrypt",
                "--out",
                "new.key",
            ],
        ),
        "keys new --encrypt",
    );
    assert_eq!(made["encrypted"], true);
    let text = std::fs::read_to_string(dir.join("new.key")).unwrap();
    assert!(text.starts_with("# Shuquan key file, encrypted"), "{text}");
    assert!(
        text.contains("-----BEGIN AGE ENCRYPTED FILE-----"),
        "{text}"
    );
    assert!(!text.contains("secret_key"), "{text}");
    #[cfg(unix)]
    assert_eq!(mode(&dir.join("new.key")), 0o600);
    let shown = json(
        &shuquan(
            dir,
            &url,
            &[],
            &["--output", "json", "keys", "show", "new.key"],
        ),
        "keys show",
    );
    assert_eq!(shown["public_key"], made["public_key"]);
    assert_eq!(shown["encrypted"], true);

    // org1's dev key, encrypted in place, signs a registration.
    let plain = std::fs::read_to_string(node.key_file("org1")).unwrap();
    std::fs::write(dir.join("org1.key"), &plain).unwrap();
    let org1 = node.key("org1").public().to_hex();
    let enc = json(
        &shuquan(
            dir,
            &url,
            &with_pass,
            &["--output", "json", "keys", "encrypt", "org1.key"],
        ),
        "keys encrypt",
    );
    assert_eq!(
        (enc["public_key"].as_str(), &enc["encrypted"]),
        (Some(org1.as_str()), &Value::Bool(true))
    );
    #[cfg(unix)]
    assert_eq!(mode(&dir.join("org1.key")), 0o600);
    let again = shuquan(dir, &url, &with_pass, &["keys", "encrypt", "org1.key"]);
    refused(
        &again,
        "key file org1.key is already encrypted; nothing was changed",
    );

    let signed = register(dir, &url, &with_pass, "org1.key", 1);
    let reg = json(&signed, "register with an encrypted key");
    assert_eq!(reg["status"], "committed", "{reg}");
    assert!(
        !stderr(&signed).contains("not encrypted"),
        "{}",
        stderr(&signed)
    );

    // The passphrase from a file instead, with a trailing newline as editors leave it.
    // Without one (and stdin not a terminal): refused at once, saying what to give.
    refused(
        &register(dir, &url, &[], "org1.key", 2),
        "key file org1.key is encrypted: give its passphrase in SHUQUAN_KEY_PASSPHRASE or a file with --passphrase-file",
    );
    std::fs::write(dir.join("pass.txt"), format!("{PASS}\n")).unwrap();
    let from_file = shuquan(
        dir,
        &url,
        &[],
        &[
            "--output",
            "json",
            "--key",
            "org1.key",
            "tx",
            "register",
            "--file",
            "data-2.csv",
            "--name",
            "Passphrase from a file",
            "--grade",
            "general",
            "--jurisdiction",
            "CN",
            "--sector",
            "transport",
            "--wait",
            "--passphrase-file",
            "pass.txt",
        ],
    );
    assert_eq!(
        json(&from_file, "register, passphrase file")["status"],
        "committed"
    );

    // A wrong passphrase: a clear error naming the file, exit 1, and the file untouched.
    let before = std::fs::read(dir.join("org1.key")).unwrap();
    let wrong = register(
        dir,
        &url,
        &[("SHUQUAN_KEY_PASSPHRASE", "wrong")],
        "org1.key",
        3,
    );
    refused(&wrong, "wrong passphrase for key file org1.key");
    let json_err: Value = serde_json::from_slice(&wrong.stdout).unwrap();
    assert!(
        json_err["error"]
            .as_str()
            .unwrap()
            .contains("wrong passphrase for key file org1.key"),
        "{json_err}"
    );
    refused(
        &shuquan(
            dir,
            &url,
            &[("SHUQUAN_KEY_PASSPHRASE", "wrong")],
            &["keys", "decrypt", "org1.key"],
        ),
        "wrong passphrase for key file org1.key",
    );
    assert_eq!(std::fs::read(dir.join("org1.key")).unwrap(), before);

    // A truncated file is damaged, not a wrong passphrase.
    let text = std::fs::read_to_string(dir.join("new.key")).unwrap();
    std::fs::write(dir.join("cut.key"), &text[..text.len() - 60]).unwrap();
    let cut = register(dir, &url, &with_pass, "cut.key", 4);
    refused(&cut, "key file cut.key is damaged");

    // Decrypted again: the same plain file as before, which still signs, with the warning
    // once on stderr and stdout still one JSON document.
    let dec = json(
        &shuquan(
            dir,
            &url,
            &with_pass,
            &["--output", "json", "keys", "decrypt", "org1.key"],
        ),
        "keys decrypt",
    );
    assert_eq!(dec["encrypted"], false);
    assert_eq!(
        std::fs::read_to_string(dir.join("org1.key")).unwrap(),
        plain
    );
    #[cfg(unix)]
    assert_eq!(mode(&dir.join("org1.key")), 0o600);
    refused(
        &shuquan(dir, &url, &with_pass, &["keys", "decrypt", "org1.key"]),
        "key file org1.key is not encrypted; nothing was changed",
    );
    let plain_use = register(dir, &url, &[], "org1.key", 5);
    assert_eq!(
        json(&plain_use, "register with a plain key")["status"],
        "committed"
    );
    let err = stderr(&plain_use);
    assert_eq!(err.matches(&warning("org1.key")).count(), 1, "{err}");
    // No stray temporary files beside the keys.
    let stray: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

/// Runs `cmd` until it exits (at most 60 s, then kills it): its status and stderr.
fn run_to_exit(cmd: &mut Command) -> (Option<ExitStatus>, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut err);
    }
    (status, err)
}

/// A running `shuquand --config`, killed when dropped.
struct Daemon(Option<std::process::Child>);

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts `shuquand --config config` and waits until it serves on `port`; its log goes to
/// `log`.
fn start_node(config: &Path, port: u16, log: &Path, extra: &[&str]) -> Daemon {
    let file = std::fs::File::create(log).unwrap();
    let child = Command::new(bin("shuquand"))
        .arg("--config")
        .arg(config)
        .args(extra)
        .env_remove("SHUQUAN_KEY_PASSPHRASE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .unwrap();
    let mut child = Some(child);
    let read_log = || std::fs::read_to_string(log).unwrap_or_default();
    wait_serving(
        &mut child,
        &format!("http://127.0.0.1:{port}"),
        "shuquand",
        read_log,
    )
    .unwrap();
    Daemon(child)
}

#[test]
fn shuquand_starts_with_an_encrypted_node_key_and_refuses_a_wrong_or_missing_passphrase() {
    let work = tempfile::tempdir().unwrap();
    let net: PathBuf = work.path().join("net");
    let api = free_ports(2);
    let out = Command::new(bin("shuquan"))
        .args(["devnet", "init", "--nodes", "1", "--no-review", "--dir"])
        .arg(&net)
        .args([
            "--api-port",
            &api.to_string(),
            "--p2p-port",
            &(api + 1).to_string(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let config = net.join("node1.toml");
    let key_file = net.join("keys").join("node1.key");
    let key_name = key_file.display().to_string();
    let node_key = shuquan_proto::Keypair::read_file(&key_file)
        .unwrap()
        .public()
        .to_hex();
    let url = format!("http://127.0.0.1:{api}");

    // Plain: it runs, and warns once.
    let log = work.path().join("plain.log");
    let daemon = start_node(&config, api, &log, &[]);
    drop(daemon);
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.matches(&warning(&key_name)).count(), 1, "{text}");

    let enc = shuquan(
        work.path(),
        &url,
        &[("SHUQUAN_KEY_PASSPHRASE", PASS)],
        &["keys", "encrypt", &key_name],
    );
    assert!(enc.status.success(), "{}", stderr(&enc));

    // No passphrase and no terminal: it stops at once and says what to give.
    let shuquand = || {
        let mut c = Command::new(bin("shuquand"));
        c.arg("--config")
            .arg(&config)
            .env_remove("SHUQUAN_KEY_PASSPHRASE");
        c
    };
    let (status, err) = run_to_exit(&mut shuquand());
    assert_eq!(status.and_then(|s| s.code()), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "key file {key_name} is encrypted: give its passphrase"
        )),
        "{err}"
    );
    // A wrong one: refused by name.
    let (status, err) = run_to_exit(shuquand().env("SHUQUAN_KEY_PASSPHRASE", "wrong"));
    assert_eq!(status.and_then(|s| s.code()), Some(1), "{err}");
    assert!(
        err.contains(&format!("wrong passphrase for key file {key_name}")),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    // The right one from `key_passphrase_file` in the config (relative to the file): it
    // serves as the same node, without the plain-key warning.
    std::fs::write(net.join("node1.pass"), format!("{PASS}\n")).unwrap();
    let toml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("key_passphrase_file = \"node1.pass\"\n{toml}"),
    )
    .unwrap();
    let log = work.path().join("encrypted.log");
    let daemon = start_node(&config, api, &log, &[]);
    let status: Value = ureq::get(&format!("{url}/v1/status"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert_eq!(
        status["node_key"].as_str(),
        Some(node_key.as_str()),
        "{status}"
    );
    drop(daemon);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("not encrypted"), "{text}");
}
