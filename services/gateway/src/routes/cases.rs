//! `/api/v1/cases`: submit (employer), read, list; supplements, ratings, messages; the
//! efficiency statistics.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::json::Reader;
use onething_proto::common as pbc;
use onething_proto::onething::servicecenter::v1 as pb;
use serde_json::Value;

use crate::auth::Caller;
use crate::extract::{
    Auth, Employers, ForCase, FromJson, IdempotencyKey, JsonBody, ListQuery, Operators, Query, RawBody, for_case,
};
use crate::problem::{CommandErrors, FieldError, ListErrors, Problem};
use crate::startup::AppState;
use crate::views::{Case, CaseSummary, Evaluation, Message, Page};

/// The submission, read with every type error collected; the rules (required fields,
/// codes, conditions) are the service's.
pub struct Submission(pub pb::SubmitCaseRequest);

impl FromJson for Submission {
    fn read(r: &mut Reader, v: &Value) -> Self {
        let employer = pbc::Employer {
            credit_code: r.string(v, "employer.credit_code"),
            name: r.string(v, "employer.name"),
            region_code: r.string(v, "employer.region_code"),
            kind: r.string(v, "employer.kind"),
            sector_preapproval: r.opt_string(v, "employer.sector_preapproval"),
        };
        let applicant = pbc::Applicant {
            surname: r.string(v, "applicant.surname"),
            given_names: r.string(v, "applicant.given_names"),
            sex: r.string(v, "applicant.sex"),
            nationality: r.string(v, "applicant.nationality"),
            birth_date: r.string(v, "applicant.birth_date"),
            passport_number: r.string(v, "applicant.passport_number"),
            passport_expiry: r.string(v, "applicant.passport_expiry"),
        };
        let position = domain::json::present(v, "position").then(|| pbc::Position {
            title: r.string(v, "position.title"),
            annual_salary_cny: r.integer(v, "position.annual_salary_cny"),
            start_date: r.string(v, "position.start_date"),
            contract_months: r.int32(v, "position.contract_months"),
            sector: r.opt_string(v, "position.sector"),
        });
        let profile = domain::json::present(v, "profile").then(|| pbc::Profile {
            education: r.string(v, "profile.education"),
            vocational: r.string(v, "profile.vocational"),
            work_experience_years: r.number(v, "profile.work_experience_years"),
            months_in_china_per_year: r.integer(v, "profile.months_in_china_per_year").clamp(-1, 1000) as i32,
            chinese: r.string(v, "profile.chinese"),
            extras: r.strings(v, "profile.extras"),
            local_bonus: r.integer(v, "profile.local_bonus").clamp(-1000, 1000) as i32,
            direct_qualification: r.opt_string(v, "profile.direct_qualification"),
        });
        let items = r.strings(v, "items");
        let materials = material_refs(r, v, true);
        let category = r.string(v, "category");
        Submission(pb::SubmitCaseRequest {
            employer: Some(employer),
            applicant: Some(applicant),
            position,
            profile,
            items,
            materials,
            validate_only: false,
            category,
        })
    }
}

fn material_refs(r: &mut Reader, v: &Value, dated: bool) -> Vec<pbc::MaterialRef> {
    r.objects(v, "materials")
        .into_iter()
        .map(|(i, m)| {
            let mut field = |name: &str| r.string_at(m, name, &format!("materials[{i}].{name}"));
            pbc::MaterialRef {
                kind: field("kind"),
                id: field("id"),
                dated_on: if dated { field("dated_on") } else { String::new() },
                expires_on: if dated { field("expires_on") } else { String::new() },
            }
        })
        .collect()
}

