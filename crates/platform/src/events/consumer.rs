//! Idempotent consumers.
//!
//! For each message: the event id goes into `processed_events` in the same transaction as
//! the handler's writes (a redelivery finds it there and changes nothing); the Kafka offset
//! is committed only after the database commit. A failing handler is retried with
//! exponential backoff; after `max_attempts`, or at once for a message that can never
//! succeed (undecodable payload, missing headers, no valid signature of a publisher allowed
//! on the topic: [`super::signature`]), the message goes to `<topic>.dlq` with the error,
//! and only then is its offset committed. An unauthenticated record is never applied.
//!
//! Metrics: `onething_events_consumed_total{topic,group,outcome}` with outcome `applied`,
//! `duplicate` (the inbox had it), `retried` (one per retry of a transient failure) or
//! `dead_lettered`, and `onething_dead_letters_total{topic}` (the original topic); `group`
//! is the Kafka consumer group id.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use backon::{BackoffBuilder, ExponentialBuilder};
use rdkafka::Message;
use rdkafka::consumer::{CommitMode, Consumer as _, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Header, Headers, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use tracing::{Instrument, debug, error, info_span, warn};

use super::headers::EventMeta;
use super::outbox::Outbox;
use super::{Event, dlq_topic, kafka, signature};
use crate::config::{ConsumerSettings, KafkaSettings};
use crate::db::{Db, Tx};
use crate::keys::Keyring;
use crate::metrics::names;
use crate::shutdown::Shutdown;

/// Why a handler failed.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// May succeed later (database busy, a dependency down): retried with backoff.
    #[error("transient: {0:#}")]
    Retry(anyhow::Error),
    /// Can never succeed: sent to the dead-letter topic at once.
    #[error("rejected: {0:#}")]
    Reject(anyhow::Error),
}

impl From<sqlx::Error> for HandlerError {
    fn from(e: sqlx::Error) -> Self {
        HandlerError::Retry(e.into())
    }
}

/// A lost race ([`crate::db::versioned`]) or an unavailable dependency may succeed on the
/// next try; a request the rules refuse never will.
impl From<crate::ServiceError> for HandlerError {
    fn from(e: crate::ServiceError) -> Self {
        use crate::ServiceError as E;
        match e {
            E::Internal(e) => HandlerError::Retry(e),
            e @ (E::Aborted(_) | E::Unavailable(_)) => HandlerError::Retry(e.into()),
            e => HandlerError::Reject(e.into()),
        }
    }
}

impl From<anyhow::Error> for HandlerError {
    fn from(e: anyhow::Error) -> Self {
        HandlerError::Retry(e)
    }
}

/// An enum field this build does not know never becomes readable by retrying.
impl From<onething_proto::UnknownWire> for HandlerError {
    fn from(e: onething_proto::UnknownWire) -> Self {
        HandlerError::Reject(e.into())
    }
}

/// How long a closing librdkafka client is waited for.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Drops a librdkafka client on a blocking thread, and waits for it (at most
/// [`CLOSE_WAIT`]): closing waits for the broker (group leave, in-flight requests), which
/// must never stall the async runtime the services share, and a service that stops must
/// have closed its clients while the broker still answers. A close left running when the
/// broker is gone kept the runtime from ever finishing its shutdown (a test process hung).
pub(crate) async fn close_off_thread<T: Send + 'static>(client: T) {
    let closing = tokio::task::spawn_blocking(move || drop(client));
    if tokio::time::timeout(CLOSE_WAIT, closing).await.is_err() {
        warn!("a Kafka client took more than {CLOSE_WAIT:?} to close; it goes on closing in the background");
    }
}

