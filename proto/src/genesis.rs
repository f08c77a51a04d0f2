//! The genesis file: chain id, founding members and parameters, as TOML or JSON, and the
//! canonical protobuf form whose hash names the chain's beginning.
//!
//! ```toml
//! chain_id = "shuquan-dev"
//! genesis_time_ms = 1767225600000
//! hash = "blake3"               # or "sm3": every id, root and digest (fixed for good)
//!
//! [params]                      # every key optional; defaults below
//! purposes = ["academic-research", "public-governance"]
//!
//! [[members]]
//! id = "org1"
//! name = "Nanning Big Data Bureau"
//! org_code = "11450100MB0000001X"
//! jurisdiction = "CN"
//! roles = ["member"]
//! account_keys = ["<64 hex>"]  # ed25519 (64 hex) or SM2 (66 hex) keys
//! node_key = "<64 hex>"         # optional: members that run a node (ed25519, its p2p id)
//! cert_key = "<66 hex>"         # optional: the key its node certifies blocks with
//!                               # (required, SM2, on sm3 chains)
//! node_addr = "127.0.0.1:7100"  # optional
//! is_ciio = false
//! ```

use serde::{Deserialize, Serialize};

use crate::gov::{is_short_id, CouncilFile};
use crate::hash::{domain, Hash32, HashFunction, Hashing};
use crate::keys::{PublicKey, Scheme};
use crate::pb;
use crate::tx::fields::{is_jurisdiction, is_purpose_code};
use crate::tx::DEFAULT_MAX_TX_BYTES;
use crate::Error;

/// The purposes a dev or new chain starts with.
pub const DEFAULT_PURPOSES: &[&str] = &[
    "academic-research",
    "public-governance",
    "healthcare-research",
    "financial-risk-control",
    "credit-assessment",
    "product-development",
    "marketing-analytics",
    "transport-planning",
    "official-statistics",
    "ai-training",
];

/// The members of development chains and local devnets: key-file name (also the member
/// id), institution, jurisdiction, roles. Devnets with more nodes add `org3`, `org4`, ...
/// The regulator is also the registrar that reviews registrations.
pub const DEV_MEMBERS: &[(&str, &str, &str, &[&str])] = &[
    ("org1", "Nanning Big Data Exchange", "CN", &["member"]),
    ("org2", "Hanoi Digital Data Co.", "VN", &["member"]),
    (
        "regulator",
        "Cyberspace Administration (dev)",
        "CN",
        &["regulator", "registrar"],
    ),
    ("auditor", "Beibu Gulf Data Audit (dev)", "CN", &["auditor"]),
];

