//! Typed configuration: built-in defaults → `$ONETHING_CONFIG_DIR/<service>.yaml` (optional)
//! → `ONETHING__SECTION__KEY` environment variables, plus the conventional `DATABASE_URL`,
//! `KAFKA_BROKERS` and `OTEL_EXPORTER_OTLP_ENDPOINT`. Bad values stop the process at start.

use std::path::PathBuf;

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("configuration could not be read: {0}")]
    Load(#[from] config::ConfigError),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// Settings every service shares.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Address of the gRPC server; port 0 picks a free one.
    pub grpc_addr: String,
    /// Address of the service's metrics endpoint (`GET /metrics`, Prometheus text); port 0
    /// picks a free one, an empty value serves none. The gateway ignores it: it serves
    /// `/metrics` on its HTTP port.
    pub metrics_addr: String,
    pub database: DatabaseSettings,
    pub kafka: KafkaSettings,
    pub outbox: OutboxSettings,
    pub consumer: ConsumerSettings,
    pub telemetry: TelemetrySettings,
    /// This process's key pair and the public keys it trusts ([`crate::keys`]): internal
    /// tokens and published events are signed with it.
    pub identity: IdentitySettings,
    /// service-center's gRPC address, where a department asks for the applicant fields it
    /// needs (`ShareRecord`; events carry no personal data).
    pub share_url: String,
    pub audit: AuditSettings,
}

/// The access log's retention and checkpoints ([`crate::audit`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditSettings {
    /// Entries older than this are pruned (hourly). At least 183 days: the Cybersecurity
    /// Law (art. 21) asks network logs to be kept no less than six months.
    pub retention_days: u32,
    /// How often the chain's head is published to `audit-checkpoint` when it moved.
    pub checkpoint_interval_ms: u64,
}

/// The shortest retention the access log may be configured with.
pub const MIN_AUDIT_RETENTION_DAYS: u32 = 183;

impl Default for AuditSettings {
    fn default() -> Self {
        Self { retention_days: 400, checkpoint_interval_ms: 60_000 }
    }
}

/// Where a process finds its own Ed25519 key and the services' public keys.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentitySettings {
    /// This process's private key, PKCS#8 PEM (mounted from a Secret in production).
    pub key_file: Option<PathBuf>,
    /// A directory of `<service>.pem` public keys (a ConfigMap in production).
    pub trust_dir: Option<PathBuf>,
    /// Dev mode: make the key when it is missing and publish its public key in `trust_dir`.
    pub generate: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            identity: IdentitySettings::default(),
            share_url: "http://127.0.0.1:50051".into(),
            grpc_addr: "127.0.0.1:0".into(),
            metrics_addr: "127.0.0.1:0".into(),
            database: DatabaseSettings::default(),
            kafka: KafkaSettings::default(),
            outbox: OutboxSettings::default(),
            consumer: ConsumerSettings::default(),
            telemetry: TelemetrySettings::default(),
            audit: AuditSettings::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `postgres://…` or `sqlite://…`; unset → `sqlite://<data_dir>/<service>.db`.
    pub url: Option<String>,
    pub data_dir: PathBuf,
    pub max_connections: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self { url: None, data_dir: PathBuf::from(".data"), max_connections: 8 }
    }
}

/// librdkafka settings. The timeouts default to values that let consumer groups join in
/// about 3 s on Tansu (its defaults take ~23 s); `fetch_wait_max_ms` bounds event latency.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct KafkaSettings {
    pub brokers: String,
    /// Appended to every consumer group id (lets a test run a second, fresh set of consumers).
    pub group_suffix: String,
    pub partitions: i32,
    pub replication_factor: i32,
    pub session_timeout_ms: u32,
    pub heartbeat_interval_ms: u32,
    pub max_poll_interval_ms: u32,
    pub fetch_wait_max_ms: u32,
    pub message_timeout_ms: u32,
    /// Whether the service creates the topics it needs. Off in production, where the
    /// topics are KafkaTopic resources (partitions, replication 3, min.insync.replicas 2).
    pub create_topics: bool,
    /// How this process proves who it is to the broker (production: SCRAM over TLS, one
    /// user per service with its own ACLs; docs/security.md).
    pub auth: BrokerAuth,
}

/// librdkafka's `security.protocol`: how the connection to the broker is made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityProtocol {
    /// No authentication, no TLS: the embedded default (a local Tansu).
    #[default]
    Plaintext,
    /// SASL without TLS (a broker on a trusted network; Tansu's `--authentication`).
    SaslPlaintext,
    /// SASL over TLS: the production manifests (Strimzi's `tls` listener, scram-sha-512).
    SaslSsl,
}

impl SecurityProtocol {
    /// The value librdkafka expects.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plaintext => "plaintext",
            Self::SaslPlaintext => "sasl_plaintext",
            Self::SaslSsl => "sasl_ssl",
        }
    }

    pub fn uses_sasl(self) -> bool {
        self != Self::Plaintext
    }
}

