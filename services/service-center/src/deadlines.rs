//! The case's deadline clock: stopped while the employer supplements materials (the time
//! is not counted against the department), restarted on resubmission with the due dates
//! moved by the working days it stood still.

use std::sync::LazyLock;

use chrono::NaiveDate;
use domain::calendar::Calendar;
use platform::db::Tx;

use crate::store::cases as store;

static CALENDAR: LazyLock<Calendar> = LazyLock::new(Calendar::embedded);

pub fn calendar() -> &'static Calendar {
    &CALENDAR
}

/// Stops the clock on `today` (no-op when it is already stopped).
pub async fn pause(tx: &mut Tx<'_>, case_id: &str, today: NaiveDate) -> Result<(), sqlx::Error> {
    store::pause_clock(tx, case_id, &today.to_string()).await
}

/// Restarts the clock; both due dates move by the working days between the pause and
/// `today`. Returns the working days added, or `None` when the clock was not stopped (the
/// conditional update makes a concurrent second resumption find nothing to do).
pub async fn resume(tx: &mut Tx<'_>, case_id: &str, today: NaiveDate) -> Result<Option<u32>, sqlx::Error> {
    let Some(store::Clock { clock_paused_on: Some(paused), due_committed: committed, due_statutory: statutory }) =
        store::clock(tx, case_id).await?
    else {
        return Ok(None);
    };
    let (Ok(paused), Ok(committed), Ok(statutory)) =
        (paused.parse::<NaiveDate>(), committed.parse::<NaiveDate>(), statutory.parse::<NaiveDate>())
    else {
        return Ok(None);
    };
    let stood = shift(paused, today);
    let cal = calendar();
    let committed = cal.add_working_days(committed, stood);
    let statutory = cal.add_working_days(statutory, stood);
    let resumed = store::Resumed {
        stood: stood as i64,
        due_committed: &committed.date.to_string(),
        due_statutory: &statutory.date.to_string(),
        estimated: committed.estimated || statutory.estimated,
    };
    Ok(store::resume_clock(tx, case_id, &resumed).await?.then_some(stood))
}

/// Working days the clock stood still: from the pause to the resumption, the pause day
/// not counted (as every period).
pub fn shift(paused_on: NaiveDate, resumed_on: NaiveDate) -> u32 {
    if resumed_on <= paused_on {
        return 0;
    }
    calendar().working_days_between(paused_on, resumed_on).days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_pause_over_national_day_counts_only_working_days() {
        // 2025-09-30 (Tue) → 2025-10-09 (Thu): 10-01..08 are holidays, 10-09 is a working day.
        assert_eq!(shift(d("2025-09-30"), d("2025-10-09")), 1);
        assert_eq!(shift(d("2026-03-02"), d("2026-03-09")), 5);
        assert_eq!(shift(d("2026-03-02"), d("2026-03-02")), 0);
    }
}
