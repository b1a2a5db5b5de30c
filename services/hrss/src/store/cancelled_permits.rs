//! `cancelled_permits`: cancellations seen, so that a `permit-approved` arriving after its
//! own cancellation (the two travel on different topics) leaves nothing open behind.

use platform::db::Tx;

/// Records the cancellation of `case_id`'s permit (once; a redelivery changes nothing).
pub async fn record(tx: &mut Tx<'_>, case_id: &str, permit_number: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cancelled_permits (case_id, permit_number, cancelled_at) VALUES ($1, $2, $3) \
         ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(case_id)
    .bind(permit_number)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// When the permit of `case_id` was cancelled, if a cancellation was seen.
pub async fn cancelled_at(tx: &mut Tx<'_>, case_id: &str) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT cancelled_at FROM cancelled_permits WHERE case_id = $1")
        .bind(case_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(at,)| at))
}
