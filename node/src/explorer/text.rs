//! How the explorer shows chain values: times in the chain's time zone (the genesis's
//! `law_utc_offset_minutes`), members by name with their key prefix in brackets, short
//! hashes, file-name slugs.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use shuquan_ledger::Ledger;
use shuquan_proto::views::{KeyRef, MemberRef};

/// The chain's time zone: a fixed offset from UTC.
#[derive(Clone, Copy, Debug)]
pub(super) struct Zone {
    minutes: i32,
}

impl Zone {
    /// The zone `minutes` east of UTC (UTC itself when the offset is not a real one).
    pub(super) fn new(minutes: i32) -> Self {
        let minutes = if minutes.abs() < 24 * 60 { minutes } else { 0 };
        Zone { minutes }
    }

    /// The offset in minutes (the page's script formats live times with it).
    pub(super) fn minutes(&self) -> i32 {
        self.minutes
    }

    /// `UTC+08:00`.
    pub(super) fn label(&self) -> String {
        let sign = if self.minutes < 0 { '-' } else { '+' };
        let m = self.minutes.unsigned_abs();
        format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
    }

    /// `2026-12-02 10:15:03 (UTC+08:00)`; `—` for no time (0).
    pub(super) fn time(&self, ms: u64) -> String {
        if ms == 0 {
            return "—".into();
        }
        let (Some(utc), Some(offset)) = (
            i64::try_from(ms)
                .ok()
                .and_then(DateTime::from_timestamp_millis),
            FixedOffset::east_opt(self.minutes * 60),
        ) else {
            return format!("{ms} ms");
        };
        format!(
            "{} ({})",
            utc.with_timezone(&offset).format("%Y-%m-%d %H:%M:%S"),
            self.label()
        )
    }
}

/// The first 8 hex digits of a hash or key.
pub(super) fn prefix(hex: &str) -> String {
    hex.chars().take(8).collect()
}

/// A name for a file: `Bus GPS 2026` → `bus-gps-2026` (`asset` when nothing is left).
pub(super) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "asset".into()
    } else {
        out
    }
}

/// A chain word as a page shows it: the word (its style) and its label in the page's
/// language.
#[derive(Clone, Debug)]
pub(super) struct Word {
    /// The word (`pending-export`): the badge's class.
    pub(super) key: String,
    /// What the page shows.
    pub(super) label: String,
}

/// A member, a key or a node as a page shows it: `org2 [3f9a01c2]`, linked to the member.
#[derive(Clone, Debug, Default)]
pub(super) struct Party {
    /// The member's short id (`org2`); empty when nothing on the chain names it.
    pub(super) name: String,
    /// The institution.
    pub(super) institution: String,
    /// The first 8 hex digits of what the chain records (member id or key).
    pub(super) prefix: String,
    /// All of it.
    pub(super) full: String,
}

impl Party {
    /// Whether the chain names it.
    pub(super) fn known(&self) -> bool {
        !self.name.is_empty()
    }
}

/// Who is who on the chain: member ids, account keys (current and former) and node keys,
/// each to its member's short id and institution. Loaded once per page.
#[derive(Debug, Default)]
pub(super) struct Directory {
    by_hex: HashMap<String, (String, String)>,
}

impl Directory {
    /// Everyone the ledger's members and nodes name.
    pub(super) fn load(ledger: &Ledger) -> Result<Self, shuquan_ledger::Error> {
        let q = ledger.queries();
        let mut by_hex = HashMap::new();
        let mut institutions = HashMap::new();
        for m in q.members()? {
            let who = (m.id.clone(), m.name.clone());
            institutions.insert(m.id.clone(), m.name.clone());
            by_hex.insert(m.member_id.clone(), who.clone());
            for k in m.account_keys.iter().chain(&m.former_keys) {
                by_hex.insert(k.clone(), who.clone());
            }
            if let Some(k) = &m.node_key {
                by_hex.insert(k.clone(), who.clone());
            }
        }
        for n in q.nodes()? {
            let Some(operator) = n.operator.member else {
                continue;
            };
            let institution = institutions.get(&operator).cloned().unwrap_or_default();
            by_hex.entry(n.node_key).or_insert((operator, institution));
        }
        Ok(Directory { by_hex })
    }

    /// The party a member id or key (hex) names.
    pub(super) fn party(&self, hex: &str) -> Party {
        let (name, institution) = self.by_hex.get(hex).cloned().unwrap_or_default();
        Party {
            name,
            institution,
            prefix: prefix(hex),
            full: hex.to_string(),
        }
    }

    /// The parties of several keys.
    pub(super) fn parties(&self, keys: &[KeyRef]) -> Vec<Party> {
        keys.iter().map(|k| self.party(&k.key)).collect()
    }

    /// The party of a member, or none (`Party::default()`).
    pub(super) fn opt_member(&self, m: Option<&MemberRef>) -> Party {
        m.map(|m| self.party(&m.id)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_the_chain_zone_with_its_offset() {
        // 2026-12-02 02:15:03 UTC.
        let ms = 1_796_177_703_000;
        assert_eq!(Zone::new(480).time(ms), "2026-12-02 10:15:03 (UTC+08:00)");
        assert_eq!(Zone::new(0).time(ms), "2026-12-02 02:15:03 (UTC+00:00)");
        assert_eq!(Zone::new(-330).time(ms), "2026-12-01 20:45:03 (UTC-05:30)");
        assert_eq!(Zone::new(480).time(0), "—");
        assert_eq!(Zone::new(100_000).label(), "UTC+00:00");
    }

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(slug("Bus GPS 2026"), "bus-gps-2026");
        assert_eq!(slug("公交 GPS"), "gps");
        assert_eq!(slug("公交"), "asset");
        assert_eq!(slug("../../etc"), "etc");
    }
}
