//! What the efficiency figures read: every case's counters, every item's decision day,
//! every rating.

use domain::case::{CaseStatus, ItemStatus};
use platform::db::Pool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseFigures {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub status: CaseStatus,
    pub accepted_on: String,
    pub due_committed: String,
    pub completed_on: Option<String>,
    pub paused_working_days: i64,
    pub supplements: i64,
    pub trips: i64,
    pub documents: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemFigures {
    pub case_id: String,
    pub item: String,
    #[sqlx(try_from = "String")]
    pub status: ItemStatus,
    pub decided_on: Option<String>,
    /// The item's own deadline, where it has one (social insurance: 30 days from issue).
    pub due_on: Option<String>,
}

pub async fn cases(pool: &Pool) -> Result<Vec<CaseFigures>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, status, accepted_on, due_committed, completed_on, paused_working_days, supplements, trips, \
         documents FROM cases",
    )
    .fetch_all(pool)
    .await
}

pub async fn items(pool: &Pool) -> Result<Vec<ItemFigures>, sqlx::Error> {
    sqlx::query_as("SELECT case_id, item, status, decided_on, due_on FROM case_items").fetch_all(pool).await
}

/// Every rating: (item, rating).
pub async fn ratings(pool: &Pool) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT item, rating FROM evaluations").fetch_all(pool).await
}
