//! Social insurance registration (社会保险登记) on `permit-approved`, and the title
//! eligibility review queue (职称申报条件审核).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{Datelike, Days, Months, NaiveDate};
use onething_proto::events as ev;
use platform::db::Tx;
use platform::events::consumer::{Context, Handler, HandlerError};
use platform::time::{now_ms, now_rfc3339, today_cst};
use sha2::{Digest, Sha256};

/// The five insurances of MOHRSS Order No. 16 (FACTS §6).
pub const FIVE_INSURANCES: [&str; 5] = ["pension", "medical", "work_injury", "unemployment", "maternity"];

/// Registration must be done within 30 days of the permit's issue (FACTS §6, Art. 4).
pub const REGISTRATION_DAYS: u64 = 30;

pub struct OnPermitApproved {
    pub delay: Duration,
}

/// A person is the same person across cases when nationality, birth date and passport
/// number agree; only a hash of them is stored as the key.
fn person_key(a: &onething_proto::common::Applicant) -> String {
    let digest = Sha256::digest(format!("{}|{}|{}", a.nationality, a.birth_date, a.passport_number.to_uppercase()));
    hex::encode(digest)
}

/// The project's social security number layout: `F62` + year + 8-digit serial. The
/// national layout is not public (FACTS §4.2); this function is the one place to change.
pub fn social_security_number(year: i32, serial: i64) -> String {
    format!("F62{year}{serial:08}")
}

/// Eligible for the title review after more than 6 months of work in Gansu.
pub fn title_eligible_on(work_start: NaiveDate) -> NaiveDate {
    work_start.checked_add_months(Months::new(6)).and_then(|d| d.checked_add_days(Days::new(1))).unwrap_or(work_start)
}

async fn ssn_for(tx: &mut Tx<'static>, key: &str) -> Result<String, sqlx::Error> {
    if let Some((ssn,)) =
        sqlx::query_as::<_, (String,)>("SELECT social_security_number FROM si_persons WHERE person_key = $1")
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?
    {
        return Ok(ssn);
    }
    let year = today_cst().year();
    let (serial,): (i64,) = sqlx::query_as(
        "INSERT INTO si_counters (scope, value) VALUES ($1, 1) ON CONFLICT (scope) DO UPDATE SET value = si_counters.value + 1 RETURNING value",
    )
    .bind(format!("ssn-{year}"))
    .fetch_one(&mut **tx)
    .await?;
    let ssn = social_security_number(year, serial);
    sqlx::query("INSERT INTO si_persons (person_key, social_security_number, created_at) VALUES ($1, $2, $3)")
        .bind(key)
        .bind(&ssn)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(ssn)
}

#[async_trait]
impl Handler<ev::PermitApproved> for OnPermitApproved {
    async fn handle(&self, e: ev::PermitApproved, cx: Context<'_>) -> Result<(), HandlerError> {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        if e.items.iter().any(|i| i == "social_insurance") {
            let applicant = e.applicant.clone().unwrap_or_default();
            let key = person_key(&applicant);
            let ssn = ssn_for(cx.tx, &key).await?;
            let issued = e.decided_at.get(..10).and_then(|d| d.parse::<NaiveDate>().ok()).unwrap_or_else(today_cst);
            let due_on = issued.checked_add_days(Days::new(REGISTRATION_DAYS)).unwrap_or(issued).to_string();
            let inserted = sqlx::query(
                "INSERT INTO si_registrations (case_id, person_key, social_security_number, permit_number, insurances, registered_at, due_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO NOTHING",
            )
            .bind(&e.case_id)
            .bind(&key)
            .bind(&ssn)
            .bind(&e.permit_number)
            .bind(FIVE_INSURANCES.join(","))
            .bind(now_ms())
            .bind(&due_on)
            .execute(&mut **cx.tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                let event = ev::SocialInsuranceRegistered {
                    case_id: e.case_id.clone(),
                    social_security_number: ssn,
                    insurances: FIVE_INSURANCES.iter().map(|s| s.to_string()).collect(),
                    registered_at: now_rfc3339(),
                    due_on,
                };
                cx.outbox.enqueue(cx.tx, &e.case_id, &event).await?;
            }
        }
        if e.items.iter().any(|i| i == "title_review") {
            let start = e.valid_from.parse::<NaiveDate>().unwrap_or_else(|_| today_cst());
            let eligible_on = title_eligible_on(start).to_string();
            let inserted = sqlx::query(
                "INSERT INTO title_reviews (case_id, status, eligible_on, queued_at) VALUES ($1, 'waiting', $2, $3) ON CONFLICT (case_id) DO NOTHING",
            )
            .bind(&e.case_id)
            .bind(&eligible_on)
            .bind(now_ms())
            .execute(&mut **cx.tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                let event = ev::TitleReviewQueued { case_id: e.case_id.clone(), eligible_on, queued_at: now_rfc3339() };
                cx.outbox.enqueue(cx.tx, &e.case_id, &event).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_review_opens_the_day_after_six_months() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(title_eligible_on(d("2027-01-04")), d("2027-07-05"));
        assert_eq!(title_eligible_on(d("2026-08-31")), d("2027-03-01"));
    }

    #[test]
    fn ssn_layout_is_fixed_width() {
        assert_eq!(social_security_number(2026, 7), "F62202600000007");
    }

    #[test]
    fn the_person_key_does_not_contain_the_passport_number() {
        let a = onething_proto::common::Applicant {
            nationality: "GBR".into(),
            birth_date: "1988-04-02".into(),
            passport_number: "E12345678".into(),
            ..Default::default()
        };
        let k = person_key(&a);
        assert_eq!(k.len(), 64);
        assert!(!k.contains("E12345678"));
    }
}
