//! service-center (大数据中心): intake of the one-thing application (受理), the case bundle
//! and the progress view of all four items, built from the departments' events.
//!
//! - `config.rs`: settings (deadline lengths).
//! - `startup.rs`: wiring: database, gRPC server, consumers.
//! - `grpc.rs`: the `ServiceCenterService` API; wire ↔ domain conversion.
//! - `cases/`: use cases by concern: intake (submit, with idempotency), view (get, list,
//!   who may see what), supplement, evaluate, messages.
//! - `applicants.rs`: the applicant's identity for the reviewer deciding the permit (audited).
//! - `events.rs`: consumed department events → item statuses.
//! - `deadlines.rs`: the deadline clock, paused while the employer supplements.
//! - `progress.rs`: item transitions and the derived case status.
//! - `materials.rs`: uploads (type, magic bytes, size), their facts at submission, and
//!   reading them back (the employer, staff of a department the case is in; audited).
//! - `documents.rs`: the content-addressed document store (`object_store`).
//! - `dishonesty.rs`: the serious-dishonesty list (admin-replaceable, cached in the rules).
//! - `stats.rs`: the efficiency figures (`GET /api/v1/stats`).
//! - `store/`: the tables (`migrations/`) and every query, by table family.

pub mod applicants;
pub mod cases;
pub mod config;
pub mod deadlines;
pub mod dishonesty;
pub mod documents;
pub mod events;
pub mod foreigner;
pub mod grpc;
pub mod materials;
pub mod progress;
pub mod startup;
pub mod stats;
pub mod store;

pub use config::Config;
pub use startup::{NAME, build};
