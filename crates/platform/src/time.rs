//! Timestamps: stored as BIGINT epoch milliseconds (portable across PostgreSQL and SQLite),
//! shown as RFC 3339 UTC.

use chrono::{DateTime, SecondsFormat, Utc};

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn now_rfc3339() -> String {
    rfc3339(now_ms())
}

/// Today's date in China Standard Time (UTC+8), the date that deadlines count from.
pub fn today_cst() -> chrono::NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// The China Standard Time date of an RFC 3339 timestamp (deadlines count in local days).
pub fn cst_date(rfc3339: &str) -> Option<chrono::NaiveDate> {
    let t = DateTime::parse_from_rfc3339(rfc3339).ok()?;
    Some((t.with_timezone(&Utc) + chrono::Duration::hours(8)).date_naive())
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_counted_in_china_time() {
        assert_eq!(super::cst_date("2026-11-29T17:30:00Z"), "2026-11-30".parse().ok());
        assert_eq!(super::cst_date("2026-11-29T10:00:00+08:00"), "2026-11-29".parse().ok());
        assert_eq!(super::cst_date("yesterday"), None);
    }
}
