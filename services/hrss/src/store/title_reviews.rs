//! `title_reviews`: the title eligibility review of a case, from its queueing to its
//! decision (or its end by the permit's cancellation). Every change is made at the
//! `version` the review was read at and moves it on ([`versioned`]).

use domain::states::title_review::TitleReviewStatus;
use platform::ServiceError;
use platform::db::{Pool, Tx, versioned};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRow {
    pub case_id: String,
    #[sqlx(try_from = "String")]
    pub status: TitleReviewStatus,
    pub eligible_on: String,
    pub work_start: Option<String>,
    pub gansu_service_since: Option<String>,
    pub reasons: String,
    pub recommendation_report: Option<String>,
    pub queued_at: i64,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    /// Optimistic lock: a change is made only at the version it was read at.
    pub version: i64,
}

const COLUMNS: &str = "case_id, status, eligible_on, work_start, gansu_service_since, reasons, recommendation_report, \
     queued_at, decided_at, decided_by, version";

/// A review to queue.
pub struct NewReview<'a> {
    pub case_id: &'a str,
    pub status: TitleReviewStatus,
    pub eligible_on: &'a str,
    pub work_start: &'a str,
    pub queued_at: i64,
}

/// Inserts the review; false when the case has one already.
pub async fn insert(tx: &mut Tx<'_>, r: &NewReview<'_>) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO title_reviews (case_id, status, eligible_on, queued_at, work_start) VALUES ($1, $5, $2, $3, $4) \
         ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(r.case_id)
    .bind(r.eligible_on)
    .bind(r.queued_at)
    .bind(r.work_start)
    .bind(r.status.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

pub async fn get(pool: &Pool, case_id: &str) -> Result<Option<ReviewRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM title_reviews WHERE case_id = $1")))
        .bind(case_id)
        .fetch_optional(pool)
        .await
}

/// The review as seen inside `tx`.
pub async fn get_in(tx: &mut Tx<'_>, case_id: &str) -> Result<Option<ReviewRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM title_reviews WHERE case_id = $1")))
        .bind(case_id)
        .fetch_optional(&mut **tx)
        .await
}

/// Which reviews of the queue a page shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// The stored status (every status when `None`).
    pub status: Option<TitleReviewStatus>,
    /// `Some(true)`: eligible by `today`; `Some(false)`: not yet; `None`: either.
    pub eligible: Option<bool>,
    /// Today (YYYY-MM-DD), for `eligible`.
    pub today: String,
    /// The `(eligible_on, case_id)` of the last review already seen.
    pub after: Option<(String, String)>,
    /// How many reviews to read at most.
    pub fetch: i64,
}

/// One page of the queue, oldest eligibility first (then by case id).
pub async fn list(pool: &Pool, f: &QueueFilter) -> Result<Vec<ReviewRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM title_reviews WHERE ($1 = '' OR status = $1) \
         AND ($2 = 0 OR eligible_on <= $4) AND ($3 = 0 OR eligible_on > $4) \
         AND ($5 = 0 OR eligible_on > $6 OR (eligible_on = $6 AND case_id > $7)) \
         ORDER BY eligible_on, case_id LIMIT $8"
    )))
    .bind(f.status.map(TitleReviewStatus::as_str).unwrap_or_default())
    .bind(i64::from(f.eligible == Some(true)))
    .bind(i64::from(f.eligible == Some(false)))
    .bind(&f.today)
    .bind(i64::from(f.after.is_some()))
    .bind(f.after.as_ref().map(|a| a.0.clone()).unwrap_or_default())
    .bind(f.after.as_ref().map(|a| a.1.clone()).unwrap_or_default())
    .bind(f.fetch)
    .fetch_all(pool)
    .await
}

/// Ends the review as `read` (the permit was cancelled) with `reasons` (JSON array).
pub async fn cancel(
    tx: &mut Tx<'_>,
    read: &ReviewRow,
    to: TitleReviewStatus,
    reasons: &str,
    at: i64,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE title_reviews SET status = $3, reasons = $4, decided_at = $5, version = version + 1 \
         WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(to.as_str())
    .bind(reasons)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    versioned(done, "title review")
}

/// Earlier Gansu service since `since` on the review as `read`, and the eligibility it gives.
pub async fn record_service(
    tx: &mut Tx<'_>,
    read: &ReviewRow,
    to: TitleReviewStatus,
    since: &str,
    eligible_on: &str,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE title_reviews SET status = $3, gansu_service_since = $4, eligible_on = $5, version = version + 1 \
         WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(to.as_str())
    .bind(since)
    .bind(eligible_on)
    .execute(&mut **tx)
    .await?;
    versioned(done, "title review")
}

/// A reviewer's decision.
pub struct Decision<'a> {
    pub status: TitleReviewStatus,
    /// JSON array.
    pub reasons: &'a str,
    /// The uploaded material id, empty without one.
    pub recommendation_report: &'a str,
    pub decided_at: i64,
    pub decided_by: &'a str,
}

/// Records the decision on the review as `read`.
pub async fn decide(tx: &mut Tx<'_>, read: &ReviewRow, d: &Decision<'_>) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE title_reviews SET status = $3, reasons = $4, recommendation_report = $5, decided_at = $6, \
         decided_by = $7, version = version + 1 WHERE case_id = $1 AND version = $2",
    )
    .bind(&read.case_id)
    .bind(read.version)
    .bind(d.status.as_str())
    .bind(d.reasons)
    .bind(d.recommendation_report)
    .bind(d.decided_at)
    .bind(d.decided_by)
    .execute(&mut **tx)
    .await?;
    versioned(done, "title review")
}