/// Errors of the database connection itself (down, pool exhausted, locked), as opposed to
/// errors of what the handler asked it to do.
fn is_unavailable(e: &anyhow::Error) -> bool {
    match e.downcast_ref::<sqlx::Error>() {
        Some(sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed) => {
            true
        }
        Some(sqlx::Error::Database(db)) => {
            let msg = db.message().to_ascii_lowercase();
            // SQLite busy/locked; PostgreSQL shutting down or refusing connections.
            msg.contains("database is locked")
                || msg.contains("database is busy")
                || matches!(db.code().as_deref(), Some("57P01" | "57P02" | "57P03" | "53300" | "08006" | "08001"))
        }
        _ => false,
    }
}

/// What a handler gets besides the event: the open transaction, the event's metadata and
/// the outbox for events it emits in reaction (in the same transaction).
pub struct Context<'c> {
    pub tx: &'c mut Tx<'static>,
    pub meta: &'c EventMeta,
    pub outbox: &'c Outbox,
}

#[async_trait]
pub trait Handler<E: Event>: Send + Sync + 'static {
    async fn handle(&self, event: E, cx: Context<'_>) -> Result<(), HandlerError>;
}

/// A shared handler is a handler, so that a service can hand one to a wrapper (a
/// decorator injected at start-up) and register the result.
#[async_trait]
impl<E: Event, H: Handler<E> + ?Sized> Handler<E> for Arc<H> {
    async fn handle(&self, event: E, cx: Context<'_>) -> Result<(), HandlerError> {
        (**self).handle(event, cx).await
    }
}

#[async_trait]
trait ErasedHandler: Send + Sync {
    async fn handle(&self, payload: &[u8], cx: Context<'_>) -> Result<(), HandlerError>;
}

struct Typed<E, H>(H, PhantomData<fn() -> E>);

#[async_trait]
impl<E: Event, H: Handler<E>> ErasedHandler for Typed<E, H> {
    async fn handle(&self, payload: &[u8], cx: Context<'_>) -> Result<(), HandlerError> {
        let event =
            E::decode(payload).map_err(|e| HandlerError::Reject(anyhow::anyhow!("undecodable {}: {e}", E::TYPE)))?;
        self.0.handle(event, cx).await
    }
}

/// One consumer group with one handler per topic.
pub struct Consumer {
    group: String,
    /// The Kafka group id (`group` plus the configured suffix): the `group` label.
    group_id: String,
    db: Db,
    outbox: Outbox,
    kafka: KafkaSettings,
    settings: ConsumerSettings,
    keys: Arc<Keyring>,
    handlers: HashMap<&'static str, Box<dyn ErasedHandler>>,
}

enum Outcome {
    Applied,
    Duplicate,
}

impl Consumer {
    /// `group` is the consumer group id and the inbox's consumer name; records are checked
    /// against the publishers' keys in `keys`.
    pub fn new(
        group: &str,
        db: Db,
        outbox: Outbox,
        kafka: KafkaSettings,
        settings: ConsumerSettings,
        keys: Arc<Keyring>,
    ) -> Consumer {
        let group_id = format!("{group}{}", kafka.group_suffix);
        Consumer { group: group.into(), group_id, db, outbox, kafka, settings, keys, handlers: HashMap::new() }
    }

    fn count(&self, topic: &str, outcome: &'static str) {
        metrics::counter!(names::EVENTS_CONSUMED, "topic" => topic.to_string(), "group" => self.group_id.clone(),
            "outcome" => outcome)
        .increment(1);
    }

    pub fn on<E: Event, H: Handler<E>>(mut self, handler: H) -> Self {
        self.handlers.insert(E::TOPIC, Box::new(Typed::<E, H>(handler, PhantomData)));
        self
    }

    /// The consumer group id, as the broker knows it (with the configured suffix).
    pub fn group(&self) -> String {
        self.group_id.clone()
    }

    pub fn topics(&self) -> Vec<String> {
        let mut t: Vec<String> = self.handlers.keys().map(|s| s.to_string()).collect();
        t.sort();
        t
    }

