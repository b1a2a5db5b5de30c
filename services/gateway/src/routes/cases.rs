//! `/api/v1/cases`: submit (employer), read, list.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};

use crate::json::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use onething_proto::common as pbc;
use onething_proto::onething::servicecenter::v1 as pb;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::clients::request;
use crate::json::{Reader, object};
use crate::problem::{FieldError, Problem};
use crate::startup::AppState;
use domain::Role;

/// Reads the API's JSON shape into the gRPC request, collecting type errors.
pub fn submit_request(v: &Value) -> (pb::SubmitCaseRequest, Vec<FieldError>) {
    let mut r = Reader::default();
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
    let position = v.get("position").filter(|p| !p.is_null()).map(|_| pbc::Position {
        title: r.string(v, "position.title"),
        annual_salary_cny: r.integer(v, "position.annual_salary_cny"),
        start_date: r.string(v, "position.start_date"),
        contract_months: r.integer(v, "position.contract_months").clamp(i32::MIN as i64, i32::MAX as i64) as i32,
    });
    let profile = v.get("profile").filter(|p| !p.is_null()).map(|_| pbc::Profile {
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
    let materials = r
        .objects(v, "materials")
        .into_iter()
        .map(|(i, m)| pbc::MaterialRef {
            kind: r.string_at(m, "kind", &format!("materials[{i}].kind")),
            id: r.string_at(m, "id", &format!("materials[{i}].id")),
            dated_on: r.string_at(m, "dated_on", &format!("materials[{i}].dated_on")),
            expires_on: r.string_at(m, "expires_on", &format!("materials[{i}].expires_on")),
        })
        .collect();
    let category = r.string(v, "category");
    let req = pb::SubmitCaseRequest {
        employer: Some(employer),
        applicant: Some(applicant),
        position,
        profile,
        items,
        materials,
        validate_only: false,
        category,
    };
    (req, r.errors)
}

/// The `Idempotency-Key` header of a creating POST (API.md).
pub fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string).filter(|k| !k.is_empty())
}

pub fn case_json(c: &pb::Case) -> Value {
    let due = c.due.clone().unwrap_or_default();
    json!({
        "id": c.id,
        "case_no": c.case_no,
        "status": c.status,
        "category": c.category,
        "employer": {"credit_code": c.employer_credit_code, "name": c.employer_name},
        "submitted_at": c.submitted_at,
        "accepted_on": c.accepted_on,
        "due": {"committed": due.committed, "statutory": due.statutory, "estimated": due.estimated,
                "paused_since": if c.clock_paused_on.is_empty() { Value::Null } else { json!(c.clock_paused_on) }},
        "items": c.items.iter().map(|i| json!({
            "item": i.item,
            "department": i.department,
            "status": i.status,
            "result": i.result.iter().collect::<std::collections::BTreeMap<_, _>>(),
            "updated_at": i.updated_at,
            "due_on": if i.due_on.is_empty() { Value::Null } else { json!(i.due_on) },
            "decided_on": if i.decided_on.is_empty() { Value::Null } else { json!(i.decided_on) },
        })).collect::<Vec<_>>(),
        "notices": c.notices,
        "timeline": c.timeline.iter().map(|t| json!({"at": t.at, "event": t.event, "item": t.item, "detail": t.detail})).collect::<Vec<_>>(),
        "evaluations": c.evaluations.iter().map(|e| json!({"item": e.item, "rating": e.rating, "comment": e.comment, "at": e.at})).collect::<Vec<_>>(),
        "messages": c.messages.iter().map(message_json).collect::<Vec<_>>(),
    })
}

pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Employer])?;
    let value = object(&body)?;
    let (mut req, type_errors) = submit_request(&value);
    let key = idempotency_key(&headers);
    let mut client = state.clients.service_center();
    if !type_errors.is_empty() {
        // One notice: our type errors plus every rule the service finds in the rest.
        req.validate_only = true;
        let mut errors = type_errors;
        if let Err(status) = client.submit_case(request(actor, req, None)).await {
            let rule_errors = crate::problem::field_errors(&status);
            let reported: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
            errors
                .extend(rule_errors.into_iter().filter(|e| !reported.iter().any(|f| e.field.starts_with(f.as_str()))));
        }
        return Err(Problem::invalid(errors));
    }
    let resp = client.submit_case(request(actor, req, key.as_deref())).await?.into_inner();
    let case = resp.case.ok_or_else(|| Problem::from(tonic::Status::internal("no case returned")))?;
    let mut response = (StatusCode::CREATED, Json(case_json(&case))).into_response();
    response.headers_mut().insert(
        "location",
        format!("/api/v1/cases/{}", case.id).parse().map_err(|_| Problem::from(tonic::Status::internal("bad id")))?,
    );
    if resp.replayed {
        response.headers_mut().insert("idempotent-replayed", "true".parse().expect("static header value"));
    }
    Ok(response)
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let req = pb::GetCaseRequest { id };
    let case = state
        .clients
        .service_center()
        .get_case(request(&caller.0, req, None))
        .await?
        .into_inner()
        .case
        .unwrap_or_default();
    Ok(Json(case_json(&case)))
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    department: String,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, Problem> {
    let req = pb::ListCasesRequest { status: q.status, department: q.department, ..Default::default() };
    let cases = state.clients.service_center().list_cases(request(&caller.0, req, None)).await?.into_inner().cases;
    Ok(Json(json!({"cases": cases.iter().map(case_json).collect::<Vec<_>>()})))
}

