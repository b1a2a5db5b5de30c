//! Every table of hrss, and every query on them (sqlx, portable between PostgreSQL and
//! SQLite; statuses bound with `as_str` and read back through `#[sqlx(try_from = "String")]`
//! into the domain's enums). The use cases (`cards.rs`, `title_review.rs`,
//! `social_insurance.rs`, `permit_lifecycle.rs`, `grpc.rs`) call these typed functions and
//! write no SQL themselves.
//!
//! - [`cards`]: `si_cards`, the social security cards with the work permit loaded on them.
//! - [`title_reviews`]: `title_reviews`, the title eligibility review queue and decisions.
//! - [`social_insurance`]: `si_persons`, `si_counters`, `si_registrations`.
//! - [`cancelled_permits`]: the cancellations seen (a late `permit-approved` opens nothing).

pub mod cancelled_permits;
pub mod cards;
pub mod social_insurance;
pub mod title_reviews;
