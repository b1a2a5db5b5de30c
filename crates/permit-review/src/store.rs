//! The `permits` and `permit_persons` tables. Every change of a permit is made at the
//! `version` it was read at and moves the version on ([`platform::db::versioned`]), so of
//! two concurrent changes exactly one wins; the other is the lost race
//! ([`ServiceError::Aborted`]). Statuses are bound as parameters (`PermitStatus::as_str`),
//! never written into the SQL.

use domain::Actor;
use domain::states::permit::PermitStatus;
use platform::ServiceError;
use platform::audit::Audit;
use platform::db::{Pool, Tx, versioned};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PermitRow {
    pub case_id: String,
    pub case_no: String,
    pub department: String,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub status: PermitStatus,
    pub application: String,
    /// Shared by service-center for the review (the permit never outlasts the passport).
    pub passport_expiry: String,
    pub permit_number: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub reasons: String,
    pub opened_at: i64,
    pub decided_at: Option<i64>,
    pub requested_materials: String,
    pub supplement_note: String,
    pub supplement_requested_at: Option<i64>,
    pub paused_working_days: i64,
    pub cancellation_reason: Option<String>,
    pub cancelled_at: Option<i64>,
    pub updated_at: Option<i64>,
    /// Optimistic lock: a change is made only at the version it was read at.
    pub version: i64,
    /// The issuing office, named when the application opened (none on older rows).
    pub issuer: Option<String>,
    /// Printed on the e-permit; set on approval (or on the first download of an older one).
    pub verification_code: Option<String>,
}

const COLUMNS: &str = "case_id, case_no, department, category, status, application, passport_expiry, permit_number, valid_from, valid_until, \
                       reasons, opened_at, decided_at, requested_materials, supplement_note, supplement_requested_at, \
                       paused_working_days, cancellation_reason, cancelled_at, updated_at, version, issuer, verification_code";

/// A new application.
pub struct NewPermit<'a> {
    pub case_id: &'a str,
    pub case_no: &'a str,
    pub department: &'a str,
    pub category: &'a str,
    pub status: PermitStatus,
    pub application: String,
    pub passport_expiry: &'a str,
    pub issuer: &'a str,
    pub opened_at: i64,
}

/// Inserts the application; returns false if it already exists.
pub async fn open(tx: &mut Tx<'_>, row: &NewPermit<'_>) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "INSERT INTO permits (case_id, case_no, department, category, status, application, passport_expiry, \
         opened_at, updated_at, issuer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(row.case_id)
    .bind(row.case_no)
    .bind(row.department)
    .bind(row.category)
    .bind(row.status.as_str())
    .bind(&row.application)
    .bind(row.passport_expiry)
    .bind(row.opened_at)
    .bind(row.issuer)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// The permit whose e-permit carries `code`.
pub async fn by_code(pool: &Pool, code: &str) -> Result<Option<PermitRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM permits WHERE verification_code = $1")))
        .bind(code)
        .fetch_optional(pool)
        .await
}

/// Gives a permit approved before codes existed its code, unless a concurrent download
/// gave it one first; returns the code that holds. Not a versioned change: it alters
/// nothing a reviewer decides on.
pub async fn ensure_code(tx: &mut Tx<'_>, case_id: &str, candidate: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("UPDATE permits SET verification_code = $2 WHERE case_id = $1 AND verification_code IS NULL")
        .bind(case_id)
        .bind(candidate)
        .execute(&mut **tx)
        .await?;
    let row: Option<(Option<String>,)> = sqlx::query_as("SELECT verification_code FROM permits WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.and_then(|(c,)| c))
}

pub async fn get(pool: &Pool, case_id: &str) -> Result<Option<PermitRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM permits WHERE case_id = $1")))
        .bind(case_id)
        .fetch_optional(pool)
        .await
}

/// The row as seen inside `tx` (after the transaction's own writes).
pub async fn get_in(tx: &mut Tx<'_>, case_id: &str) -> Result<Option<PermitRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM permits WHERE case_id = $1")))
        .bind(case_id)
        .fetch_optional(&mut **tx)
        .await
}

/// One page of permits with `status` (every status when `None`), oldest first (then by
/// case id): the review queue. `after` is the `(opened_at, case_id)` of the last permit
/// already seen; at most `fetch` rows are read.
pub async fn list(
    pool: &Pool,
    status: Option<PermitStatus>,
    after: Option<(i64, &str)>,
    fetch: i64,
) -> Result<Vec<PermitRow>, sqlx::Error> {
    let mut conditions = Vec::new();
    let mut n = 0;
    if status.is_some() {
        n += 1;
        conditions.push(format!("status = ${n}"));
    }
    if after.is_some() {
        let (a, b) = (n + 1, n + 2);
        n += 2;
        conditions.push(format!("(opened_at > ${a} OR (opened_at = ${a} AND case_id > ${b}))"));
    }
    let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let limit = n + 1;
    let sql = format!("SELECT {COLUMNS} FROM permits{filter} ORDER BY opened_at, case_id LIMIT ${limit}");
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    if let Some(s) = status {
        q = q.bind(s.as_str());
    }
    if let Some((at, id)) = after {
        q = q.bind(at).bind(id.to_string());
    }
    q.bind(fetch).fetch_all(pool).await
}

