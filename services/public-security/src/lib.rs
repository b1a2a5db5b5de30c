//! public-security (公安厅 exit-entry): work-type residence permits.
//!
//! A residence case opens `pending` when the work permit is approved; the applicant applies
//! in person at the counter (paper materials, receipt, decision deadline), is verified by
//! interview, phone or site visit, gets a decision, and picks the permit up in person, by
//! proxy or by mail. Every visible step is reported as `item-progressed`.
//!
//! - `config.rs`: settings (the decision period). - `startup.rs`: wiring.
//! - `rules.rs`: the pure rules (deadlines, receipt, materials, validity, command reading).
//! - `desk.rs`: the counter's commands (state machine, one transaction per step).
//! - `store.rs`: its tables. - `grpc.rs`: `PublicSecurityService`.
//! - `residence.rs`: reactions to `permit-approved`, `permit-cancelled`, `permit-extended`.
//! - `migrations/`: its tables.

pub mod config;
pub mod desk;
pub mod grpc;
pub mod residence;
pub mod rules;
pub mod startup;
pub mod store;

pub use config::Config;
pub use startup::{NAME, build};
