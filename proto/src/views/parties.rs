//! Parties as the views name them: a member id or a key in hex beside the short id of the
//! member it names (`{"member": "org2", "id": "…"}`, `{"member": "org2", "key": "…"}`), and
//! the [`Directory`] a query resolves them (and shows its times) with.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::hash::Hashing;
use crate::pb;

/// A member named by its member id: what rights, grants, filings and orders record.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberRef {
    /// The member's short id (`org2`); null when no member of the chain has this id.
    pub member: Option<String>,
    /// The member id (hex): what the chain records.
    pub id: String,
}

/// An account or node key, with the member it belongs (or belonged) to.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyRef {
    /// The short id (`org2`) of the member the key is or was an account or node key of;
    /// null when it is no member's.
    pub member: Option<String>,
    /// The key (hex): what the chain records.
    pub key: String,
}

impl MemberRef {
    /// `org2`, or the first 12 hex digits of an id no member has (`3fa9c2d1e0b7…`).
    pub fn short(&self) -> String {
        short(self.member.as_deref(), &self.id)
    }
}

impl KeyRef {
    /// `org2`, or the first 12 hex digits of a key no member has.
    pub fn short(&self) -> String {
        short(self.member.as_deref(), &self.key)
    }
}

fn short(member: Option<&str>, hex: &str) -> String {
    match member {
        Some(m) => m.to_string(),
        None => format!("{}…", hex.get(..12).unwrap_or(hex)),
    }
}

/// Who is who on a chain and its time zone: what a query names parties and shows times
/// with. Built once per query from the members registry (current and former account keys,
/// node keys) and the chain's `law_utc_offset_minutes`; the default names no one and shows
/// UTC (an offline auditor's report).
#[derive(Clone, Debug, Default)]
pub struct Directory {
    members: HashMap<Vec<u8>, String>,
    keys: HashMap<Vec<u8>, String>,
    offset_minutes: i32,
}

impl Directory {
    /// No one named yet; times `offset_minutes` east of UTC.
    pub fn new(offset_minutes: i32) -> Self {
        Directory {
            offset_minutes,
            ..Directory::default()
        }
    }

    /// Names member `m` of chain `chain_id`: its member id, its account keys (current and
    /// former) and its node key.
    pub fn add_member(&mut self, h: Hashing, chain_id: &str, m: &pb::Member) {
        let id = h.member_id(chain_id, &m.id);
        self.members.insert(id.as_bytes().to_vec(), m.id.clone());
        for k in m.account_keys.iter().chain(&m.former_keys) {
            self.keys.insert(k.clone(), m.id.clone());
        }
        if !m.node_key.is_empty() {
            self.keys.insert(m.node_key.clone(), m.id.clone());
        }
    }

    /// Names a node key by the member (member id) that operates it, unless it is named.
    pub fn add_node(&mut self, node_key: &[u8], operator: &[u8]) {
        if let Some(name) = self.members.get(operator).cloned() {
            self.keys.entry(node_key.to_vec()).or_insert(name);
        }
    }

    /// The UTC offset times are shown in (minutes east).
    pub fn offset_minutes(&self) -> i32 {
        self.offset_minutes
    }

    /// The member a member id names.
    pub fn member(&self, id: &[u8]) -> MemberRef {
        MemberRef {
            member: self.members.get(id).cloned(),
            id: hex::encode(id),
        }
    }

    /// The member a member id names; `None` for an empty one.
    pub fn opt_member(&self, id: &[u8]) -> Option<MemberRef> {
        (!id.is_empty()).then(|| self.member(id))
    }

    /// The members of several member ids.
    pub fn members(&self, ids: &[Vec<u8>]) -> Vec<MemberRef> {
        ids.iter().map(|id| self.member(id)).collect()
    }

    /// The member a key (hex) names, with the key.
    pub fn key(&self, key: &[u8]) -> KeyRef {
        KeyRef {
            member: self.keys.get(key).cloned(),
            key: hex::encode(key),
        }
    }

    /// The members of several keys.
    pub fn keys(&self, keys: &[Vec<u8>]) -> Vec<KeyRef> {
        keys.iter().map(|k| self.key(k)).collect()
    }

    /// The member a member id in hex names (hex that is not hex names no one).
    pub fn member_hex(&self, id: &str) -> MemberRef {
        match hex::decode(id) {
            Ok(b) => self.member(&b),
            Err(_) => MemberRef {
                member: None,
                id: id.to_string(),
            },
        }
    }

    /// The member a key in hex names.
    pub fn key_hex(&self, key: &str) -> KeyRef {
        match hex::decode(key) {
            Ok(b) => self.key(&b),
            Err(_) => KeyRef {
                member: None,
                key: key.to_string(),
            },
        }
    }

    /// A point in time as RFC 3339 in the chain's zone ([`super::rfc3339`]); `None` for 0.
    pub fn time(&self, ms: u64) -> Option<String> {
        super::rfc3339(ms, self.offset_minutes)
    }

    /// [`Directory::time`] of an optional time.
    pub fn opt_time(&self, ms: Option<u64>) -> Option<String> {
        ms.and_then(|ms| self.time(ms))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn org2() -> pb::Member {
        pb::Member {
            id: "org2".into(),
            account_keys: vec![vec![0xab; 32]],
            former_keys: vec![vec![0xcd; 32]],
            node_key: vec![0xee; 32],
            ..Default::default()
        }
    }

    #[test]
    fn parties_are_named_by_member_ids_and_keys_current_or_former() {
        let mut d = Directory::new(480);
        d.add_member(Hashing::BLAKE3, "c", &org2());
        let id = Hashing::BLAKE3.member_id("c", "org2");
        assert_eq!(
            serde_json::to_value(d.member(id.as_bytes())).unwrap(),
            serde_json::json!({"member": "org2", "id": id.to_hex()})
        );
        for k in [[0xab; 32], [0xcd; 32], [0xee; 32]] {
            assert_eq!(d.key(&k).member.as_deref(), Some("org2"), "{k:?}");
        }
        let unknown = d.member(&[7; 32]);
        assert_eq!(unknown.member, None);
        assert_eq!(unknown.id, "07".repeat(32));
        assert_eq!(unknown.short(), format!("{}…", "07".repeat(6)));
        assert_eq!(
            serde_json::to_value(d.key(&[7; 32])).unwrap(),
            serde_json::json!({"member": null, "key": "07".repeat(32)})
        );
        assert_eq!(d.key(id.as_bytes()).member, None, "a member id is no key");
        assert_eq!(d.opt_member(&[]), None);
    }

    #[test]
    fn node_keys_of_governance_nodes_name_their_operator() {
        let mut d = Directory::new(0);
        d.add_member(Hashing::BLAKE3, "c", &org2());
        d.add_node(&[1; 32], Hashing::BLAKE3.member_id("c", "org2").as_bytes());
        d.add_node(&[2; 32], &[9; 32]);
        assert_eq!(d.key(&[1; 32]).member.as_deref(), Some("org2"));
        assert_eq!(d.key(&[2; 32]).member, None);
    }
}
