//! Plumbing written once and used by every service.
//!
//! - [`app`]: the life of a service process: start, serve, relay, consume, readiness, stop.
//! - [`config`]: typed settings from defaults, a YAML file and environment variables; fails fast.
//! - [`telemetry`]: tracing with JSON logs, W3C trace context, OTLP export when configured.
//! - [`db`]: one sqlx `Any` pool for `postgres://` or `sqlite://`, migrations at start.
//! - [`grpc`]: server helper registering `grpc.health.v1` and reflection on every service.
//! - [`identity`]: the caller in the signed internal token, read by one tower layer.
//! - [`keys`]: each process's own Ed25519 key and the services' public keys.
//! - [`sharing`]: a department's service asking service-center for the applicant fields
//!   its sharing policy allows (events carry no personal data).
//! - [`audit`]: the audit log of who read or decided what.
//! - [`idempotency`]: `Idempotency-Key` of commands: the first answer again, or 422.
//! - [`paging`]: `limit` and the opaque keyset `cursor` of every list.
//! - [`metrics`]: the Prometheus recorder of every process, its `/metrics` text, request
//!   metrics of the gRPC servers and of the gateway's routes.
//!
//! Features: `db` (sqlx) and `kafka` (librdkafka), both in `service`; without them (the
//! gateway) only config, telemetry, errors, identity and the gRPC helpers build.
//! - [`error`]: [`error::ServiceError`], mapped once to a gRPC status with details.
//! - [`events`]: Kafka producer/consumers, transactional outbox + relay, inbox, dead letters.
//! - [`shutdown`]: one signal that every task of a service listens to.
//! - [`time`]: timestamps as the databases store them (epoch ms) and as the wire shows them.

#[cfg(feature = "service")]
pub mod app;
#[cfg(feature = "db")]
pub mod audit;
pub mod config;
#[cfg(feature = "db")]
pub mod db;
pub mod error;
#[cfg(feature = "service")]
pub mod events;
pub mod grpc;
#[cfg(feature = "db")]
pub mod idempotency;
pub mod identity;
pub mod keys;
pub mod metrics;
pub mod paging;
#[cfg(feature = "service")]
pub mod sharing;
pub mod shutdown;
pub mod telemetry;
pub mod time;

pub use error::ServiceError;
