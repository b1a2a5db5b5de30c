//! The overview the ops page and `/api/v1/ops/overview` show: event counts per minute from
//! the ops tables, consumer lag from the broker, each service's outbox from the service
//! itself, dead letters, and the case figures (by status, near and past due, 联办效能) as
//! service-center computes them from its case view, so that they agree with `/stats`.
//! The broker and service parts, and the default hour's whole overview, are made in the
//! background every `REFRESH`, whatever the number of viewers.

use std::sync::Arc;
use std::time::Duration;

use domain::case::{Item, ItemStatus};
use onething_proto::onething::ops::v1::GetStatusRequest;
use onething_proto::onething::ops::v1::service_status_service_client::ServiceStatusServiceClient;
use onething_proto::onething::servicecenter::v1::GetStatsRequest;
use onething_proto::onething::servicecenter::v1::service_center_service_client::ServiceCenterServiceClient;
use platform::app::Base;
use platform::events::kafka::{self, PartitionLag};
use platform::identity::Signer;
use platform::shutdown::Shutdown;
use platform::time::{now_ms, rfc3339};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::RwLock;
use tonic::transport::Channel;
use tracing::warn;

use crate::store;
use crate::streams;

/// How often the broker and the services are asked.
pub const REFRESH: Duration = Duration::from_secs(2);
/// The window of the page's default view, in minutes.
pub const DEFAULT_WINDOW: i64 = 60;

