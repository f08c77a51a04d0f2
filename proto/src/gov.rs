//! Governance arithmetic every node and the CLI share: the council as the genesis file
//! writes it, when a proposal passes or is rejected, members' short ids, and changing one
//! chain parameter (validated exactly as the genesis validates it).

use serde::{Deserialize, Serialize};

use crate::genesis::{GenesisFile, ParamsFile};
use crate::{pb, Error};

/// Default share of the council that must vote yes: more than two thirds.
pub const DEFAULT_THRESHOLD: (u32, u32) = (2, 3);
/// Default time a proposal stays open: 7 days.
pub const DEFAULT_VOTING_PERIOD_MS: u64 = 7 * 86_400_000;
/// The shortest and longest voting period a council may set.
pub const VOTING_PERIOD_RANGE_MS: (u64, u64) = (60_000, 365 * 86_400_000);
/// Most members of a council.
pub const MAX_COUNCIL: usize = 64;
/// Longest short id of a member.
pub const MAX_SHORT_ID: usize = 64;

/// The council as the genesis file writes it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CouncilFile {
    /// Short ids of the voting members (default: every member that runs a voter node, or
    /// every member when none does).
    pub members: Vec<String>,
    /// The share that must vote yes, as `"2/3"`: a proposal passes with more than it.
    pub threshold: String,
    /// How long a proposal stays open.
    pub voting_period_ms: u64,
}

impl Default for CouncilFile {
    fn default() -> Self {
        CouncilFile {
            members: Vec::new(),
            threshold: format!("{}/{}", DEFAULT_THRESHOLD.0, DEFAULT_THRESHOLD.1),
            voting_period_ms: DEFAULT_VOTING_PERIOD_MS,
        }
    }
}

impl CouncilFile {
    /// The council of `genesis` in its canonical form, checked.
    pub fn to_pb(&self, genesis: &GenesisFile) -> Result<pb::Council, Error> {
        let fail = |m: String| Err(Error::Genesis(format!("council: {m}")));
        let Some((num, den)) = parse_threshold(&self.threshold) else {
            return fail(format!(
                "threshold {:?} is not a fraction like 2/3 (1/2 <= n/d < 1, d <= 100)",
                self.threshold
            ));
        };
        let names: Vec<&String> = if self.members.is_empty() {
            let runners: Vec<&String> = genesis
                .members
                .iter()
                .filter(|m| m.node_key.is_some() && !m.learner)
                .map(|m| &m.id)
                .collect();
            if runners.is_empty() {
                genesis.members.iter().map(|m| &m.id).collect()
            } else {
                runners
            }
        } else {
            self.members.iter().collect()
        };
        let mut members = Vec::with_capacity(names.len());
        for name in names {
            if !genesis.members.iter().any(|m| &m.id == name) {
                return fail(format!("{name:?} is not a member of the genesis"));
            }
            members.push(
                genesis
                    .hash
                    .hashing()
                    .member_id(&genesis.chain_id, name)
                    .to_vec(),
            );
        }
        let council = pb::Council {
            members,
            threshold_num: num,
            threshold_den: den,
            voting_period_ms: self.voting_period_ms,
        };
        check_council(&council).map_err(|m| Error::Genesis(format!("council: {m}")))?;
        Ok(council)
    }
}

/// `"n/d"` with `1/2 <= n/d < 1` and `d <= 100`: a proposal passes with more than half the
/// council at least, so no single member of a larger council decides alone.
pub fn parse_threshold(s: &str) -> Option<(u32, u32)> {
    let (n, d) = s.trim().split_once('/')?;
    let (n, d): (u32, u32) = (n.trim().parse().ok()?, d.trim().parse().ok()?);
    (n < d && d <= 100 && 2 * n >= d).then_some((n, d))
}

