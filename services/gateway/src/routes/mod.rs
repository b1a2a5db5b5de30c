//! HTTP routes of the public contract (API.md), one file per resource.

pub mod admin;
pub mod cases;
pub mod classification;
pub mod dev;
pub mod docs;
pub mod health;
pub mod materials;
pub mod work_permits;

use axum::Router;
use axum::routing::{get, post};
use onething_proto::common as pbc;
use platform::grpc::Actor;

use crate::startup::AppState;

pub fn actor_pb(a: &Actor) -> pbc::Actor {
    pbc::Actor { role: a.role.clone(), subject: a.subject.clone(), department: a.department.clone() }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(docs::index))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/openapi.json", get(docs::openapi))
        .route("/api/v1/dev/tokens", post(dev::issue))
        .route("/api/v1/classification", post(classification::classification))
        .route(
            "/api/v1/materials",
            post(materials::upload).layer(axum::extract::DefaultBodyLimit::max(materials::MAX_UPLOAD + 1)),
        )
        .route("/api/v1/admin/dishonesty-list", get(admin::get_dishonesty_list).put(admin::replace_dishonesty_list))
        .route("/api/v1/cases", post(cases::submit).get(cases::list))
        .route("/api/v1/cases/{id}", get(cases::get))
        .route("/api/v1/work-permits/{case_id}/decision", post(work_permits::decide))
        .fallback(docs::not_found)
        .method_not_allowed_fallback(docs::method_not_allowed)
        .with_state(state)
}