/// The `i`-th development member (from 0): [`DEV_MEMBERS`], then `org3`, `org4`, ...
pub fn dev_member(i: usize, account_key: PublicKey) -> MemberFile {
    let (id, name, jurisdiction, roles): (_, _, _, &[&str]) = match DEV_MEMBERS.get(i) {
        Some((id, name, j, roles)) => (id.to_string(), name.to_string(), *j, roles),
        None => {
            let n = i - DEV_MEMBERS.len() + 3;
            (
                format!("org{n}"),
                format!("Member Institution {n} (dev)"),
                "CN",
                &["member"],
            )
        }
    };
    MemberFile {
        org_code: format!("DEV-{}", id.to_ascii_uppercase()),
        id,
        name,
        jurisdiction: jurisdiction.to_string(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        account_keys: vec![account_key],
        node_key: None,
        cert_key: None,
        node_addr: String::new(),
        is_ciio: false,
        learner: false,
    }
}

/// Roles a genesis member may hold, as written in the file.
pub const ROLE_NAMES: &[(&str, pb::Role)] = &[
    ("member", pb::Role::Member),
    ("registrar", pb::Role::Registrar),
    ("regulator", pb::Role::Regulator),
    ("auditor", pb::Role::Auditor),
    ("evaluator", pb::Role::Evaluator),
];

/// Chain parameters (docs/DATA-RIGHTS.md: legal thresholds are parameters, never constants).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ParamsFile {
    /// How far a transaction's timestamp may be from its block's time.
    pub tx_time_window_ms: u64,
    /// The longest validity of a cross-border approval.
    pub max_approval_ms: u64,
    /// The closed list of purpose codes grants may name.
    pub purposes: Vec<String>,
    /// Personal-information subjects per exporter and year above which a security
    /// assessment is needed.
    pub pi_security_threshold: u64,
    /// Sensitive-PI subjects per exporter and year above which a security assessment is needed.
    pub spi_security_threshold: u64,
    /// PI subjects per exporter and year from which a standard contract or certification is needed.
    pub pi_contract_threshold: u64,
    /// Largest encoded transaction.
    pub max_tx_bytes: u64,
    /// Most transactions in one block.
    pub max_block_txs: u64,
    /// How far a block's time may be from the median timestamp of its transactions: a
    /// leader whose clock is off cannot move the chain's time further than this.
    pub block_time_skew_ms: u64,
    /// The longest term of a grant (`not_after`) or an attestation (`valid_until`), from
    /// block time.
    pub max_grant_term_ms: u64,
    /// The offset from UTC, in minutes, of the calendar year the yearly export counters
    /// follow (the law's year: China's, UTC+8, by default).
    pub law_utc_offset_minutes: i32,
    /// Registrations need a registrar's review, a public notice and a certificate
    /// (docs/REGISTRATION.md); `false` certifies a registration in its own block.
    pub registration_review: bool,
    /// How long an accepted application stays in public notice (block time).
    pub notice_period_ms: u64,
    /// How long a certificate is valid from its effective date; 0 for no end.
    pub certificate_validity_ms: u64,
    /// The prefix of registration numbers (`PREFIX-YEAR-SERIAL`): 1 to 8 capital letters
    /// or digits.
    pub registration_prefix: String,
}

const SECOND: u64 = 1000;
const DAY: u64 = 86_400 * SECOND;
const YEAR: u64 = 365 * DAY;

/// The range each numeric parameter must lie in, with the unit it is shown in.
struct Range {
    name: &'static str,
    min: u64,
    max: u64,
    unit: &'static str,
}

impl Range {
    fn check(&self, v: u64) -> Result<(), Error> {
        if (self.min..=self.max).contains(&v) {
            return Ok(());
        }
        Err(Error::Genesis(format!(
            "params.{} = {v} is out of range: it must be {} to {}{}",
            self.name, self.min, self.max, self.unit
        )))
    }
}

impl Default for ParamsFile {
    fn default() -> Self {
        ParamsFile {
            tx_time_window_ms: 600_000,
            max_approval_ms: 3 * 365 * 24 * 3600 * 1000,
            purposes: DEFAULT_PURPOSES.iter().map(|s| s.to_string()).collect(),
            pi_security_threshold: 1_000_000,
            spi_security_threshold: 10_000,
            pi_contract_threshold: 100_000,
            max_tx_bytes: DEFAULT_MAX_TX_BYTES as u64,
            max_block_txs: 2_000,
            block_time_skew_ms: 60 * SECOND,
            max_grant_term_ms: 10 * YEAR,
            law_utc_offset_minutes: 8 * 60,
            registration_review: true,
            notice_period_ms: 3 * DAY,
            certificate_validity_ms: 3 * YEAR,
            registration_prefix: "SQ".into(),
        }
    }
}

impl ParamsFile {
    /// The parameters of development chains and devnets: registrations reviewed, with a
    /// notice short enough for a walkthrough ([`DEV_NOTICE_PERIOD_MS`]) and numbers
    /// prefixed [`DEV_REGISTRATION_PREFIX`].
    pub fn dev() -> Self {
        ParamsFile {
            notice_period_ms: DEV_NOTICE_PERIOD_MS,
            registration_prefix: DEV_REGISTRATION_PREFIX.into(),
            ..ParamsFile::default()
        }
    }
}

/// The notice period of development chains and devnets: short enough for a walkthrough.
pub const DEV_NOTICE_PERIOD_MS: u64 = 10 * SECOND;

/// The registration-number prefix of development chains and devnets.
pub const DEV_REGISTRATION_PREFIX: &str = "GX";

