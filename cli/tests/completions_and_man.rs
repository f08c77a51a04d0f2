//! The operator's files the CLI writes, checked on the real `shuquan` binary: shell
//! completions that name every command and that the shell accepts, and a man page for every
//! command that says what the command's `--help` says.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn shuquan(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_shuquan"))
        .args(args)
        .env_remove("SHUQUAN_NODE")
        .env_remove("SHUQUAN_KEY")
        .output()
        .expect("running shuquan");
    assert!(
        out.status.success(),
        "shuquan {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(args: &[&str]) -> String {
    String::from_utf8(shuquan(args).stdout).expect("UTF-8 output")
}

/// The subcommands `shuquan PATH --help` lists, with the line of help each gets there
/// (wrapped lines joined), `help` left out.
fn subcommands(path: &[&str]) -> Vec<(String, String)> {
    let mut args = path.to_vec();
    args.push("--help");
    let help = stdout(&args);
    let mut found: Vec<(String, String)> = Vec::new();
    let mut in_section = false;
    for line in help.lines() {
        if line == "Commands:" {
            in_section = true;
            continue;
        }
        if !in_section {
            continue;
        }
        if line.is_empty() || !line.starts_with(' ') {
            break;
        }
        if line.starts_with("   ") {
            // A wrapped line of the previous command's text.
            if let Some((_, about)) = found.last_mut() {
                about.push(' ');
                about.push_str(line.trim());
            }
            continue;
        }
        let line = line.trim();
        let (name, about) = line.split_once(' ').unwrap_or((line, ""));
        found.push((name.to_string(), about.trim().to_string()));
    }
    found.retain(|(name, _)| name != "help");
    found
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Roff source as the text it prints (the escapes clap_mangen writes).
fn unroff(s: &str) -> String {
    let text = s
        .replace("\\fB", "")
        .replace("\\fI", "")
        .replace("\\fR", "")
        .replace("\\-", "-")
        .replace("\\(aq", "'")
        .replace("\\*(Aq", "'")
        .replace("\\\\", "\\");
    words(&text)
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn bash_completions_name_every_command_and_bash_accepts_them() {
    let script = stdout(&["completions", "bash"]);
    let top = subcommands(&[]);
    assert!(top.len() >= 8, "too few commands found: {top:?}");
    for (name, _) in &top {
        assert!(
            script.contains(&format!("shuquan__{name}"))
                || script.contains(&format!("shuquan,{name})")),
            "the bash completions do not complete `shuquan {name}`"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shuquan.bash");
    std::fs::write(&file, &script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        check.status.success(),
        "bash -n rejects the completions: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn zsh_and_fish_completions_are_written_and_checked_where_the_shell_is_installed() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, check) in [("zsh", ["-n"]), ("fish", ["--no-execute"])] {
        let script = stdout(&["completions", shell]);
        assert!(
            script.contains("shuquan") && script.contains("catalogue"),
            "{shell}: {script}"
        );
        if !have(shell) {
            eprintln!("{shell} is not installed: its syntax check is skipped");
            continue;
        }
        let file = dir.path().join(format!("shuquan.{shell}"));
        std::fs::write(&file, &script).unwrap();
        let out = Command::new(shell).args(check).arg(&file).output().unwrap();
        assert!(
            out.status.success(),
            "{shell} rejects the completions: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn an_unknown_shell_is_refused_with_the_choices() {
    let out = Command::new(env!("CARGO_BIN_EXE_shuquan"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bash") && err.contains("zsh") && err.contains("fish"),
        "{err}"
    );
}

/// Checks the page of `shuquan PATH` and, recursively, of every subcommand; returns how
/// many pages it checked.
fn check_pages(dir: &Path, path: &[&str], about: &str) -> usize {
    let page = format!(
        "{}.1",
        ["shuquan"]
            .iter()
            .chain(path)
            .copied()
            .collect::<Vec<_>>()
            .join("-")
    );
    let text = std::fs::read_to_string(dir.join(&page))
        .unwrap_or_else(|e| panic!("no man page {page} for `shuquan {}`: {e}", path.join(" ")));
    assert!(text.contains(".TH "), "{page} has no .TH header");
    assert!(text.contains(".SH NAME"), "{page} has no NAME section");
    if !about.is_empty() {
        assert!(
            unroff(&text).contains(&words(about)),
            "{page} does not say what `shuquan {} --help` says: {about:?}",
            path.join(" ")
        );
    }
    let mut checked = 1;
    for (name, about) in subcommands(path) {
        let mut sub = path.to_vec();
        sub.push(&name);
        checked += check_pages(dir, &sub, &about);
    }
    checked
}

#[test]
fn man_writes_a_page_for_every_command_with_its_help() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man").join("man1");
    let dir_arg = dir.to_str().unwrap();
    let listed = serde_json::from_str::<serde_json::Value>(&stdout(&[
        "--output", "json", "man", "--out", dir_arg,
    ]))
    .unwrap();
    let pages = listed["pages"].as_array().unwrap();
    assert_eq!(pages[0], "shuquan.1");
    // The top-level page carries the program's one-line description (`shuquan -h`).
    let about = stdout(&["-h"])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let checked = check_pages(&dir, &[], &about);
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(checked, files, "pages for commands --help does not list");
    assert_eq!(
        pages.len(),
        files,
        "the pages printed are not the files written"
    );
    assert!(checked > 100, "only {checked} pages");
    if have("man") {
        let out = Command::new("man")
            .arg("-l")
            .arg(dir.join("shuquan-tx-register.1"))
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && shown.contains("--fingerprint"),
            "{shown}"
        );
    }
}
