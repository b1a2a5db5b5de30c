//! The `permits` table.

use platform::db::{Pool, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PermitRow {
    pub case_id: String,
    pub case_no: String,
    pub department: String,
    pub category: String,
    pub status: String,
    pub application: String,
    pub permit_number: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub reasons: String,
    pub opened_at: i64,
    pub decided_at: Option<i64>,
}

const COLUMNS: &str = "case_id, case_no, department, category, status, application, permit_number, valid_from, valid_until, \
                       reasons, opened_at, decided_at";

/// Inserts the application; returns false if it already exists.
pub async fn open(tx: &mut Tx<'_>, row: &PermitRow) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "INSERT INTO permits (case_id, case_no, department, category, status, application, opened_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(&row.case_id)
    .bind(&row.case_no)
    .bind(&row.department)
    .bind(&row.category)
    .bind(&row.status)
    .bind(&row.application)
    .bind(row.opened_at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn get(pool: &Pool, case_id: &str) -> Result<Option<PermitRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM permits WHERE case_id = $1")))
        .bind(case_id)
        .fetch_optional(pool)
        .await
}

pub async fn next_serial(tx: &mut Tx<'_>, scope: &str) -> Result<i64, sqlx::Error> {
    let (v,): (i64,) = sqlx::query_as(
        "INSERT INTO permit_counters (scope, value) VALUES ($1, 1) \
         ON CONFLICT (scope) DO UPDATE SET value = permit_counters.value + 1 RETURNING value",
    )
    .bind(scope)
    .fetch_one(&mut **tx)
    .await?;
    Ok(v)
}

pub struct Decision<'a> {
    pub status: &'a str,
    pub permit_number: Option<&'a str>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub reasons: &'a [String],
    pub decided_at: i64,
    pub decided_by: &'a str,
}

/// Records a decision on a permit still under review; false when another decision won.
pub async fn decide(tx: &mut Tx<'_>, case_id: &str, d: &Decision<'_>) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE permits SET status = $1, permit_number = $2, valid_from = $3, valid_until = $4, reasons = $5, \
         decided_at = $6, decided_by = $7 WHERE case_id = $8 AND status = 'in_review'",
    )
    .bind(d.status)
    .bind(d.permit_number)
    .bind(d.valid_from.as_deref())
    .bind(d.valid_until.as_deref())
    .bind(serde_json::to_string(d.reasons).unwrap_or_else(|_| "[]".into()))
    .bind(d.decided_at)
    .bind(d.decided_by)
    .bind(case_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}