impl ParamsFile {
    /// The file form of chain parameters.
    pub fn from_pb(p: &pb::Params) -> Self {
        ParamsFile {
            tx_time_window_ms: p.tx_time_window_ms,
            max_approval_ms: p.max_approval_ms,
            purposes: p.purposes.clone(),
            pi_security_threshold: p.pi_security_threshold,
            spi_security_threshold: p.spi_security_threshold,
            pi_contract_threshold: p.pi_contract_threshold,
            max_tx_bytes: p.max_tx_bytes,
            max_block_txs: p.max_block_txs,
            block_time_skew_ms: p.block_time_skew_ms,
            max_grant_term_ms: p.max_grant_term_ms,
            law_utc_offset_minutes: p.law_utc_offset_minutes,
            registration_review: p.registration_review,
            notice_period_ms: p.notice_period_ms,
            certificate_validity_ms: p.certificate_validity_ms,
            registration_prefix: p.registration_prefix.clone(),
        }
    }

    /// The canonical form (unchecked: see [`ParamsFile::validate`]).
    pub fn to_pb(&self) -> pb::Params {
        pb::Params {
            tx_time_window_ms: self.tx_time_window_ms,
            max_approval_ms: self.max_approval_ms,
            purposes: self.purposes.clone(),
            pi_security_threshold: self.pi_security_threshold,
            spi_security_threshold: self.spi_security_threshold,
            pi_contract_threshold: self.pi_contract_threshold,
            max_tx_bytes: self.max_tx_bytes,
            max_block_txs: self.max_block_txs,
            block_time_skew_ms: self.block_time_skew_ms,
            max_grant_term_ms: self.max_grant_term_ms,
            law_utc_offset_minutes: self.law_utc_offset_minutes,
            registration_review: self.registration_review,
            notice_period_ms: self.notice_period_ms,
            certificate_validity_ms: self.certificate_validity_ms,
            registration_prefix: self.registration_prefix.clone(),
        }
    }

