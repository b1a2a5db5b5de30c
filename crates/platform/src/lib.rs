//! Plumbing written once and used by every service.
//!
//! - [`app`]: the life of a service process: start, serve, relay, consume, readiness, stop.
//! - [`config`]: typed settings from defaults, a YAML file and environment variables; fails fast.
//! - [`telemetry`]: tracing with JSON logs, W3C trace context, OTLP export when configured.
//! - [`db`]: one sqlx `Any` pool for `postgres://` or `sqlite://`, migrations at start.
//! - [`grpc`]: server helper registering `grpc.health.v1` and reflection on every service.
//! - [`error`]: [`error::ServiceError`], mapped once to a gRPC status with details.
//! - [`events`]: Kafka producer/consumers, transactional outbox + relay, inbox, dead letters.
//! - [`shutdown`]: one signal that every task of a service listens to.
//! - [`time`]: timestamps as the databases store them (epoch ms) and as the wire shows them.

pub mod app;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod grpc;
pub mod shutdown;
pub mod telemetry;
pub mod time;

pub use error::ServiceError;
