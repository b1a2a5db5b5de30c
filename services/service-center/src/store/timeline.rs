//! `case_timeline`: what happened on a case, oldest first.

use domain::case::TimelineEvent;
use platform::db::{Pool, Tx};
use platform::time::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TimelineRow {
    pub at: i64,
    pub event: String,
    pub item: String,
    pub detail: String,
}

pub async fn add_timeline(
    tx: &mut Tx<'_>,
    case_id: &str,
    event: TimelineEvent,
    item: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO case_timeline (id, case_id, at, event, item, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(case_id)
        .bind(now_ms())
        .bind(event.as_str())
        .bind(item)
        .bind(detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn of_case(pool: &Pool, case_id: &str) -> Result<Vec<TimelineRow>, sqlx::Error> {
    sqlx::query_as("SELECT at, event, item, detail FROM case_timeline WHERE case_id = $1 ORDER BY at, id")
        .bind(case_id)
        .fetch_all(pool)
        .await
}