    /// Checks every parameter's range and their order; the error names the parameter.
    pub fn validate(&self) -> Result<(), Error> {
        let fail = |m: String| Err(Error::Genesis(m));
        let ranges = [
            (
                Range {
                    name: "tx_time_window_ms",
                    min: SECOND,
                    max: DAY,
                    unit: " ms (1 s to 1 day)",
                },
                self.tx_time_window_ms,
            ),
            (
                Range {
                    name: "max_approval_ms",
                    min: DAY,
                    max: 10 * YEAR,
                    unit: " ms (1 day to 10 years)",
                },
                self.max_approval_ms,
            ),
            (
                Range {
                    name: "max_grant_term_ms",
                    min: DAY,
                    max: 100 * YEAR,
                    unit: " ms (1 day to 100 years)",
                },
                self.max_grant_term_ms,
            ),
            (
                Range {
                    name: "pi_contract_threshold",
                    min: 1,
                    max: u64::MAX,
                    unit: " subjects",
                },
                self.pi_contract_threshold,
            ),
            (
                Range {
                    name: "pi_security_threshold",
                    min: 1,
                    max: u64::MAX,
                    unit: " subjects",
                },
                self.pi_security_threshold,
            ),
            (
                Range {
                    name: "spi_security_threshold",
                    min: 1,
                    max: u64::MAX,
                    unit: " subjects",
                },
                self.spi_security_threshold,
            ),
            (
                Range {
                    name: "max_tx_bytes",
                    min: 1024,
                    max: 4 << 20,
                    unit: " bytes (1 KiB to 4 MiB)",
                },
                self.max_tx_bytes,
            ),
            (
                Range {
                    name: "max_block_txs",
                    min: 1,
                    max: 100_000,
                    unit: " transactions",
                },
                self.max_block_txs,
            ),
            (
                Range {
                    name: "block_time_skew_ms",
                    min: SECOND,
                    max: self.tx_time_window_ms / 2,
                    unit: " ms (1 s to half of tx_time_window_ms)",
                },
                self.block_time_skew_ms,
            ),
        ];
        for (range, value) in ranges {
            range.check(value)?;
        }
        Range {
            name: "notice_period_ms",
            min: SECOND,
            max: 365 * DAY,
            unit: " ms (1 s to 1 year)",
        }
        .check(self.notice_period_ms)?;
        if self.certificate_validity_ms != 0 {
            Range {
                name: "certificate_validity_ms",
                min: DAY,
                max: 100 * YEAR,
                unit: " ms (0 for no end, or 1 day to 100 years)",
            }
            .check(self.certificate_validity_ms)?;
        }
        let prefix = &self.registration_prefix;
        if prefix.is_empty()
            || prefix.len() > 8
            || !prefix
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return fail(format!(
                "params.registration_prefix = {prefix:?}: it must be 1 to 8 capital letters or digits (like GX)"
            ));
        }
        if !(-12 * 60..=14 * 60).contains(&self.law_utc_offset_minutes) {
            return fail(format!(
                "params.law_utc_offset_minutes = {} is out of range: it must be -720 to 840 (UTC-12 to UTC+14)",
                self.law_utc_offset_minutes
            ));
        }
        if self.pi_contract_threshold > self.pi_security_threshold {
            return fail(format!(
                "params.pi_contract_threshold ({}) must not exceed params.pi_security_threshold ({})",
                self.pi_contract_threshold, self.pi_security_threshold
            ));
        }
        if self.max_approval_ms > self.max_grant_term_ms {
            return fail(format!(
                "params.max_approval_ms ({}) must not exceed params.max_grant_term_ms ({}): an approval never outlives the longest grant",
                self.max_approval_ms, self.max_grant_term_ms
            ));
        }
        if self.purposes.is_empty() || self.purposes.len() > MAX_PURPOSES {
            return fail(format!(
                "params.purposes has {} entries; it needs 1 to {MAX_PURPOSES}",
                self.purposes.len()
            ));
        }
        for (i, purpose) in self.purposes.iter().enumerate() {
            if !is_purpose_code(purpose) {
                return fail(format!(
                    "params.purposes: {purpose:?} is not a kebab-case code"
                ));
            }
            if self.purposes[..i].contains(purpose) {
                return fail(format!("params.purposes lists {purpose:?} twice"));
            }
        }
        Ok(())
    }
}

/// Most purpose codes a genesis may list.
pub const MAX_PURPOSES: usize = 256;

/// The latest time any field of the chain may name: the end of year 9999 (UTC).
pub const MAX_TIME_MS: u64 = 253_402_300_799_999;

/// A founding member as written in the genesis file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MemberFile {
    /// Short unique id (`org1`).
    pub id: String,
    /// Institution name.
    pub name: String,
    /// Unified social credit code or similar.
    #[serde(default)]
    pub org_code: String,
    /// Where the institution is (ISO 3166-1 alpha-2).
    pub jurisdiction: String,
    /// `member`, `regulator`, `auditor`, `registrar`, `evaluator`.
    pub roles: Vec<String>,
    /// Keys that sign its transactions (hex).
    pub account_keys: Vec<PublicKey>,
    /// The key of its node, if it runs one (hex; ed25519: the node's p2p identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_key: Option<PublicKey>,
    /// The key its node signs block certificates with, if not the node key (hex; on sm3
    /// chains required and SM2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_key: Option<PublicKey>,
    /// Its node's address, if it runs one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub node_addr: String,
    /// Critical information infrastructure operator.
    #[serde(default)]
    pub is_ciio: bool,
    /// Its node starts as a learner (applies, serves, signs; certifies and votes in Raft
    /// only once promoted). Default: a voter.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub learner: bool,
}

/// The genesis file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GenesisFile {
    /// The chain's id; every transaction names it.
    pub chain_id: String,
    /// The chain's start, ms since the Unix epoch (the first block is not earlier).
    pub genesis_time_ms: u64,
    /// The hash function of every id, root and digest: `blake3` (default) or `sm3`.
    #[serde(
        default,
        with = "hash_name",
        skip_serializing_if = "hash_name::is_default"
    )]
    pub hash: HashFunction,
    /// Parameters.
    #[serde(default)]
    pub params: ParamsFile,
    /// Founding members.
    pub members: Vec<MemberFile>,
    /// Who decides governance proposals (default: the members that run a node, more than
    /// two thirds, 7 days).
    #[serde(default)]
    pub council: CouncilFile,
}

