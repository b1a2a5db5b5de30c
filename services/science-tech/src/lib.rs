//! science-tech (科技厅): work permits of categories A and B.
//!
//! The review itself is the shared [`permit_review`] desk; this service wires it with its
//! own database and consumer group, and serves `ScienceTechService` (delegated issuers).
//!
//! - `config.rs`: settings. - `startup.rs`: wiring. - `grpc.rs`: `ScienceTechService`.

pub mod config;
pub mod grpc;
pub mod startup;

pub use config::Config;
pub use startup::{NAME, build};
