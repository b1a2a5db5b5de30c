//! The ops tables: one row per record seen on a topic (`ops_events`) and per dead letter
//! (`ops_dead_letters`). Ids, types and reasons only, never payload fields.

use platform::db::{Pool, Tx};

/// A record seen on a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenEvent {
    pub topic: String,
    pub partition: i64,
    pub offset: i64,
    pub ce_type: String,
    pub source: String,
    pub at: i64,
}

/// Records `e` once (a redelivered record is already there), and counts it in its topic's
/// total.
pub async fn record_event(tx: &mut Tx<'_>, e: &SeenEvent) -> Result<(), sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO ops_events (topic, partition_no, offset_no, ce_type, source, at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (topic, partition_no, offset_no) DO NOTHING",
    )
    .bind(&e.topic)
    .bind(e.partition)
    .bind(e.offset)
    .bind(&e.ce_type)
    .bind(&e.source)
    .bind(e.at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        sqlx::query(
            "INSERT INTO ops_topic_totals (topic, seen) VALUES ($1, 1) \
             ON CONFLICT (topic) DO UPDATE SET seen = ops_topic_totals.seen + 1",
        )
        .bind(&e.topic)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Events per minute (epoch ms of the minute), topic and source since `since` (epoch ms).
pub async fn per_minute(pool: &Pool, since: i64) -> Result<Vec<(i64, String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT (at / 60000) * 60000 AS minute, topic, source, COUNT(*) FROM ops_events WHERE at >= $1 \
         GROUP BY (at / 60000) * 60000, topic, source ORDER BY minute, topic, source",
    )
    .bind(since)
    .fetch_all(pool)
    .await
}

/// Every event seen since the ops service began reading, per topic (pruning keeps them).
pub async fn totals(pool: &Pool) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT topic, seen FROM ops_topic_totals ORDER BY topic").fetch_all(pool).await
}

/// Forgets events older than `before` (epoch ms); dead letters are kept.
pub async fn prune(pool: &Pool, before: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM ops_events WHERE at < $1").bind(before).execute(pool).await?.rows_affected())
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeadLetterRow {
    pub id: String,
    pub dlq_topic: String,
    pub partition_no: i64,
    pub offset_no: i64,
    pub topic: String,
    pub record_key: String,
    pub ce_type: String,
    pub ce_id: String,
    pub reason: String,
    pub consumer_group: String,
    pub payload_bytes: i64,
    pub dead_lettered_at: i64,
    pub replayed_at: Option<i64>,
    pub replayed_by: Option<String>,
    pub version: i64,
}

const DLQ_COLUMNS: &str = "id, dlq_topic, partition_no, offset_no, topic, record_key, ce_type, ce_id, reason, \
     consumer_group, payload_bytes, dead_lettered_at, replayed_at, replayed_by, version";

/// Records a dead letter once (by its place on the dead-letter topic).
pub async fn record_dead_letter(tx: &mut Tx<'_>, d: &DeadLetterRow) -> Result<(), sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO ops_dead_letters ({DLQ_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL, 0) \
         ON CONFLICT (dlq_topic, partition_no, offset_no) DO NOTHING"
    )))
    .bind(&d.id)
    .bind(&d.dlq_topic)
    .bind(d.partition_no)
    .bind(d.offset_no)
    .bind(&d.topic)
    .bind(&d.record_key)
    .bind(&d.ce_type)
    .bind(&d.ce_id)
    .bind(&d.reason)
    .bind(&d.consumer_group)
    .bind(d.payload_bytes)
    .bind(d.dead_lettered_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn dead_letter(pool: &Pool, id: &str) -> Result<Option<DeadLetterRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {DLQ_COLUMNS} FROM ops_dead_letters WHERE id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Dead letters newest first, of `topic` when given, after the `(dead_lettered_at, id)` key.
pub async fn dead_letters(
    pool: &Pool,
    topic: Option<&str>,
    after: Option<(i64, String)>,
    fetch: i64,
) -> Result<Vec<DeadLetterRow>, sqlx::Error> {
    let (at, id) = after.unwrap_or((i64::MAX, String::new()));
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DLQ_COLUMNS} FROM ops_dead_letters WHERE ($1 = '' OR topic = $1) \
         AND (dead_lettered_at < $2 OR (dead_lettered_at = $2 AND ($4 = '' OR id < $4))) \
         ORDER BY dead_lettered_at DESC, id DESC LIMIT $3"
    )))
    .bind(topic.unwrap_or_default())
    .bind(at)
    .bind(fetch)
    .bind(id)
    .fetch_all(pool)
    .await
}

