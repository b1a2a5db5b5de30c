//! HTTP routes of the public contract (API.md), one file per resource. The router and the
//! OpenAPI document are built together from the handlers' `#[utoipa::path]` attributes, so
//! a route cannot exist without its documentation or the other way round.

pub mod admin;
pub mod audit;
pub mod cases;
pub mod classification;
pub mod dev;
pub mod docs;
pub mod guide;
pub mod health;
pub mod materials;
pub mod me;
pub mod ops;
pub mod residence_permits;
pub mod social_security_cards;
pub mod title_reviews;
pub mod work_permits;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::startup::AppState;

/// Every documented route, and the document.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(dev::issue))
        .routes(routes!(classification::classification))
        .routes(routes!(guide::guide))
        .routes(routes!(materials::upload).layer(DefaultBodyLimit::max(materials::MAX_UPLOAD + 1)))
        .routes(routes!(materials::download))
        .routes(routes!(admin::get_dishonesty_list, admin::replace_dishonesty_list))
        .routes(routes!(cases::submit, cases::list))
        .routes(routes!(cases::get))
        .routes(routes!(cases::supplement))
        .routes(routes!(cases::evaluate))
        .routes(routes!(cases::add_message))
        .routes(routes!(cases::answer_message))
        .routes(routes!(cases::stats))
        .routes(routes!(ops::overview))
        .routes(routes!(ops::stream))
        .routes(routes!(ops::dead_letters))
        .routes(routes!(ops::replay))
        .routes(routes!(work_permits::list))
        .routes(routes!(work_permits::get))
        .routes(routes!(work_permits::document))
        .routes(routes!(work_permits::verify))
        .routes(routes!(work_permits::decide))
        .routes(routes!(work_permits::change))
        .routes(routes!(work_permits::extend))
        .routes(routes!(work_permits::cancel))
        .routes(routes!(social_security_cards::activate))
        .routes(routes!(social_security_cards::sign_in))
        .routes(routes!(me::me))
        .routes(routes!(audit::mine))
        .routes(routes!(audit::list))
        .routes(routes!(audit::verify))
        .routes(routes!(title_reviews::list))
        .routes(routes!(title_reviews::record_service))
        .routes(routes!(title_reviews::decide))
        .routes(routes!(residence_permits::list))
        .routes(routes!(residence_permits::get))
        .routes(routes!(residence_permits::entry))
        .routes(routes!(residence_permits::application))
        .routes(routes!(residence_permits::verification))
        .routes(routes!(residence_permits::verification_outcome))
        .routes(routes!(residence_permits::decision))
        .routes(routes!(residence_permits::pickup))
        .routes(routes!(residence_permits::revocation))
        .split_for_parts()
}

pub fn router(state: AppState, web: Router<AppState>) -> Router {
    let (api, doc) = api();
    // Rendered once; each request clones a reference-counted buffer.
    let document = axum::body::Bytes::from(doc.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")));
    api.merge(web)
        // Prometheus text for the scraper (no token; counts and timings only). Like
        // /openapi.json it is no part of the API document: docs/metrics.md describes it.
        .route("/metrics", get(platform::metrics::scrape))
        .route(
            "/openapi.json",
            get(move || {
                let document = document.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], document).into_response() }
            }),
        )
        .fallback(docs::not_found)
        .method_not_allowed_fallback(docs::method_not_allowed)
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation documents a schema for every response it names.
    #[test]
    fn every_response_of_every_operation_has_a_schema() {
        let (_, doc) = api();
        let doc = serde_json::to_value(&doc).unwrap();
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                operations += 1;
                let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{method} {path}: no responses"));
                assert!(!responses.is_empty(), "{method} {path}: no responses");
                for (status, r) in responses {
                    let content = r["content"].as_object();
                    let has_schema =
                        content.is_some_and(|c| c.values().all(|m| m.get("schema").is_some()) && !c.is_empty());
                    assert!(has_schema, "{method} {path} {status}: no schema");
                    if status != "200" && status != "201" {
                        assert!(content.unwrap().contains_key("application/problem+json"), "{method} {path} {status}");
                    }
                }
            }
        }
        assert!(operations >= 37, "{operations} operations documented");
    }

    /// The public contract's paths (API.md) are all served and documented.
    #[test]
    fn the_contracts_paths_are_documented() {
        let (_, doc) = api();
        for path in [
            "/healthz",
            "/readyz",
            "/api/v1/dev/tokens",
            "/api/v1/classification",
            "/api/v1/materials",
            "/api/v1/materials/{id}",
            "/api/v1/guide",
            "/api/v1/cases",
            "/api/v1/cases/{id}",
            "/api/v1/cases/{id}/supplements",
            "/api/v1/work-permits/{case_id}/decision",
            "/api/v1/work-permits/{case_id}/extension",
            "/api/v1/work-permits/{case_id}/cancellation",
            "/api/v1/work-permits/{case_id}/document",
            "/api/v1/work-permits/verify/{code}",
            "/api/v1/residence-permits/{case_id}/entry",
            "/api/v1/residence-permits/{case_id}/verification/outcome",
            "/api/v1/residence-permits/{case_id}/pickup",
            "/api/v1/residence-permits/{case_id}/revocation",
            "/api/v1/stats",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
