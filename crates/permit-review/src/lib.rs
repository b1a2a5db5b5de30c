//! Work-permit review, shared by the two departments that issue permits: science-tech
//! (categories A and B) and hrss (category C). Each runs its own [`PermitDesk`] with its
//! own database; the rules and the API (`onething.permit.v1.PermitService`) are the same.
//!
//! - [`rules`]: validity caps, the permit number and the person it belongs to for life,
//!   working days waited, the verification code and what "valid" means.
//! - [`lifecycle`]: checks of a change, an extension, a cancellation of an issued permit.
//! - [`store`]: the `permits` and `permit_persons` tables (`migrations/`).
//! - [`desk`]: opening applications from `case-accepted`; decisions (approve, refuse, ask
//!   for supplements); back to review on `case-supplemented`; change, extension, cancellation.
//! - [`document`]: the electronic work permit (PDF) and its settings.
//! - [`grpc`]: the gRPC service.

pub mod desk;
pub mod document;
pub mod grpc;
pub mod lifecycle;
pub mod rules;
pub mod store;

use sqlx::migrate::Migrator;

pub use desk::PermitDesk;

/// Migrations of the `permits` tables, with their own history table.
pub static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");
pub const MIGRATIONS_TABLE: &str = "_permit_review_migrations";
