//! Parsing of command-line values: dates, prices, lists, hashes, keys and enum words.

use anyhow::{anyhow, bail, Context};
use chrono::{Datelike, NaiveDate};
use shuquan_proto::pb;
use shuquan_proto::tx::fields::{is_jurisdiction, is_purpose_code};
use shuquan_proto::{Hash32, PublicKey};

/// A `YYYY-MM-DD` date from 1970 through 9999: a date before the Unix epoch (a typo such as
/// `0026-12-31`) would otherwise wrap around into a time that never comes.
fn date(s: &str, example: &str) -> anyhow::Result<NaiveDate> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("{s:?} is not a date like {example}"))?;
    let year = d.year();
    if !(1970..=9999).contains(&year) {
        let hint = if (0..100).contains(&year) {
            format!(
                " (did you mean {}?)",
                d.with_year(2000 + year)
                    .map_or(String::new(), |d| d.to_string())
            )
        } else {
            String::new()
        };
        bail!("{s:?}: the year must be 1970 to 9999{hint}");
    }
    Ok(d)
}

/// How days given as `YYYY-MM-DD` are read: in the chain's time zone (the UTC offset its
/// genesis gives the law, `law_utc_offset_minutes`), so `--not-after 2028-12-31` on a
/// +08:00 chain ends at midnight in Beijing, as the tables then show it; `--utc` reads them
/// as UTC days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Days {
    offset_ms: i64,
}

impl Days {
    /// UTC days.
    pub(crate) const UTC: Days = Days { offset_ms: 0 };

    /// Days of the zone `minutes` east of UTC.
    pub(crate) fn east(minutes: i32) -> Days {
        Days {
            offset_ms: i64::from(minutes) * 60_000,
        }
    }

    /// Milliseconds since the epoch of the midnight that starts `d` in this zone.
    fn midnight_ms(&self, d: NaiveDate) -> anyhow::Result<u64> {
        let ms = d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis() - self.offset_ms)
            .ok_or_else(|| anyhow!("{d} has no midnight"))?;
        u64::try_from(ms).map_err(|_| anyhow!("{d} is before 1970"))
    }

    /// `YYYY-MM-DD` as the end of that day, exclusive: ms of the next midnight.
    pub(crate) fn end(&self, s: &str) -> anyhow::Result<u64> {
        let d = date(s, "2027-12-31")?;
        self.midnight_ms(d.succ_opt().ok_or_else(|| anyhow!("{s} is out of range"))?)
    }

    /// `YYYY-MM-DD` as the start of that day.
    pub(crate) fn start(&self, s: &str) -> anyhow::Result<u64> {
        self.midnight_ms(date(s, "2027-01-01")?)
    }

    /// A deadline: the end of a day `YYYY-MM-DD`, or a span from `now_ms` like `30d`.
    pub(crate) fn deadline(&self, s: &str, what: &str, now_ms: u64) -> anyhow::Result<u64> {
        if s.trim().contains('-') {
            return self.end(s.trim()).with_context(|| what.to_string());
        }
        let span = duration(s, what)
            .with_context(|| format!("{what} takes a day (2027-06-30) or a span from now (30d)"))?;
        now_ms
            .checked_add(span)
            .ok_or_else(|| anyhow!("{what} {s:?} is too far"))
    }
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

/// A span of time like `90d`, `12h`, `30m`, `45s`, `2w` or `1y` (365 days), in ms.
pub(crate) fn duration(s: &str, what: &str) -> anyhow::Result<u64> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| anyhow!("{what} {s:?} needs a unit, like 90d (s, m, h, d, w or y)"))?;
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .with_context(|| format!("{what} {s:?} is not a span like 90d"))?;
    let ms: u64 = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        "y" => 365 * 86_400_000,
        other => bail!("{what} {s:?}: unit {other:?} is none of s, m, h, d, w, y (as in 90d)"),
    };
    match n.checked_mul(ms) {
        Some(0) => bail!("{what} {s:?} must be longer than zero"),
        Some(v) => Ok(v),
        None => bail!("{what} {s:?} is too long"),
    }
}

