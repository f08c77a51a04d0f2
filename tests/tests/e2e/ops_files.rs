//! The files in `deploy/` against the real node: the Grafana dashboard charts only metrics a
//! running `shuquand` exports (a renamed metric breaks this test, not a dashboard in
//! production), the systemd unit starts `shuquand` with flags it accepts and passes
//! `systemd-analyze verify`, and `shuquand --man-dir` writes its man page.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use shuquan_tests::{bin, DevNode};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every sample name the exposition can hold: the names of its sample lines, and for each
/// `# TYPE` the names its type produces (`_total`, `_bucket`, `_sum`, `_count`, ...), so a
/// family with no sample yet still counts.
fn exported_names(exposition: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in exposition.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split_whitespace();
            let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
                continue;
            };
            let suffixes: &[&str] = match kind {
                "counter" => &["_total", "_created"],
                "histogram" => &["_bucket", "_sum", "_count", "_created"],
                "summary" => &["", "_sum", "_count", "_created"],
                "info" => &["_info"],
                _ => &[""],
            };
            for s in suffixes {
                names.insert(format!("{name}{s}"));
            }
        } else if !line.starts_with('#') {
            let end = line.find(['{', ' ']).unwrap_or(line.len());
            if end > 0 {
                names.insert(line[..end].to_string());
            }
        }
    }
    names
}

/// Drops the text between `open` and its matching `close` (label matchers, ranges,
/// `by (...)` lists handled by the caller).
fn strip_between(s: &str, open: char, close: char) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        if c == open {
            depth += 1;
        } else if c == close && depth > 0 {
            depth -= 1;
        } else if depth == 0 {
            out.push(c);
        }
    }
    out
}

/// The metric names a PromQL expression selects: identifiers that are not functions,
/// keywords, label names of a grouping clause, variables or numbers.
fn metric_names(expr: &str) -> BTreeSet<String> {
    const KEYWORDS: &[&str] = &[
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "and",
        "or",
        "unless",
        "offset",
        "inf",
        "nan",
        // Aggregations, which may be followed by `by (...)` instead of `(`.
        "sum",
        "min",
        "max",
        "avg",
        "group",
        "count",
        "count_values",
        "stddev",
        "stdvar",
        "topk",
        "bottomk",
        "quantile",
        "limitk",
        "limit_ratio",
    ];
    const GROUPING: &[&str] = &[
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
    ];
    // Strings, label matchers and ranges hold no metric names.
    let mut s = String::new();
    let mut in_string = false;
    for c in expr.chars() {
        if c == '"' {
            in_string = !in_string;
        } else if !in_string {
            s.push(c);
        }
    }
    let s = strip_between(&strip_between(&s, '{', '}'), '[', ']');
    let chars: Vec<char> = s.chars().collect();
    let mut names = BTreeSet::new();
    let mut i = 0;
    let mut skip_group = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '$' {
            // A dashboard variable such as $__rate_interval.
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_digit() || c == '.' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let call = j < chars.len() && chars[j] == '(';
            if GROUPING.contains(&word.as_str()) {
                skip_group = call;
            } else if !call && !KEYWORDS.contains(&word.as_str()) {
                names.insert(word);
            }
            continue;
        }
        if c == '(' && skip_group {
            // The label list of `by (...)` and the like.
            while i < chars.len() && chars[i] != ')' {
                i += 1;
            }
            skip_group = false;
        }
        i += 1;
    }
    names
}

/// Every `expr` anywhere in the dashboard (panels, rows, targets), and the queries of its
/// template variables.
fn queries(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("expr" | "definition", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => queries(v, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| queries(v, out)),
        _ => {}
    }
}