/// `POST /api/v1/cases/{id}/supplements` (the case's employer): what a supplement request asked for.
pub async fn supplement(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Employer])?;
    let v = object(&body)?;
    let mut r = Reader::default();
    let materials: Vec<pbc::MaterialRef> = r
        .objects(&v, "materials")
        .into_iter()
        .map(|(i, m)| pbc::MaterialRef {
            kind: r.string_at(m, "kind", &format!("materials[{i}].kind")),
            id: r.string_at(m, "id", &format!("materials[{i}].id")),
            ..Default::default()
        })
        .collect();
    if v.get("materials").is_none() {
        r.errors.push(FieldError::new("materials", "required", "materials is required"));
    }
    r.finish()?;
    let req = pb::SupplementCaseRequest { case_id: id, materials };
    let case = state
        .clients
        .service_center()
        .supplement_case(request(actor, req, None))
        .await?
        .into_inner()
        .case
        .unwrap_or_default();
    Ok(Json(case_json(&case)))
}

/// `POST /api/v1/cases/{id}/items/{item}/evaluation` (the case's employer): 好差评, once per finished item.
pub async fn evaluate(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, item)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Employer])?;
    let v = object(&body)?;
    let mut r = Reader::default();
    let rating = r.integer(&v, "rating");
    let comment = r.string(&v, "comment");
    if v.get("rating").is_none() {
        r.errors.push(FieldError::new("rating", "required", "rating (1 to 5) is required"));
    }
    r.finish()?;
    let req = pb::EvaluateItemRequest {
        case_id: id,
        item,
        rating: rating.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
        comment,
    };
    let e = state
        .clients
        .service_center()
        .evaluate_item(request(actor, req, idempotency_key(&headers).as_deref()))
        .await?
        .into_inner()
        .evaluation
        .unwrap_or_default();
    Ok((StatusCode::CREATED, Json(json!({"item": e.item, "rating": e.rating, "comment": e.comment, "at": e.at}))))
}

fn message_json(m: &pb::CaseMessage) -> Value {
    json!({"id": m.id, "kind": m.kind, "channel": m.channel, "text": m.text, "author_role": m.author_role, "at": m.at,
           "answer": if m.answer.is_empty() { Value::Null } else { json!(m.answer) },
           "answered_by": if m.answered_by.is_empty() { Value::Null } else { json!(m.answered_by) },
           "answered_at": if m.answered_at.is_empty() { Value::Null } else { json!(m.answered_at) }})
}

/// `POST /api/v1/cases/{id}/messages`: a consultation or complaint, online or recorded
/// by an operator of the 0931-12345 hotline.
pub async fn add_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let body = crate::json::body(body)?;
    let v = object(&body)?;
    let mut r = Reader::default();
    let kind = r.string(&v, "kind");
    let channel = r.opt_string(&v, "channel").unwrap_or_else(|| "online".into());
    let text = r.string(&v, "text");
    r.finish()?;
    let req = pb::AddMessageRequest { case_id: id, kind, channel, text };
    let m = state
        .clients
        .service_center()
        .add_message(request(&caller.0, req, idempotency_key(&headers).as_deref()))
        .await?
        .into_inner()
        .message
        .unwrap_or_default();
    Ok((StatusCode::CREATED, Json(message_json(&m))))
}

/// `POST /api/v1/cases/{id}/messages/{message_id}/answer` (operators, department staff).
pub async fn answer_message(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, message_id)): Path<(String, String)>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let v = object(&body)?;
    let mut r = Reader::default();
    let answer = r.string(&v, "answer");
    r.finish()?;
    let req = pb::AnswerMessageRequest { case_id: id, message_id, answer };
    let m = state
        .clients
        .service_center()
        .answer_message(request(&caller.0, req, None))
        .await?
        .into_inner()
        .message
        .unwrap_or_default();
    Ok(Json(message_json(&m)))
}

/// `GET /api/v1/stats` (ops): the efficiency figures of the joint service.
pub async fn stats(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    let actor = caller.require(&[Role::Ops, Role::Admin])?;
    let resp =
        state.clients.service_center().get_stats(request(actor, pb::GetStatsRequest {}, None)).await?.into_inner();
    serde_json::from_str(&resp.json).map(Json).map_err(|e| Problem::from(tonic::Status::internal(e.to_string())))
}
