//! `/api/v1/title-reviews` (hrss reviewers): the title eligibility queue, earlier Gansu
//! service a reviewer verified, and the decision.
//!
//! - `GET /api/v1/title-reviews?status=waiting|ready|eligible|not_eligible|cancelled`
//! - `POST /api/v1/title-reviews/{case_id}/service-record` `{"gansu_service_since": "YYYY-MM-DD"}`
//! - `POST /api/v1/title-reviews/{case_id}/decision`
//!   `{"decision": "eligible" | "not_eligible", "reasons": [...], "recommendation_report": "<material id>"}`
//!   → 409 before `eligible_on` (more than 6 months of work in Gansu) or when decided.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};

use crate::json::Query;
use onething_proto::onething::hrss::v1 as pb;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::clients::request;
use crate::json::{Reader, object};
use crate::problem::Problem;
use crate::routes::social_security_cards::hrss;
use crate::startup::AppState;
use domain::Role;

pub fn review_json(r: &pb::TitleReview) -> Value {
    let opt = |s: &str| if s.is_empty() { Value::Null } else { Value::String(s.to_string()) };
    json!({
        "case_id": r.case_id,
        "status": r.status,
        "eligible_on": r.eligible_on,
        "work_start": opt(&r.work_start),
        "gansu_service_since": opt(&r.gansu_service_since),
        "reasons": r.reasons,
        "recommendation_report": opt(&r.recommendation_report),
        "queued_at": r.queued_at,
        "decided_at": opt(&r.decided_at),
        "decided_by": opt(&r.decided_by),
    })
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, Problem> {
    let actor = caller.require(&[Role::Reviewer])?;
    let req = pb::ListTitleReviewsRequest { status: q.status, ..Default::default() };
    let reviews = hrss(&state).list_title_reviews(request(actor, req, None)).await?.into_inner().reviews;
    Ok(Json(json!({"title_reviews": reviews.iter().map(review_json).collect::<Vec<_>>()})))
}

pub async fn record_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Reviewer])?;
    let v = object(&body)?;
    let mut r = Reader::default();
    let since = r.string(&v, "gansu_service_since");
    r.finish()?;
    let req = pb::RecordGansuServiceRequest { case_id, gansu_service_since: since };
    let review =
        hrss(&state).record_gansu_service(request(actor, req, None)).await?.into_inner().review.unwrap_or_default();
    Ok(Json(review_json(&review)))
}

pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Reviewer])?;
    let v = object(&body)?;
    let mut r = Reader::default();
    let decision = r.string(&v, "decision");
    let reasons = r.strings(&v, "reasons");
    let recommendation_report = r.string(&v, "recommendation_report");
    r.finish()?;
    let req = pb::DecideTitleReviewRequest { case_id, decision, reasons, recommendation_report };
    let review =
        hrss(&state).decide_title_review(request(actor, req, None)).await?.into_inner().review.unwrap_or_default();
    Ok(Json(review_json(&review)))
}

#[cfg(test)]
mod tests {
    /// Every `$ref` of a JSON value.
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                    out.push(r.to_string());
                }
                m.values().for_each(|x| refs(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn the_hrss_fragment_documents_every_route_and_its_references_resolve() {
        let fragment = include_str!("../../openapi/hrss.json");
        let doc: serde_json::Value = serde_json::from_str(
            &crate::routes::docs::merged(include_str!("../../openapi.json"), &[fragment]).unwrap(),
        )
        .unwrap();
        for path in [
            "/api/v1/social-security-cards/activation",
            "/api/v1/foreigners/sign-in",
            "/api/v1/me",
            "/api/v1/title-reviews",
            "/api/v1/title-reviews/{case_id}/service-record",
            "/api/v1/title-reviews/{case_id}/decision",
        ] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        let mut all = Vec::new();
        refs(&serde_json::from_str(fragment).unwrap(), &mut all);
        for r in all {
            assert!(doc.pointer(r.trim_start_matches('#')).is_some(), "{r} does not resolve");
        }
    }
}
