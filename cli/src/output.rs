//! Output: one JSON object with `--output json`, readable aligned text otherwise.

use serde_json::Value;

use crate::Ctx;

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) if s.is_empty() => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            if a.is_empty() {
                "-".into()
            } else {
                a.iter().map(scalar).collect::<Vec<_>>().join(", ")
            }
        }
        other => other.to_string(),
    }
}

fn text(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) => {
            let width = map.keys().map(|k| k.len()).max().unwrap_or(0);
            for (k, val) in map {
                match val {
                    Value::Object(_) => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        text(val, indent + 2, out);
                    }
                    Value::Array(a) if a.iter().any(|x| x.is_object()) => {
                        out.push_str(&format!("{pad}{k}: ({})\n", a.len()));
                        for item in a {
                            text(item, indent + 2, out);
                            out.push('\n');
                        }
                    }
                    _ => out.push_str(&format!("{pad}{k:<width$}  {}\n", scalar(val))),
                }
            }
        }
        Value::Array(a) => {
            if a.is_empty() {
                out.push_str(&format!("{pad}(none)\n"));
            }
            for item in a {
                text(item, indent, out);
                out.push('\n');
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

/// Writes `text` (and a newline) to stdout. A closed stdout ends the program: quietly
/// (status 0) when the reader went away, with a message otherwise.
pub(crate) fn emit(text: &str, newline: bool) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let written = o
        .write_all(text.as_bytes())
        .and_then(|()| if newline { o.write_all(b"\n") } else { Ok(()) })
        .and_then(|()| o.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("error: writing the output: {e}");
            std::process::exit(1)
        }
    }
}

/// Prints `value` as the user asked.
pub(crate) fn print(ctx: &Ctx, value: &Value) -> anyhow::Result<()> {
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(value)?);
    } else {
        let mut out = String::new();
        text(value, 0, &mut out);
        out!("{}", out.trim_end_matches('\n').to_string() + "\n");
    }
    Ok(())
}
