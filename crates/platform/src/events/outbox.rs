//! Transactional outbox and its relay.
//!
//! A handler calls [`Outbox::enqueue`] inside the transaction that changes state, commits,
//! then calls [`Outbox::wake`]. The relay publishes unpublished rows in creation order with
//! an idempotent producer and marks them published; it also sweeps periodically, so rows
//! left behind by a crash or an unreachable broker go out once the broker is back.
//!
//! Metrics: `onething_events_published_total{topic}` per published row;
//! `onething_outbox_backlog{service}` and `onething_outbox_oldest_age_seconds{service}`
//! ([`report_backlog`]).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use tokio::sync::{Mutex, Notify};
use tracing::{Instrument, info_span, warn};

use super::Event;
use super::headers::EventMeta;
use super::{kafka, signature};
use crate::config::{KafkaSettings, OutboxSettings};
use crate::db::{Db, Tx};
use crate::keys::Keyring;
use crate::metrics::names;
use crate::shutdown::Shutdown;

/// Handle for writing events; cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    source: Arc<str>,
    wake: Arc<Notify>,
}

impl Outbox {
    /// `service` becomes the CloudEvents source `/onething/<service>`.
    pub fn new(service: &str) -> Outbox {
        Outbox { source: format!("/onething/{service}").into(), wake: Arc::new(Notify::new()) }
    }

    /// Writes `event` in `tx`; it is published after the transaction commits.
    pub async fn enqueue<E: Event>(&self, tx: &mut Tx<'_>, key: &str, event: &E) -> Result<String, sqlx::Error> {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO outbox (event_id, topic, event_key, ce_type, payload_b64, traceparent, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(E::TOPIC)
        .bind(key)
        .bind(E::TYPE)
        .bind(B64.encode(event.encode_to_vec()))
        .bind(crate::telemetry::current_traceparent())
        .bind(crate::time::now_ms())
        .execute(&mut **tx)
        .await?;
        Ok(id)
    }

    /// Wakes the relay; call after the commit.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    event_id: String,
    topic: String,
    event_key: String,
    ce_type: String,
    payload_b64: String,
    traceparent: Option<String>,
    created_at: i64,
}

/// Deletes published outbox rows and inbox entries older than `retention_days`.
pub async fn prune(db: &Db, retention_days: u32) -> Result<u64, sqlx::Error> {
    let before = crate::time::now_ms() - i64::from(retention_days) * 86_400_000;
    let outbox = sqlx::query("DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < $1")
        .bind(before)
        .execute(&db.pool)
        .await?
        .rows_affected();
    let inbox = sqlx::query("DELETE FROM processed_events WHERE processed_at < $1")
        .bind(before)
        .execute(&db.pool)
        .await?
        .rows_affected();
    Ok(outbox + inbox)
}

/// Publishes the outbox of one service.
pub struct Relay {
    db: Db,
    outbox: Outbox,
    kafka: KafkaSettings,
    settings: OutboxSettings,
    client_id: String,
    keys: Arc<Keyring>,
    /// Rebuilt after a fatal error (e.g. the broker lost the idempotent producer's state).
    producer: Mutex<Option<FutureProducer>>,
    /// Set after a failed delivery: the broker may have come back without its topics, and
    /// producing to a missing topic is slow at best, so topics are checked first.
    check_topics: std::sync::atomic::AtomicBool,
}

impl Relay {
    /// Events are signed with `keys` (see [`super::signature`]).
    pub fn new(db: Db, outbox: Outbox, kafka: KafkaSettings, settings: OutboxSettings, keys: Arc<Keyring>) -> Relay {
        Relay {
            db,
            outbox,
            kafka,
            settings,
            client_id: format!("{}-relay", keys.service()),
            keys,
            producer: Mutex::new(None),
            check_topics: true.into(),
        }
    }

