//! hrss (人社厅): work permits of category C (the shared [`permit_review`] desk), social
//! insurance registration with the social security card, and the title eligibility review.
//!
//! - `config.rs`: settings. - `startup.rs`: wiring and the replaceable [`startup::Parts`].
//! - `grpc.rs`: `HrssService`.
//! - `social_insurance.rs`: the `permit-approved` reaction (registration, card, title queue).
//! - `ssn.rs`: social security numbers behind [`ssn::SsnGenerator`].
//! - `cards.rs`: the card with the permit loaded; activation and sign-in of the foreigner.
//! - `identity.rs`: the real-person check behind [`identity::IdentityVerifier`].
//! - `lockout.rs`: lock-out arithmetic of refused checks.
//! - `permit_lifecycle.rs`: reactions to a permit's change, extension, cancellation.
//! - `title_review.rs`: eligibility dates, the reviewers' queue and decisions.
//! - `progress.rs`: `item-progressed` steps for the case view.
//! - `store/`: every table and every query (the use cases above write no SQL).
//! - `migrations/`: its tables. See README.md for formats and choices.

pub mod cards;
pub mod config;
pub mod grpc;
pub mod identity;
pub mod lockout;
pub mod permit_lifecycle;
pub mod progress;
pub mod social_insurance;
pub mod ssn;
pub mod startup;
pub mod store;
pub mod title_review;

pub use config::Config;
pub use startup::{NAME, Parts, build, build_with};
