//! Output for people: members by short id with the start of their id in brackets
//! (`org2 [3fa9c2d1…]`, the short id from the `member` the API's JSON gives beside every
//! member id and key; the market's tables use it too), times in the chain's time zone (the UTC offset its genesis gives
//! the law, `params.law_utc_offset_minutes`: +08:00, Asia/Shanghai, on the devnet; `--utc`
//! shows UTC), amounts with their currency, and aligned tables for an asset's history and
//! grants.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, Offset as _, Utc};
use serde_json::Value;
use shuquan_proto::views::MemberRef;

use crate::Ctx;

/// What readable output needs from the node beyond its answers (which name every party
/// themselves, `{"member": "org2", "id": "…"}`): the chain's time zone.
pub(crate) struct Readable {
    zone: FixedOffset,
}

impl Readable {
    /// Asks the node for its genesis (once per command) unless `utc`; without it, times
    /// show in UTC.
    pub(crate) fn load(ctx: &Ctx, utc: bool) -> Self {
        let offset = if utc {
            0
        } else {
            ctx.client()
                .get::<Value>("/v1/genesis")
                .ok()
                .and_then(|g| g["params"]["law_utc_offset_minutes"].as_i64())
                .unwrap_or(0)
        };
        Self::new(offset)
    }

    /// Times `offset_minutes` east of UTC (out of range: UTC).
    pub(crate) fn new(offset_minutes: i64) -> Self {
        let zone = i32::try_from(offset_minutes.saturating_mul(60))
            .ok()
            .and_then(FixedOffset::east_opt)
            .unwrap_or_else(|| Utc.fix());
        Readable { zone }
    }

    /// `2026-12-02 10:15:03 +08:00` for milliseconds since the epoch.
    pub(crate) fn time(&self, ms: u64) -> String {
        i64::try_from(ms)
            .ok()
            .and_then(DateTime::from_timestamp_millis)
            .map(|t| {
                t.with_timezone(&self.zone)
                    .format("%Y-%m-%d %H:%M:%S %:z")
                    .to_string()
            })
            .unwrap_or_else(|| format!("{ms} ms"))
    }
}

/// `org2 [3fa9c2d1…]` for a member id or key the chain names, `3fa9c2d1…` for one it does
/// not, `-` for none: the one way the CLI shows a party.
pub(crate) fn party_text(member: Option<&str>, hex: &str) -> String {
    if hex.is_empty() {
        return "-".into();
    }
    let short = hex.get(..8).unwrap_or(hex);
    match member {
        Some(name) => format!("{name} [{short}…]"),
        None => format!("{short}…"),
    }
}

/// [`party_text`] of a party object of the API's JSON (`{"member", "id"}` or
/// `{"member", "key"}`).
pub(crate) fn party(v: &Value) -> String {
    let hex = v["id"].as_str().or_else(|| v["key"].as_str()).unwrap_or("");
    party_text(v["member"].as_str(), hex)
}

/// [`party_text`] of a member.
pub(crate) fn member(m: &MemberRef) -> String {
    party_text(m.member.as_deref(), &m.id)
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// An asset's history (`GET /v1/assets/{id}/history`), one aligned row per transaction.
pub(crate) fn history_table(r: &Readable, history: &Value) -> String {
    let rows: Vec<[String; 6]> = history
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            let receipt = &h["receipt"];
            let result = match s(&receipt["result"]) {
                "committed" => "committed".to_string(),
                _ => format!("failed: {}", s(&receipt["code_name"])),
            };
            [
                h["seq"].to_string(),
                receipt["height"].to_string(),
                r.time(h["timestamp_ms"].as_u64().unwrap_or(0)),
                s(&h["kind"]).to_string(),
                party(&h["signer"]),
                result,
            ]
        })
        .collect();
    table(
        ["SEQ", "BLOCK", "TIME", "KIND", "SIGNER", "RESULT"],
        &[true, true, false, false, false, false],
        &rows,
    )
}

/// An asset's grants (`GET /v1/assets/{id}/grants`), one aligned row per grant.
pub(crate) fn grants_table(r: &Readable, grants: &Value) -> String {
    let list = |v: &Value| -> String {
        let items: Vec<&str> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if items.is_empty() {
            "-".into()
        } else {
            items.join(",")
        }
    };
    let rows: Vec<[String; 8]> = grants
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            let uses = match g["max_uses"].as_u64() {
                Some(0) | None => format!("{}", g["uses"].as_u64().unwrap_or(0)),
                Some(max) => format!("{}/{max}", g["uses"].as_u64().unwrap_or(0)),
            };
            [
                s(&g["id"]).get(..12).unwrap_or("").to_string() + "…",
                party(&g["grantee"]),
                s(&g["status"]).to_string(),
                list(&g["actions"]),
                list(&g["purposes"]),
                list(&g["jurisdictions"]),
                r.time(g["not_after_ms"].as_u64().unwrap_or(0)),
                uses,
            ]
        })
        .collect();
    table(
        [
            "GRANT", "GRANTEE", "STATUS", "ACTIONS", "PURPOSES", "IN", "UNTIL", "USES",
        ],
        &[false, false, false, false, false, false, false, true],
        &rows,
    )
}

