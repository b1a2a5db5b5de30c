//! hrss (人社厅): work permits of category C (the shared [`permit_review`] desk), social
//! insurance registration and the title eligibility review queue.
//!
//! - `config.rs`: settings. - `startup.rs`: wiring. - `grpc.rs`: `HrssService`.
//! - `social_insurance.rs`: the `permit-approved` reaction (registration, title queue).
//! - `migrations/`: its tables.

pub mod config;
pub mod grpc;
pub mod social_insurance;
pub mod startup;

pub use config::Config;
pub use startup::{NAME, build};