/// The broker credentials of this process. The password is read from a file (the
/// `password` key of the service's KafkaUser Secret, mounted), never from the config.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct BrokerAuth {
    pub protocol: SecurityProtocol,
    /// `SCRAM-SHA-512` (Strimzi's scram-sha-512) or `SCRAM-SHA-256`.
    pub mechanism: String,
    pub username: String,
    pub password_file: Option<PathBuf>,
    /// The CA that signed the broker's certificate (Strimzi's `<cluster>-cluster-ca-cert`);
    /// unset: the system's CAs.
    pub ca_file: Option<PathBuf>,
}

impl Default for BrokerAuth {
    fn default() -> Self {
        Self {
            protocol: SecurityProtocol::Plaintext,
            mechanism: "SCRAM-SHA-512".into(),
            username: String::new(),
            password_file: None,
            ca_file: None,
        }
    }
}

impl BrokerAuth {
    fn problems(&self, problems: &mut Vec<String>) {
        if !self.protocol.uses_sasl() {
            return;
        }
        if !matches!(self.mechanism.as_str(), "SCRAM-SHA-512" | "SCRAM-SHA-256") {
            problems.push(format!("kafka.auth.mechanism {:?} must be SCRAM-SHA-512 or SCRAM-SHA-256", self.mechanism));
        }
        if self.username.trim().is_empty() {
            problems.push(format!("kafka.auth.username is empty (kafka.auth.protocol is {})", self.protocol.as_str()));
        }
        if self.password_file.is_none() {
            problems
                .push(format!("kafka.auth.password_file is unset (kafka.auth.protocol is {})", self.protocol.as_str()));
        }
    }
}

