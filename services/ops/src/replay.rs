//! Sending a dead letter back to its topic: the record is read again from its dead-letter
//! topic (the ops tables never hold payloads) and produced to the original topic with its
//! own headers, less the dead-letter ones. The consumers' inbox applies it at most once.

use std::time::Duration;

use platform::config::KafkaSettings;
use platform::events::kafka;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, OwnedHeaders};
use rdkafka::producer::FutureRecord;
use rdkafka::{Message, Offset, TopicPartitionList};

use crate::store::DeadLetterRow;

/// Why a replay was not sent.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The dead-letter topic no longer holds the record (past its retention): never sendable.
    #[error("the record {0} is no longer on the broker")]
    Gone(String),
    #[error("the broker did not take the replay: {0:#}")]
    Broker(#[from] anyhow::Error),
}

/// A record read back from its place.
struct Record {
    key: Option<Vec<u8>>,
    payload: Option<Vec<u8>>,
    headers: Vec<(String, Option<Vec<u8>>)>,
}

/// Reads the record at the dead letter's place (blocking).
fn read_back(settings: &KafkaSettings, d: &DeadLetterRow) -> Result<Record, ReplayError> {
    let c: BaseConsumer = kafka::client_config(settings)?
        .set("group.id", "onething-ops-replay")
        .set("enable.auto.commit", "false")
        .create()
        .map_err(anyhow::Error::from)?;
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(&d.dlq_topic, d.partition_no as i32, Offset::Offset(d.offset_no))
        .map_err(anyhow::Error::from)?;
    c.assign(&tpl).map_err(anyhow::Error::from)?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let Some(msg) = c.poll(Duration::from_millis(500)) else { continue };
        let msg = msg.map_err(anyhow::Error::from)?;
        if msg.offset() != d.offset_no {
            continue;
        }
        let headers = msg
            .headers()
            .map(|h| h.iter().map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec))).collect())
            .unwrap_or_default();
        return Ok(Record { key: msg.key().map(<[u8]>::to_vec), payload: msg.payload().map(<[u8]>::to_vec), headers });
    }
    Err(ReplayError::Gone(d.id.clone()))
}

/// Produces the dead letter's record to its original topic.
pub async fn replay(settings: &KafkaSettings, d: &DeadLetterRow) -> Result<(), ReplayError> {
    let (s, row) = (settings.clone(), d.clone());
    let record = tokio::task::spawn_blocking(move || read_back(&s, &row)).await.map_err(anyhow::Error::from)??;
    let producer = kafka::producer(settings, "ops-replay")?;
    let mut headers = OwnedHeaders::new();
    for (key, value) in record.headers.iter().filter(|(k, _)| !k.starts_with("dlq_")) {
        headers = headers.insert(Header { key, value: value.as_deref() });
    }
    headers = headers.insert(Header { key: "ops_replayed_from", value: Some(d.id.as_str()) });
    let mut out = FutureRecord::to(&d.topic).headers(headers);
    if let Some(k) = &record.key {
        out = out.key(k);
    }
    if let Some(p) = &record.payload {
        out = out.payload(p);
    }
    let sent = producer.send(out, Duration::from_secs(10)).await;
    // Closing a producer waits for the broker: not on the async runtime.
    tokio::task::spawn_blocking(move || drop(producer));
    sent.map_err(|(e, _)| anyhow::anyhow!("replay not accepted: {e}"))?;
    Ok(())
}