pub async fn next_serial(tx: &mut Tx<'_>, scope: &str) -> Result<i64, sqlx::Error> {
    platform::db::next_serial(tx, "permit_counters", scope).await
}

/// The lifelong number of a person, if one was issued.
pub async fn person_number(tx: &mut Tx<'_>, person_key: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT permit_number FROM permit_persons WHERE person_key = $1")
        .bind(person_key)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(n,)| n))
}

/// Records `candidate` as the person's number unless another transaction recorded one
/// first; returns the number that holds. (PostgreSQL makes the insert wait for a concurrent
/// one and then skip it; the following read sees the winner's row.)
pub async fn claim_person_number(
    tx: &mut Tx<'_>,
    person_key: &str,
    candidate: &str,
    at: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query(
        "INSERT INTO permit_persons (person_key, permit_number, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(person_key)
    .bind(candidate)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    person_number(tx, person_key).await
}

pub struct Decision<'a> {
    pub status: PermitStatus,
    pub permit_number: Option<&'a str>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub reasons: &'a [String],
    pub decided_at: i64,
    pub decided_by: &'a str,
    /// The e-permit's code, on an approval.
    pub verification_code: Option<&'a str>,
    /// The issuing office, on an approval (kept as it was when already named).
    pub issuer: Option<&'a str>,
}

/// Records a decision on the permit as `read` (in review).
pub async fn decide(tx: &mut Tx<'_>, read: &PermitRow, d: &Decision<'_>) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE permits SET status = $3, permit_number = $4, valid_from = $5, valid_until = $6, reasons = $7, \
         decided_at = $8, decided_by = $9, updated_at = $8, verification_code = $10, issuer = COALESCE(issuer, $11), \
         version = version + 1 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(d.status.as_str())
    .bind(d.permit_number)
    .bind(d.valid_from.as_deref())
    .bind(d.valid_until.as_deref())
    .bind(serde_json::to_string(d.reasons).unwrap_or_else(|_| "[]".into()))
    .bind(d.decided_at)
    .bind(d.decided_by)
    .bind(d.verification_code)
    .bind(d.issuer)
    .execute(&mut **tx)
    .await?;
    versioned(done, "work permit")
}

/// A status change `from` → `to` of one permit.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    pub from: PermitStatus,
    pub to: PermitStatus,
}

/// Puts the permit as `read` (under review) on hold (`to`) until the employer supplies
/// `materials`.
pub async fn request_supplement(
    tx: &mut Tx<'_>,
    read: &PermitRow,
    to: PermitStatus,
    materials: &[&str],
    note: &str,
    at: i64,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE permits SET status = $3, requested_materials = $4, supplement_note = $5, \
         supplement_requested_at = $6, updated_at = $6, version = version + 1 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(to.as_str())
    .bind(serde_json::to_string(materials).unwrap_or_else(|_| "[]".into()))
    .bind(note)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    versioned(done, "work permit")
}

/// Back in review (`to`) after the employer's supplement; `paused` working days are added
/// to the time not counted against the department.
pub async fn supplement_received(
    tx: &mut Tx<'_>,
    read: &PermitRow,
    to: PermitStatus,
    paused: i64,
    at: i64,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE permits SET status = $3, supplement_requested_at = NULL, \
         paused_working_days = paused_working_days + $4, updated_at = $5, version = version + 1 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(to.as_str())
    .bind(paused)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    versioned(done, "work permit")
}

/// Replaces the stored application of the approved permit as `read`.
pub async fn change_application(
    tx: &mut Tx<'_>,
    read: &PermitRow,
    application: &str,
    at: i64,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE permits SET application = $3, updated_at = $4, version = version + 1 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(application)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    versioned(done, "work permit")
}

/// New validity (and the new contract in the application) of the approved permit as `read`.
pub async fn extend(
    tx: &mut Tx<'_>,
    read: &PermitRow,
    application: &str,
    valid_from: &str,
    valid_until: &str,
    at: i64,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE permits SET application = $3, valid_from = $4, valid_until = $5, updated_at = $6, \
         version = version + 1 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(application)
    .bind(valid_from)
    .bind(valid_until)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    versioned(done, "work permit")
}

/// Cancels (`to`) the approved permit as `read`, with its written reason.
pub async fn cancel(
    tx: &mut Tx<'_>,
    read: &PermitRow,
    to: PermitStatus,
    reason: &str,
    at: i64,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE permits SET status = $3, cancellation_reason = $4, cancelled_at = $5, updated_at = $5, \
         version = version + 1 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(to.as_str())
    .bind(reason)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    versioned(done, "work permit")
}

/// An audit record written in the transaction of the change it records, so both commit or
/// neither does (`Actor::audit` writes outside any transaction).
pub async fn audit(
    tx: &mut Tx<'_>,
    actor: &Actor,
    action: &str,
    resource: &str,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    actor.audit_in(tx, action, resource, outcome).await
}

/// Issued permits whose person has no row in `permit_persons` yet (approved before the
/// table existed), oldest decision first.
pub async fn issued_without_person(pool: &Pool) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT application, permit_number FROM permits p WHERE permit_number IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM permit_persons pp WHERE pp.permit_number = p.permit_number) \
         ORDER BY decided_at, case_id",
    )
    .fetch_all(pool)
    .await
}