impl GenesisFile {
    /// Parses TOML, or JSON when the text starts with `{`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| Error::Genesis(format!("invalid JSON: {e}")))
        } else {
            toml::from_str(text).map_err(|e| Error::Genesis(format!("invalid TOML: {e}")))
        }
    }

    /// The file as TOML.
    pub fn to_toml(&self) -> Result<String, Error> {
        toml::to_string_pretty(self).map_err(|e| Error::Genesis(e.to_string()))
    }

    /// Checks the file and converts it to its canonical protobuf form.
    pub fn to_pb(&self) -> Result<pb::Genesis, Error> {
        let fail = |m: String| Err(Error::Genesis(m));
        if self.chain_id.is_empty() || self.chain_id.len() > 64 {
            return fail("chain_id must be 1 to 64 characters".into());
        }
        if self.members.is_empty() {
            return fail("at least one member is needed".into());
        }
        if self.genesis_time_ms == 0 || self.genesis_time_ms > MAX_TIME_MS {
            return fail(format!(
                "genesis_time_ms = {} is not a time between 1970 and 9999 (ms since the Unix epoch)",
                self.genesis_time_ms
            ));
        }
        let p = &self.params;
        p.validate()?;
        let nodes = self.members.iter().filter(|m| m.node_key.is_some());
        if nodes.clone().count() > 0 && nodes.clone().all(|m| m.learner) {
            return fail("every node is a learner: at least one must be a voter".into());
        }
        let mut members = Vec::with_capacity(self.members.len());
        let mut seen_keys = std::collections::HashSet::new();
        for (i, m) in self.members.iter().enumerate() {
            let at = format!("members[{i}] ({})", m.id);
            if !is_short_id(&m.id) {
                return fail(format!(
                    "{at}: id must be 1 to 64 lowercase letters, digits, - or _ (like org1)"
                ));
            }
            if self.members[..i].iter().any(|o| o.id == m.id) {
                return fail(format!("{at}: id is used twice"));
            }
            if !is_jurisdiction(&m.jurisdiction) {
                return fail(format!(
                    "{at}: jurisdiction {:?} is not like CN",
                    m.jurisdiction
                ));
            }
            if m.account_keys.is_empty() {
                return fail(format!("{at}: needs at least one account key"));
            }
            for k in m
                .account_keys
                .iter()
                .chain(m.node_key.iter())
                .chain(m.cert_key.iter())
            {
                if !seen_keys.insert(*k) {
                    return fail(format!("{at}: key {k} is used twice in genesis"));
                }
            }
            check_node_keys(self.hash, m.node_key, m.cert_key)
                .map_err(|e| Error::Genesis(format!("{at}: {e}")))?;
            if let Some(k) = m
                .account_keys
                .iter()
                .find(|k| self.hash == HashFunction::Blake3 && k.scheme() != Scheme::Ed25519)
            {
                return fail(format!(
                    "{at}: account key {k} is {}: SM2 keys are for sm3 chains (hash = \"sm3\")",
                    k.scheme()
                ));
            }
            let mut roles = Vec::new();
            for r in &m.roles {
                let Some((_, role)) = ROLE_NAMES.iter().find(|(n, _)| n == r) else {
                    return fail(format!("{at}: unknown role {r:?}"));
                };
                if !roles.contains(&(*role as i32)) {
                    roles.push(*role as i32);
                }
            }
            members.push(pb::Member {
                id: m.id.clone(),
                name: m.name.clone(),
                org_code: m.org_code.clone(),
                jurisdiction: m.jurisdiction.clone(),
                roles,
                account_keys: m.account_keys.iter().map(|k| k.to_vec()).collect(),
                node_key: m.node_key.map(|k| k.to_vec()).unwrap_or_default(),
                cert_key: m.cert_key.map(|k| k.to_vec()).unwrap_or_default(),
                is_ciio: m.is_ciio,
                status: pb::MemberStatus::Active as i32,
                node_addr: m.node_addr.clone(),
                former_keys: Vec::new(),
                node_learner: m.learner && m.node_key.is_some(),
            });
        }
        Ok(pb::Genesis {
            chain_id: self.chain_id.clone(),
            genesis_time_ms: self.genesis_time_ms,
            members,
            params: Some(p.to_pb()),
            council: Some(self.council.to_pb(self)?),
            hash: hash_to_pb(self.hash) as i32,
        })
    }
}

