//! The rules of the "foreigner work in China" joint service (外国人来华工作"一件事"),
//! as pure code and data files, with no I/O.
//!
//! Layout:
//! - [`actor`]: who is asking: [`actor::Role`] and [`actor::Actor`] (role, subject, department).
//! - [`ids`]: identifiers that parse or fail: [`ids::CreditCode`], [`ids::PassportNumber`].
//! - [`case`]: the bundle's vocabulary: [`case::Category`], [`case::Department`],
//!   [`case::Item`], [`case::ItemStatus`], [`case::EmployerKind`], the entries of a case's
//!   timeline ([`case::TimelineEvent`]), messages ([`case::MessageKind`],
//!   [`case::MessageChannel`]) and the insurances ([`case::Insurance`]).
//! - [`violation`]: one violated rule with a stable code, the unit of every 422 / one-time
//!   notice; [`Note`] for non-blocking explanations.
//! - [`data`]: confidence labels of the data files ([`data::Confidence`], [`data::Sourced`]).
//! - [`province`]: the province profile as data ([`province::ProvinceProfile::gansu`]):
//!   prefectures, minimum wages, issuers, deadlines, western-region prefixes.
//! - [`calendar`]: working days with official holidays ([`calendar::Calendar`],
//!   [`calendar::due_dates`]).
//! - [`classification`]: the points table and category ([`classification::classify`]).
//! - [`json`]: reading a JSON body field by field, every type error at once.
//! - [`intake`]: a raw submission to a [`intake::NewCase`] or all of its field violations.
//! - [`sectors`]: sectors whose posts need a sector pre-approval ([`sectors::Sector`],
//!   `data/sectors.json` with sources).
//! - [`conditions`]: acceptance conditions on a case ([`conditions::assess`], [`conditions::Rules`]).
//! - [`materials`]: the material catalog: what is uploaded, generated or handed over on paper.
//! - [`guide`]: the service guide (办事指南) in both languages, rendered from the catalog,
//!   the province profile and `data/guide.json`.
//! - [`notice`]: the one-time notice ([`notice::one_time_notice`]): everything wrong at once.
//! - [`sharing`]: which department may obtain which of an applicant's fields, for what
//!   purpose and on which legal basis ([`sharing::check`], `data/sharing_policy.json`).
//! - [`states`]: the state machines of the departments' records, one pure `transition` per
//!   machine refusing what it forbids ([`states::TransitionError`]), and the Markdown tables
//!   of `docs/architecture.md` rendered from them: [`states::permit`] (work permit),
//!   [`states::title_review`], [`states::card`] (social security card),
//!   [`states::residence`] (residence permit).
//!
//! [`wire_enum!`] defines an enum with wire names (`FromStr`, `TryFrom<String>`, serde);
//! other crates use it too.
//!
//! `catalog` (tests only) checks the web's message catalog `web/catalog/codes.json`
//! against the code: every code a person can see is translated, none is stale.
//!
//! Every parser returns all problems of its input, never only the first. Data files under
//! `data/` are embedded at build time and checked by the unit tests.

pub mod actor;
pub mod calendar;
pub mod case;
mod catalog;
pub mod classification;
pub mod conditions;
pub mod data;
pub mod guide;
pub mod ids;
pub mod intake;
pub mod json;
pub mod materials;
pub mod notice;
pub mod province;
pub mod sectors;
pub mod sharing;
pub mod states;
pub mod violation;

pub use actor::{Actor, Role};
pub use violation::{HasCode, Note, Violation, Violations};

/// What [`wire_enum!`] expands to refers to, so that callers need not depend on serde.
#[doc(hidden)]
pub mod __private {
    pub use serde;
    #[cfg(feature = "schema")]
    pub use utoipa;
}
