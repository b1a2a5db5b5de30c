//! The `residence_cases`, `residence_verifications` and `residence_counters` tables.
//!
//! Every step updates a case row only at the `version` it was read at and moves the
//! version on ([`versioned`]), so of two officers acting at once exactly one wins (the
//! other is told the case changed meanwhile) on PostgreSQL and SQLite alike. One typed
//! function per step, each with its own plain SQL.

use domain::states::residence::{ResidenceState, ResidenceStatus};
use platform::ServiceError;
use platform::db::{Pool, Tx, versioned};
use platform::time::now_ms;

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
    /// The applicant's person key, from `permit-approved`; empty for older cases.
    pub person_key: String,
    /// The work permit's first day; empty for older cases.
    pub permit_valid_from: String,
    /// `revoke` or `keep` once an officer resolved a revocation.
    pub revocation: Option<String>,
    pub revocation_reason: Option<String>,
    pub revoked_on: Option<String>,
    pub revocation_decided_by: Option<String>,
    pub revocation_decided_at: Option<i64>,
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
    pickup_mail_tracking, picked_up_at, picked_up_by, work_permit_cancelled, version, updated_at, case_no, person_key, \
    permit_valid_from, revocation, revocation_reason, revoked_on, revocation_decided_by, revocation_decided_at";

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

/// Which cases a page of the queue holds.
pub struct Filter<'a> {
    /// `None` for every status.
    pub status: Option<ResidenceStatus>,
    /// Only issued permits up for revocation.
    pub flagged: bool,
    /// When not empty, only the case with this case, permit or receipt number.
    pub number: &'a str,
}

/// One page of the queue, oldest first (then by id); `status` `None` for every case.
/// `after` is the `(opened_at, id)` of the last case already seen; at most `fetch` rows.
/// One page of the queue; `number` (when not empty) keeps only the case carrying it as its
/// case, work permit, residence permit or receipt number.
pub async fn list(
    pool: &Pool,
    filter: &Filter<'_>,
    after: Option<(i64, String)>,
    fetch: i64,
) -> Result<Vec<CaseRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM residence_cases WHERE ($1 = '' OR status = $1) \
         AND ($6 = '' OR permit_number = $6 OR residence_permit_number = $6 OR receipt_number = $6 OR case_no = $6) \
         AND ($7 = 0 OR (work_permit_cancelled = 1 AND status IN ('approved', 'completed'))) \
         AND ($3 = 0 OR opened_at > $4 OR (opened_at = $4 AND id > $5)) ORDER BY opened_at, id LIMIT $2"
    )))
    .bind(filter.status.map(ResidenceStatus::as_str).unwrap_or_default())
    .bind(fetch)
    .bind(i64::from(after.is_some()))
    .bind(after.as_ref().map(|a| a.0).unwrap_or_default())
    .bind(after.map(|a| a.1).unwrap_or_default())
    .bind(filter.number)
    .bind(i64::from(filter.flagged))
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
    platform::db::next_serial(tx, "residence_counters", scope).await
}

/// A case opened by `permit-approved`, waiting for the applicant.
pub struct NewCase<'a> {
    pub id: &'a str,
    pub case_id: &'a str,
    pub status: ResidenceStatus,
    pub permit_number: &'a str,
    pub permit_valid_from: &'a str,
    pub permit_valid_until: &'a str,
    /// Protobuf `Applicant`, base64.
    pub applicant: &'a str,
    pub opened_at: i64,
    pub employer_credit_code: &'a str,
    pub employer_kind: &'a str,
    pub case_no: &'a str,
    pub person_key: &'a str,
}

/// Inserts the case; false when the one-thing case has one already.
pub async fn open(tx: &mut Tx<'_>, c: &NewCase<'_>) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO residence_cases (id, case_id, status, permit_number, permit_valid_until, applicant, opened_at, \
         employer_credit_code, employer_kind, case_no, person_key, permit_valid_from) \
         VALUES ($1, $2, $9, $3, $4, $5, $6, $7, $8, $10, $11, $12) ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(c.id)
    .bind(c.case_id)
    .bind(c.permit_number)
    .bind(c.permit_valid_until)
    .bind(c.applicant)
    .bind(c.opened_at)
    .bind(c.employer_credit_code)
    .bind(c.employer_kind)
    .bind(c.status.as_str())
    .bind(c.case_no)
    .bind(c.person_key)
    .bind(c.permit_valid_from)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// A closed case standing in for one whose cancellation overtook its approval (two
