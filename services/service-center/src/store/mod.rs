//! Tables of service-center (sqlx, portable between PostgreSQL and SQLite), by table
//! family; every query of the service is here, the use cases call these typed functions.
//! Statuses are bound with `as_str` and read back through `#[sqlx(try_from = "String")]`.
//!
//! - [`cases`]: `cases`, `case_counters`: the case, its deadline clock, its figures.
//! - [`items`]: `case_items`: the items' statuses and results; the case status from them.
//! - [`timeline`]: `case_timeline`, what happened on a case.
//! - [`materials`]: `materials` and `case_materials`.
//! - [`messages`]: `case_messages` (consultations, complaints, answers).
//! - [`evaluations`]: `evaluations` (好差评).
//! - [`dishonesty`]: `dishonesty_list` and its version.
//! - [`stats`]: what the efficiency figures read.

pub mod cases;
pub mod dishonesty;
pub mod evaluations;
pub mod items;
pub mod materials;
pub mod messages;
pub mod stats;
pub mod timeline;

pub use cases::{
    CaseRow, CaseView, ClassificationRecord, ListFilter, get_case, get_summary, insert_case, list_cases, next_case_no,
};
pub use evaluations::EvaluationRow;
pub use items::{ItemRow, Step, insert_item, item_status, merge_result, move_item, move_item_on, record_step};
pub use materials::insert_material;
pub use messages::MessageRow;
pub use timeline::{TimelineRow, add_timeline};
