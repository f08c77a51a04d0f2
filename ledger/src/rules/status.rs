//! Grant and filing status: pure functions of a record, a time and, for a grant's export
//! covers, the filings it relies on (looked up through a closure, so the same code answers
//! for the state now and for the state at an earlier height). Statuses that depend on time
//! (a grant's expiry, an approval's) are evaluated here, at apply and on read: no block
//! needs a timer.

use shuquan_proto::pb::{self, FilingStatus, GrantStatus};
use shuquan_proto::Hash32;

use super::id;

/// The jurisdictions a grant names that differ from its asset's: where access is an export.
/// A grant always names its grantee's own jurisdiction (`IssueGrant`), so a foreign
/// grantee's is among them.
pub(crate) fn foreign<'g>(terms: &'g pb::IssueGrant, asset_jurisdiction: &str) -> Vec<&'g str> {
    terms
        .jurisdictions
        .iter()
        .map(String::as_str)
        .filter(|j| *j != asset_jurisdiction)
        .collect()
}

/// Whether a filing's approval (or acknowledgement) holds at `at`. A spent transfer
/// approval (`used`) covers nothing more.
pub(crate) fn filing_in_force(f: &pb::FilingRecord, at: u64) -> bool {
    let decided =
        f.status == FilingStatus::Approved as i32 || f.status == FilingStatus::Acknowledged as i32;
    decided && at < f.valid_until_ms
}

/// A filing's status at `at` (`expired` once an approval's validity has passed).
pub(crate) fn filing_status(f: &pb::FilingRecord, at: u64) -> FilingStatus {
    let stored = FilingStatus::try_from(f.status).unwrap_or(FilingStatus::Unspecified);
    match stored {
        FilingStatus::Approved | FilingStatus::Acknowledged if at >= f.valid_until_ms => {
            FilingStatus::Expired
        }
        s => s,
    }
}

/// A grant's status at `at`: the stored status, turned `expired` after `not_after`, and
/// back to `pending-export` when an approval it relies on is missing or no longer in force.
/// `filing` looks a filing up by id.
pub(crate) fn grant_status<E>(
    g: &pb::GrantRecord,
    at: u64,
    filing: impl Fn(&Hash32) -> Result<Option<pb::FilingRecord>, E>,
) -> Result<GrantStatus, E> {
    let stored = GrantStatus::try_from(g.status).unwrap_or(GrantStatus::Unspecified);
    if matches!(stored, GrantStatus::Revoked | GrantStatus::Exhausted) {
        return Ok(stored);
    }
    let not_after = g.terms.as_ref().map_or(0, |t| t.not_after_ms);
    if at >= not_after {
        return Ok(GrantStatus::Expired);
    }
    if stored == GrantStatus::Active {
        for cover in &g.covers {
            match filing(&id(&cover.filing))? {
                Some(f) if filing_in_force(&f, at) => {}
                _ => return Ok(GrantStatus::PendingExport),
            }
        }
    }
    Ok(stored)
}

pub(crate) use shuquan_proto::registration::{in_force, registration_status};

/// The calendar year of a block time in the law's time zone (`offset_minutes` from UTC):
/// the year the export counters are kept for.
pub(crate) fn law_year(ms: u64, offset_minutes: i32) -> i32 {
    use chrono::Datelike;
    let shifted = (ms as i64).saturating_add(i64::from(offset_minutes) * 60_000);
    chrono::DateTime::from_timestamp_millis(shifted).map_or(1970, |d| d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_law_year_turns_at_midnight_in_china_not_in_greenwich() {
        // 2026-12-31T16:00:00Z is 2027-01-01T00:00 in UTC+8.
        let new_year_in_china = 1_798_732_800_000;
        assert_eq!(law_year(new_year_in_china - 1, 480), 2026);
        assert_eq!(law_year(new_year_in_china, 480), 2027);
        assert_eq!(law_year(new_year_in_china, 0), 2026);
    }
}