/// Checks a node's keys against the chain's hash function: the node key is ed25519 (the
/// node's p2p identity); on an sm3 chain the node names an SM2 certificate key, on a
/// blake3 chain none (it certifies with its node key, as it always did); a certificate key
/// needs a node. Genesis members and governance's add-node both pass here.
pub fn check_node_keys(
    hash: HashFunction,
    node_key: Option<PublicKey>,
    cert_key: Option<PublicKey>,
) -> Result<(), String> {
    match (node_key, cert_key) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err("cert_key needs a node_key".into()),
        (Some(n), _) if n.scheme() != Scheme::Ed25519 => Err(format!(
            "node_key {n} is {}: a node key is ed25519 (its p2p identity)",
            n.scheme()
        )),
        (Some(_), Some(_)) if hash == HashFunction::Blake3 => Err(
            "cert_key is for sm3 chains: on a blake3 chain a node certifies with its node key"
                .into(),
        ),
        (Some(_), None) if hash == HashFunction::Sm3 => {
            Err("an sm3 chain's node needs an SM2 cert_key to certify blocks with".into())
        }
        (Some(_), Some(c)) if hash == HashFunction::Sm3 && c.scheme() != Scheme::Sm2 => {
            Err(format!(
                "cert_key {c} is {}: an sm3 chain certifies blocks with SM2",
                c.scheme()
            ))
        }
        (Some(n), Some(c)) if n == c => Err("cert_key is the node key: leave it out".into()),
        _ => Ok(()),
    }
}

/// The protobuf form of a hash function.
pub fn hash_to_pb(f: HashFunction) -> pb::HashFunction {
    match f {
        HashFunction::Blake3 => pb::HashFunction::Blake3,
        HashFunction::Sm3 => pb::HashFunction::Sm3,
    }
}

/// The hash function a genesis chooses. An unknown value (from a newer genesis) is an
/// error rather than a guess.
pub fn hash_function(genesis: &pb::Genesis) -> Result<HashFunction, Error> {
    match pb::HashFunction::try_from(genesis.hash) {
        Ok(pb::HashFunction::Blake3) => Ok(HashFunction::Blake3),
        Ok(pb::HashFunction::Sm3) => Ok(HashFunction::Sm3),
        Err(_) => Err(Error::Genesis(format!(
            "hash function {} is unknown to this version",
            genesis.hash
        ))),
    }
}

/// The hashing of a genesis's chain (BLAKE3 for a value unknown to this version: such a
/// genesis fails [`hash_function`] wherever it is loaded).
pub fn hashing(genesis: &pb::Genesis) -> Hashing {
    hash_function(genesis).unwrap_or_default().hashing()
}

/// `H("genesis", encoded genesis)`, with the genesis's own hash function.
pub fn genesis_hash(genesis: &pb::Genesis) -> Hash32 {
    use prost::Message;
    hashing(genesis).tagged(domain::GENESIS, &[&genesis.encode_to_vec()])
}

/// The genesis file's `hash` as its name.
mod hash_name {
    use super::HashFunction;

    pub(super) fn is_default(f: &HashFunction) -> bool {
        *f == HashFunction::default()
    }

    pub(super) fn serialize<S: serde::Serializer>(
        f: &HashFunction,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(f.name())
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<HashFunction, D::Error> {
        let name = <String as serde::Deserialize>::deserialize(d)?;
        HashFunction::from_name(&name).ok_or_else(|| {
            serde::de::Error::custom(format!("hash {name:?}: expected \"blake3\" or \"sm3\""))
        })
    }
}
