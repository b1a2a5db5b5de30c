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

/// A record read back from its place.
struct Record {
    key: Option<Vec<u8>>,
    payload: Option<Vec<u8>>,
    headers: Vec<(String, Option<Vec<u8>>)>,
}

/// Reads the record at the dead letter's place (blocking).
fn read_back(settings: &KafkaSettings, d: &DeadLetterRow) -> anyhow::Result<Record> {
    let c: BaseConsumer = kafka::client_config(settings)
        .set("group.id", "onething-ops-replay")
        .set("enable.auto.commit", "false")
        .create()?;
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(&d.dlq_topic, d.partition_no as i32, Offset::Offset(d.offset_no))?;
    c.assign(&tpl)?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let Some(msg) = c.poll(Duration::from_millis(500)) else { continue };
        let msg = msg?;
        if msg.offset() != d.offset_no {
            continue;
        }
        let headers = msg
            .headers()
            .map(|h| h.iter().map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec))).collect())
            .unwrap_or_default();
        return Ok(Record { key: msg.key().map(<[u8]>::to_vec), payload: msg.payload().map(<[u8]>::to_vec), headers });
    }
    anyhow::bail!("the record {}:{}:{} is no longer on the broker", d.dlq_topic, d.partition_no, d.offset_no)
}

/// Produces the dead letter's record to its original topic.
pub async fn replay(settings: &KafkaSettings, d: &DeadLetterRow) -> anyhow::Result<()> {
    let (s, row) = (settings.clone(), d.clone());
    let record = tokio::task::spawn_blocking(move || read_back(&s, &row)).await??;
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
    producer.send(out, Duration::from_secs(10)).await.map_err(|(e, _)| anyhow::anyhow!("replay not accepted: {e}"))?;
    Ok(())
}
