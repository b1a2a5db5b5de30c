//! The working-day calendar: official holidays and adjusted working days (调休) of the State
//! Council notices, as data files in the holiday-cn format (`data/holidays/<year>.json`).
//!
//! Licensing deadlines are counted in working days (Administrative Licensing Law Art. 82),
//! and the start day is not counted (FACTS §3.3). A date is a working day when it is listed
//! with `isOffDay: false`, or it is Monday–Friday and not listed with `isOffDay: true`.
//! For a year without a data file only weekends are known: every answer that depends on
//! such a year says `estimated: true`, so that no deadline is presented as certain when the
//! holidays behind it were not yet published.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::data::{Confidence, DataError};
use crate::province::DeadlineSettings;

const EMBEDDED: &[(&str, &str)] = &[
    ("2025.json", include_str!("../data/holidays/2025.json")),
    ("2026.json", include_str!("../data/holidays/2026.json")),
];

/// One holiday-cn file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HolidayYear {
    pub year: i32,
    /// The gov.cn notices the file follows.
    pub papers: Vec<String>,
    pub days: Vec<HolidayDay>,
    /// Where the data comes from (not part of holiday-cn's own format).
    #[serde(default)]
    pub source: Option<HolidaySource>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayDay {
    pub name: String,
    pub date: NaiveDate,
    /// `true`: a holiday day off; `false`: an adjusted working day.
    #[serde(rename = "isOffDay")]
    pub is_off_day: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HolidaySource {
    pub notice: String,
    pub dataset: String,
    pub confidence: Confidence,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The holiday schedules known to the service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calendar {
    /// Listed dates: `true` = day off, `false` = adjusted working day.
    days: BTreeMap<NaiveDate, bool>,
    /// Years with a published schedule.
    years: BTreeSet<i32>,
}

/// A date reached by counting working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub date: NaiveDate,
    /// Some day on the way lies in a year without holiday data (weekends only).
    pub estimated: bool,
}

/// A number of working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    pub days: u32,
    pub estimated: bool,
}

/// The deadlines of a case, as in `GET /api/v1/cases/{id}` (`due`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub committed: NaiveDate,
    pub statutory: NaiveDate,
    pub estimated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    #[error("{0} is not a working day")]
    NotAWorkingDay(NaiveDate),
}

/// A date that is a working day under the calendar it was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct WorkingDay {
    date: NaiveDate,
    estimated: bool,
}

impl WorkingDay {
    pub fn new(date: NaiveDate, calendar: &Calendar) -> Result<WorkingDay, CalendarError> {
        match calendar.is_working_day(date) {
            (true, estimated) => Ok(WorkingDay { date, estimated }),
            (false, _) => Err(CalendarError::NotAWorkingDay(date)),
        }
    }

    pub fn date(self) -> NaiveDate {
        self.date
    }

    /// Whether the answer rests on weekends only (no holiday data for its year).
    pub fn estimated(self) -> bool {
        self.estimated
    }
}

impl Calendar {
    /// The calendar of the embedded years (2025, 2026).
    pub fn embedded() -> Calendar {
        static CAL: OnceLock<Calendar> = OnceLock::new();
        CAL.get_or_init(|| {
            let mut c = Calendar::default();
            for (file, json) in EMBEDDED {
                // Checked by the tests of this module.
                c.add_year_json(json).unwrap_or_else(|e| panic!("embedded data/holidays/{file}: {e}"));
            }
            c
        })
        .clone()
    }

    /// Parses one holiday-cn file.
    pub fn parse_year(json: &str) -> Result<HolidayYear, DataError> {
        let y: HolidayYear = serde_json::from_str(json).map_err(|e| DataError::json("holiday file", e))?;
        // holiday-cn lists days by the notice's year, so late December may sit in the next
        // year's file; anything further away is a broken file.
        if let Some(day) = y.days.iter().find(|d| (i64::from(d.date.year()) - i64::from(y.year)).abs() > 1) {
            return Err(DataError::invalid("holiday file", format!("{} is far from year {}", day.date, y.year)));
        }
        Ok(y)
    }

    /// Adds a year's schedule (e.g. 2027 once published), replacing what it lists.
    pub fn add_year_json(&mut self, json: &str) -> Result<(), DataError> {
        let y = Self::parse_year(json)?;
        self.add_year(&y);
        Ok(())
    }

    pub fn add_year(&mut self, y: &HolidayYear) {
        // holiday-cn ships empty files for years not yet announced: they add no knowledge.
        if y.days.is_empty() {
            return;
        }
        self.years.insert(y.year);
        for d in &y.days {
            self.days.insert(d.date, d.is_off_day);
        }
    }

    /// Years with a published schedule.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// `(is a working day, estimated)`; `estimated` when the date's year has no data.
    pub fn is_working_day(&self, date: NaiveDate) -> (bool, bool) {
        match self.days.get(&date) {
            Some(off) => (!off, false),
            None => {
                let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
                (!weekend, !self.years.contains(&date.year()))
            }
        }
    }

