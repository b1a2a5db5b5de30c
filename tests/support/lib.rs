//! Test harness for end-to-end tests: a real Tansu broker process, real databases
//! (PostgreSQL or SQLite files), the five services in this process on free ports, and an
//! HTTP client for the gateway's public API.

pub mod api;
pub mod broker;
pub mod stack;

pub use api::{Api, SAMPLE_PDF};
pub use broker::Broker;
pub use stack::{DbKind, Stack, StackOptions};