/// Per original topic: dead letters, those not replayed yet, the newest one's reason and time.
pub async fn dead_letter_totals(pool: &Pool) -> Result<Vec<(String, i64, i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.topic, COUNT(*), SUM(CASE WHEN d.replayed_at IS NULL THEN 1 ELSE 0 END), \
         (SELECT reason FROM ops_dead_letters n WHERE n.topic = d.topic ORDER BY dead_lettered_at DESC, id DESC LIMIT 1), \
         MAX(d.dead_lettered_at) FROM ops_dead_letters d GROUP BY d.topic ORDER BY d.topic",
    )
    .fetch_all(pool)
    .await
}

/// Marks the dead letter replayed at the version read; false when someone was faster.
pub async fn mark_replayed(pool: &Pool, row: &DeadLetterRow, at: i64, by: &str) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE ops_dead_letters SET replayed_at = $1, replayed_by = $2, version = version + 1 \
         WHERE id = $3 AND version = $4 AND replayed_at IS NULL",
    )
    .bind(at)
    .bind(by)
    .bind(&row.id)
    .bind(row.version)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Frees a dead letter whose replay could not be sent.
pub async fn unmark_replayed(pool: &Pool, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ops_dead_letters SET replayed_at = NULL, replayed_by = NULL, version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use platform::config::DatabaseSettings;
    use platform::db::Db;

    use super::*;

    async fn db() -> (Db, std::path::PathBuf) {
        sqlx::any::install_default_drivers();
        let dir = std::env::temp_dir().join(format!("ops-store-{}", uuid::Uuid::new_v4().simple()));
        let settings = DatabaseSettings { url: None, data_dir: dir.clone(), max_connections: 2 };
        let db = Db::connect(&settings, "ops", &[(&crate::startup::MIGRATIONS, "_ops_migrations")]).await.unwrap();
        (db, dir)
    }

    fn event(offset: i64, topic: &str, at: i64) -> SeenEvent {
        SeenEvent { topic: topic.into(), partition: 0, offset, ce_type: "t".into(), source: "hrss".into(), at }
    }

    #[tokio::test]
    async fn a_redelivered_record_counts_once_and_minutes_group_by_topic_and_source() {
        let (db, dir) = db().await;
        let minute = 1_764_547_200_000; // a minute's start
        for e in [
            event(1, "a", minute),
            event(1, "a", minute),
            event(2, "a", minute + 59_999),
            event(1, "b", minute + 60_000),
        ] {
            let mut tx = db.begin().await.unwrap();
            record_event(&mut tx, &e).await.unwrap();
            tx.commit().await.unwrap();
        }
        assert_eq!(totals(&db.pool).await.unwrap(), [("a".to_string(), 2), ("b".to_string(), 1)]);
        let rows = per_minute(&db.pool, minute).await.unwrap();
        assert_eq!(rows, [(minute, "a".into(), "hrss".into(), 2), (minute + 60_000, "b".into(), "hrss".into(), 1)]);
        // Pruning forgets old rows, not the totals.
        assert_eq!(prune(&db.pool, minute + 60_000).await.unwrap(), 2);
        assert_eq!(totals(&db.pool).await.unwrap().len(), 2);
        let _ = std::fs::remove_dir_all(dir);
    }
}
