//! ops (大数据中心运维): the operators' read model over the event streams
//! (docs/adr/0005-the-ops-read-model-is-its-own-service.md).
//!
//! - `streams.rs`: the `ops` consumer group over every topic and dead-letter topic.
//! - `store.rs`: its tables (event rows, dead letters). - `overview.rs`: the overview,
//!   with the broker's lag and each service's outbox. - `replay.rs`: a dead letter back to
//!   its topic. - `grpc.rs`: `OpsService`. - `config.rs`, `startup.rs`: settings, wiring.

pub mod config;
pub mod grpc;
pub mod overview;
pub mod replay;
pub mod startup;
pub mod store;
pub mod streams;

pub use config::Config;
pub use startup::{NAME, build};
