//! Points in time as the views show them beside their milliseconds: RFC 3339 in the chain's
//! time zone (the genesis parameter `law_utc_offset_minutes`).

use chrono::{DateTime, FixedOffset, SecondsFormat};

/// `2028-01-01T00:00:00+08:00` for `ms` milliseconds since the Unix epoch, `offset_minutes`
/// east of UTC (`…T00:00:00.123+08:00` when the milliseconds are not zero). `None` for 0
/// (no time) and for a time or offset chrono cannot show (UTC for an offset of a day or
/// more).
pub fn rfc3339(ms: u64, offset_minutes: i32) -> Option<String> {
    if ms == 0 {
        return None;
    }
    let utc = DateTime::from_timestamp_millis(i64::try_from(ms).ok()?)?;
    let zone = offset_minutes
        .checked_mul(60)
        .and_then(FixedOffset::east_opt)
        .or_else(|| FixedOffset::east_opt(0))?;
    Some(
        utc.with_timezone(&zone)
            .to_rfc3339_opts(SecondsFormat::AutoSi, false),
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn times_are_rfc3339_in_the_chain_zone() {
        // 2028-01-01T00:00:00+08:00.
        let ms = 1_830_268_800_000;
        assert_eq!(
            rfc3339(ms, 480).as_deref(),
            Some("2028-01-01T00:00:00+08:00")
        );
        assert_eq!(
            rfc3339(ms + 123, 480).as_deref(),
            Some("2028-01-01T00:00:00.123+08:00")
        );
        assert_eq!(rfc3339(ms, 0).as_deref(), Some("2027-12-31T16:00:00+00:00"));
        assert_eq!(
            rfc3339(ms, -330).as_deref(),
            Some("2027-12-31T10:30:00-05:30")
        );
        assert_eq!(rfc3339(0, 480), None, "0 is no time");
        assert_eq!(rfc3339(u64::MAX, 480), None);
    }
}
