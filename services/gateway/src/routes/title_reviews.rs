//! `/api/v1/title-reviews` (hrss reviewers): the title eligibility queue, earlier Gansu
//! service a reviewer verified, and the decision (409 before `eligible_on`, more than 6
//! months of work in Gansu, or when decided).

use axum::Json;
use axum::extract::{Path, State};
use domain::json::Reader;
use onething_proto::onething::hrss::v1 as pb;
use serde_json::Value;

use crate::clients::request;
use crate::extract::{Auth, FromJson, JsonBody, ListQuery, Query, Reviewers};
use crate::problem::{CommandErrors, ListErrors, Problem};
use crate::startup::AppState;
use crate::views::{Page, TitleReview};

/// `GET /api/v1/title-reviews?status=waiting|ready|eligible|not_eligible|cancelled&limit=&cursor=`
#[utoipa::path(get, path = "/api/v1/title-reviews", tag = "title reviews", params(ListQuery),
    responses(
        (status = 200, body = Page<TitleReview>),
        ListErrors,
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Reviewers>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<TitleReview>>, Problem> {
    let limit = q.limit();
    let req = pb::ListTitleReviewsRequest { status: q.status, limit, cursor: q.cursor };
    let resp = state.clients.hrss().list_title_reviews(request(&actor, req, None)).await?.into_inner();
    Ok(Json(Page::new(resp.reviews.iter().map(TitleReview::from).collect(), &resp.next_cursor)))
}

pub struct ServiceRecordBody(String);

impl FromJson for ServiceRecordBody {
    fn read(r: &mut Reader, v: &Value) -> Self {
        ServiceRecordBody(r.string(v, "gansu_service_since"))
    }
}

/// `POST /api/v1/title-reviews/{case_id}/service-record`: earlier service in Gansu the reviewer verified.
#[utoipa::path(post, path = "/api/v1/title-reviews/{case_id}/service-record", tag = "title reviews",
    params(("case_id" = String, Path)), request_body(content = Object, description = r#"{"gansu_service_since": "YYYY-MM-DD"}"#),
    responses(
        (status = 200, body = TitleReview),
        CommandErrors,
    ))]
pub async fn record_service(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Reviewers>,
    Path(case_id): Path<String>,
    JsonBody(ServiceRecordBody(since)): JsonBody<ServiceRecordBody>,
) -> Result<Json<TitleReview>, Problem> {
    let req = pb::RecordGansuServiceRequest { case_id, gansu_service_since: since };
    let review = state.clients.hrss().record_gansu_service(request(&actor, req, None)).await?.into_inner().review;
    Ok(Json(TitleReview::from(&review.unwrap_or_default())))
}

pub struct TitleDecisionBody(pb::DecideTitleReviewRequest);

impl FromJson for TitleDecisionBody {
    fn read(r: &mut Reader, v: &Value) -> Self {
        TitleDecisionBody(pb::DecideTitleReviewRequest {
            case_id: String::new(),
            decision: r.string(v, "decision"),
            reasons: r.strings(v, "reasons"),
            recommendation_report: r.string(v, "recommendation_report"),
        })
    }
}

/// `POST /api/v1/title-reviews/{case_id}/decision`.
#[utoipa::path(post, path = "/api/v1/title-reviews/{case_id}/decision", tag = "title reviews",
    params(("case_id" = String, Path)),
    request_body(content = Object, description = r#"{"decision": "eligible | not_eligible", "reasons": [...], "recommendation_report": "<material id>"}"#),
    responses(
        (status = 200, body = TitleReview),
        CommandErrors,
    ))]
pub async fn decide(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Reviewers>,
    Path(case_id): Path<String>,
    JsonBody(TitleDecisionBody(mut req)): JsonBody<TitleDecisionBody>,
) -> Result<Json<TitleReview>, Problem> {
    req.case_id = case_id;
    let review = state.clients.hrss().decide_title_review(request(&actor, req, None)).await?.into_inner().review;
    Ok(Json(TitleReview::from(&review.unwrap_or_default())))
}
