//! The `residence_cases`, `residence_verifications` and `residence_counters` tables.
//!
//! Every step updates a case row only at the `version` it was read at and moves the
//! version on, so of two officers acting at once exactly one wins (the other gets a
//! conflict) on PostgreSQL and SQLite alike.

use domain::states::residence::{ResidenceState, ResidenceStatus};
use platform::db::{Pool, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: String,
    pub case_id: String,
    #[sqlx(try_from = "String")]
    pub status: ResidenceStatus,
    pub permit_number: String,
    pub permit_valid_until: String,
    /// Protobuf `Applicant`, base64: personal data, never logged.
    pub applicant: String,
    pub opened_at: i64,
    pub employer_credit_code: String,
    pub employer_kind: String,
    pub entry_date: Option<String>,
    pub apply_by: Option<String>,
    pub applied_on: Option<String>,
    /// JSON array of material codes.
    pub paper_materials: Option<String>,
    pub passport_lost: i64,
    pub received_by: Option<String>,
    pub receipt_number: Option<String>,
    pub receipt_valid_until: Option<String>,
    pub decision_due: Option<String>,
    pub decision_due_counted_in: Option<String>,
    pub decision_due_count: Option<i64>,
    pub decision_due_estimated: i64,
    pub decision: Option<String>,
    /// JSON array.
    pub reasons: Option<String>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub residence_permit_number: Option<String>,
    pub rp_valid_from: Option<String>,
    pub rp_valid_until: Option<String>,
    pub pickup_method: Option<String>,
    pub pickup_proxy_name: Option<String>,
    pub pickup_proxy_id_number: Option<String>,
    pub pickup_mail_address: Option<String>,
    pub pickup_mail_tracking: Option<String>,
    pub picked_up_at: Option<i64>,
    pub picked_up_by: Option<String>,
    pub work_permit_cancelled: i64,
    pub version: i64,
    pub updated_at: Option<i64>,
    /// The one-thing case's number, from `permit-approved`; empty for older cases.
    pub case_no: String,
}

impl CaseRow {
    /// The case's state in the residence machine.
    pub fn state(&self) -> ResidenceState {
        ResidenceState::new(self.status, self.work_permit_cancelled != 0)
    }

    pub fn strings(json: Option<&str>) -> Vec<String> {
        json.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
    }
}

const COLUMNS: &str = "id, case_id, status, permit_number, permit_valid_until, applicant, opened_at, \
    employer_credit_code, employer_kind, entry_date, apply_by, applied_on, paper_materials, passport_lost, received_by, \
    receipt_number, receipt_valid_until, decision_due, decision_due_counted_in, decision_due_count, \
    decision_due_estimated, decision, reasons, decided_at, decided_by, residence_permit_number, rp_valid_from, \
    rp_valid_until, pickup_method, pickup_proxy_name, pickup_proxy_id_number, pickup_mail_address, \
    pickup_mail_tracking, picked_up_at, picked_up_by, work_permit_cancelled, version, updated_at, case_no";

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct VerificationRow {
    pub id: String,
    pub case_id: String,
    pub method: String,
    pub scheduled_at: i64,
    pub place: String,
    pub scheduled_by: String,
    pub created_at: i64,
    pub outcome: Option<String>,
    pub justified: i64,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<i64>,
}

const VERIFICATION_COLUMNS: &str = "id, case_id, method, scheduled_at, place, scheduled_by, created_at, outcome, justified, note, recorded_by, recorded_at";

pub async fn get(pool: &Pool, case_id: &str) -> Result<Option<CaseRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM residence_cases WHERE case_id = $1")))
        .bind(case_id)
        .fetch_optional(pool)
        .await
}

pub async fn get_in(tx: &mut Tx<'_>, case_id: &str) -> Result<Option<CaseRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM residence_cases WHERE case_id = $1")))
        .bind(case_id)
        .fetch_optional(&mut **tx)
        .await
}

