//! `case_messages`: consultations and complaints on a case, with their answers.

use platform::db::{Pool, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub body: String,
    pub author_role: String,
    pub at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
}

/// A new message on `case_id` written by `author`.
pub async fn insert(tx: &mut Tx<'_>, case_id: &str, m: &MessageRow, author: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO case_messages (id, case_id, kind, channel, body, author_role, author, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&m.id)
    .bind(case_id)
    .bind(&m.kind)
    .bind(&m.channel)
    .bind(&m.body)
    .bind(&m.author_role)
    .bind(author)
    .bind(m.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Answers a message of `case_id` not answered yet; false when there is no such message
/// or it is answered already.
pub async fn answer(
    tx: &mut Tx<'_>,
    case_id: &str,
    message_id: &str,
    answer: &str,
    answered_by: &str,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE case_messages SET answer = $1, answered_by = $2, answered_at = $3 \
         WHERE id = $4 AND case_id = $5 AND answer IS NULL",
    )
    .bind(answer)
    .bind(answered_by)
    .bind(at)
    .bind(message_id)
    .bind(case_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n > 0)
}

pub async fn of_case(pool: &Pool, case_id: &str) -> Result<Vec<MessageRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, channel, body, author_role, at, answer, answered_by, answered_at FROM case_messages \
         WHERE case_id = $1 ORDER BY at, id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await
}
