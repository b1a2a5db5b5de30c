//! gateway: the only public edge. Authenticates bearer tokens, checks roles, turns the
//! public HTTP contract (API.md, `openapi.json`) into gRPC calls to the services, maps
//! their errors to problem+json, serves the web page.
//!
//! - `config.rs`: settings. - `startup.rs`: wiring. - `routes/`: one file per resource.
//! - `auth.rs`: tokens and roles. - `problem.rs`: problem+json and the gRPC→HTTP mapping.
//! - `extract.rs`: the extractors every route opens with (caller with an allowed role, JSON
//!   body with every type error at once, list query, idempotency key).
//! - `web/`: the pages, the browser session, the static files of `web/`.
//! - `views.rs`: the typed JSON of every answer, from which the OpenAPI document is made.
//! - `clients.rs`: gRPC clients; every call carries the caller in the signed internal token.

pub mod auth;
pub mod clients;
pub mod config;
pub mod extract;
pub mod problem;
pub mod routes;
pub mod startup;
pub mod views;
pub mod web;

pub use config::Config;
pub use startup::{Gateway, NAME, build};
