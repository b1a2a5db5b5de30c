//! librdkafka clients built from [`KafkaSettings`]: producer, consumer, topic admin.

use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::StreamConsumer;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::FutureProducer;

use crate::config::KafkaSettings;

fn base(settings: &KafkaSettings) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &settings.brokers)
        .set("socket.keepalive.enable", "true")
        .set("reconnect.backoff.max.ms", "1000")
        .set("topic.metadata.refresh.interval.ms", "5000");
    c
}

/// Idempotent producer: `acks=all`, no reordering or duplicates on internal retries.
pub fn producer(settings: &KafkaSettings, client_id: &str) -> anyhow::Result<FutureProducer> {
    Ok(base(settings)
        .set("client.id", client_id)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "0")
        .set("message.timeout.ms", settings.message_timeout_ms.to_string())
        .create()?)
}

/// Consumer of one group: manual offset commits (only after the database commit),
/// reads from the beginning when the group has no offset yet.
pub fn consumer(settings: &KafkaSettings, group: &str) -> anyhow::Result<StreamConsumer> {
    Ok(base(settings)
        .set("group.id", format!("{group}{}", settings.group_suffix))
        .set("client.id", group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", settings.session_timeout_ms.to_string())
        .set("heartbeat.interval.ms", settings.heartbeat_interval_ms.to_string())
        .set("max.poll.interval.ms", settings.max_poll_interval_ms.to_string())
        .set("fetch.wait.max.ms", settings.fetch_wait_max_ms.to_string())
        .set("allow.auto.create.topics", "false")
        .create()?)
}

/// Creates the topics that do not exist yet (already existing ones are fine).
pub async fn ensure_topics(settings: &KafkaSettings, topics: &[String]) -> anyhow::Result<()> {
    let admin: AdminClient<DefaultClientContext> = base(settings).create()?;
    let new: Vec<NewTopic> = topics
        .iter()
        .map(|t| NewTopic::new(t, settings.partitions, TopicReplication::Fixed(settings.replication_factor)))
        .collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    for result in admin.create_topics(&new, &opts).await? {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => anyhow::bail!("cannot create topic {topic}: {code}"),
        }
    }
    Ok(())
}

/// Whether the broker answers a metadata request within `timeout`.
pub async fn broker_reachable(settings: &KafkaSettings, timeout: Duration) -> bool {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || {
        let client: Result<rdkafka::producer::BaseProducer, _> = base(&settings).create();
        client.is_ok_and(|c| rdkafka::producer::Producer::client(&c).fetch_metadata(None, timeout).is_ok())
    })
    .await
    .unwrap_or(false)
}
