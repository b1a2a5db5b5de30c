//! gateway: the only public edge. Authenticates bearer tokens, checks roles, turns the
//! public HTTP contract (API.md, `openapi.json`) into gRPC calls to the services, maps
//! their errors to problem+json, serves the web page.
//!
//! - `config.rs`: settings. - `startup.rs`: wiring. - `routes/`: one file per resource.
//! - `auth.rs`: tokens and roles. - `problem.rs`: problem+json and the gRPC→HTTP mapping.
//! - `json.rs`: field-by-field JSON reading (every type error at once).
//! - `clients.rs`: gRPC clients with trace context.

pub mod auth;
pub mod clients;
pub mod config;
pub mod json;
pub mod problem;
pub mod routes;
pub mod startup;

pub use config::Config;
pub use startup::{Gateway, NAME, build};
