//! `/api/v1/title-reviews` (hrss reviewers): the title eligibility queue, earlier Gansu
//! service a reviewer verified, and the decision (409 before `eligible_on`, more than 6
//! months of work in Gansu, or when decided).

use axum::Json;
use axum::extract::{Path, State};
use domain::json::Reader;
use onething_proto::onething::hrss::v1 as pb;
use serde_json::Value;

use crate::extract::{Auth, ForCase, FromJson, JsonBody, ListQuery, Query, Reviewers, for_case};
use crate::problem::{CommandErrors, ListErrors, Problem};
use crate::startup::AppState;
use crate::views::{Page, TitleReview};

/// `GET /api/v1/title-reviews?status=waiting|ready|eligible|not_eligible|cancelled&limit=&cursor=`
#[utoipa::path(get, path = "/api/v1/title-reviews", tag = "title reviews", params(ListQuery),
    responses((status = 200, body = Page<TitleReview>), ListErrors))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Reviewers>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<TitleReview>>, Problem> {
    let limit = q.limit();
    let req = pb::ListTitleReviewsRequest { status: q.status, limit, cursor: q.cursor };
    let resp = state.clients.hrss().list_title_reviews(state.clients.request(&actor, req, None)).await?.into_inner();
    Ok(Json(Page::new(resp.reviews.iter().map(TitleReview::from).collect(), &resp.next_cursor)))
}

for_case!(pb::RecordGansuServiceRequest, pb::DecideTitleReviewRequest);

impl FromJson for pb::RecordGansuServiceRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pb::RecordGansuServiceRequest { gansu_service_since: r.string(v, "gansu_service_since"), ..Default::default() }
    }
}

/// `POST /api/v1/title-reviews/{case_id}/service-record`: earlier service in Gansu the reviewer verified.
#[utoipa::path(post, path = "/api/v1/title-reviews/{case_id}/service-record", tag = "title reviews",
    params(("case_id" = String, Path)), request_body(content = Object, description = r#"{"gansu_service_since": "YYYY-MM-DD"}"#),
    responses((status = 200, body = TitleReview), CommandErrors))]
pub async fn record_service(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Reviewers>,
    Path(case_id): Path<String>,
    JsonBody(req): JsonBody<pb::RecordGansuServiceRequest>,
) -> Result<Json<TitleReview>, Problem> {
    let req = req.for_case(case_id);
    let review =
        state.clients.hrss().record_gansu_service(state.clients.request(&actor, req, None)).await?.into_inner().review;
    Ok(Json(TitleReview::from(&review.unwrap_or_default())))
}

impl FromJson for pb::DecideTitleReviewRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pb::DecideTitleReviewRequest {
            decision: r.string(v, "decision"),
            reasons: r.strings(v, "reasons"),
            recommendation_report: r.string(v, "recommendation_report"),
            ..Default::default()
        }
    }
}

/// `POST /api/v1/title-reviews/{case_id}/decision`.
#[utoipa::path(post, path = "/api/v1/title-reviews/{case_id}/decision", tag = "title reviews",
    params(("case_id" = String, Path)),
    request_body(content = Object, description = r#"{"decision": "eligible | not_eligible", "reasons": [...], "recommendation_report": "<material id>"}"#),
    responses((status = 200, body = TitleReview), CommandErrors))]
pub async fn decide(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Reviewers>,
    Path(case_id): Path<String>,
    JsonBody(req): JsonBody<pb::DecideTitleReviewRequest>,
) -> Result<Json<TitleReview>, Problem> {
    let review = state
        .clients
        .hrss()
        .decide_title_review(state.clients.request(&actor, req.for_case(case_id), None))
        .await?
        .into_inner()
        .review;
    Ok(Json(TitleReview::from(&review.unwrap_or_default())))
}