impl Default for KafkaSettings {
    fn default() -> Self {
        Self {
            brokers: "127.0.0.1:9092".into(),
            group_suffix: String::new(),
            partitions: 3,
            replication_factor: 1,
            session_timeout_ms: 6000,
            heartbeat_interval_ms: 500,
            max_poll_interval_ms: 7000,
            fetch_wait_max_ms: 5,
            message_timeout_ms: 5000,
            create_topics: true,
            auth: BrokerAuth::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct OutboxSettings {
    /// The relay wakes on every commit; the sweep catches anything a crash left behind.
    pub sweep_interval_ms: u64,
    pub batch_size: i64,
    /// Published outbox rows and inbox entries older than this are deleted (hourly). Keep
    /// it longer than the topics' retention, so a redelivery still finds its inbox entry.
    pub retention_days: u32,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self { sweep_interval_ms: 1000, batch_size: 100, retention_days: 30 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsumerSettings {
    /// Attempts of a failing handler before its message goes to `<topic>.dlq`.
    pub max_attempts: u32,
    pub initial_backoff_ms: u64,
    pub max_backoff_ms: u64,
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        Self { max_attempts: 5, initial_backoff_ms: 100, max_backoff_ms: 5000 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct TelemetrySettings {
    /// OTLP/gRPC collector; traces are exported only when set.
    pub otlp_endpoint: Option<String>,
    /// `EnvFilter` directives for the log output (default `info`, or `RUST_LOG`).
    pub log_filter: Option<String>,
}

impl Settings {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if self.grpc_addr.parse::<std::net::SocketAddr>().is_err() {
            problems.push(format!("grpc_addr {:?} is not a socket address", self.grpc_addr));
        }
        if !self.metrics_addr.is_empty() && self.metrics_addr.parse::<std::net::SocketAddr>().is_err() {
            problems.push(format!("metrics_addr {:?} is not a socket address (or empty: none)", self.metrics_addr));
        }
        if let Some(url) = &self.database.url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://") || url.starts_with("sqlite:"))
        {
            problems.push("database.url must start with postgres:// or sqlite:".into());
        }
        if self.kafka.brokers.trim().is_empty() {
            problems.push("kafka.brokers is empty".into());
        }
        if self.kafka.partitions < 1 {
            problems.push("kafka.partitions must be at least 1".into());
        }
        if self.kafka.heartbeat_interval_ms >= self.kafka.session_timeout_ms {
            problems.push("kafka.heartbeat_interval_ms must be below kafka.session_timeout_ms".into());
        }
        self.kafka.auth.problems(&mut problems);
        if self.consumer.max_attempts == 0 {
            problems.push("consumer.max_attempts must be at least 1".into());
        }
        if self.audit.retention_days < MIN_AUDIT_RETENTION_DAYS {
            problems.push(format!(
                "audit.retention_days must be at least {MIN_AUDIT_RETENTION_DAYS} (network logs are kept six months)"
            ));
        }
        if self.audit.checkpoint_interval_ms == 0 {
            problems.push("audit.checkpoint_interval_ms must be above 0".into());
        }
        if self.outbox.batch_size < 1 {
            problems.push("outbox.batch_size must be at least 1".into());
        }
        if problems.is_empty() { Ok(()) } else { Err(ConfigError::Invalid(problems.join("; "))) }
    }
}

/// A service's configuration: its own section plus the shared [`Settings`] under `platform`.
pub trait ServiceConfig: DeserializeOwned + Serialize + Default {
    fn platform(&self) -> &Settings;
    /// Service-specific checks beyond [`Settings::validate`].
    fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

/// Loads `C` for service `name` from defaults, file and environment; validates it.
pub fn load<C: ServiceConfig>(name: &str) -> Result<C, ConfigError> {
    let dir = std::env::var("ONETHING_CONFIG_DIR").unwrap_or_else(|_| "config".into());
    let mut builder = config::Config::builder()
        .add_source(config::Config::try_from(&C::default())?)
        .add_source(config::File::with_name(&format!("{dir}/{name}")).required(false))
        .add_source(
            config::Environment::with_prefix("ONETHING").prefix_separator("__").separator("__").try_parsing(true),
        );
    for (var, key) in [
        ("DATABASE_URL", "platform.database.url"),
        ("KAFKA_BROKERS", "platform.kafka.brokers"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "platform.telemetry.otlp_endpoint"),
    ] {
        if let Ok(value) = std::env::var(var) {
            builder = builder.set_override(key, value)?;
        }
    }
    let cfg: C = builder.build()?.try_deserialize()?;
    cfg.platform().validate()?;
    ServiceConfig::validate(&cfg)?;
    Ok(cfg)
}

/// Where the services answer gRPC (the gateway and the ops service call them).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceUrls {
    pub service_center: String,
    pub science_tech: String,
    pub hrss: String,
    pub public_security: String,
    /// The operators' read model.
    pub ops: String,
}

impl Default for ServiceUrls {
    fn default() -> Self {
        Self {
            service_center: "http://127.0.0.1:50051".into(),
            science_tech: "http://127.0.0.1:50052".into(),
            hrss: "http://127.0.0.1:50053".into(),
            public_security: "http://127.0.0.1:50054".into(),
            ops: "http://127.0.0.1:50055".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(default)]
    struct TestConfig {
        platform: Settings,
        slow_ms: u64,
    }

    impl ServiceConfig for TestConfig {
        fn platform(&self) -> &Settings {
            &self.platform
        }
    }

    #[test]
    fn defaults_are_valid_and_bad_values_are_all_reported() {
        assert!(Settings::default().validate().is_ok());
        let mut s = Settings { grpc_addr: "nowhere".into(), ..Settings::default() };
        s.kafka.partitions = 0;
        s.database.url = Some("mysql://x".into());
        let msg = s.validate().unwrap_err().to_string();
        assert!(msg.contains("grpc_addr") && msg.contains("partitions") && msg.contains("database.url"), "{msg}");
    }

    #[test]
    fn broker_sasl_needs_a_known_mechanism_a_user_and_a_password_file_all_reported_at_once() {
        let mut s = Settings::default();
        s.kafka.auth.protocol = SecurityProtocol::SaslSsl;
        s.kafka.auth.mechanism = "PLAIN".into();
        let msg = s.validate().unwrap_err().to_string();
        for field in ["kafka.auth.mechanism", "kafka.auth.username", "kafka.auth.password_file"] {
            assert!(msg.contains(field), "{field} missing from {msg}");
        }
        s.kafka.auth = BrokerAuth {
            protocol: SecurityProtocol::SaslSsl,
            username: "hrss".into(),
            password_file: Some("/var/run/kafka-user/password".into()),
            ..BrokerAuth::default()
        };
        assert!(s.validate().is_ok());
        // Plaintext asks for nothing more.
        s.kafka.auth = BrokerAuth { mechanism: "anything".into(), ..BrokerAuth::default() };
        assert!(s.validate().is_ok());
    }

    #[test]
    fn environment_overrides_defaults_and_typed_values_parse() {
        // Unique names keep this test independent of the others' environment.
        unsafe {
            std::env::set_var("ONETHING__SLOW_MS", "250");
            std::env::set_var("ONETHING__PLATFORM__KAFKA__PARTITIONS", "6");
        }
        let cfg: TestConfig = load("no-such-service").unwrap();
        assert_eq!(cfg.slow_ms, 250);
        assert_eq!(cfg.platform.kafka.partitions, 6);
        unsafe { std::env::set_var("ONETHING__PLATFORM__KAFKA__PARTITIONS", "zero") };
        assert!(load::<TestConfig>("no-such-service").is_err());
        unsafe {
            std::env::remove_var("ONETHING__SLOW_MS");
            std::env::remove_var("ONETHING__PLATFORM__KAFKA__PARTITIONS");
        }
    }
}