/// topics), so that the late `permit-approved` opens nothing.
pub async fn open_cancelled(
    tx: &mut Tx<'_>,
    id: &str,
    case_id: &str,
    permit_number: &str,
    state: ResidenceState,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO residence_cases (id, case_id, status, permit_number, permit_valid_until, applicant, \
         opened_at, work_permit_cancelled, updated_at) \
         VALUES ($1, $2, $5, $3, '', '', $4, $6, $4) ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(id)
    .bind(case_id)
    .bind(permit_number)
    .bind(at)
    .bind(state.status.as_str())
    .bind(i64::from(state.work_permit_cancelled))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// Every step below changes the case as it was `read`: at its version, which it moves on
// ([`versioned`]: a change in between is the lost race).

/// The foreigner's entry date and the day the counter application is due.
pub async fn record_entry(
    tx: &mut Tx<'_>,
    read: &CaseRow,
    entry_date: &str,
    apply_by: &str,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE residence_cases SET entry_date = $3, apply_by = $4, version = version + 1, updated_at = $5 \
         WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(entry_date)
    .bind(apply_by)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    versioned(done, "residence case")
}

/// The counter application and its receipt.
pub struct Application<'a> {
    pub status: ResidenceStatus,
    pub applied_on: &'a str,
    /// JSON array of material codes.
    pub paper_materials: &'a str,
    pub passport_lost: bool,
    pub received_by: &'a str,
    pub receipt_number: &'a str,
    pub receipt_valid_until: &'a str,
    pub decision_due: &'a str,
    pub decision_due_counted_in: &'a str,
    pub decision_due_count: i64,
    pub decision_due_estimated: bool,
}

pub async fn record_application(tx: &mut Tx<'_>, read: &CaseRow, a: &Application<'_>) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE residence_cases SET status = $3, applied_on = $4, paper_materials = $5, passport_lost = $6, \
         received_by = $7, receipt_number = $8, receipt_valid_until = $9, decision_due = $10, \
         decision_due_counted_in = $11, decision_due_count = $12, decision_due_estimated = $13, \
         version = version + 1, updated_at = $14 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(a.status.as_str())
    .bind(a.applied_on)
    .bind(a.paper_materials)
    .bind(a.passport_lost as i64)
    .bind(a.received_by)
    .bind(a.receipt_number)
    .bind(a.receipt_valid_until)
    .bind(a.decision_due)
    .bind(a.decision_due_counted_in)
    .bind(a.decision_due_count)
    .bind(a.decision_due_estimated as i64)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    versioned(done, "residence case")
}

/// A step kept in another table (a verification scheduled or its outcome): the case only
/// moves its version on, so a concurrent step on the case still loses.
pub async fn touch(tx: &mut Tx<'_>, read: &CaseRow) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE residence_cases SET version = version + 1, updated_at = $3 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    versioned(done, "residence case")
}

/// The approval and the residence permit it issues.
pub struct Approval<'a> {
    pub status: ResidenceStatus,
    pub decided_at: i64,
    pub decided_by: &'a str,
    pub residence_permit_number: &'a str,
    pub valid_from: &'a str,
    pub valid_until: &'a str,
}

pub async fn approve(tx: &mut Tx<'_>, read: &CaseRow, a: &Approval<'_>) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE residence_cases SET status = $3, decision = 'approve', reasons = '[]', decided_at = $4, \
         decided_by = $5, residence_permit_number = $6, rp_valid_from = $7, rp_valid_until = $8, \
         version = version + 1, updated_at = $9 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(a.status.as_str())
    .bind(a.decided_at)
    .bind(a.decided_by)
    .bind(a.residence_permit_number)
    .bind(a.valid_from)
    .bind(a.valid_until)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    versioned(done, "residence case")
}

