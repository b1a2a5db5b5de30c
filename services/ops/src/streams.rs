//! The ops consumer group reads every topic and every dead-letter topic from the start and
//! keeps, per record, its type, source and time (`ops_events`), and per dead letter its
//! reason and place (`ops_dead_letters`). Offsets are committed after the database commit;
//! a redelivered record is recognised by its place and counted once.

use std::time::Duration;

use platform::db::Db;
use platform::events::{ALL_TOPICS, dlq_topic, kafka};
use platform::shutdown::Shutdown;
use rdkafka::Message;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Headers};
use tracing::{debug, warn};

use crate::store::{self, DeadLetterRow, SeenEvent};

pub const GROUP: &str = "ops";

/// Every topic the ops group reads: the events and their dead letters.
pub fn topics() -> Vec<String> {
    ALL_TOPICS.iter().flat_map(|t| [t.to_string(), dlq_topic(t)]).collect()
}

fn header(msg: &BorrowedMessage<'_>, name: &str) -> Option<String> {
    let headers = msg.headers()?;
    headers
        .iter()
        .find(|h| h.key == name)
        .and_then(|h| h.value)
        .and_then(|v| std::str::from_utf8(v).ok())
        .map(str::to_string)
}

/// When the record was made: its `ce_time`, else the broker's timestamp, else now.
fn at(msg: &BorrowedMessage<'_>) -> i64 {
    header(msg, "ce_time")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.timestamp_millis())
        .or_else(|| msg.timestamp().to_millis())
        .unwrap_or_else(platform::time::now_ms)
}

/// The id of the dead letter at this place of its dead-letter topic.
pub fn dead_letter_id(dlq_topic: &str, partition: i64, offset: i64) -> String {
    format!("{dlq_topic}:{partition}:{offset}")
}

/// What the ops tables keep of one record.
pub enum Seen {
    Event(SeenEvent),
    DeadLetter(DeadLetterRow),
}

pub fn seen(msg: &BorrowedMessage<'_>) -> Seen {
    let topic = msg.topic();
    let (partition, offset) = (i64::from(msg.partition()), msg.offset());
    match topic.strip_suffix(".dlq") {
        Some(original) => Seen::DeadLetter(DeadLetterRow {
            id: dead_letter_id(topic, partition, offset),
            dlq_topic: topic.into(),
            partition_no: partition,
            offset_no: offset,
            topic: original.into(),
            record_key: msg.key().map(|k| String::from_utf8_lossy(k).into_owned()).unwrap_or_default(),
            ce_type: header(msg, "ce_type").unwrap_or_default(),
            ce_id: header(msg, "ce_id").unwrap_or_default(),
            reason: header(msg, "dlq_error").unwrap_or_else(|| "no reason recorded".into()),
            consumer_group: header(msg, "dlq_consumer").unwrap_or_default(),
            payload_bytes: msg.payload_len() as i64,
            dead_lettered_at: at_of_dead_letter(msg),
            replayed_at: None,
            replayed_by: None,
            version: 0,
        }),
        None => Seen::Event(SeenEvent {
            topic: topic.into(),
            partition,
            offset,
            ce_type: header(msg, "ce_type").unwrap_or_else(|| "unknown".into()),
            source: header(msg, "ce_source")
                .map(|s| s.trim_start_matches("/onething/").to_string())
                .unwrap_or_else(|| "unknown".into()),
            at: at(msg),
        }),
    }
}

/// A dead letter's time is when it was dead-lettered (the broker's timestamp of the
/// dead-letter record), not the original event's.
fn at_of_dead_letter(msg: &BorrowedMessage<'_>) -> i64 {
    msg.timestamp().to_millis().unwrap_or_else(platform::time::now_ms)
}

async fn apply(db: &Db, msg: &BorrowedMessage<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    match seen(msg) {
        Seen::Event(e) => store::record_event(&mut tx, &e).await?,
        Seen::DeadLetter(d) => store::record_dead_letter(&mut tx, &d).await?,
    }
    tx.commit().await
}

/// Reads until shutdown; a broken broker connection rebuilds the consumer once the broker
/// answers again (offsets are committed only after the database commit).
pub async fn run(db: Db, kafka_settings: platform::config::KafkaSettings, shutdown: Shutdown) -> anyhow::Result<()> {
    let topics = topics();
    let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
    let group_id = format!("{GROUP}{}", kafka_settings.group_suffix);
    while !shutdown.is_triggered() {
        let consumer: StreamConsumer = kafka::consumer(&kafka_settings, GROUP)?;
        consumer.subscribe(&refs)?;
        let rebuild = consume(&db, &consumer, &group_id, &shutdown).await;
        tokio::task::spawn_blocking(move || drop(consumer));
        if !rebuild {
            break;
        }
        warn!("all brokers down; the ops consumer restarts when the broker answers");
        while !kafka::broker_reachable(&kafka_settings, Duration::from_secs(1)).await {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {},
                _ = shutdown.clone().triggered() => return Ok(()),
            }
        }
    }
    Ok(())
}

async fn consume(db: &Db, consumer: &StreamConsumer, group_id: &str, shutdown: &Shutdown) -> bool {
    loop {
        let msg = tokio::select! {
            _ = shutdown.clone().triggered() => return false,
            msg = consumer.recv() => msg,
        };
        let msg = match msg {
            Ok(m) => m,
            Err(KafkaError::MessageConsumption(
                RDKafkaErrorCode::AllBrokersDown | RDKafkaErrorCode::BrokerTransportFailure,
            )) => return true,
            Err(e) => {
                debug!(error = %e, "ops consumer error");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        // The database may be busy or down: wait, never skip a record.
        while let Err(e) = apply(db, &msg).await {
            warn!(error = %e, topic = msg.topic(), "ops record not stored; retrying");
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {},
                _ = shutdown.clone().triggered() => return false,
            }
        }
        metrics::counter!(platform::metrics::names::EVENTS_CONSUMED, "topic" => msg.topic().to_string(),
            "group" => group_id.to_string(), "outcome" => "applied")
        .increment(1);
        if let Err(e) = consumer.commit_message(&msg, CommitMode::Async) {
            warn!(error = %e, "ops offset commit failed; the record may be seen again (counted once)");
        }
    }
}
