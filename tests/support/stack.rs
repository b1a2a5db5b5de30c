//! The whole system for one test: broker, databases, five services, HTTP client.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use platform::config::Settings;
use platform::events::Event;
use platform::events::consumer::{Context, Handler, HandlerError};
use serde_json::{Value, json};
use sqlx::AnyPool;

pub use crate::api::{Api, SAMPLE_PDF};
use crate::broker::Broker;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Postgres,
    Sqlite,
}

#[derive(Debug, Clone)]
pub struct StackOptions {
    pub db: DbKind,
    /// hrss's `permit-approved` handler is wrapped in one that sleeps this long first
    /// (the parallel fan-out test); see [`SlowHandler`].
    pub hrss_delay_ms: u64,
    /// Also start the ops service (the operators' read model) and route the gateway's
    /// `/api/v1/ops/*` to it; off by default, it reads every topic.
    pub ops: bool,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self { db: DbKind::Postgres, hrss_delay_ms: 0, ops: false }
    }
}

/// A handler that waits `delay` before handing the event to the real one: injected into
/// hrss through its start-up seam ([`hrss::Parts`]), so production code has no test delay.
pub struct SlowHandler<E: Event> {
    pub inner: Arc<dyn Handler<E>>,
    pub delay: Duration,
}

#[async_trait]
impl<E: Event> Handler<E> for SlowHandler<E> {
    async fn handle(&self, event: E, cx: Context<'_>) -> Result<(), HandlerError> {
        tokio::time::sleep(self.delay).await;
        self.inner.handle(event, cx).await
    }
}

/// public-security's settings in the tests: no grace before a no-show, so that a test can
/// record one for an appointment it made a moment ago (the grace is unit-tested).
fn residence_settings() -> public_security::config::ResidenceSettings {
    public_security::config::ResidenceSettings { no_show_grace_minutes: 0, ..Default::default() }
}

pub const SERVICES: [&str; 4] = ["service-center", "science-tech", "hrss", "public-security"];
/// The operators' read model, started when [`StackOptions::ops`] asks for it.
pub const OPS: &str = "ops";
pub const JWT_SECRET: &str = "e2e-secret-e2e-secret-e2e-secret-e2e";