    /// Runs until shutdown: publishes on every wake-up and at every sweep interval.
    pub async fn run(self: Arc<Self>, shutdown: Shutdown) {
        let sweep = Duration::from_millis(self.settings.sweep_interval_ms);
        let mut last_prune = None::<std::time::Instant>;
        loop {
            if let Err(e) = self.publish_pending().await {
                warn!(error = %e, "outbox relay could not publish; will retry");
            }
            if last_prune.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
                match prune(&self.db, self.settings.retention_days).await {
                    Ok(n) if n > 0 => tracing::info!(rows = n, "old outbox and inbox rows deleted"),
                    Ok(_) => {}
                    Err(e) => warn!(error = %e, "outbox pruning failed; will retry"),
                }
                last_prune = Some(std::time::Instant::now());
            }
            tokio::select! {
                _ = self.outbox.wake.notified() => {},
                _ = tokio::time::sleep(sweep) => {},
                _ = shutdown.clone().triggered() => break,
            }
        }
        // Give in-flight messages a chance to leave before the process ends.
        if let Some(p) = self.producer.lock().await.as_ref() {
            let _ = p.flush(Duration::from_secs(2));
        }
    }

    /// Publishes every unpublished row, batch after batch; returns how many went out.
    pub async fn publish_pending(&self) -> anyhow::Result<usize> {
        let mut total = 0;
        loop {
            let n = self.publish_batch().await?;
            total += n;
            if n < self.settings.batch_size as usize {
                return Ok(total);
            }
        }
    }

    async fn producer(&self) -> anyhow::Result<FutureProducer> {
        let mut guard = self.producer.lock().await;
        if let Some(p) = guard.as_ref()
            && p.client().fatal_error().is_none()
        {
            return Ok(p.clone());
        }
        let p = kafka::producer(&self.kafka, &self.client_id)?;
        if let Some(old) = guard.replace(p.clone()) {
            super::consumer::close_off_thread(old).await;
        }
        Ok(p)
    }

    async fn publish_batch(&self) -> anyhow::Result<usize> {
        let now = crate::time::now_ms();
        let lease_until = now + 2 * self.kafka.message_timeout_ms as i64;
        // One short statement claims a batch; no transaction is held while sending. A row
        // whose older sibling (same key, i.e. same case) is being sent by another relay
        // waits, so two replicas never send one case's events out of order.
        let sql = format!(
            "UPDATE outbox SET claimed_until = $1 WHERE event_id IN (\
               SELECT o.event_id FROM outbox o WHERE o.published_at IS NULL AND (o.claimed_until IS NULL OR o.claimed_until < $2) \
               AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.event_key = o.event_key AND p.published_at IS NULL \
                 AND p.created_at < o.created_at AND p.claimed_until IS NOT NULL AND p.claimed_until >= $2) \
               ORDER BY o.created_at, o.event_id LIMIT $3{}) \
             RETURNING event_id, topic, event_key, ce_type, payload_b64, traceparent, created_at",
            self.db.skip_locked()
        );
        let mut rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(lease_until)
            .bind(now)
            .bind(self.settings.batch_size)
            .fetch_all(&self.db.pool)
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        rows.sort_by(|a, b| (a.created_at, &a.event_id).cmp(&(b.created_at, &b.event_id)));
        if self.check_topics.load(std::sync::atomic::Ordering::Relaxed) {
            let mut topics: Vec<String> = rows.iter().map(|r| r.topic.clone()).collect();
            topics.sort();
            topics.dedup();
            if let Err(e) = kafka::ensure_topics(&self.kafka, &topics).await {
                self.release(&rows).await?;
                anyhow::bail!("broker not ready: {e}");
            }
            self.check_topics.store(false, std::sync::atomic::Ordering::Relaxed);
        }
        let producer = self.producer().await?;
        // Send the whole batch, then await deliveries in order; stop marking at the first
        // failure so that later rows of the same case are re-sent after it (consumers
        // deduplicate by event id).
        let mut deliveries = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut meta = EventMeta {
                id: row.event_id.clone(),
                ce_type: row.ce_type.clone(),
                source: self.outbox.source.to_string(),
                time: crate::time::rfc3339(row.created_at),
                traceparent: row.traceparent.clone(),
                signature: None,
            };
            let payload = B64.decode(&row.payload_b64)?;
            meta.signature = Some(signature::sign(&self.keys, &row.topic, &meta, &row.event_key, &payload));
            let span = info_span!("publish", otel.name = format!("{} publish", row.topic), otel.kind = "producer",
                messaging.system = "kafka", messaging.destination.name = %row.topic, messaging.message.id = %row.event_id);
            if let Some(tp) = &row.traceparent {
                crate::telemetry::set_parent(&span, tp);
            }
            let producer = producer.clone();
            let timeout = Duration::from_millis(self.kafka.message_timeout_ms as u64);
            let (topic, key) = (row.topic.clone(), row.event_key.clone());
            deliveries.push(
                async move {
                    let record = FutureRecord::to(&topic).key(&key).payload(&payload).headers(meta.to_headers());
                    producer.send(record, timeout).await.map_err(|(e, _)| e.to_string())
                }
                .instrument(span),
            );
        }
        let results = futures::future::join_all(deliveries).await;
        let mut published = 0;
        let mut failure = None;
        for (row, result) in rows.iter().zip(results) {
            match (result, &failure) {
                (Ok(_), None) => {
                    sqlx::query("UPDATE outbox SET published_at = $1, attempts = attempts + 1, claimed_until = NULL WHERE event_id = $2")
                        .bind(crate::time::now_ms())
                        .bind(&row.event_id)
                        .execute(&self.db.pool)
                        .await?;
                    metrics::counter!(names::EVENTS_PUBLISHED, "topic" => row.topic.clone()).increment(1);
                    published += 1;
                }
                (result, _) => {
                    let err = result.err().unwrap_or_else(|| "an earlier event of the batch failed".into());
                    sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1, claimed_until = NULL WHERE event_id = $2")
                        .bind(&err)
                        .bind(&row.event_id)
                        .execute(&self.db.pool)
                        .await?;
                    failure.get_or_insert(err);
                }
            }
        }
        if let Some(err) = failure {
            // Start over with a new producer: an idempotent producer whose broker restarted
            // without its state can stay stuck waiting for its old producer id.
            let old = self.producer.lock().await.take();
            if let Some(old) = old {
                super::consumer::close_off_thread(old).await;
            }
            self.check_topics.store(true, std::sync::atomic::Ordering::Relaxed);
            anyhow::bail!("delivery failed: {err}");
        }
        Ok(published)
    }

    /// Gives claimed rows back at once (instead of when the lease runs out).
    async fn release(&self, rows: &[Row]) -> Result<(), sqlx::Error> {
        for row in rows {
            sqlx::query("UPDATE outbox SET claimed_until = NULL WHERE event_id = $1")
                .bind(&row.event_id)
                .execute(&self.db.pool)
                .await?;
        }
        Ok(())
    }

    /// Number of rows not yet published (for readiness and metrics).
    pub async fn backlog(&self) -> anyhow::Result<i64> {
        Ok(backlog(&self.db).await?.rows)
    }
}