/// Whether `s` is a member id or an account key in hex: 64 digits (a member id or an
/// ed25519 key) or 66 (an SM2 key).
pub(crate) fn is_id_or_key_hex(s: &str) -> bool {
    (s.len() == 64 || s.len() == 66) && hex::decode(s).is_ok()
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
    let k: PublicKey = s.parse().with_context(|| {
        format!("{what} {s:?} (a public key: 64 hex digits for ed25519, 66 for SM2)")
    })?;
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

/// One purpose code.
pub(crate) fn purpose(s: &str, what: &str) -> anyhow::Result<String> {
    let s = s.trim();
    if !is_purpose_code(s) {
        bail!(
            "{what} {s:?} is not a kebab-case code such as academic-research (see GET /v1/genesis)"
        );
    }
    Ok(s.to_string())
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

pub(crate) const PRICE_UNITS: &[(&str, pb::PriceUnit)] = &[
    ("one-off", pb::PriceUnit::OneOff),
    ("per-use", pb::PriceUnit::PerUse),
    ("per-month", pb::PriceUnit::PerMonth),
    ("per-year", pb::PriceUnit::PerYear),
];
pub(crate) const DECLINE_REASONS: &[(&str, pb::DeclineReason)] = &[
    (
        "purpose-not-supported",
        pb::DeclineReason::PurposeNotSupported,
    ),
    ("scope-too-broad", pb::DeclineReason::ScopeTooBroad),
    ("security", pb::DeclineReason::Security),
    ("legal-restriction", pb::DeclineReason::LegalRestriction),
    ("not-available", pb::DeclineReason::NotAvailable),
    ("other", pb::DeclineReason::Other),
];

pub(crate) const SHARING: &[(&str, pb::SharingClass)] = &[
    ("unconditional", pb::SharingClass::Unconditional),
    ("conditional", pb::SharingClass::Conditional),
    ("not-shared", pb::SharingClass::NotShared),
];
pub(crate) const REVIEW_REASONS: &[(&str, pb::ReviewReason)] = &[
    ("incomplete", pb::ReviewReason::Incomplete),
    (
        "evidence-insufficient",
        pb::ReviewReason::EvidenceInsufficient,
    ),
    ("rights-unclear", pb::ReviewReason::RightsUnclear),
    ("unlawful-source", pb::ReviewReason::UnlawfulSource),
    (
        "personal-info-unresolved",
        pb::ReviewReason::PersonalInfoUnresolved,
    ),
    ("not-a-data-resource", pb::ReviewReason::NotADataResource),
    ("duplicate", pb::ReviewReason::Duplicate),
];
pub(crate) const OBJECTION_REASONS: &[(&str, pb::ObjectionReason)] = &[
    ("ownership", pb::ObjectionReason::Ownership),
    ("unlawful-source", pb::ObjectionReason::UnlawfulSource),
    ("personal-info", pb::ObjectionReason::PersonalInfo),
    ("inaccurate", pb::ObjectionReason::Inaccurate),
    ("other", pb::ObjectionReason::Other),
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
    fn spans_and_deadlines_read_days_or_dates() {
        assert_eq!(duration("90d", "--duration").ok(), Some(90 * 86_400_000));
        assert_eq!(duration("1y", "--duration").ok(), Some(365 * 86_400_000));
        assert_eq!(duration("12h", "--duration").ok(), Some(12 * 3_600_000));
        assert!(duration("90", "--duration").is_err());
        assert!(duration("0d", "--duration").is_err());
        assert!(duration("3 fortnights", "--duration").is_err());
        let utc = Days::UTC;
        assert_eq!(
            utc.deadline("7d", "--expires", 1_000).ok(),
            Some(1_000 + 7 * 86_400_000)
        );
        assert_eq!(
            utc.deadline("1970-01-01", "--expires", 5).ok(),
            Some(86_400_000)
        );
        assert!(utc.deadline("soon", "--expires", 0).is_err());
    }

    #[test]
    fn dates_are_days_of_the_chain_zone() {
        let utc = Days::UTC;
        assert_eq!(utc.start("1970-01-02").ok(), Some(86_400_000));
        assert_eq!(utc.end("1970-01-01").ok(), Some(86_400_000));
        assert!(utc.end("2027-13-01").is_err());
        // On a +08:00 chain a day starts and ends eight hours before the UTC day does:
        // 2028-12-31 ends at 2028-12-31T16:00:00Z, midnight in Beijing.
        let beijing = Days::east(480);
        assert_eq!(beijing.end("2028-12-31").ok(), Some(1_861_891_200_000));
        assert_eq!(
            beijing.start("2028-12-31").ok(),
            utc.start("2028-12-31").ok().map(|t| t - 8 * 3_600_000)
        );
        assert_eq!(
            beijing.deadline("2028-12-31", "--expires", 0).ok(),
            beijing.end("2028-12-31").ok()
        );
        // West of UTC, later.
        assert_eq!(
            Days::east(-300).end("1970-01-01").ok(),
            Some(86_400_000 + 5 * 3_600_000)
        );
    }

    #[test]
    fn a_date_before_1970_is_refused_not_wrapped_into_never() {
        let e = Days::UTC
            .end("0026-12-31")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("1970 to 9999") && e.contains("2026-12-31"),
            "{e}"
        );
        assert!(Days::UTC.start("1969-12-31").is_err());
        assert!(Days::UTC.end("10000-01-01").is_err());
    }
}
