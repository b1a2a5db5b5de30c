//! `GET /api/v1/guide` (no auth): the service guide (办事指南) in Chinese and English.
//!
//! Served at the edge from the domain crate, like the classification: the guide is pure
//! data rendered from the same catalog, province profile and conditions the rules use
//! ([`domain::guide::Guide`], whose types carry their own OpenAPI schemas), the same for
//! every caller, so a service call would add a network hop and a failure mode and nothing
//! else.

use std::sync::LazyLock;

use domain::guide::Guide;

/// Rendered once: the guide is embedded data.
static GUIDE: LazyLock<axum::body::Bytes> =
    LazyLock::new(|| serde_json::to_vec(Guide::embedded()).unwrap_or_default().into());

/// The service guide: conditions, the materials per item, legal bases, time limits, trips,
/// steps, FAQ and the hotline, in Chinese and English.
#[utoipa::path(get, path = "/api/v1/guide", tag = "guide", security(()),
    responses((status = 200, description = "the guide; every entry cites its source", body = Guide)))]
pub async fn guide() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], GUIDE.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_answers_sixteen_materials_in_both_languages() {
        let v: serde_json::Value = serde_json::from_slice(&GUIDE).unwrap();
        let materials = v["materials"].as_array().unwrap();
        assert_eq!(materials.len(), 16);
        assert!(materials.iter().all(|m| m["name"]["zh"].is_string() && m["name"]["en"].is_string()));
        assert_eq!(v["hotline"]["number"], "0931-12345");
        assert_eq!(v["time_limits"]["committed_working_days"], 15);
        assert_eq!(v["efficiency"]["joint"]["documents"], 15);
        assert_eq!(v["items"][0]["departments"], serde_json::json!(["science-tech", "hrss"]));
        assert_eq!(v["legal_bases"][0]["effective_from"], "2013-07-01");
        assert_eq!(v["time_limits"]["statutory"][0]["confidence"], "confirmed");
    }
}
