//! The life of a service process, the same for every department: connect the database
//! and apply migrations, create topics, serve gRPC (with health and reflection), run the
//! outbox relay and the consumers, watch dependencies for readiness, serve `/metrics` on
//! the metrics port, stop cleanly.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tonic::service::Routes;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;
use tracing::{info, warn};

use onething_proto::onething::audit::v1::audit_service_server::AuditServiceServer;
use onething_proto::onething::ops::v1::service_status_service_server::{
    ServiceStatusService as ServiceStatus, ServiceStatusServiceServer,
};
use onething_proto::onething::ops::v1::{ConsumerGroup, GetStatusRequest, GetStatusResponse};

use crate::config::Settings;
use crate::db::{Db, Migrations};
use crate::events::consumer::Consumer;
use crate::events::outbox::{Outbox, Relay};
use crate::events::{ALL_TOPICS, dlq_topic, kafka};
use crate::keys::Keyring;
use crate::shutdown::{self, Shutdown, ShutdownTrigger};

/// A service binary's `main`: loads its configuration, answers `<service> audit verify`
/// (exit status 1 when a link is broken), or builds the service and runs it until stopped.
pub async fn main<C, F, Fut>(name: &'static str, build: F) -> anyhow::Result<()>
where
    C: crate::config::ServiceConfig,
    F: FnOnce(C) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Application>>,
{
    let config: C = crate::config::load(name)?;
    if let Some(ok) =
        crate::audit::command(&std::env::args().skip(1).collect::<Vec<_>>(), name, config.platform()).await?
    {
        std::process::exit(if ok { 0 } else { 1 });
    }
    crate::telemetry::init(name, &config.platform().telemetry, false);
    let app = build(config).await?;
    app.run_until_stopped().await?;
    crate::telemetry::shutdown();
    Ok(())
}

/// What every service's handlers need: its settings, database and outbox.
#[derive(Clone)]
pub struct Base {
    pub name: &'static str,
    pub settings: Arc<Settings>,
    pub db: Db,
    pub outbox: Outbox,
    /// This process's key pair and the services' public keys: tokens and events are signed
    /// and checked with it.
    pub keys: Arc<Keyring>,
    /// The query finding a foreigner's cases in this service's tables (`$1`: their work
    /// permit number), so their access log shows the entries about them.
    pub foreigner_cases: Option<&'static str>,
}

impl Base {
    pub async fn init(name: &'static str, settings: Settings, migrations: &[Migrations]) -> anyhow::Result<Base> {
        // No key, no service: callers and events are authenticated by it.
        let keys = Keyring::load(name, &settings.identity)?;
        let db = Db::connect(&settings.database, name, migrations).await?;
        let sealed = crate::audit::open(&db, name).await?;
        if sealed > 0 {
            info!(service = name, entries = sealed, "access log entries from before the chain sealed into it");
        }
        let topics: Vec<String> = ALL_TOPICS.iter().flat_map(|t| [t.to_string(), dlq_topic(t)]).collect();
        // The broker may still be starting; the relay recreates topics later if needed.
        for attempt in 1..=10 {
            match kafka::ensure_topics(&settings.kafka, &topics).await {
                Ok(()) => break,
                Err(e) if attempt == 10 => warn!(error = %e, "topics not created; continuing"),
                Err(_) => tokio::time::sleep(Duration::from_millis(300)).await,
            }
        }
        Ok(Base { name, settings: Arc::new(settings), db, outbox: Outbox::new(name), keys, foreigner_cases: None })
    }

    /// A service's parts over a database already open, with default settings and a key of
    /// its own kept in memory: for unit tests of handlers and desks (no broker, no peers).
    pub fn with_db(name: &'static str, db: Db) -> Base {
        Base {
            name,
            settings: Arc::default(),
            db,
            outbox: Outbox::new(name),
            keys: Keyring::ephemeral(name),
            foreigner_cases: None,
        }
    }

    /// Names the query that finds a foreigner's cases here (see [`Base::foreigner_cases`]).
    pub fn with_foreigner_cases(mut self, sql: &'static str) -> Base {
        self.foreigner_cases = Some(sql);
        self
    }

    /// Signs this service's own calls to other services.
    pub fn signer(&self) -> crate::identity::Signer {
        crate::identity::Signer::new(self.keys.clone())
    }

    /// Asks service-center for the applicant fields this department's policy allows.
    pub fn sharing(&self) -> anyhow::Result<Arc<dyn crate::sharing::ShareSource>> {
        Ok(Arc::new(crate::sharing::Sharing::new(&self.settings.share_url, self.signer())?))
    }

    /// A consumer group named `<service>` (plus the configured suffix).
    pub fn consumer(&self) -> Consumer {
        Consumer::new(
            self.name,
            self.db.clone(),
            self.outbox.clone(),
            self.settings.kafka.clone(),
            self.settings.consumer.clone(),
            self.keys.clone(),
        )
    }

    /// Binds the gRPC and metrics ports and starts every task of the service.
    pub async fn launch(
        self,
        routes: Routes,
        reporter: HealthReporter,
        consumers: Vec<Consumer>,
    ) -> anyhow::Result<Application> {
        crate::metrics::install();
        let (listener, addr) = crate::grpc::bind(&self.settings.grpc_addr).await?;
        let metrics_listener = match self.settings.metrics_addr.as_str() {
            "" => None,
            a => Some(crate::grpc::bind(a).await?),
        };
        let (trigger, stop) = shutdown::channel();
        let mut tasks = JoinSet::new();
        // Every service says what its outbox and consumers hold (the ops overview asks).
        let groups = consumers.iter().map(|c| ConsumerGroup { group: c.group(), topics: c.topics() }).collect();
        let routes = routes
            .add_service(ServiceStatusServiceServer::new(StatusService { base: self.clone(), groups }))
            .add_service(AuditServiceServer::new(crate::audit::grpc::AuditServer {
                db: self.db.clone(),
                foreigner_cases: self.foreigner_cases,
            }));
        let serve_stop = stop.clone();
        let keys = self.keys.clone();
        tasks.spawn(async move { crate::grpc::serve(routes, listener, serve_stop, keys).await });
        let relay = Arc::new(Relay::new(
            self.db.clone(),
            self.outbox.clone(),
            self.settings.kafka.clone(),
            self.settings.outbox.clone(),
            self.keys.clone(),
        ));
        let s = stop.clone();
        tasks.spawn(async move {
            relay.run(s).await;
            Ok(())
        });
        for c in consumers {
            tasks.spawn(c.run(stop.clone()));
        }
        tasks.spawn(watch_dependencies(self.clone(), reporter, stop.clone()));
        // The outbox gauges hold a value from the start, then follow the backlog.
        crate::events::outbox::record_backlog(&self.db, self.name).await;
        tasks.spawn(crate::events::outbox::report_backlog(
            self.db.clone(),
            self.name,
            BACKLOG_REPORT_INTERVAL,
            stop.clone(),
        ));
        tasks.spawn(audit_upkeep(self.clone(), stop.clone()));
        let metrics_addr = metrics_listener.map(|(listener, metrics_addr)| {
            tasks.spawn(crate::metrics::serve(listener, stop.clone()));
            info!(service = self.name, %metrics_addr, "metrics endpoint listening");
            metrics_addr
        });
        info!(service = self.name, %addr, "gRPC server listening");
        Ok(Application { name: self.name, addr, metrics_addr, trigger, tasks })
    }
}

/// Publishes the access log's head to `audit-checkpoint` whenever it moved (through the
/// outbox, signed like every event) and prunes entries past the retention period hourly.
async fn audit_upkeep(base: Base, stop: Shutdown) -> anyhow::Result<()> {
    let every = Duration::from_millis(base.settings.audit.checkpoint_interval_ms);
    let mut last_prune: Option<tokio::time::Instant> = None;
    loop {
        if let Err(e) = publish_checkpoint(&base).await {
            warn!(service = base.name, error = %e, "audit checkpoint not written; will retry");
        }
        if last_prune.is_none_or(|t| t.elapsed() >= AUDIT_PRUNE_INTERVAL) {
            match crate::audit::prune(&base.db, base.settings.audit.retention_days).await {
                Ok(0) => {}
                Ok(n) => info!(service = base.name, entries = n, "access log entries past retention pruned"),
                Err(e) => warn!(service = base.name, error = %e, "access log not pruned; will retry"),
            }
            last_prune = Some(tokio::time::Instant::now());
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {},
            _ = stop.clone().triggered() => return Ok(()),
        }
    }
}

async fn publish_checkpoint(base: &Base) -> anyhow::Result<()> {
    let mut tx = base.db.begin().await?;
    let Some(head) = crate::audit::checkpoint(&mut tx).await? else { return Ok(()) };
    let event = onething_proto::events::AuditCheckpoint {
        service: head.service.clone(),
        seq: head.seq,
        hash: head.hash,
        anchor_seq: head.anchor_seq,
        at: crate::time::now_rfc3339(),
    };
    base.outbox.enqueue(&mut tx, &head.service, &event).await?;
    tx.commit().await?;
    base.outbox.wake();
    Ok(())
}

const AUDIT_PRUNE_INTERVAL: Duration = Duration::from_secs(3600);

/// How often the outbox gauges are refreshed.
const BACKLOG_REPORT_INTERVAL: Duration = Duration::from_secs(5);

/// Sets the overall health status ("") to SERVING only while the database and the broker
/// answer; the gateway's `/readyz` reads it.
async fn watch_dependencies(base: Base, reporter: HealthReporter, stop: Shutdown) -> anyhow::Result<()> {
    let mut last = None;
    loop {
        let db_ok = base.db.ping().await;
        let broker_ok = kafka::broker_reachable(&base.settings.kafka, Duration::from_secs(2)).await;
        let status = if db_ok && broker_ok { ServingStatus::Serving } else { ServingStatus::NotServing };
        if last != Some(status) {
            if status == ServingStatus::NotServing {
                warn!(service = base.name, database = db_ok, broker = broker_ok, "not ready");
            }
            reporter.set_service_status("", status).await;
            last = Some(status);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {},
            _ = stop.clone().triggered() => return Ok(()),
        }
    }
}

/// `onething.ops.v1.ServiceStatusService`: the outbox's backlog and the consumer groups,
/// from the service's own database and configuration.
struct StatusService {
    base: Base,
    groups: Vec<ConsumerGroup>,
}

#[tonic::async_trait]
impl ServiceStatus for StatusService {
    async fn get_status(
        &self,
        _: tonic::Request<GetStatusRequest>,
    ) -> Result<tonic::Response<GetStatusResponse>, tonic::Status> {
        let backlog = crate::events::outbox::backlog(&self.base.db).await.map_err(crate::ServiceError::from)?;
        Ok(tonic::Response::new(GetStatusResponse {
            service: self.base.name.to_string(),
            outbox_backlog: backlog.rows,
            outbox_oldest_age_ms: backlog.oldest_age_ms,
            consumer_groups: self.groups.clone(),
        }))
    }
}

/// A running service.
pub struct Application {
    name: &'static str,
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    trigger: ShutdownTrigger,
    tasks: JoinSet<anyhow::Result<()>>,
}

impl Application {
    pub fn grpc_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where `GET /metrics` is served (none when `platform.metrics_addr` is empty).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// Runs one more task of the service until shutdown (a service's own loop beside the
    /// platform's); like the others, its end stops the service.
    pub fn spawn<F, Fut>(&mut self, task: F)
    where
        F: FnOnce(Shutdown) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.tasks.spawn(task(self.trigger.subscribe()));
    }

    /// A handle that stops this application from elsewhere (tests, the launcher).
    pub fn trigger(&self) -> ShutdownTrigger {
        self.trigger.clone()
    }

    /// Runs until SIGINT/SIGTERM or [`Application::stop`], then stops every task.
    pub async fn run_until_stopped(mut self) -> anyhow::Result<()> {
        let stop = self.trigger.subscribe();
        tokio::select! {
            _ = shutdown::os_signal() => info!(service = self.name, "signal received; stopping"),
            _ = stop.triggered() => {},
            Some(res) = self.tasks.join_next() => {
                // A task ending on its own is a failure of the service.
                warn!(service = self.name, result = ?res.as_ref().map(|r| r.as_ref().err().map(ToString::to_string)), "a task stopped; stopping the service");
            }
        }
        self.stop().await;
        Ok(())
    }

    /// Triggers shutdown and waits (bounded) for every task.
    pub async fn stop(mut self) {
        self.trigger.trigger();
        let drain = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(Duration::from_secs(10), drain).await.is_err() {
            self.tasks.abort_all();
        }
        info!(service = self.name, "stopped");
    }
}
