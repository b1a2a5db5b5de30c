//! `dishonesty_list` and its one-row `dishonesty_list_meta` (the version every replica
//! compares to know when to reload).

use platform::db::{Pool, Tx};

/// The list's version (0 before the first replacement).
pub async fn version(pool: &Pool) -> Result<i64, sqlx::Error> {
    let v: Option<(i64,)> =
        sqlx::query_as("SELECT version FROM dishonesty_list_meta WHERE id = 1").fetch_optional(pool).await?;
    Ok(v.map(|v| v.0).unwrap_or(0))
}

/// The credit codes on the list, in order.
pub async fn codes(pool: &Pool) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT credit_code FROM dishonesty_list ORDER BY credit_code").fetch_all(pool).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// (version, replaced_at) of the list; (0, 0) before the first replacement.
pub async fn meta(pool: &Pool) -> Result<(i64, i64), sqlx::Error> {
    let v: Option<(i64, i64)> = sqlx::query_as("SELECT version, replaced_at FROM dishonesty_list_meta WHERE id = 1")
        .fetch_optional(pool)
        .await?;
    Ok(v.unwrap_or((0, 0)))
}

/// Replaces the whole list with `codes`; returns the new version.
pub async fn replace(tx: &mut Tx<'_>, codes: &[String], at: i64, by: &str) -> Result<i64, sqlx::Error> {
    sqlx::query("DELETE FROM dishonesty_list").execute(&mut **tx).await?;
    for c in codes {
        sqlx::query("INSERT INTO dishonesty_list (credit_code, added_at) VALUES ($1, $2)")
            .bind(c)
            .bind(at)
            .execute(&mut **tx)
            .await?;
    }
    let (version,): (i64,) = sqlx::query_as(
        "INSERT INTO dishonesty_list_meta (id, version, replaced_at, replaced_by) VALUES (1, 1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET version = dishonesty_list_meta.version + 1, replaced_at = $1, replaced_by = $2 \
         RETURNING version",
    )
    .bind(at)
    .bind(by)
    .fetch_one(&mut **tx)
    .await?;
    Ok(version)
}