/// `POST /api/v1/cases`: reads the body itself, because a body with type errors still
/// gets ONE notice: its type errors plus every rule the service finds in the rest.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases",
    request_body(content = Object, description = "employer, applicant, position, profile, items, materials (API.md)"),
    params(("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key and body answers the first response")),
    responses(
        (status = 201, description = "accepted", body = Case),
        (status = 401, description = "no or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not an employer, or another employer's credit code", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "the one-time notice: every problem at once", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Employers>,
    key: IdempotencyKey,
    RawBody(body): RawBody,
) -> Result<Response, Problem> {
    let value = domain::json::object(&body)?;
    let mut r = Reader::default();
    let Submission(mut req) = Submission::read(&mut r, &value);
    let mut client = state.clients.service_center();
    if let Err(type_errors) = r.finish() {
        req.validate_only = true;
        let mut errors: Vec<FieldError> = type_errors.0.into_iter().map(FieldError::from).collect();
        if let Err(status) = client.submit_case(state.clients.request(&actor, req, None)).await {
            let reported: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors.extend(
                crate::problem::field_errors(&status)
                    .into_iter()
                    .filter(|e| !reported.iter().any(|f| e.field.starts_with(f.as_str()))),
            );
        }
        return Err(Problem::invalid(errors));
    }
    let resp = client.submit_case(state.clients.request(&actor, req, key.as_deref())).await?.into_inner();
    let case = resp.case.ok_or_else(|| Problem::from(tonic::Status::internal("no case returned")))?;
    let mut response = (StatusCode::CREATED, Json(Case::from(&case))).into_response();
    if let Ok(location) = format!("/api/v1/cases/{}", case.id).parse() {
        response.headers_mut().insert("location", location);
    }
    if resp.replayed {
        response.headers_mut().insert("idempotent-replayed", axum::http::HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// `GET /api/v1/cases/{id}`: what the caller may see of the case (the service decides).
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path)),
    responses(
        (status = 200, body = Case),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such case, or not yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Case>, Problem> {
    let req = pb::GetCaseRequest { id };
    let case =
        state.clients.service_center().get_case(state.clients.request(&actor, req, None)).await?.into_inner().case;
    Ok(Json(Case::from(&case.unwrap_or_default())))
}

/// `GET /api/v1/cases`: summaries of what the caller may see, one page.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListQuery),
    responses((status = 200, body = Page<CaseSummary>), ListErrors))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<CaseSummary>>, Problem> {
    let limit = q.limit();
    let req = pb::ListCasesRequest { status: q.status, department: q.department, limit, cursor: q.cursor };
    let resp = state.clients.service_center().list_cases(state.clients.request(&actor, req, None)).await?.into_inner();
    Ok(Json(Page::new(resp.cases.iter().map(CaseSummary::from).collect(), &resp.next_cursor)))
}

for_case!(pb::SupplementCaseRequest, pb::EvaluateItemRequest, pb::AddMessageRequest, pb::AnswerMessageRequest);

impl FromJson for pb::SupplementCaseRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        r.required(v, "materials", "materials is required");
        pb::SupplementCaseRequest { materials: material_refs(r, v, false), ..Default::default() }
    }
}

/// `POST /api/v1/cases/{id}/supplements` (the case's employer): what a supplement request asked for.
#[utoipa::path(post, path = "/api/v1/cases/{id}/supplements", tag = "cases", params(("id" = String, Path)),
    request_body(content = Object, description = r#"{"materials": [{"kind": "...", "id": "..."}]}"#),
    responses((status = 200, body = Case), CommandErrors))]
pub async fn supplement(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Employers>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<pb::SupplementCaseRequest>,
) -> Result<Json<Case>, Problem> {
    let req = req.for_case(id);
    let case = state
        .clients
        .service_center()
        .supplement_case(state.clients.request(&actor, req, None))
        .await?
        .into_inner()
        .case;
    Ok(Json(Case::from(&case.unwrap_or_default())))
}

impl FromJson for pb::EvaluateItemRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        r.required(v, "rating", "rating (1 to 5) is required");
        pb::EvaluateItemRequest { rating: r.int32(v, "rating"), comment: r.string(v, "comment"), ..Default::default() }
    }
}

