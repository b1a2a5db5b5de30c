//! The OpenAPI document (generated from the routes and the view types: see
//! [`super::router`]), and the 404/405 for unknown paths and methods.

use utoipa::Modify;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::problem::Problem;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Onething — Gansu joint service for foreigners coming to work (外国人来华工作\"一件事\")",
        version = "1.0.0",
        description = "Public HTTP contract of the gateway. Names are fixed by API.md; fields may be added. Errors are RFC 9457 problem+json; a 422 lists every problem at once in `errors`. Lists answer `{\"items\": [...], \"next_cursor\"}`."
    ),
    servers((url = "http://127.0.0.1:8080")),
    components(schemas(Problem, crate::problem::FieldError)),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        openapi.security =
            Some(vec![utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new())]);
    }
}

pub async fn not_found() -> Problem {
    Problem::not_found("no such path; see /openapi.json")
}

pub async fn method_not_allowed() -> Problem {
    Problem::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "this path does not accept that method; see /openapi.json",
    )
}
