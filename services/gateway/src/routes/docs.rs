//! The OpenAPI document, the web page and the 404 for unknown paths.

use axum::http::header;
use axum::response::{Html, IntoResponse};

use crate::problem::Problem;

/// `openapi.json` with every fragment of `openapi/` merged in.
static DOCUMENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    const FRAGMENTS: &[&str] = include!(concat!(env!("OUT_DIR"), "/openapi_fragments.rs"));
    merged(include_str!("../../openapi.json"), FRAGMENTS).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
});

pub fn merged(base: &str, fragments: &[&str]) -> Result<String, serde_json::Error> {
    let mut doc: serde_json::Value = serde_json::from_str(base)?;
    for f in fragments {
        let frag: serde_json::Value = serde_json::from_str(f)?;
        for section in ["paths", "components/schemas"] {
            let pointer = format!("/{section}");
            if let (Some(src), Some(dst)) = (
                frag.pointer(&pointer).and_then(|v| v.as_object()).cloned(),
                doc.pointer_mut(&pointer).and_then(|v| v.as_object_mut()),
            ) {
                dst.extend(src);
            }
        }
    }
    serde_json::to_string_pretty(&doc)
}

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_served_document_is_valid_json_with_every_fragment() {
        let doc: serde_json::Value = serde_json::from_str(&super::DOCUMENT).expect("valid JSON");
        assert!(doc["paths"]["/api/v1/cases"].is_object());
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