/// PostgreSQL server for tests; each test gets fresh databases on it.
pub fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct Stack {
    /// The public HTTP API of this stack's gateway (also reached through `Deref`).
    pub api: Api,
    pub db_urls: Vec<(&'static str, String)>,
    /// The services in [`SERVICES`] order; `None` while a test has stopped one.
    apps: Vec<Option<platform::app::Application>>,
    ops: Option<platform::app::Application>,
    gateway: Option<gateway::Gateway>,
    /// The gRPC address of a service a test stopped, to start it again there.
    stopped_addr: Option<String>,
    group_suffix: String,
    pg_databases: Vec<String>,
    files: Option<TempDir>,
    /// service-center's gRPC address once it runs: where the others ask for shared data.
    share_url: String,
    /// Last, so that it is dropped last: when a test fails (no `shutdown`), the services'
    /// Kafka clients close while the broker still answers. Dropped first, it left them
    /// waiting on a dead broker and the failed test hung until the 240 s timeout.
    pub broker: Broker,
}

/// A directory removed at drop.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Stack {
    pub async fn start(opts: StackOptions) -> Stack {
        platform::telemetry::init("e2e", &Default::default(), true);
        sqlx::any::install_default_drivers();
        let broker = Broker::start().await;
        let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_string();
        let mut db_urls = Vec::new();
        let mut pg_databases = Vec::new();
        // Per-stack files (SQLite databases, uploaded documents), removed at the end.
        let dir = std::env::temp_dir().join(format!("onething-e2e-{run}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        match opts.db {
            DbKind::Postgres => {
                let admin =
                    AnyPool::connect(&pg_admin_url()).await.expect("PostgreSQL reachable (make test starts it)");
                for s in SERVICES.into_iter().chain([OPS]) {
                    let name = format!("e2e_{run}_{}", s.replace('-', "_"));
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                        .execute(&admin)
                        .await
                        .expect("create database");
                    let base = pg_admin_url();
                    let url = format!("{}/{name}", &base[..base.rfind('/').expect("url has a path")]);
                    db_urls.push((s, url));
                    pg_databases.push(name);
                }
                admin.close().await;
            }
            DbKind::Sqlite => {
                for s in SERVICES.into_iter().chain([OPS]) {
                    db_urls.push((s, format!("sqlite://{}/{s}.db?mode=rwc", dir.display())));
                }
            }
        }
        let mut stack = Stack {
            broker,
            api: Api::new(String::new()),
            db_urls,
            apps: vec![],
            ops: None,
            stopped_addr: None,
            group_suffix: String::new(),
            gateway: None,
            pg_databases,
            files: Some(TempDir(dir)),
            share_url: String::new(),
        };
        stack.start_services(&opts, "").await;
        stack
    }

    pub fn settings(&self, service: &str, group_suffix: &str) -> Settings {
        let mut s = Settings::default();
        s.database.url = Some(self.db_url(service).to_string());
        s.database.max_connections = 4;
        s.kafka.brokers = self.broker.addr();
        s.kafka.group_suffix = group_suffix.into();
        s.outbox.sweep_interval_ms = 500;
        s.consumer.initial_backoff_ms = 50;
        // Checkpoints of the access log within a test's time.
        s.audit.checkpoint_interval_ms = 500;
        s.identity = self.identity(service);
        s.share_url = self.share_url.clone();
        s
    }

    /// Each process's own key under the stack's directory (made at its first start), and
    /// the directory of the public keys every process trusts.
    pub fn identity(&self, process: &str) -> platform::config::IdentitySettings {
        let dir = self.keys_dir();
        platform::config::IdentitySettings {
            key_file: Some(dir.join(format!("{process}.key"))),
            trust_dir: Some(dir.join("trusted")),
            generate: true,
        }
    }

    /// The CloudEvents headers of a record as `service` would publish it, signed with its
    /// key (a test producing records that consumers must accept).
    pub fn signed_headers(
        &self,
        service: &str,
        (topic, key, payload): (&str, &str, &[u8]),
        id: &str,
        ce_type: &str,
    ) -> Vec<(String, String)> {
        use rdkafka::message::Headers as _;
        let keys = platform::keys::Keyring::load(service, &self.identity(service)).expect("the service's key");
        let mut meta = platform::events::headers::EventMeta {
            id: id.into(),
            ce_type: ce_type.into(),
            source: format!("/onething/{service}"),
            time: platform::time::now_rfc3339(),
            traceparent: None,
            signature: None,
        };
        meta.signature = Some(platform::events::signature::sign(&keys, topic, &meta, key, payload));
        let headers = meta.to_headers();
        headers
            .iter()
            .map(|h| (h.key.to_string(), String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned()))
            .collect()
    }

    /// Where the stack's processes keep their keys (a test signs as one of them, or not).
    pub fn keys_dir(&self) -> std::path::PathBuf {
        self.files.as_ref().expect("the stack's directory").0.join("keys")
    }

    /// The gRPC address of a running service (for tests that bypass the gateway).
    pub fn grpc_url(&self, service: &str) -> String {
        if service == OPS {
            return format!("http://{}", self.ops.as_ref().expect("the stack runs ops").grpc_addr());
        }
        let i = SERVICES.iter().position(|s| *s == service).expect("known service");
        format!("http://{}", self.apps[i].as_ref().expect("the service runs").grpc_addr())
    }

    /// The `/metrics` URL of a running service (each binds a free port: the default
    /// `platform.metrics_addr` is `127.0.0.1:0`) or, for `"gateway"`, of the gateway's
    /// HTTP port. One test process has one metrics recorder, so every URL of a stack
    /// answers the same series; the labels (`group`, `service`) tell the services apart.
    pub fn metrics_url(&self, service: &str) -> String {
        if service == "gateway" {
            return format!("{}/metrics", self.api.base_url);
        }
        let app = match service {
            OPS => self.ops.as_ref().expect("the stack runs ops"),
            _ => self.apps[SERVICES.iter().position(|s| *s == service).expect("known service")]
                .as_ref()
                .expect("the service runs"),
        };
        format!("http://{}/metrics", app.metrics_addr().expect("the service serves metrics"))
    }

    pub fn db_url(&self, service: &str) -> &str {
        &self.db_urls.iter().find(|(s, _)| *s == service).expect("known service").1
    }

    async fn start_services(&mut self, opts: &StackOptions, group_suffix: &str) {
        self.group_suffix = group_suffix.to_string();
        let documents = self.files.as_ref().map(|t| t.0.join("documents"));
        let sc = service_center::build(service_center::Config {
            platform: self.settings("service-center", group_suffix),
            documents_dir: documents,
            ..Default::default()
        })
        .await
        .expect("service-center");
        self.share_url = format!("http://{}", sc.grpc_addr());
        #[allow(clippy::needless_update)]
        let st = science_tech::build(science_tech::Config {
            platform: self.settings("science-tech", group_suffix),
            ..Default::default()
        })
        .await
        .expect("science-tech");
        let hr_config = hrss::Config { platform: self.settings("hrss", group_suffix), ..Default::default() };
        let mut hr_parts = hrss::Parts::from_config(&hr_config);
        if opts.hrss_delay_ms > 0 {
            let delay = Duration::from_millis(opts.hrss_delay_ms);
            hr_parts.wrap_permit_approved = Arc::new(move |inner| Arc::new(SlowHandler { inner, delay }));
        }
        let hr = hrss::build_with(hr_config, hr_parts).await.expect("hrss");
        let ps = public_security::build(public_security::Config {
            platform: self.settings("public-security", group_suffix),
            residence: residence_settings(),
        })
        .await
        .expect("public-security");
        let url = |a: &platform::app::Application| format!("http://{}", a.grpc_addr());
        let mut urls = gateway::config::ServiceUrls {
            service_center: url(&sc),
            science_tech: url(&st),
            hrss: url(&hr),
            public_security: url(&ps),
            ops: "http://127.0.0.1:9".into(),
        };
        if opts.ops {
            let ops = ops::build(ops::Config {
                platform: self.settings(OPS, group_suffix),
                services: urls.clone(),
                ..Default::default()
            })
            .await
            .expect("ops");
            urls.ops = url(&ops);
            self.ops = Some(ops);
        }
        let gw = gateway::build(gateway::Config {
            http_addr: "127.0.0.1:0".into(),
            services: urls,
            auth: gateway::config::AuthSettings { jwt_secret: JWT_SECRET.into(), dev_mode: true, token_ttl_secs: 3600 },
            platform: Settings { identity: self.identity("gateway"), ..Settings::default() },
            web: Default::default(),
        })
        .await
        .expect("gateway");
        self.api.base_url = format!("http://{}", gw.addr());
        self.apps = vec![Some(sc), Some(st), Some(hr), Some(ps)];
        self.gateway = Some(gw);
    }

    /// Stops public-security alone (its consumer group falls behind while the others go
    /// on); [`Stack::restart_public_security`] starts it again on the same port.
    pub async fn stop_public_security(&mut self) {
        let i = SERVICES.iter().position(|s| *s == "public-security").expect("known service");
        let app = self.apps[i].take().expect("public-security runs");
        self.stopped_addr = Some(app.grpc_addr().to_string());
        app.stop().await;
    }

    pub async fn restart_public_security(&mut self) {
        let i = SERVICES.iter().position(|s| *s == "public-security").expect("known service");
        let mut platform = self.settings("public-security", &self.group_suffix.clone());
        platform.grpc_addr = self.stopped_addr.take().expect("public-security was stopped");
        let ps = public_security::build(public_security::Config { platform, residence: residence_settings() })
            .await
            .expect("public-security restarts");
        self.apps[i] = Some(ps);
    }

    pub async fn pool(&self, service: &str) -> AnyPool {
        AnyPool::connect(self.db_url(service)).await.expect("connect to a service database")
    }

    /// `SELECT COUNT(*)` in a service's database.
    pub async fn count(&self, service: &str, sql: &str) -> i64 {
        let pool = self.pool(service).await;
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(&pool).await.expect("count");
        pool.close().await;
        n
    }

    /// Stops every service (the databases and the broker stay).
    pub async fn stop_services(&mut self) {
        if let Some(g) = self.gateway.take() {
            g.stop().await;
        }
        for app in self.apps.drain(..).flatten().chain(self.ops.take()) {
            app.stop().await;
        }
    }

    pub async fn shutdown(mut self) {
        self.stop_services().await;
        self.broker.stop().await;
        if !self.pg_databases.is_empty()
            && let Ok(admin) = AnyPool::connect(&pg_admin_url()).await
        {
            for name in &self.pg_databases {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .execute(&admin)
                    .await;
            }
            admin.close().await;
        }
    }
}

impl std::ops::Deref for Stack {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

/// Item `name` of a case view.
pub fn item<'a>(case: &'a Value, name: &str) -> &'a Value {
    case["items"].as_array().and_then(|items| items.iter().find(|i| i["item"] == name)).unwrap_or(&Value::Null)
}

