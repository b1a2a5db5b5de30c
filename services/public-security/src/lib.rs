//! public-security (公安厅 exit-entry): work-type residence permits.
//!
//! - `config.rs`: settings. - `startup.rs`: wiring. - `grpc.rs`: `PublicSecurityService`.
//! - `residence.rs`: the `permit-approved` reaction (a residence case awaiting the applicant).
//! - `migrations/`: its tables.

pub mod config;
pub mod grpc;
pub mod residence;
pub mod startup;

pub use config::Config;
pub use startup::{NAME, build};
