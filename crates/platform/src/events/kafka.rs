//! librdkafka clients built from [`KafkaSettings`]: producer, consumer, topic admin.

use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::StreamConsumer;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::FutureProducer;

use anyhow::Context;

use crate::config::{BrokerAuth, KafkaSettings};

/// The settings every client of this process shares (brokers, credentials, keep-alive,
/// reconnects), for a client this module does not make itself.
pub fn client_config(settings: &KafkaSettings) -> anyhow::Result<ClientConfig> {
    base(settings)
}

fn base(settings: &KafkaSettings) -> anyhow::Result<ClientConfig> {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &settings.brokers)
        .set("socket.keepalive.enable", "true")
        .set("reconnect.backoff.max.ms", "1000")
        .set("topic.metadata.refresh.interval.ms", "5000");
    credentials(&mut c, &settings.auth)?;
    Ok(c)
}

/// SASL/SCRAM (and TLS) for a broker that asks who the client is; nothing in plaintext.
fn credentials(c: &mut ClientConfig, auth: &BrokerAuth) -> anyhow::Result<()> {
    c.set("security.protocol", auth.protocol.as_str());
    if !auth.protocol.uses_sasl() {
        return Ok(());
    }
    let file = auth.password_file.as_deref().context("kafka.auth.password_file is unset")?;
    let password = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the broker password from {}", file.display()))?;
    c.set("sasl.mechanisms", &auth.mechanism)
        .set("sasl.username", &auth.username)
        .set("sasl.password", password.trim_end_matches(['\n', '\r']));
    if let Some(ca) = &auth.ca_file {
        c.set("ssl.ca.location", ca.display().to_string());
    }
    Ok(())
}