/// Columns padded to their widest cell (in characters, so CJK names line up as well as a
/// terminal allows); `right` aligns a column to the right. No rows: `(none)`.
fn table<const N: usize>(header: [&str; N], right: &[bool; N], rows: &[[String; N]]) -> String {
    if rows.is_empty() {
        return "(none)\n".into();
    }
    let mut width = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let mut parts = Vec::with_capacity(N);
        for (i, cell) in cells.iter().enumerate() {
            let pad = width[i].saturating_sub(cell.chars().count());
            let last = i + 1 == N;
            parts.push(if right[i] {
                format!("{}{cell}", " ".repeat(pad))
            } else if last {
                (*cell).to_string()
            } else {
                format!("{cell}{}", " ".repeat(pad))
            });
        }
        let _ = writeln!(out, "{}", parts.join("  "));
    };
    line(header.to_vec(), &mut out);
    for row in rows {
        line(row.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn org2(id: &str) -> Value {
        json!({"member": "org2", "id": id})
    }

    #[test]
    fn members_by_name_and_times_in_the_chain_zone() {
        let r = Readable::new(480);
        assert_eq!(party(&org2(&"3fa9c2d1".repeat(8))), "org2 [3fa9c2d1…]");
        assert_eq!(
            party(&json!({"member": "org2", "key": "ab".repeat(32)})),
            "org2 [abababab…]",
            "an account key"
        );
        assert_eq!(
            party(&json!({"member": null, "key": "cd".repeat(32)})),
            "cdcdcdcd…"
        );
        assert_eq!(party(&Value::Null), "-");
        let m = MemberRef {
            member: Some("org2".into()),
            id: "3fa9c2d1".repeat(8),
        };
        assert_eq!(member(&m), "org2 [3fa9c2d1…]");
        // 2026-01-01T00:00:00Z is 08:00 in Shanghai.
        assert_eq!(r.time(1_767_225_600_000), "2026-01-01 08:00:00 +08:00");
        assert_eq!(
            Readable::new(0).time(1_767_225_600_000),
            "2026-01-01 00:00:00 +00:00"
        );
    }

    #[test]
    fn tables_line_up_under_their_headers() {
        let r = Readable::new(480);
        let history = json!([
            {"seq": 0, "kind": "register_asset", "signer": {"member": "org2", "key": "ab".repeat(32)},
             "timestamp_ms": 1_767_225_600_000u64, "receipt": {"height": 7, "result": "committed"}},
            {"seq": 1, "kind": "record_usage", "signer": {"member": null, "key": "cd".repeat(32)},
             "timestamp_ms": 1_767_225_601_000u64,
             "receipt": {"height": 12, "result": "failed", "code_name": "grant_inactive"}},
        ]);
        let t = history_table(&r, &history);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "{t}");
        let col = |l: &str, word: &str| l.find(word).unwrap_or(usize::MAX);
        assert_eq!(
            col(lines[0], "KIND"),
            col(lines[1], "register_asset"),
            "{t}"
        );
        assert_eq!(col(lines[0], "KIND"), col(lines[2], "record_usage"), "{t}");
        assert!(
            lines[1].contains("org2 [abababab…]")
                && lines[1].contains("2026-01-01 08:00:00 +08:00")
        );
        assert!(lines[2].contains("failed: grant_inactive") && lines[2].contains("cdcdcdcd…"));
        let grants = json!([{"id": "ef".repeat(32), "grantee": org2(&"3fa9c2d1".repeat(8)),
            "status": "pending-export", "actions": ["compute"], "purposes": ["academic-research"],
            "jurisdictions": ["VN"], "not_after_ms": 1_861_833_600_000u64, "max_uses": 0, "uses": 0}]);
        let g = grants_table(&r, &grants);
        assert!(
            g.contains("org2 [3fa9c2d1…]")
                && g.contains("pending-export")
                && g.contains("2028-12-31 08:00:00 +08:00"),
            "{g}"
        );
        assert_eq!(grants_table(&r, &json!([])), "(none)\n");
    }
}
