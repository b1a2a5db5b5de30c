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