#[derive(Debug, Clone, Serialize)]
pub struct MinuteCount {
    /// The minute's start, RFC 3339 (UTC).
    pub minute: String,
    pub topic: String,
    pub source: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicCount {
    pub topic: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Events {
    pub per_minute: Vec<MinuteCount>,
    /// Every event seen since the ops service started reading (totals are not pruned).
    pub by_topic: Vec<TopicCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutboxStatus {
    pub service: String,
    /// False when the service did not answer (the figures are then 0).
    pub reachable: bool,
    pub backlog: i64,
    pub oldest_age_seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeadLetterTopic {
    pub topic: String,
    pub count: i64,
    /// Not replayed yet.
    pub pending: i64,
    pub last_reason: String,
    pub last_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeadLetters {
    pub total: i64,
    pub pending: i64,
    pub by_topic: Vec<DeadLetterTopic>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub generated_at: String,
    pub window_minutes: i64,
    pub events: Events,
    pub consumer_lag: Vec<PartitionLag>,
    pub outbox: Vec<OutboxStatus>,
    pub dead_letters: DeadLetters,
    /// service-center's figures (`/api/v1/stats`, with `deadlines`); null while it does not answer.
    pub cases: Value,
}

/// The figures as Prometheus gauges on the ops service's `/metrics`: the lag per group and
/// partition, items per status, items past their deadline.
fn export(lag: &[PartitionLag], cases: &Value) {
    use platform::metrics::names;
    for p in lag {
        metrics::gauge!(names::CONSUMER_LAG, "group" => p.group.clone(), "topic" => p.topic.clone(), "partition" => p.partition.to_string())
            .set(p.lag as f64);
    }
    if cases.is_null() {
        return; // service-center did not answer: the last figures stand
    }
    // Every item and status, zeros too: a count that falls to 0 must say 0, not its last value.
    for item in Item::ALL {
        for status in ItemStatus::ALL {
            let n = cases["items"][item.as_str()][status.as_str()].as_f64().unwrap_or(0.0);
            metrics::gauge!(names::ITEMS, "item" => item.as_str(), "status" => status.as_str()).set(n);
        }
        let past = cases["deadlines"]["items"][item.as_str()]["past"].as_f64().unwrap_or(0.0);
        metrics::gauge!(names::ITEMS_OVERDUE, "item" => item.as_str()).set(past);
    }
}

/// What the background refresh keeps.
#[derive(Debug, Clone, Default)]
struct Live {
    lag: Vec<PartitionLag>,
    outbox: Vec<OutboxStatus>,
    cases: Value,
}

#[derive(Clone)]
pub struct Overviews {
    base: Base,
    live: Arc<RwLock<Live>>,
    services: Vec<(&'static str, Channel)>,
    service_center: Channel,
    signer: Signer,
    lag_reader: Arc<std::sync::Mutex<Option<kafka::LagReader>>>,
    /// The default window's overview as the last refresh made it.
    snapshot: Arc<RwLock<Option<Overview>>>,
    /// Every consumer group a service has named, with its topics.
    known_groups: Arc<std::sync::Mutex<std::collections::BTreeMap<String, Vec<String>>>>,
}

fn lazy(url: &str) -> anyhow::Result<Channel> {
    platform::grpc::lazy_channel(url, Duration::from_secs(5))
}

impl Overviews {
    pub fn new(base: Base, urls: &platform::config::ServiceUrls) -> anyhow::Result<Overviews> {
        let services = vec![
            ("service-center", lazy(&urls.service_center)?),
            ("science-tech", lazy(&urls.science_tech)?),
            ("hrss", lazy(&urls.hrss)?),
            ("public-security", lazy(&urls.public_security)?),
        ];
        // ops calls the others as itself, with its own key.
        let signer = base.signer();
        Ok(Overviews {
            service_center: services[0].1.clone(),
            base,
            live: Arc::default(),
            services,
            signer,
            lag_reader: Arc::default(),
            snapshot: Arc::default(),
            known_groups: Arc::default(),
        })
    }

    pub fn base(&self) -> &Base {
        &self.base
    }

    fn request<T>(&self, message: T) -> tonic::Request<T> {
        self.signer.request(&self.signer.itself(), message, None)
    }

    /// Asks every service for its status and the broker for every group's lag, once.
    pub async fn refresh(&self) {
        let mut outbox = Vec::new();
        for (name, channel) in &self.services {
            let mut client = ServiceStatusServiceClient::new(channel.clone());
            match client.get_status(self.request(GetStatusRequest {})).await {
                Ok(r) => {
                    let s = r.into_inner();
                    outbox.push(OutboxStatus {
                        service: name.to_string(),
                        reachable: true,
                        backlog: s.outbox_backlog,
                        oldest_age_seconds: s.outbox_oldest_age_ms as f64 / 1000.0,
                    });
                    let mut known = self.known_groups.lock().unwrap_or_else(|p| p.into_inner());
                    known.extend(s.consumer_groups.into_iter().map(|g| (g.group, g.topics)));
                }
                Err(e) => {
                    warn!(service = name, error = %e.message(), "status not available");
                    outbox.push(OutboxStatus {
                        service: name.to_string(),
                        reachable: false,
                        backlog: 0,
                        oldest_age_seconds: 0.0,
                    });
                }
            }
        }
        // The ops service itself: its own group (it has no outbox of its own to speak of).
        let own = platform::events::outbox::backlog(&self.base.db).await.unwrap_or_default();
        outbox.push(OutboxStatus {
            service: self.base.name.to_string(),
            reachable: true,
            backlog: own.rows,
            oldest_age_seconds: own.oldest_age_ms as f64 / 1000.0,
        });
        // A group learned once is reported on: a service that is down is when its lag matters.
        let mut groups: Vec<(String, Vec<String>)> =
            self.known_groups.lock().unwrap_or_else(|p| p.into_inner()).clone().into_iter().collect();
        groups.push((format!("{}{}", streams::GROUP, self.base.settings.kafka.group_suffix), streams::topics()));
        let (settings, reader) = (self.base.settings.kafka.clone(), self.lag_reader.clone());
        let lag = tokio::task::spawn_blocking(move || {
            let mut slot = reader.lock().unwrap_or_else(|p| p.into_inner());
            let result = match slot.as_mut() {
                Some(r) => r.read(&groups, Duration::from_secs(3)),
                None => kafka::LagReader::new(&settings).and_then(|mut r| {
                    let lag = r.read(&groups, Duration::from_secs(3));
                    *slot = Some(r);
                    lag
                }),
            };
            // A reader that failed is made anew next time (the broker may have restarted).
            if result.is_err() {
                *slot = None;
            }
            result
        })
        .await
        .map_err(anyhow::Error::from)
        .and_then(|r| r)
        .unwrap_or_else(|e| {
            warn!(error = %e, "consumer lag not available");
            Vec::new()
        });
        let mut sc = ServiceCenterServiceClient::new(self.service_center.clone());
        let cases = match sc.get_stats(self.request(GetStatsRequest {})).await {
            Ok(r) => serde_json::from_str(&r.into_inner().json).unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        export(&lag, &cases);
        *self.live.write().await = Live { lag, outbox, cases };
        match self.compute(DEFAULT_WINDOW).await {
            Ok(o) => *self.snapshot.write().await = Some(o),
            Err(e) => warn!(error = %e, "overview not computed"),
        }
    }

    /// Refreshes every [`REFRESH`] until shutdown.
    pub async fn run(self, shutdown: Shutdown) -> anyhow::Result<()> {
        loop {
            self.refresh().await;
            tokio::select! {
                _ = tokio::time::sleep(REFRESH) => {},
                _ = shutdown.clone().triggered() => return Ok(()),
            }
        }
    }

    /// The overview of the last `minutes` minutes (1 to 1440). The default hour is the one
    /// the refresh made (every viewer of the page shares it); another window is made anew.
    pub async fn get(&self, minutes: i64) -> Result<Overview, sqlx::Error> {
        if minutes == DEFAULT_WINDOW
            && let Some(o) = self.snapshot.read().await.clone()
        {
            return Ok(o);
        }
        self.compute(minutes).await
    }

    async fn compute(&self, minutes: i64) -> Result<Overview, sqlx::Error> {
        let minutes = minutes.clamp(1, 1440);
        let now = now_ms();
        let since = (now - minutes * 60_000) / 60_000 * 60_000;
        let per_minute = store::per_minute(&self.base.db.pool, since)
            .await?
            .into_iter()
            .map(|(minute, topic, source, count)| MinuteCount { minute: rfc3339(minute), topic, source, count })
            .collect();
        let by_topic = store::totals(&self.base.db.pool)
            .await?
            .into_iter()
            .map(|(topic, count)| TopicCount { topic, count })
            .collect();
        let by_topic_dlq: Vec<DeadLetterTopic> = store::dead_letter_totals(&self.base.db.pool)
            .await?
            .into_iter()
            .map(|(topic, count, pending, last_reason, last_at)| DeadLetterTopic {
                topic,
                count,
                pending,
                last_reason,
                last_at: rfc3339(last_at),
            })
            .collect();
        let live = self.live.read().await.clone();
        Ok(Overview {
            generated_at: rfc3339(now),
            window_minutes: minutes,
            events: Events { per_minute, by_topic },
            consumer_lag: live.lag,
            outbox: live.outbox,
            dead_letters: DeadLetters {
                total: by_topic_dlq.iter().map(|d| d.count).sum(),
                pending: by_topic_dlq.iter().map(|d| d.pending).sum(),
                by_topic: by_topic_dlq,
            },
            cases: live.cases,
        })
    }
}