/// The refusal with its reasons (`reasons`: JSON array).
pub async fn refuse(
    tx: &mut Tx<'_>,
    read: &CaseRow,
    status: ResidenceStatus,
    reasons: &str,
    decided_at: i64,
    decided_by: &str,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE residence_cases SET status = $3, decision = 'refuse', reasons = $4, decided_at = $5, \
         decided_by = $6, version = version + 1, updated_at = $7 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(status.as_str())
    .bind(reasons)
    .bind(decided_at)
    .bind(decided_by)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    versioned(done, "residence case")
}

/// How the permit left the counter. Empty fields are left as they are: the proxy's
/// identity for a pickup by proxy, the address and tracking number for one by mail.
pub struct Pickup<'a> {
    pub status: ResidenceStatus,
    pub method: &'a str,
    pub picked_up_at: i64,
    pub picked_up_by: &'a str,
    pub proxy_name: &'a str,
    pub proxy_id_number: &'a str,
    pub mail_address: &'a str,
    pub mail_tracking: &'a str,
}

pub async fn record_pickup(tx: &mut Tx<'_>, read: &CaseRow, p: &Pickup<'_>) -> Result<(), ServiceError> {
    // No NULL is bound (portable through `Any`): an empty value keeps the column.
    let done = sqlx::query(
        "UPDATE residence_cases SET status = $3, pickup_method = $4, picked_up_at = $5, picked_up_by = $6, \
         pickup_proxy_name = CASE WHEN $7 = '' THEN pickup_proxy_name ELSE $7 END, \
         pickup_proxy_id_number = CASE WHEN $8 = '' THEN pickup_proxy_id_number ELSE $8 END, \
         pickup_mail_address = CASE WHEN $9 = '' THEN pickup_mail_address ELSE $9 END, \
         pickup_mail_tracking = CASE WHEN $10 = '' THEN pickup_mail_tracking ELSE $10 END, \
         version = version + 1, updated_at = $11 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(p.status.as_str())
    .bind(p.method)
    .bind(p.picked_up_at)
    .bind(p.picked_up_by)
    .bind(p.proxy_name)
    .bind(p.proxy_id_number)
    .bind(p.mail_address)
    .bind(p.mail_tracking)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    versioned(done, "residence case")
}

/// The work permit was cancelled: the case moves to `status` (or keeps it, flagged).
pub async fn work_permit_cancelled(
    tx: &mut Tx<'_>,
    read: &CaseRow,
    status: ResidenceStatus,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE residence_cases SET status = $3, work_permit_cancelled = 1, version = version + 1, updated_at = $4 \
         WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(status.as_str())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    versioned(done, "residence case")
}

/// The work permit was extended: its new end caps the residence permit's validity.
pub async fn permit_extended(tx: &mut Tx<'_>, read: &CaseRow, permit_valid_until: &str) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE residence_cases SET permit_valid_until = $3, version = version + 1, updated_at = $4 \
         WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(permit_valid_until)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    versioned(done, "residence case")
}

/// The work permit changed its employer: the residence file names the new one.
pub async fn employer_changed(
    tx: &mut Tx<'_>,
    read: &CaseRow,
    credit_code: &str,
    kind: &str,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE residence_cases SET employer_credit_code = $3, employer_kind = $4, version = version + 1, \
         updated_at = $5 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(credit_code)
    .bind(kind)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    versioned(done, "residence case")
}

/// An officer's resolution of a residence permit up for revocation.
pub struct Revocation<'a> {
    pub to: ResidenceState,
    /// `revoke` or `keep`.
    pub decision: &'a str,
    pub reason: &'a str,
    /// The residence permit's new last day, for a revocation.
    pub revoked_on: Option<&'a str>,
    pub by: &'a str,
}

pub async fn resolve_revocation(tx: &mut Tx<'_>, read: &CaseRow, r: &Revocation<'_>) -> Result<(), ServiceError> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE residence_cases SET status = $3, work_permit_cancelled = $4, revocation = $5, revocation_reason = $6, \
         revoked_on = $7, rp_valid_until = COALESCE($7, rp_valid_until), revocation_decided_by = $8, \
         revocation_decided_at = $9, version = version + 1, updated_at = $9 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(r.to.status.as_str())
    .bind(i64::from(r.to.work_permit_cancelled))
    .bind(r.decision)
    .bind(r.reason)
    .bind(r.revoked_on)
    .bind(r.by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    versioned(done, "residence case")
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
    .bind(now_ms())
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}
