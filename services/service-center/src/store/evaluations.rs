//! `evaluations`: 好差评, one rating per finished item of a case.

use platform::db::{Pool, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EvaluationRow {
    pub item: String,
    pub rating: i64,
    pub comment: String,
    pub at: i64,
}

/// Records the rating of `case_id`'s item by `rated_by`; false when it is rated already.
pub async fn insert(tx: &mut Tx<'_>, case_id: &str, e: &EvaluationRow, rated_by: &str) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO evaluations (case_id, item, rating, comment, rated_by, at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (case_id, item) DO NOTHING",
    )
    .bind(case_id)
    .bind(&e.item)
    .bind(e.rating)
    .bind(&e.comment)
    .bind(rated_by)
    .bind(e.at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

pub async fn of_case(pool: &Pool, case_id: &str) -> Result<Vec<EvaluationRow>, sqlx::Error> {
    sqlx::query_as("SELECT item, rating, comment, at FROM evaluations WHERE case_id = $1 ORDER BY at")
        .bind(case_id)
        .fetch_all(pool)
        .await
}