/// `POST /api/v1/cases/{id}/items/{item}/evaluation` (the case's employer): 好差评, once per finished item.
#[utoipa::path(post, path = "/api/v1/cases/{id}/items/{item}/evaluation", tag = "cases",
    params(("id" = String, Path), ("item" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key and body answers the first response")),
    request_body(content = Object, description = r#"{"rating": 1..5, "comment": "..."}"#),
    responses((status = 201, body = Evaluation), CommandErrors))]
pub async fn evaluate(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Employers>,
    Path((id, item)): Path<(String, String)>,
    key: IdempotencyKey,
    JsonBody(req): JsonBody<pb::EvaluateItemRequest>,
) -> Result<(StatusCode, Json<Evaluation>), Problem> {
    let req = pb::EvaluateItemRequest { item, ..req.for_case(id) };
    let resp = state.clients.service_center().evaluate_item(state.clients.request(&actor, req, key.as_deref())).await?;
    Ok((StatusCode::CREATED, Json(Evaluation::from(&resp.into_inner().evaluation.unwrap_or_default()))))
}

impl FromJson for pb::AddMessageRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pb::AddMessageRequest {
            kind: r.string(v, "kind"),
            channel: r.opt_string(v, "channel").unwrap_or_else(|| "online".into()),
            text: r.string(v, "text"),
            ..Default::default()
        }
    }
}

/// `POST /api/v1/cases/{id}/messages`: a consultation or complaint, online or recorded
/// by an operator of the 0931-12345 hotline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/messages", tag = "cases",
    params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key and body answers the first response")),
    request_body(content = Object, description = r#"{"kind": "consultation | complaint", "channel": "online | hotline", "text": "..."}"#),
    responses(
        (status = 201, body = Message),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_message(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    key: IdempotencyKey,
    JsonBody(req): JsonBody<pb::AddMessageRequest>,
) -> Result<(StatusCode, Json<Message>), Problem> {
    let req = req.for_case(id);
    let resp = state.clients.service_center().add_message(state.clients.request(&actor, req, key.as_deref())).await?;
    Ok((StatusCode::CREATED, Json(Message::from(&resp.into_inner().message.unwrap_or_default()))))
}

impl FromJson for pb::AnswerMessageRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pb::AnswerMessageRequest { answer: r.string(v, "answer"), ..Default::default() }
    }
}

/// `POST /api/v1/cases/{id}/messages/{message_id}/answer` (operators, department staff).
#[utoipa::path(post, path = "/api/v1/cases/{id}/messages/{message_id}/answer", tag = "cases",
    params(("id" = String, Path), ("message_id" = String, Path)),
    request_body(content = Object, description = r#"{"answer": "..."}"#),
    responses((status = 200, body = Message), CommandErrors))]
pub async fn answer_message(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, message_id)): Path<(String, String)>,
    JsonBody(req): JsonBody<pb::AnswerMessageRequest>,
) -> Result<Json<Message>, Problem> {
    let req = pb::AnswerMessageRequest { message_id, ..req.for_case(id) };
    let resp = state.clients.service_center().answer_message(state.clients.request(&actor, req, None)).await?;
    Ok(Json(Message::from(&resp.into_inner().message.unwrap_or_default())))
}

/// `GET /api/v1/stats` (ops, admin): the efficiency figures of the joint service beside
/// the plan's 联办效能 targets.
#[utoipa::path(get, path = "/api/v1/stats", tag = "operations",
    responses(
        (status = 200, description = "counts per item and status, working days, on-time share, trips, documents, steps, ratings", body = Object),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn stats(State(state): State<AppState>, Auth(actor, ..): Auth<Operators>) -> Result<Json<Value>, Problem> {
    let resp =
        state.clients.service_center().get_stats(state.clients.request(&actor, pb::GetStatsRequest {}, None)).await?;
    serde_json::from_str(&resp.into_inner().json)
        .map(Json)
        .map_err(|e| Problem::from(tonic::Status::internal(e.to_string())))
}