pub fn item_status<'a>(case: &'a Value, name: &str) -> &'a str {
    item(case, name)["status"].as_str().unwrap_or("")
}

/// A valid unified social credit code for employer number `n` of a test.
pub fn credit_code(n: u32) -> String {
    domain::ids::CreditCode::with_check_char(&format!("91620100MA{n:07}")).expect("valid body").to_string()
}

/// A start date a month from today (Beijing): intake refuses a post that has already started.
pub fn start_date() -> String {
    (platform::time::today_cst() + chrono::Days::new(30)).to_string()
}

/// A complete, valid application for the employer `credit_code`, with a profile that the
/// points table puts in `category` (A ≈ 100 points, B ≈ 71, C ≈ 48).
/// The passport number of the applicant in [`application`]: one person per employer code,
/// as a person has one application being decided at a time.
pub fn passport_of(credit_code: &str) -> String {
    format!("E{}", &credit_code[10..17])
}

pub fn application(credit_code: &str, category: &str, items: &[&str]) -> Value {
    let (salary, profile) = match category {
        "A" => (
            480_000,
            json!({"education": "doctorate", "vocational": "none", "work_experience_years": 8.0, "months_in_china_per_year": 12,
                                 "chinese": "hsk4", "extras": ["fortune_500"], "local_bonus": 0, "direct_qualification": null}),
        ),
        "B" => {
            (300_000, json!({"education": "bachelor", "work_experience_years": 4.0, "months_in_china_per_year": 12}))
        }
        _ => (120_000, json!({"education": "none", "work_experience_years": 1.0, "months_in_china_per_year": 12})),
    };
    json!({
        "employer": {"credit_code": credit_code, "name": "Lanzhou Example Co., Ltd.", "region_code": "620100", "kind": "enterprise", "sector_preapproval": null},
        "applicant": {"surname": "SMITH", "given_names": "JOHN", "sex": "M", "nationality": "GBR", "birth_date": "1988-04-02",
                      "passport_number": passport_of(credit_code), "passport_expiry": "2033-05-01"},
        "position": {"title": "Senior engineer", "annual_salary_cny": salary, "start_date": start_date(), "contract_months": 24},
        "profile": profile,
        "items": items,
        "materials": [
            {"kind": "passport", "id": "m-passport"}, {"kind": "photo", "id": "m-photo"},
            {"kind": "work_experience_proof", "id": "m-exp"}, {"kind": "highest_degree_or_qualification", "id": "m-degree"},
            {"kind": "criminal_record_certificate", "id": "m-crim"}, {"kind": "health_certificate", "id": "m-health"},
            {"kind": "employment_contract", "id": "m-contract"}, {"kind": "employer_recommendation_report", "id": "m-report"}
        ]
    })
}
