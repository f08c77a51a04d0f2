//! Parsing of command-line values: dates, prices, lists, hashes, keys and enum words.

use anyhow::{anyhow, bail, Context};
use chrono::NaiveDate;
use shuquan_proto::pb;
use shuquan_proto::tx::fields::{is_jurisdiction, is_purpose_code};
use shuquan_proto::{Hash32, PublicKey};

/// `YYYY-MM-DD` as the end of that day (UTC), exclusive: ms of the next midnight.
pub(crate) fn end_of_day(s: &str) -> anyhow::Result<u64> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("{s:?} is not a date like 2027-12-31"))?;
    let next = d.succ_opt().ok_or_else(|| anyhow!("{s} is out of range"))?;
    Ok(next
        .and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis()) as u64)
}

/// `YYYY-MM-DD` as the start of that day (UTC).
pub(crate) fn start_of_day(s: &str) -> anyhow::Result<u64> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("{s:?} is not a date like 2027-01-01"))?;
    Ok(d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis()) as u64)
}

/// `1200.00CNY` → 120000 minor units of CNY.
pub(crate) fn price(s: &str) -> anyhow::Result<pb::Price> {
    let split = s
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| anyhow!("price {s:?} needs a currency, like 1200.00CNY"))?;
    let (amount, currency) = s.split_at(split);
    let currency = currency.trim().to_ascii_uppercase();
    if currency.len() != 3 {
        bail!("price {s:?}: currency {currency:?} is not a 3-letter ISO 4217 code");
    }
    let (units, cents) = match amount.trim().split_once('.') {
        Some((u, c)) if c.len() <= 2 => (u, format!("{c:0<2}")),
        Some(_) => bail!("price {s:?}: at most two decimals"),
        None => (amount.trim(), "00".to_string()),
    };
    let units: u64 = units
        .parse()
        .with_context(|| format!("price {s:?}: {units:?} is not a number"))?;
    let cents: u64 = cents
        .parse()
        .with_context(|| format!("price {s:?}: bad decimals"))?;
    let amount_minor = units
        .checked_mul(100)
        .and_then(|v| v.checked_add(cents))
        .ok_or_else(|| anyhow!("price {s:?} is too large"))?;
    Ok(pb::Price {
        amount_minor,
        currency,
    })
}

/// A comma-separated list, trimmed, without empty entries.
pub(crate) fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

pub(crate) fn hash(s: &str, what: &str) -> anyhow::Result<Vec<u8>> {
    let h: Hash32 = s.parse().with_context(|| format!("{what} {s:?}"))?;
    Ok(h.to_vec())
}

pub(crate) fn opt_hash(s: Option<&str>, what: &str) -> anyhow::Result<Vec<u8>> {
    s.map_or(Ok(Vec::new()), |s| hash(s, what))
}

pub(crate) fn key(s: &str, what: &str) -> anyhow::Result<Vec<u8>> {
    let k: PublicKey = s
        .parse()
        .with_context(|| format!("{what} {s:?} (a member's public key, 64 hex digits)"))?;
    Ok(k.to_vec())
}

pub(crate) fn jurisdictions(s: &str) -> anyhow::Result<Vec<String>> {
    let v: Vec<String> = list(s)
        .into_iter()
        .map(|j| j.to_ascii_uppercase())
        .collect();
    for j in &v {
        if !is_jurisdiction(j) {
            bail!("{j:?} is not an ISO 3166-1 alpha-2 code such as CN or VN");
        }
    }
    Ok(v)
}

pub(crate) fn purposes(s: &str) -> anyhow::Result<Vec<String>> {
    let v = list(s);
    for p in &v {
        if !is_purpose_code(p) {
            bail!("purpose {p:?} is not a kebab-case code such as academic-research (see GET /v1/genesis)");
        }
    }
    Ok(v)
}

/// An enum value from its kebab-case word, e.g. `standard-contract` for `ExportPath`.
pub(crate) fn word<E: Copy + Into<i32>>(
    s: &str,
    what: &str,
    all: &[(&str, E)],
) -> anyhow::Result<i32> {
    all.iter()
        .find(|(w, _)| *w == s.trim())
        .map(|(_, e)| (*e).into())
        .ok_or_else(|| {
            anyhow!(
                "{what} {s:?}: use one of {}",
                all.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(", ")
            )
        })
}

pub(crate) const ACTIONS: &[(&str, pb::Action)] = &[
    ("read", pb::Action::Read),
    ("query", pb::Action::Query),
    ("compute", pb::Action::Compute),
    ("verify", pb::Action::Verify),
    ("derive", pb::Action::Derive),
];
pub(crate) const DELIVERY: &[(&str, pb::DeliveryMode)] = &[
    ("download", pb::DeliveryMode::Download),
    ("query", pb::DeliveryMode::Query),
    ("compute", pb::DeliveryMode::Compute),
    ("verify", pb::DeliveryMode::Verify),
];
pub(crate) const RIGHTS: &[(&str, pb::Right)] = &[
    ("hold", pb::Right::Hold),
    ("use", pb::Right::Use),
    ("operate", pb::Right::Operate),
];
pub(crate) const PATHS: &[(&str, pb::ExportPath)] = &[
    ("exempt", pb::ExportPath::Exempt),
    ("standard-contract", pb::ExportPath::StandardContract),
    ("certification", pb::ExportPath::Certification),
    ("security-assessment", pb::ExportPath::SecurityAssessment),
];
pub(crate) const ORIGINS: &[(&str, pb::Origin)] = &[
    ("public", pb::Origin::Public),
    ("enterprise", pb::Origin::Enterprise),
    ("personal", pb::Origin::Personal),
];
pub(crate) const GRADES: &[(&str, pb::Grade)] = &[
    ("general", pb::Grade::General),
    ("important", pb::Grade::Important),
];
pub(crate) const ATTEST_KINDS: &[(&str, pb::AttestKind)] = &[
    ("compliance", pb::AttestKind::Compliance),
    ("quality", pb::AttestKind::Quality),
    ("valuation", pb::AttestKind::Valuation),
    ("anonymisation", pb::AttestKind::Anonymisation),
    ("security", pb::AttestKind::Security),
    ("deletion", pb::AttestKind::Deletion),
];
pub(crate) const ATTEST_RESULTS: &[(&str, pb::AttestResult)] = &[
    ("pass", pb::AttestResult::Pass),
    ("fail", pb::AttestResult::Fail),
    ("info", pb::AttestResult::Info),
];

/// A list of enum words.
pub(crate) fn words<E: Copy + Into<i32>>(
    s: &str,
    what: &str,
    all: &[(&str, E)],
) -> anyhow::Result<Vec<i32>> {
    list(s).iter().map(|w| word(w, what, all)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_to_minor_units() {
        assert_eq!(
            price("1200.00CNY").map(|p| p.amount_minor).ok(),
            Some(120_000)
        );
        assert_eq!(
            price("7.5 usd").map(|p| (p.amount_minor, p.currency)).ok(),
            Some((750, "USD".into()))
        );
        assert!(price("12.345CNY").is_err());
        assert!(price("12").is_err());
    }

    #[test]
    fn dates_are_utc_days() {
        assert_eq!(start_of_day("1970-01-02").ok(), Some(86_400_000));
        assert_eq!(end_of_day("1970-01-01").ok(), Some(86_400_000));
        assert!(end_of_day("2027-13-01").is_err());
    }
}