/// What the outbox still holds: rows not yet published, and the age of the oldest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    pub rows: i64,
    /// Milliseconds since the oldest unpublished row was written; 0 when there is none.
    pub oldest_age_ms: i64,
}

/// The outbox's backlog now (for the ops overview, `/metrics` and readiness).
pub async fn backlog(db: &Db) -> Result<Backlog, sqlx::Error> {
    let (rows, oldest): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE published_at IS NULL")
            .fetch_one(&db.pool)
            .await?;
    let oldest_age_ms = oldest.map_or(0, |at| (crate::time::now_ms() - at).max(0));
    Ok(Backlog { rows, oldest_age_ms })
}

/// Sets `onething_outbox_backlog{service}` and `onething_outbox_oldest_age_seconds{service}`
/// from [`backlog`]; a failed query leaves them as they were.
pub async fn record_backlog(db: &Db, service: &'static str) {
    match backlog(db).await {
        Ok(b) => {
            metrics::gauge!(names::OUTBOX_BACKLOG, "service" => service).set(b.rows as f64);
            metrics::gauge!(names::OUTBOX_OLDEST_AGE, "service" => service).set(b.oldest_age_ms as f64 / 1000.0);
        }
        Err(e) => warn!(error = %e, "outbox backlog not read; its gauges keep their last value"),
    }
}

/// Refreshes the outbox gauges every `every` until shutdown.
pub async fn report_backlog(db: Db, service: &'static str, every: Duration, shutdown: Shutdown) -> anyhow::Result<()> {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => record_backlog(&db, service).await,
            _ = shutdown.clone().triggered() => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pruning_keeps_unpublished_and_recent_rows() {
        let dir = std::env::temp_dir().join(format!("onething-prune-{}", uuid::Uuid::new_v4()));
        let settings = crate::config::DatabaseSettings { data_dir: dir.clone(), ..Default::default() };
        static NONE: sqlx::migrate::Migrator = sqlx::migrate::Migrator::DEFAULT;
        let db = Db::connect(&settings, "prune", &[(&NONE, "_none")]).await.unwrap();
        let old = crate::time::now_ms() - 40 * 86_400_000;
        for (id, created, published) in
            [("a", old, Some(old)), ("b", old, None), ("c", crate::time::now_ms(), Some(crate::time::now_ms()))]
        {
            sqlx::query("INSERT INTO outbox (event_id, topic, event_key, ce_type, payload_b64, created_at, published_at) VALUES ($1, 't', 'k', 'x', '', $2, $3)")
                .bind(id)
                .bind(created)
                .bind(published)
                .execute(&db.pool)
                .await
                .unwrap();
        }
        sqlx::query("INSERT INTO processed_events (consumer, event_id, topic, processed_at) VALUES ('g', 'old', 't', $1), ('g', 'new', 't', $2)")
            .bind(old)
            .bind(crate::time::now_ms())
            .execute(&db.pool)
            .await
            .unwrap();
        assert_eq!(prune(&db, 30).await.unwrap(), 2);
        let left: Vec<(String,)> =
            sqlx::query_as("SELECT event_id FROM outbox ORDER BY event_id").fetch_all(&db.pool).await.unwrap();
        assert_eq!(left, vec![("b".to_string(),), ("c".to_string(),)], "the unpublished old row stays");
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM processed_events").fetch_one(&db.pool).await.unwrap();
        assert_eq!(n, 1);
        db.pool.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