    /// Consumes until shutdown.
    ///
    /// When the connection to the broker breaks, the librdkafka consumer is dropped and a
    /// new one is made once the broker answers again: a broker that comes back empty (a
    /// restarted memory-backed broker) would otherwise be asked for topic ids it no longer
    /// knows, and librdkafka 2.12 crashes on its leader-discovery reply. Offsets are
    /// committed only after processing, so nothing is skipped by the switch.
    pub async fn run(self, shutdown: Shutdown) -> anyhow::Result<()> {
        let dlq = kafka::producer(&self.kafka, &format!("{}-dlq", self.group))?;
        let this = Arc::new(self);
        let topics = this.topics();
        // Each topic's dead-letter count exists from the start at 0, so that the first dead
        // letter is an increase an alert can see.
        for t in &topics {
            metrics::counter!(names::DEAD_LETTERS, "topic" => t.clone()).absolute(0);
        }
        let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
        while !shutdown.is_triggered() {
            let consumer: StreamConsumer = kafka::consumer(&this.kafka, &this.group)?;
            consumer.subscribe(&refs)?;
            let rebuild = this.consume(&consumer, &dlq, &shutdown).await;
            close_off_thread(consumer).await;
            if !rebuild {
                break;
            }
            warn!(group = %this.group, "all brokers down; the consumer restarts when the broker answers");
            while !kafka::broker_reachable(&this.kafka, Duration::from_secs(1)).await {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {},
                    _ = shutdown.clone().triggered() => {
                        close_off_thread(dlq).await;
                        return Ok(());
                    }
                }
            }
        }
        close_off_thread(dlq).await;
        Ok(())
    }

