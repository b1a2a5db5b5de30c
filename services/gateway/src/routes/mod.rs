//! HTTP routes of the public contract (API.md), one file per resource.

pub mod cases;
pub mod dev;
pub mod docs;
pub mod health;
pub mod work_permits;

use axum::Router;
use axum::routing::{get, post};
use onething_proto::common as pbc;
use platform::grpc::Actor;

use crate::startup::AppState;

pub fn actor_pb(a: &Actor) -> pbc::Actor {
    pbc::Actor {
        role: a.role.clone(),
        subject: a.subject.clone(),
        department: a.department.clone(),
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(docs::index))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/openapi.json", get(docs::openapi))
        .route("/api/v1/dev/tokens", post(dev::issue))
        .route("/api/v1/cases", post(cases::submit).get(cases::list))
        .route("/api/v1/cases/{id}", get(cases::get))
        .route(
            "/api/v1/work-permits/{case_id}/decision",
            post(work_permits::decide),
        )
        .fallback(docs::not_found)
        .with_state(state)
}