/// One page of the queue, oldest first (then by id); `status` `None` for every case.
/// `after` is the `(opened_at, id)` of the last case already seen; at most `fetch` rows.
/// One page of the queue; `number` (when not empty) keeps only the case carrying it as its
/// case, work permit, residence permit or receipt number.
pub async fn list(
    pool: &Pool,
    status: Option<ResidenceStatus>,
    number: &str,
    after: Option<(i64, String)>,
    fetch: i64,
) -> Result<Vec<CaseRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM residence_cases WHERE ($1 = '' OR status = $1) \
         AND ($6 = '' OR permit_number = $6 OR residence_permit_number = $6 OR receipt_number = $6 OR case_no = $6) \
         AND ($3 = 0 OR opened_at > $4 OR (opened_at = $4 AND id > $5)) ORDER BY opened_at, id LIMIT $2"
    )))
    .bind(status.map(ResidenceStatus::as_str).unwrap_or_default())
    .bind(fetch)
    .bind(i64::from(after.is_some()))
    .bind(after.as_ref().map(|a| a.0).unwrap_or_default())
    .bind(after.map(|a| a.1).unwrap_or_default())
    .bind(number)
    .fetch_all(pool)
    .await
}

pub async fn verifications(pool: &Pool, case_id: &str) -> Result<Vec<VerificationRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {VERIFICATION_COLUMNS} FROM residence_verifications WHERE case_id = $1 ORDER BY created_at, id"
    )))
    .bind(case_id)
    .fetch_all(pool)
    .await
}

/// The current (last scheduled) verification of a case.
pub async fn current_verification(pool: &Pool, case_id: &str) -> Result<Option<VerificationRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {VERIFICATION_COLUMNS} FROM residence_verifications WHERE case_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT 1"
    )))
    .bind(case_id)
    .fetch_optional(pool)
    .await
}

/// The next value of a serial (receipts per day, permits per year).
pub async fn next_serial(tx: &mut Tx<'_>, scope: &str) -> Result<i64, sqlx::Error> {
    let (v,): (i64,) = sqlx::query_as(
        "INSERT INTO residence_counters (scope, value) VALUES ($1, 1) \
         ON CONFLICT (scope) DO UPDATE SET value = residence_counters.value + 1 RETURNING value",
    )
    .bind(scope)
    .fetch_one(&mut **tx)
    .await?;
    Ok(v)
}

/// A value bound into an UPDATE.
pub enum Val {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(Some(s.to_string()))
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(Some(s))
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(Some(v))
    }
}

/// Sets `columns` of the case at `version` (and moves the version on); false when the
/// case changed meanwhile. Column names come from the code, never from a request.
pub async fn update(
    tx: &mut Tx<'_>,
    case_id: &str,
    version: i64,
    columns: &[(&'static str, Val)],
) -> Result<bool, sqlx::Error> {
    let mut sets: Vec<String> = columns.iter().enumerate().map(|(i, (c, _))| format!("{c} = ${}", i + 1)).collect();
    let n = columns.len();
    sets.push(format!("version = version + 1, updated_at = ${}", n + 1));
    let sql =
        format!("UPDATE residence_cases SET {} WHERE case_id = ${} AND version = ${}", sets.join(", "), n + 2, n + 3);
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (_, v) in columns {
        q = match v {
            Val::Text(t) => q.bind(t.clone()),
            Val::Int(i) => q.bind(*i),
        };
    }
    let affected =
        q.bind(platform::time::now_ms()).bind(case_id).bind(version).execute(&mut **tx).await?.rows_affected();
    Ok(affected == 1)
}

pub async fn insert_verification(tx: &mut Tx<'_>, v: &VerificationRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO residence_verifications (id, case_id, method, scheduled_at, place, scheduled_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&v.id)
    .bind(&v.case_id)
    .bind(&v.method)
    .bind(v.scheduled_at)
    .bind(&v.place)
    .bind(&v.scheduled_by)
    .bind(v.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves an open verification (no outcome yet) to a new time, place or method.
pub async fn reschedule_verification(tx: &mut Tx<'_>, v: &VerificationRow) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE residence_verifications SET method = $1, scheduled_at = $2, place = $3, scheduled_by = $4 \
         WHERE id = $5 AND outcome IS NULL",
    )
    .bind(&v.method)
    .bind(v.scheduled_at)
    .bind(&v.place)
    .bind(&v.scheduled_by)
    .bind(&v.id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn record_outcome(
    tx: &mut Tx<'_>,
    id: &str,
    outcome: &str,
    justified: bool,
    note: &str,
    by: &str,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE residence_verifications SET outcome = $1, justified = $2, note = $3, recorded_by = $4, recorded_at = $5 \
         WHERE id = $6 AND outcome IS NULL",
    )
    .bind(outcome)
    .bind(justified as i64)
    .bind(note)
    .bind(by)
    .bind(platform::time::now_ms())
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}