/// Checks a council: 1 to [`MAX_COUNCIL`] distinct 32-byte members, a threshold
/// `0 <= n < d <= 100`, a voting period within [`VOTING_PERIOD_RANGE_MS`]. The error says
/// what is wrong.
pub fn check_council(c: &pb::Council) -> Result<(), String> {
    if c.members.is_empty() || c.members.len() > MAX_COUNCIL {
        return Err(format!(
            "it has {} members; it needs 1 to {MAX_COUNCIL}",
            c.members.len()
        ));
    }
    for (i, m) in c.members.iter().enumerate() {
        if m.len() != 32 {
            return Err(format!("member {i} is not a 32-byte member id"));
        }
        if c.members[..i].contains(m) {
            return Err(format!("member {} is listed twice", hex::encode(m)));
        }
    }
    if c.threshold_num >= c.threshold_den
        || c.threshold_den > 100
        || 2 * c.threshold_num < c.threshold_den
    {
        return Err(format!(
            "threshold {}/{} is not a fraction n/d with 1/2 <= n/d < 1, d <= 100",
            c.threshold_num, c.threshold_den
        ));
    }
    let (lo, hi) = VOTING_PERIOD_RANGE_MS;
    if !(lo..=hi).contains(&c.voting_period_ms) {
        return Err(format!(
            "voting_period_ms = {} is out of range: it must be {lo} to {hi} ms (1 minute to 1 year)",
            c.voting_period_ms
        ));
    }
    Ok(())
}

/// Whether `yes` of `voters` votes pass a council's threshold: more than num/den of them.
pub fn passes(c: &pb::Council, yes: usize, voters: usize) -> bool {
    yes as u64 * u64::from(c.threshold_den) > voters as u64 * u64::from(c.threshold_num)
}

/// Whether `no` votes make passing impossible: even if every other voter said yes.
pub fn cannot_pass(c: &pb::Council, no: usize, voters: usize) -> bool {
    !passes(c, voters.saturating_sub(no), voters)
}

/// The Raft id of a node added by governance: its key's first 8 bytes with the top bit set,
/// so it never meets the ids 1, 2, ... of the genesis nodes and every node works it out
/// alone, the new node too.
pub fn node_id(node_key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = node_key.len().min(8);
    b[..n].copy_from_slice(&node_key[..n]);
    (1 << 63) | u64::from_be_bytes(b)
}

/// A member's short id: 1 to [`MAX_SHORT_ID`] lowercase ASCII letters, digits, `-` and `_`.
pub fn is_short_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SHORT_ID
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The names of the parameters `set-param` may change, in the order of `pb::Params`.
/// `max_tx_bytes` stays the genesis's: it decides how every block's transactions decode,
/// and so their ids, for every node that ever replays the chain.
pub const PARAM_NAMES: &[&str] = &[
    "tx_time_window_ms",
    "max_approval_ms",
    "purposes",
    "pi_security_threshold",
    "spi_security_threshold",
    "pi_contract_threshold",
    "max_block_txs",
    "block_time_skew_ms",
    "max_grant_term_ms",
    "law_utc_offset_minutes",
    "registration_review",
    "notice_period_ms",
    "certificate_validity_ms",
];