    /// `date` itself when it is a working day, else the next working day.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        // Bounded: the longest run of rest days (Spring Festival) is under two weeks.
        for _ in 0..60 {
            if self.is_working_day(d).0 {
                return d;
            }
            match d.succ_opt() {
                Some(next) => d = next,
                None => return d,
            }
        }
        d
    }

    /// The date `n` working days after `start` (the start day is not counted).
    ///
    /// Saturates at the last representable date, marked estimated, instead of overflowing.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Deadline {
        let mut date = start;
        let mut estimated = false;
        let mut left = n;
        while left > 0 {
            let Some(next) = date.succ_opt() else {
                return Deadline { date, estimated: true };
            };
            date = next;
            let (working, est) = self.is_working_day(date);
            estimated |= est;
            if working {
                left -= 1;
            }
        }
        Deadline { date, estimated }
    }

    /// Working days after `a` up to and including `b` (0 when `b` is not after `a`).
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Counted {
        let mut days = 0u32;
        let mut estimated = false;
        let mut date = a;
        while date < b {
            let Some(next) = date.succ_opt() else { break };
            date = next;
            let (working, est) = self.is_working_day(date);
            estimated |= est;
            if working {
                days = days.saturating_add(1);
            }
        }
        Counted { days, estimated }
    }

    /// Working days from `today` to `due`: how many are left (0 on the due day itself), or,
    /// negative, how many have passed since it.
    pub fn working_days_left(&self, today: NaiveDate, due: NaiveDate) -> i64 {
        if due >= today {
            i64::from(self.working_days_between(today, due).days)
        } else {
            -i64::from(self.working_days_between(due, today).days)
        }
    }

    /// The committed and statutory deadlines of a case accepted on `accepted_on`.
    pub fn due_dates(&self, accepted_on: NaiveDate, settings: &DeadlineSettings) -> Due {
        let committed = self.add_working_days(accepted_on, settings.committed_working_days);
        let statutory = self.add_working_days(accepted_on, settings.statutory_working_days);
        Due {
            committed: committed.date,
            statutory: statutory.date,
            estimated: committed.estimated || statutory.estimated,
        }
    }
}

