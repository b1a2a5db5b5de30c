//! The OpenAPI document, the web page and the 404 for unknown paths.

use axum::http::header;
use axum::response::{Html, IntoResponse};

use crate::problem::Problem;

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("../../openapi.json"))
}

pub async fn index() -> Html<&'static str> {
    Html(include_str!("../../static/index.html"))
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