    /// Returns false on shutdown, true when the consumer must be rebuilt.
    async fn consume(&self, consumer: &StreamConsumer, dlq: &FutureProducer, shutdown: &Shutdown) -> bool {
        loop {
            let msg = tokio::select! {
                _ = shutdown.clone().triggered() => return false,
                msg = consumer.recv() => msg,
            };
            let msg = match msg {
                Ok(m) => m,
                Err(KafkaError::MessageConsumption(
                    RDKafkaErrorCode::AllBrokersDown | RDKafkaErrorCode::BrokerTransportFailure,
                )) => {
                    return true;
                }
                Err(e) => {
                    // Missing topics surface here until they are created; librdkafka recovers.
                    debug!(group = %self.group, error = %e, "consumer error");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            if !self.process(&msg, dlq, shutdown).await {
                return false; // shutting down in the middle of retries: the offset stays uncommitted
            }
            if let Err(e) = consumer.commit_message(&msg, CommitMode::Async) {
                warn!(group = %self.group, error = %e, "offset commit failed; the message may be redelivered");
            }
        }
    }

    /// Returns false only when shutdown interrupted the processing.
    async fn process(&self, msg: &BorrowedMessage<'_>, dlq: &FutureProducer, shutdown: &Shutdown) -> bool {
        let topic = msg.topic();
        let Some(meta) = EventMeta::from_headers(msg.headers()) else {
            return self.dead_letter(msg, "missing CloudEvents headers (ce_id, ce_type)", dlq, shutdown).await;
        };
        let span = info_span!("process", otel.name = format!("{topic} process"), otel.kind = "consumer",
            messaging.system = "kafka", messaging.destination.name = %topic,
            messaging.consumer.group.name = %self.group, messaging.message.id = %meta.id);
        if let Some(tp) = &meta.traceparent {
            crate::telemetry::set_parent(&span, tp);
        }
        let Some(handler) = self.handlers.get(topic) else {
            return true;
        };
        let payload = msg.payload().unwrap_or_default();
        if let Err(e) = signature::verify(&self.keys, topic, &meta, msg.key().unwrap_or_default(), payload) {
            return self.dead_letter(msg, &format!("unauthenticated record: {e}"), dlq, shutdown).await;
        }
        let mut backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(self.settings.initial_backoff_ms))
            .with_max_delay(Duration::from_millis(self.settings.max_backoff_ms))
            .with_max_times(self.settings.max_attempts.saturating_sub(1) as usize)
            .with_jitter()
            .build();
        loop {
            let result = self.apply(handler.as_ref(), topic, payload, &meta).instrument(span.clone()).await;
            match result {
                Ok(Outcome::Applied) => {
                    self.count(topic, "applied");
                    self.outbox.wake();
                    return true;
                }
                Ok(Outcome::Duplicate) => {
                    self.count(topic, "duplicate");
                    debug!(parent: &span, "duplicate event skipped");
                    return true;
                }
                Err(HandlerError::Reject(e)) => {
                    return self.dead_letter(msg, &format!("{e:#}"), dlq, shutdown).await;
                }
                // The database is unreachable or busy: not the message's fault, so it waits
                // (without using up its attempts) instead of going to the dead letters.
                Err(HandlerError::Retry(e)) if is_unavailable(&e) => {
                    warn!(parent: &span, error = %format!("{e:#}"), "database unavailable; waiting");
                    self.count(topic, "retried");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_millis(self.settings.max_backoff_ms)) => {},
                        _ = shutdown.clone().triggered() => return false,
                    }
                }
                Err(HandlerError::Retry(e)) => match backoff.next() {
                    Some(delay) => {
                        warn!(parent: &span, error = %format!("{e:#}"), "handler failed; retrying");
                        self.count(topic, "retried");
                        tokio::select! {
                            _ = tokio::time::sleep(delay) => {},
                            _ = shutdown.clone().triggered() => return false,
                        }
                    }
                    None => {
                        return self.dead_letter(msg, &format!("{e:#}"), dlq, shutdown).await;
                    }
                },
            }
        }
    }

    async fn apply(
        &self,
        handler: &dyn ErasedHandler,
        topic: &str,
        payload: &[u8],
        meta: &EventMeta,
    ) -> Result<Outcome, HandlerError> {
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO processed_events (consumer, event_id, topic, processed_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (consumer, event_id) DO NOTHING",
        )
        .bind(&self.group)
        .bind(&meta.id)
        .bind(topic)
        .bind(crate::time::now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            tx.rollback().await?;
            return Ok(Outcome::Duplicate);
        }
        handler.handle(payload, Context { tx: &mut tx, meta, outbox: &self.outbox }).await?;
        tx.commit().await?;
        Ok(Outcome::Applied)
    }

    /// Sends the message to `<topic>.dlq`, retrying until it is accepted (never drops it).
    async fn dead_letter(
        &self,
        msg: &BorrowedMessage<'_>,
        reason: &str,
        dlq: &FutureProducer,
        shutdown: &Shutdown,
    ) -> bool {
        let topic = dlq_topic(msg.topic());
        error!(group = %self.group, topic = %msg.topic(), offset = msg.offset(), reason, "message sent to the dead-letter topic");
        let _ = kafka::ensure_topics(&self.kafka, std::slice::from_ref(&topic)).await;
        loop {
            let mut headers = OwnedHeaders::new();
            if let Some(h) = msg.headers() {
                for header in h.iter() {
                    headers = headers.insert(Header { key: header.key, value: header.value });
                }
            }
            let headers = headers
                .insert(Header { key: "dlq_error", value: Some(reason) })
                .insert(Header { key: "dlq_consumer", value: Some(self.group.as_str()) })
                .insert(Header { key: "dlq_original_offset", value: Some(&msg.offset().to_string()) });
            let mut record = FutureRecord::to(&topic).headers(headers);
            if let Some(k) = msg.key() {
                record = record.key(k);
            }
            if let Some(p) = msg.payload() {
                record = record.payload(p);
            }
            match dlq.send(record, Duration::from_secs(5)).await {
                Ok(_) => {
                    self.count(msg.topic(), "dead_lettered");
                    metrics::counter!(names::DEAD_LETTERS, "topic" => msg.topic().to_string()).increment(1);
                    return true;
                }
                Err((e, _)) => {
                    warn!(error = %e, "dead-letter publish failed; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {},
                        _ = shutdown.clone().triggered() => return false,
                    }
                }
            }
        }
    }
}