/// [`Calendar::due_dates`] on the embedded calendar.
pub fn due_dates(accepted_on: NaiveDate, settings: &DeadlineSettings) -> Due {
    Calendar::embedded().due_dates(accepted_on, settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_embedded_files_parse_and_match_the_notices() {
        for (file, json) in EMBEDDED {
            let y = Calendar::parse_year(json).unwrap_or_else(|e| panic!("{file}: {e}"));
            let src = y.source.as_ref().expect("source recorded");
            assert_eq!(src.confidence, Confidence::Confirmed);
            assert!(y.papers[0].starts_with("https://www.gov.cn/"));
            let off = y.days.iter().filter(|d| d.is_off_day).count();
            let work = y.days.iter().filter(|d| !d.is_off_day).count();
            match y.year {
                2025 => assert_eq!((off, work), (28, 5)),
                2026 => assert_eq!((off, work), (33, 6)),
                other => panic!("unexpected year {other}"),
            }
        }
        assert_eq!(Calendar::embedded().years().collect::<Vec<_>>(), [2025, 2026]);
    }

    #[test]
    fn working_days_left_count_down_to_the_due_day_and_past_it() {
        let c = Calendar::embedded();
        assert_eq!(c.working_days_left(d("2026-11-30"), d("2026-12-04")), 4);
        assert_eq!(c.working_days_left(d("2026-12-04"), d("2026-12-04")), 0);
        // The weekend does not count, either way.
        assert_eq!(c.working_days_left(d("2026-12-04"), d("2026-12-07")), 1);
        assert_eq!(c.working_days_left(d("2026-12-07"), d("2026-12-04")), -1);
        assert_eq!(c.working_days_left(d("2026-12-04"), d("2026-11-30")), -4);
    }

    #[test]
    fn adjusted_weekend_days_are_working_days() {
        let c = Calendar::embedded();
        for day in ["2025-09-28", "2025-10-11", "2026-02-14", "2026-02-28", "2025-01-26", "2026-01-04"] {
            assert_eq!(c.is_working_day(d(day)), (true, false), "{day}");
            assert!(WorkingDay::new(d(day), &c).is_ok());
        }
        assert_eq!(d("2025-09-28").weekday(), Weekday::Sun);
        assert_eq!(d("2025-10-11").weekday(), Weekday::Sat);
    }

    #[test]
    fn national_day_2025_is_off() {
        let c = Calendar::embedded();
        let mut day = d("2025-10-01");
        while day <= d("2025-10-08") {
            assert_eq!(c.is_working_day(day), (false, false), "{day}");
            assert_eq!(WorkingDay::new(day, &c), Err(CalendarError::NotAWorkingDay(day)));
            day = day.succ_opt().unwrap();
        }
        // Ordinary weekends and weekdays.
        assert_eq!(c.is_working_day(d("2025-10-12")), (false, false));
        assert_eq!(c.is_working_day(d("2025-10-09")), (true, false));
    }

    #[test]
    fn each_of_2025_and_2026_has_248_working_days() {
        let c = Calendar::embedded();
        for year in [2025, 2026] {
            let count = c.working_days_between(d(&format!("{}-12-31", year - 1)), d(&format!("{year}-12-31")));
            assert_eq!(count, Counted { days: 248, estimated: false }, "{year}");
        }
    }

    #[test]
    fn a_year_without_data_is_estimated() {
        let c = Calendar::embedded();
        assert_eq!(c.is_working_day(d("2027-03-03")), (true, true));
        assert_eq!(c.is_working_day(d("2027-03-06")), (false, true));
        assert!(WorkingDay::new(d("2027-03-03"), &c).unwrap().estimated());
        let late = c.add_working_days(d("2026-12-28"), 5);
        assert_eq!(late, Deadline { date: d("2027-01-04"), estimated: true });
        assert!(c.working_days_between(d("2026-12-30"), d("2027-01-05")).estimated);
        assert!(!c.working_days_between(d("2026-12-01"), d("2026-12-31")).estimated);
    }

    #[test]
    fn the_start_day_is_not_counted() {
        let c = Calendar::embedded();
        // Accepted on Tue 2026-12-01: 15 working days → Tue 2026-12-22 (API.md example).
        assert_eq!(c.add_working_days(d("2026-12-01"), 15), Deadline { date: d("2026-12-22"), estimated: false });
        assert_eq!(c.add_working_days(d("2026-12-01"), 0).date, d("2026-12-01"));
        // Across National Day 2025: Tue 09-30 + 1 working day = Thu 10-09.
        assert_eq!(c.add_working_days(d("2025-09-30"), 1).date, d("2025-10-09"));
        // Over the adjusted Sunday 2025-09-28: Fri 09-26 + 1 = Sun 09-28.
        assert_eq!(c.add_working_days(d("2025-09-26"), 1).date, d("2025-09-28"));
        assert_eq!(c.working_days_between(d("2025-10-09"), d("2025-10-01")).days, 0);
    }

    #[test]
    fn due_dates_use_the_province_settings() {
        let due = due_dates(d("2026-12-01"), &DeadlineSettings::default());
        assert_eq!(due.committed, d("2026-12-22"));
        assert!(due.estimated, "the statutory deadline runs into 2027, which has no data yet");
        let short = DeadlineSettings { committed_working_days: 5, statutory_working_days: 20 };
        let due = Calendar::embedded().due_dates(d("2026-01-30"), &short);
        // Spring Festival 2026: 02-14 (Sat) works, 02-15..23 off.
        assert_eq!(due.committed, d("2026-02-06"));
        assert_eq!(due.statutory, d("2026-03-05"));
        assert!(!due.estimated);
    }

    #[test]
    fn a_later_year_can_be_added_and_empty_files_add_nothing() {
        let mut c = Calendar::embedded();
        c.add_year_json(r#"{"year": 2027, "papers": [], "days": []}"#).unwrap();
        assert!(c.is_working_day(d("2027-03-03")).1);
        c.add_year_json(
            r#"{"year": 2027, "papers": [], "days": [{"name": "x", "date": "2027-03-03", "isOffDay": true}]}"#,
        )
        .unwrap();
        assert_eq!(c.is_working_day(d("2027-03-03")), (false, false));
        assert_eq!(c.is_working_day(d("2027-03-04")), (true, false));
        assert!(
            Calendar::parse_year(
                r#"{"year": 2027, "papers": [], "days": [{"name": "x", "date": "2020-01-01", "isOffDay": true}]}"#
            )
            .is_err()
        );
        assert!(Calendar::parse_year("[]").is_err());
        assert!(
            Calendar::parse_year(&format!(
                r#"{{"year": {}, "papers": [], "days": [{{"name": "x", "date": "2027-03-03", "isOffDay": true}}]}}"#,
                i32::MIN
            ))
            .is_err()
        );
    }

    #[test]
    fn counting_never_overflows() {
        let c = Calendar::embedded();
        let end = c.add_working_days(NaiveDate::MAX.pred_opt().unwrap(), 5);
        assert_eq!(end, Deadline { date: NaiveDate::MAX, estimated: true });
    }

    proptest! {
        #[test]
        fn add_then_count_round_trips(offset in 0i64..1200, n in 0u32..400) {
            let c = Calendar::embedded();
            let start = d("2024-10-01") + chrono::Duration::days(offset);
            let end = c.add_working_days(start, n);
            prop_assert!(n == 0 || c.is_working_day(end.date).0);
            let counted = c.working_days_between(start, end.date);
            prop_assert_eq!(counted.days, n);
            prop_assert_eq!(counted.estimated, end.estimated);
        }
    }
}

#[cfg(test)]
mod next_working_day_tests {
    use super::*;

    #[test]
    fn a_rest_day_moves_to_the_next_working_day() {
        let cal = Calendar::embedded();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(cal.next_working_day(d("2025-10-01")), d("2025-10-09"), "National Day");
        assert_eq!(cal.next_working_day(d("2025-09-28")), d("2025-09-28"), "an adjusted working Sunday");
        assert_eq!(cal.next_working_day(d("2026-11-28")), d("2026-11-30"), "a Saturday");
        assert_eq!(cal.next_working_day(d("2026-11-30")), d("2026-11-30"));
    }
}