#[test]
fn the_promql_reader_finds_metric_names_only() {
    let names = metric_names(
        "histogram_quantile(0.99, sum by (le, instance) (rate(a_bucket{x=~\"$i\"}[$__rate_interval]))) \
         / on (instance) group_left b + scalar(max(c)) - label_values(d, instance) > 1e3",
    );
    let expected: BTreeSet<String> = ["a_bucket", "b", "c", "d", "instance"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    // `label_values(d, instance)`: the label argument reads as a name; the dashboard test
    // reads template definitions with that in mind.
    assert_eq!(names, expected);
}

#[test]
fn the_grafana_dashboard_charts_only_metrics_a_running_node_exports() {
    let path = repo().join("deploy/grafana/shuquan-node.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let dash: serde_json::Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    assert!(
        dash["title"].is_string() && dash["uid"].is_string(),
        "not a dashboard"
    );
    assert!(dash["schemaVersion"].as_u64().is_some_and(|v| v >= 30));
    let panels = dash["panels"].as_array().expect("a dashboard has panels");
    let charts: Vec<_> = panels.iter().filter(|p| p["type"] != "row").collect();
    assert!(charts.len() >= 10, "only {} panels", charts.len());
    let mut ids = BTreeSet::new();
    for p in &charts {
        let title = p["title"].as_str().unwrap_or_default();
        assert!(!title.is_empty(), "a panel without a title: {p}");
        assert!(
            ids.insert(p["id"].as_u64().unwrap()),
            "two panels share an id"
        );
        for k in ["h", "w", "x", "y"] {
            assert!(p["gridPos"][k].is_u64(), "{title}: gridPos.{k}");
        }
        let targets = p["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "{title}: no query");
        for t in targets {
            assert!(
                t["expr"].as_str().is_some_and(|e| !e.is_empty()),
                "{title}: {t}"
            );
        }
    }

    let node = DevNode::start().unwrap();
    let metrics = ureq::get(&format!("{}/metrics", node.url()))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let exported = exported_names(&metrics);
    assert!(exported.contains("shuquan_height"), "{metrics}");

    let mut exprs = Vec::new();
    queries(&dash, &mut exprs);
    let mut used = BTreeSet::new();
    for expr in &exprs {
        for name in metric_names(expr) {
            // `label_values(metric, label)`: the label is no metric.
            if expr.starts_with("label_values(") && !name.starts_with("shuquan_") {
                continue;
            }
            assert!(
                exported.contains(&name),
                "the dashboard queries {name:?} ({expr}), which the node does not export:\n{metrics}"
            );
            used.insert(name);
        }
    }
    for family in [
        "shuquan_height",
        "shuquan_raft_term",
        "shuquan_raft_role",
        "shuquan_mempool_transactions",
        "shuquan_committed_transactions_total",
        "shuquan_commit_seconds_bucket",
        "shuquan_peers",
    ] {
        assert!(
            used.contains(family),
            "the dashboard has no panel for {family}"
        );
    }
}

/// The values of `key=` lines in a unit file (continuation lines are not used in ours).
fn directives<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
        .map(str::trim)
        .collect()
}

#[test]
fn the_systemd_unit_starts_shuquand_with_flags_it_accepts_and_verifies() {
    let path = repo().join("deploy/systemd/shuquand.service");
    let unit = std::fs::read_to_string(&path).unwrap();
    let exec = directives(&unit, "ExecStart");
    assert_eq!(exec.len(), 1, "one ExecStart");
    let words: Vec<&str> = exec[0].split_whitespace().collect();
    assert!(
        words[0].starts_with('/') && words[0].ends_with("/shuquand"),
        "ExecStart runs {}",
        words[0]
    );
    let config = words
        .iter()
        .position(|w| *w == "--config")
        .expect("--config");
    assert_eq!(words.get(config + 1), Some(&"/etc/shuquan/node.toml"));

    let help = Command::new(bin("shuquand"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in words.iter().filter(|w| w.starts_with('-')) {
        let name = flag.split('=').next().unwrap_or(flag);
        assert!(
            help.contains(&format!("{name} ")) || help.contains(&format!("{name}\n")),
            "shuquand does not accept {name} (ExecStart: {})",
            exec[0]
        );
    }

    for (key, value) in [
        ("ProtectSystem", "strict"),
        ("NoNewPrivileges", "yes"),
        ("Restart", "on-failure"),
        ("StateDirectory", "shuquan"),
    ] {
        assert_eq!(directives(&unit, key), [value], "{key}");
    }
    assert!(
        directives(&unit, "DynamicUser") == ["yes"] || !directives(&unit, "User").is_empty(),
        "the node runs as root"
    );
    assert!(!directives(&unit, "LimitNOFILE").is_empty(), "LimitNOFILE");
    assert!(
        unit.contains("SHUQUAN_KEY_PASSPHRASE") && !directives(&unit, "EnvironmentFile").is_empty(),
        "the unit does not say where an encrypted key's passphrase goes"
    );

    if !Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("systemd-analyze is not installed: `systemd-analyze verify` is skipped");
        return;
    }
    // verify checks that the program exists and that the man page the unit names is
    // installed: point both at what this build wrote.
    let tmp = tempfile::tempdir().unwrap();
    let man8 = tmp.path().join("man").join("man8");
    let out = Command::new(bin("shuquand"))
        .arg("--man-dir")
        .arg(&man8)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let local = unit.replace(words[0], &bin("shuquand").display().to_string());
    let copy = tmp.path().join("shuquand.service");
    std::fs::write(&copy, local).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&copy)
        .env("MANPATH", tmp.path().join("man"))
        .output()
        .unwrap();
    // Its warnings (an unknown key, a bad value) do not fail it: any about our unit do here.
    // Lines about the machine's own units are not ours to judge.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let ours: Vec<&str> = stderr.lines().filter(|l| l.contains("shuquand")).collect();
    assert!(
        out.status.success() && ours.is_empty(),
        "systemd-analyze verify: {}{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn shuquand_writes_its_man_page() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(bin("shuquand"))
        .arg("--man-dir")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(tmp.path().join("shuquand.8")).unwrap();
    assert!(page.contains(".TH shuquand 8"), "{page}");
    // The one-line description `shuquand -h` starts with.
    let short = Command::new(bin("shuquand")).arg("-h").output().unwrap();
    let short = String::from_utf8_lossy(&short.stdout);
    let about = short.split("\n\n").next().unwrap_or_default();
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(!about.is_empty());
    assert!(
        flat(&page.replace("\\-", "-")).contains(&flat(about)),
        "{about:?} not in\n{page}"
    );
    for flag in ["config", "data\\-dir", "node\\-key", "man\\-dir"] {
        assert!(
            page.contains(&format!("\\-\\-{flag}")),
            "--{flag} not in the page"
        );
    }
}