/// `params` with `change` applied, validated as a genesis is; the error says why not.
pub fn set_param(params: &pb::Params, change: &pb::SetParam) -> Result<pb::Params, String> {
    let mut f = ParamsFile::from_pb(params);
    let v = change.value;
    let unsigned = || u64::try_from(v).map_err(|_| format!("{} must not be negative", change.name));
    if change.name != "purposes" && !change.words.is_empty() {
        return Err(format!("{} takes a number, not words", change.name));
    }
    match change.name.as_str() {
        "tx_time_window_ms" => f.tx_time_window_ms = unsigned()?,
        "max_approval_ms" => f.max_approval_ms = unsigned()?,
        "purposes" => {
            if v != 0 {
                return Err("purposes takes words, not a number".into());
            }
            f.purposes.clone_from(&change.words);
        }
        "pi_security_threshold" => f.pi_security_threshold = unsigned()?,
        "spi_security_threshold" => f.spi_security_threshold = unsigned()?,
        "pi_contract_threshold" => f.pi_contract_threshold = unsigned()?,
        "max_block_txs" => f.max_block_txs = unsigned()?,
        "block_time_skew_ms" => f.block_time_skew_ms = unsigned()?,
        "max_grant_term_ms" => f.max_grant_term_ms = unsigned()?,
        "law_utc_offset_minutes" => {
            f.law_utc_offset_minutes = i32::try_from(v)
                .map_err(|_| format!("law_utc_offset_minutes = {v} is out of range"))?;
        }
        "registration_review" => {
            f.registration_review = match v {
                0 => false,
                1 => true,
                _ => return Err("registration_review is 0 (off) or 1 (on)".into()),
            }
        }
        "notice_period_ms" => f.notice_period_ms = unsigned()?,
        "certificate_validity_ms" => f.certificate_validity_ms = unsigned()?,
        other => {
            return Err(format!(
                "{other:?} is no parameter; one of {}",
                PARAM_NAMES.join(", ")
            ))
        }
    }
    // A wider window would make transactions count as new that nodes which joined by a
    // state snapshot no longer remember (a snapshot keeps the ids of the window it was
    // taken in): they would apply a replay the others refuse. Narrowing is safe.
    for (name, old, new) in [
        (
            "tx_time_window_ms",
            params.tx_time_window_ms,
            f.tx_time_window_ms,
        ),
        (
            "block_time_skew_ms",
            params.block_time_skew_ms,
            f.block_time_skew_ms,
        ),
    ] {
        if new > old {
            return Err(format!(
                "{name} may only be narrowed ({old} now): a wider window would let nodes that joined by snapshot take old transactions for new ones"
            ));
        }
    }
    f.validate().map_err(|e| match e {
        Error::Genesis(m) => m,
        other => other.to_string(),
    })?;
    Ok(f.to_pb())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn council(n: usize, num: u32, den: u32) -> pb::Council {
        pb::Council {
            members: (0..n).map(|i| vec![i as u8; 32]).collect(),
            threshold_num: num,
            threshold_den: den,
            voting_period_ms: DEFAULT_VOTING_PERIOD_MS,
        }
    }

    #[test]
    fn more_than_two_thirds_passes_and_a_blocking_third_rejects() {
        let c = council(3, 2, 3);
        assert!(!passes(&c, 2, 3), "2 of 3 is exactly two thirds, not more");
        assert!(passes(&c, 3, 3));
        assert!(
            cannot_pass(&c, 1, 3),
            "one no of three blocks a 2/3 council"
        );
        let c = council(4, 2, 3);
        assert!(passes(&c, 3, 4));
        assert!(!cannot_pass(&c, 1, 4));
        assert!(cannot_pass(&c, 2, 4));
        let c = council(1, 1, 2);
        assert!(passes(&c, 1, 1));
        assert!(cannot_pass(&c, 1, 1));
        assert_eq!(parse_threshold("1/2"), Some((1, 2)));
    }

    #[test]
    fn thresholds_parse_only_as_proper_fractions() {
        assert_eq!(parse_threshold("2/3"), Some((2, 3)));
        assert_eq!(parse_threshold(" 1 / 2 "), Some((1, 2)));
        for bad in [
            "3/3", "4/3", "2/0", "2/101", "2", "a/b", "-1/2", "0/3", "1/3",
        ] {
            assert_eq!(parse_threshold(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_parameter_changes_only_to_a_value_a_genesis_would_accept() {
        let p = ParamsFile::default().to_pb();
        let change = |name: &str, value: i64| pb::SetParam {
            name: name.into(),
            value,
            words: vec![],
        };
        let out = set_param(&p, &change("max_block_txs", 500)).unwrap();
        assert_eq!(out.max_block_txs, 500);
        assert_eq!(out.purposes, p.purposes);
        let err = set_param(&p, &change("max_block_txs", 0)).unwrap_err();
        assert!(err.contains("max_block_txs"), "{err}");
        assert!(set_param(&p, &change("max_block_txs", -1)).is_err());
        assert!(set_param(&p, &change("no_such", 1))
            .unwrap_err()
            .contains("no parameter"));
        let err = set_param(&p, &change("tx_time_window_ms", 900_000)).unwrap_err();
        assert!(err.contains("only be narrowed"), "{err}");
        let narrower = set_param(&p, &change("tx_time_window_ms", 300_000)).unwrap();
        assert_eq!(narrower.tx_time_window_ms, 300_000);
        let out = set_param(&p, &change("law_utc_offset_minutes", -300)).unwrap();
        assert_eq!(out.law_utc_offset_minutes, -300);
        let words = pb::SetParam {
            name: "purposes".into(),
            value: 0,
            words: vec!["ai-training".into()],
        };
        assert_eq!(set_param(&p, &words).unwrap().purposes, vec!["ai-training"]);
        let bad = pb::SetParam {
            words: vec!["Not A Code".into()],
            ..words
        };
        assert!(set_param(&p, &bad).is_err());
    }

    #[test]
    fn short_ids_are_lowercase_codes() {
        for good in ["org1", "regulator", "city-data_bureau"] {
            assert!(is_short_id(good), "{good}");
        }
        for bad in ["", "Org1", "org 1", "机构", &"a".repeat(65)] {
            assert!(!is_short_id(bad), "{bad}");
        }
    }
}
