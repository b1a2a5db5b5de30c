//! HTTP routes of the public contract (API.md), one file per resource.

pub mod admin;
pub mod cases;
pub mod classification;
pub mod dev;
pub mod docs;
pub mod health;
pub mod materials;
pub mod me;
pub mod residence_permits;
pub mod social_security_cards;
pub mod title_reviews;
pub mod work_permits;

use axum::Router;
use axum::routing::{get, post};

use crate::startup::AppState;

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
        .route("/api/v1/cases/{id}/supplements", post(cases::supplement))
        .route("/api/v1/cases/{id}/items/{item}/evaluation", post(cases::evaluate))
        .route("/api/v1/cases/{id}/messages", post(cases::add_message))
        .route("/api/v1/cases/{id}/messages/{message_id}/answer", post(cases::answer_message))
        .route("/api/v1/stats", get(cases::stats))
        .route("/api/v1/work-permits", get(work_permits::list))
        .route("/api/v1/work-permits/{case_id}", get(work_permits::get))
        .route("/api/v1/work-permits/{case_id}/decision", post(work_permits::decide))
        .route("/api/v1/work-permits/{case_id}/change", post(work_permits::change))
        .route("/api/v1/work-permits/{case_id}/extension", post(work_permits::extend))
        .route("/api/v1/work-permits/{case_id}/cancellation", post(work_permits::cancel))
        .route("/api/v1/social-security-cards/activation", post(social_security_cards::activate))
        .route("/api/v1/foreigners/sign-in", post(social_security_cards::sign_in))
        .route("/api/v1/me", get(me::me))
        .route("/api/v1/title-reviews", get(title_reviews::list))
        .route("/api/v1/title-reviews/{case_id}/service-record", post(title_reviews::record_service))
        .route("/api/v1/title-reviews/{case_id}/decision", post(title_reviews::decide))
        .route("/api/v1/residence-permits", get(residence_permits::list))
        .route("/api/v1/residence-permits/{case_id}", get(residence_permits::get))
        .route("/api/v1/residence-permits/{case_id}/entry", post(residence_permits::entry))
        .route("/api/v1/residence-permits/{case_id}/application", post(residence_permits::application))
        .route("/api/v1/residence-permits/{case_id}/verification", post(residence_permits::verification))
        .route(
            "/api/v1/residence-permits/{case_id}/verification/outcome",
            post(residence_permits::verification_outcome),
        )
        .route("/api/v1/residence-permits/{case_id}/decision", post(residence_permits::decision))
        .route("/api/v1/residence-permits/{case_id}/pickup", post(residence_permits::pickup))
        .fallback(docs::not_found)
        .method_not_allowed_fallback(docs::method_not_allowed)
        .with_state(state)
}