/// Idempotent producer: `acks=all`, no reordering or duplicates on internal retries.
pub fn producer(settings: &KafkaSettings, client_id: &str) -> anyhow::Result<FutureProducer> {
    Ok(base(settings)?
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
    Ok(base(settings)?
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

/// Creates the topics that do not exist yet (already existing ones are fine); nothing when
/// `create_topics` is off (production manages its topics).
pub async fn ensure_topics(settings: &KafkaSettings, topics: &[String]) -> anyhow::Result<()> {
    if !settings.create_topics {
        return Ok(());
    }
    let admin: AdminClient<DefaultClientContext> = base(settings)?.create()?;
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
        let client: anyhow::Result<rdkafka::producer::BaseProducer> = base(&settings).and_then(|c| Ok(c.create()?));
        client.is_ok_and(|c| rdkafka::producer::Producer::client(&c).fetch_metadata(None, timeout).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// How far one consumer group is behind on one partition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartitionLag {
    pub group: String,
    pub topic: String,
    pub partition: i32,
    /// The group's committed offset; `None` when it has committed none there yet.
    pub committed: Option<i64>,
    pub high_watermark: i64,
    /// Records not yet processed by the group (from the low watermark when none committed).
    pub lag: i64,
}

/// Reads the lag of consumer groups (as the broker knows them, suffix included) on every
/// partition of their topics with the Kafka admin calls (metadata and watermarks once per
/// read, an offset fetch per group), without joining any group. Its clients are made once
/// and kept: a dashboard refreshed every 2 s must not open new connections each time.
/// Blocking: use it off the async runtime.
pub struct LagReader {
    settings: KafkaSettings,
    admin: rdkafka::consumer::BaseConsumer,
    groups: std::collections::HashMap<String, rdkafka::consumer::BaseConsumer>,
}

impl LagReader {
    pub fn new(settings: &KafkaSettings) -> anyhow::Result<LagReader> {
        let admin = base(settings)?.set("group.id", "onething-lag-reader").create()?;
        Ok(LagReader { settings: settings.clone(), admin, groups: Default::default() })
    }

    /// The lag of each `(group, topics)` now.
    pub fn read(&mut self, groups: &[(String, Vec<String>)], timeout: Duration) -> anyhow::Result<Vec<PartitionLag>> {
        use std::collections::HashMap;

        use rdkafka::consumer::Consumer;
        use rdkafka::{Offset, TopicPartitionList};
        let metadata = self.admin.fetch_metadata(None, timeout)?;
        let mut marks: HashMap<(String, i32), (i64, i64)> = HashMap::new();
        let wanted = |name: &str| groups.iter().any(|(_, topics)| topics.iter().any(|t| t == name));
        for t in metadata.topics().iter().filter(|t| wanted(t.name())) {
            for p in t.partitions() {
                // A partition without a leader (a broker restarting) is left out, not the rest.
                match self.admin.fetch_watermarks(t.name(), p.id(), timeout) {
                    Ok(m) => {
                        marks.insert((t.name().to_string(), p.id()), m);
                    }
                    Err(e) => tracing::warn!(topic = t.name(), partition = p.id(), error = %e, "watermarks not read"),
                }
            }
        }
        let mut out = Vec::new();
        for (group, topics) in groups {
            let mut tpl = TopicPartitionList::new();
            for ((topic, partition), _) in marks.iter().filter(|((t, _), _)| topics.contains(t)) {
                tpl.add_partition(topic, *partition);
            }
            if !self.groups.contains_key(group) {
                let reader =
                    base(&self.settings)?.set("group.id", group).set("enable.auto.commit", "false").create()?;
                self.groups.insert(group.clone(), reader);
            }
            let committed = match self.groups[group].committed_offsets(tpl, timeout) {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(group, error = %e, "committed offsets not read");
                    continue;
                }
            };
            for e in committed.elements() {
                let (low, high) = marks[&(e.topic().to_string(), e.partition())];
                let committed = match e.offset() {
                    Offset::Offset(o) if o >= 0 => Some(o),
                    _ => None,
                };
                out.push(PartitionLag {
                    group: group.clone(),
                    topic: e.topic().to_string(),
                    partition: e.partition(),
                    committed,
                    high_watermark: high,
                    lag: (high - committed.unwrap_or(low)).max(0),
                });
            }
        }
        out.sort_by(|a, b| (&a.group, &a.topic, a.partition).cmp(&(&b.group, &b.topic, b.partition)));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SecurityProtocol;

    #[test]
    fn sasl_settings_reach_librdkafka_with_the_password_read_from_its_file() {
        let dir = std::env::temp_dir().join(format!("kafka-auth-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let password = dir.join("password");
        std::fs::write(&password, "s3cret\n").unwrap();
        let mut settings = KafkaSettings {
            auth: BrokerAuth {
                protocol: SecurityProtocol::SaslSsl,
                username: "hrss".into(),
                password_file: Some(password.clone()),
                ca_file: Some(dir.join("ca.crt")),
                ..BrokerAuth::default()
            },
            ..KafkaSettings::default()
        };
        let c = base(&settings).unwrap();
        assert_eq!(c.get("security.protocol"), Some("sasl_ssl"));
        assert_eq!(c.get("sasl.mechanisms"), Some("SCRAM-SHA-512"));
        assert_eq!(c.get("sasl.username"), Some("hrss"));
        assert_eq!(c.get("sasl.password"), Some("s3cret"), "the Secret's trailing newline is not part of it");
        assert_eq!(c.get("ssl.ca.location"), Some(dir.join("ca.crt").display().to_string().as_str()));
        // librdkafka was built with TLS and SCRAM (the `ssl` feature): it takes these settings.
        settings.auth.ca_file = None;
        let _producer = producer(&settings, "t").expect("a SCRAM-over-TLS producer");
        settings.auth.ca_file = Some(dir.join("ca.crt"));

        std::fs::remove_dir_all(&dir).unwrap();
        let err = base(&settings).unwrap_err();
        assert!(format!("{err:#}").contains(&password.display().to_string()), "{err:#}");

        let plain = base(&KafkaSettings::default()).unwrap();
        assert_eq!(plain.get("security.protocol"), Some("plaintext"));
        assert_eq!(plain.get("sasl.username"), None);
    }
}
