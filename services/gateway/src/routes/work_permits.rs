//! `/api/v1/work-permits`: the review queue of the permit-issuing departments, decisions,
//! and the lifecycle of an issued permit (change, extension, cancellation).
//!
//! The owning desk (science-tech for A/B, hrss for C) is found from the case; each desk
//! checks again that the caller is one of its reviewers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::Actor;
use onething_proto::onething::permit::v1 as pp;
use onething_proto::onething::permit::v1::permit_service_client::PermitServiceClient;
use onething_proto::onething::servicecenter::v1 as pb;
use serde::Deserialize;
use serde_json::{Value, json};
use tonic::Code;
use tonic::transport::Channel;

use crate::auth::Caller;
use crate::clients::request;
use crate::json::{Reader, object};
use crate::problem::{FieldError, Problem};
use crate::startup::AppState;
use domain::Role;

/// Departments that issue work permits.
pub const PERMIT_DEPARTMENTS: [&str; 2] = ["science-tech", "hrss"];
/// Statuses of a permit (the desks check them too).
pub const PERMIT_STATUSES: [&str; 5] = ["in_review", "supplement_requested", "approved", "refused", "cancelled"];

/// The permit as every endpoint of this resource answers it.
pub fn permit_json(p: &pp::Permit) -> Value {
    let employer = p.employer.clone().unwrap_or_default();
    let position = p.position.clone().unwrap_or_default();
    json!({
        "case_id": p.case_id,
        "case_no": p.case_no,
        "department": p.department,
        "category": p.category,
        "status": p.status,
        "permit_number": p.permit_number,
        "valid_from": p.valid_from,
        "valid_until": p.valid_until,
        "reasons": p.reasons,
        "decided_at": p.decided_at,
        "opened_at": p.opened_at,
        "waiting_working_days": p.waiting_working_days,
        "waiting_estimated": p.waiting_estimated,
        "requested_materials": p.requested_materials,
        "supplement_note": p.supplement_note,
        "supplement_notice": p.supplement_notice.iter().map(|i| json!({
            "field": i.field, "code": i.code, "message_zh": i.message_zh, "message_en": i.message_en,
        })).collect::<Vec<_>>(),
        "employer": {"credit_code": employer.credit_code, "name": employer.name, "region_code": employer.region_code},
        "position": {
            "title": position.title,
            "annual_salary_cny": position.annual_salary_cny,
            "start_date": position.start_date,
            "contract_months": position.contract_months,
        },
        "cancellation_reason": p.cancellation_reason,
        "cancelled_at": p.cancelled_at,
        "updated_at": p.updated_at,
    })
}

/// The desk that owns the case's permit. A reviewer must belong to it (403 otherwise);
/// operators reach any desk.
async fn owning_desk(state: &AppState, actor: &Actor, case_id: &str) -> Result<PermitServiceClient<Channel>, Problem> {
    // A reviewer sees the case only if one of its items belongs to their department, and
    // then only those items.
    let case = state
        .clients
        .service_center()
        .get_case(request(actor, pb::GetCaseRequest { id: case_id.to_string() }, None))
        .await?
        .into_inner()
        .case
        .unwrap_or_default();
    let owner = case.items.iter().find(|i| i.item == "work_permit").map(|i| i.department.clone());
    let Some(owner) = owner.filter(|d| !actor.is(Role::Reviewer) || *d == actor.department_str()) else {
        return Err(Problem::forbidden("the work permit of this case belongs to another department"));
    };
    state.clients.permits(&owner).ok_or_else(|| Problem::forbidden("this department does not issue work permits"))
}

/// A desk's answer; NotFound means the case exists but its `case-accepted` has not reached
/// the department yet.
fn desk_error(s: tonic::Status) -> Problem {
    if s.code() == Code::NotFound {
        return Problem::new(
            StatusCode::CONFLICT,
            "not-yet-in-review",
            "Not yet in review",
            "the application is still being routed to the department; retry in a moment",
        );
    }
    s.into()
}

/// `POST /api/v1/work-permits/{case_id}/decision` (reviewer of the owning department):
/// approve, refuse with reasons, or ask for supplements.
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Reviewer])?;
    let value = object(&body)?;
    let mut r = Reader::default();
    let decision = r.string(&value, "decision");
    let reasons = r.strings(&value, "reasons");
    let materials = r.strings(&value, "materials");
    let note = r.string(&value, "note");
    r.finish()?;
    let mut client = owning_desk(&state, actor, &case_id).await?;
    let req = pp::DecidePermitRequest { case_id, decision, reasons, materials, note };
    let permit = client.decide_permit(request(actor, req, None)).await.map_err(desk_error)?.into_inner().permit;
    Ok(Json(permit_json(&permit.unwrap_or_default())))
}

/// `GET /api/v1/work-permits/{case_id}` (reviewer of the owning department, ops, admin).
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let actor = caller.require(&[Role::Reviewer, Role::Ops, Role::Admin])?;
    let mut client = owning_desk(&state, actor, &case_id).await?;
    let req = pp::GetPermitRequest { case_id };
    let permit = client.get_permit(request(actor, req, None)).await?.into_inner().permit;
    Ok(Json(permit_json(&permit.unwrap_or_default())))
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    department: String,
}

/// `GET /api/v1/work-permits?status=&department=`: a reviewer lists their own department's
/// permits; ops and admin list both departments' or one (`department`). Oldest first.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let actor = caller.require(&[Role::Reviewer, Role::Ops, Role::Admin])?;
    let Query(q) = query.map_err(|e| Problem::invalid(vec![FieldError::new("", "invalid_query", e.body_text())]))?;
    let mut errors = Vec::new();
    if !q.status.is_empty() && !PERMIT_STATUSES.contains(&q.status.as_str()) {
        errors.push(FieldError::new(
            "status",
            "unknown_value",
            format!("status must be one of {}", PERMIT_STATUSES.join(", ")),
        ));
    }
    if !q.department.is_empty() && !PERMIT_DEPARTMENTS.contains(&q.department.as_str()) {
        errors.push(FieldError::new(
            "department",
            "unknown_value",
            format!(
                "department must be one of {} (the departments that issue work permits)",
                PERMIT_DEPARTMENTS.join(", ")
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let departments: Vec<&str> = if actor.is(Role::Reviewer) {
        if !PERMIT_DEPARTMENTS.contains(&actor.department_str()) {
            return Err(Problem::forbidden("your department does not issue work permits"));
        }
        if !q.department.is_empty() && q.department != actor.department_str() {
            return Err(Problem::forbidden("a reviewer lists only their own department's permits"));
        }
        vec![actor.department_str()]
    } else if q.department.is_empty() {
        PERMIT_DEPARTMENTS.to_vec()
    } else {
        vec![q.department.as_str()]
    };
    // Both desks at once; the request (with its trace context) is built here.
    let mut calls = Vec::new();
    for d in departments {
        let Some(mut client) = state.clients.permits(d) else { continue };
        let req = request(actor, pp::ListPermitsRequest { status: q.status.clone(), ..Default::default() }, None);
        calls.push(tokio::spawn(async move { client.list_permits(req).await }));
    }
    let mut permits = Vec::new();
    for call in calls {
        let answer = call.await.map_err(|_| Problem::from(tonic::Status::internal("list task failed")))?;
        permits.extend(answer?.into_inner().permits);
    }
    permits.sort_by(|a, b| (&a.opened_at, &a.case_id).cmp(&(&b.opened_at, &b.case_id)));
    Ok(Json(json!({"permits": permits.iter().map(permit_json).collect::<Vec<_>>()})))
}

/// Whether `path` (dotted) is present and not null.
fn present(v: &Value, path: &str) -> bool {
    path.split('.').try_fold(v, |cur, key| cur.get(key)).is_some_and(|x| !x.is_null())
}

/// The change request: only the employer's name and region and the position's title and
/// salary change on an issued permit (a new employer or contract is a new application or
/// an extension).
fn change_request(v: &Value) -> (pp::ChangePermitRequest, Vec<FieldError>) {
    const CHANGEABLE: [(&str, &[&str]); 2] =
        [("employer", &["name", "region_code"]), ("position", &["title", "annual_salary_cny"])];
    let mut r = Reader::default();
    for (section, fields) in CHANGEABLE {
        match v.get(section) {
            None | Some(Value::Null) => {}
            Some(Value::Object(o)) => {
                for key in o.keys().filter(|k| !fields.contains(&k.as_str())) {
                    r.errors.push(FieldError::new(
                        format!("{section}.{key}"),
                        "not_changeable",
                        format!(
                            "{section}.{key} cannot be changed on an issued permit; changeable: {}",
                            fields.join(", ")
                        ),
                    ));
                }
            }
            Some(_) => r.errors.push(FieldError::new(section, "invalid_type", format!("{section} must be an object"))),
        }
    }
    let mut opt = |path: &str| present(v, path).then(|| r.string(v, path));
    let employer_name = opt("employer.name");
    let employer_region_code = opt("employer.region_code");
    let position_title = opt("position.title");
    let annual_salary_cny =
        present(v, "position.annual_salary_cny").then(|| r.integer(v, "position.annual_salary_cny"));
    let req = pp::ChangePermitRequest {
        case_id: String::new(),
        employer_name,
        employer_region_code,
        position_title,
        annual_salary_cny,
    };
    (req, r.errors)
}

/// `POST /api/v1/work-permits/{case_id}/change` (reviewer of the owning department).
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Reviewer])?;
    let value = object(&body)?;
    let (mut req, errors) = change_request(&value);
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let mut client = owning_desk(&state, actor, &case_id).await?;
    req.case_id = case_id;
    let resp = client.change_permit(request(actor, req, None)).await.map_err(desk_error)?.into_inner();
    let mut out = permit_json(&resp.permit.unwrap_or_default());
    out["changed_fields"] = json!(resp.changed_fields);
    Ok(Json(out))
}

/// `POST /api/v1/work-permits/{case_id}/extension` (reviewer of the owning department).
pub async fn extend(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Reviewer])?;
    let value = object(&body)?;
    let mut r = Reader::default();
    if !present(&value, "contract_months") {
        r.errors.push(FieldError::new("contract_months", "required", "contract_months is required"));
    }
    let months = r.integer(&value, "contract_months");
    r.finish()?;
    let mut client = owning_desk(&state, actor, &case_id).await?;
    // Out-of-range values stay out of range (the desk reports them).
    let contract_months = i32::try_from(months).unwrap_or(if months < 0 { i32::MIN } else { i32::MAX });
    let req = pp::ExtendPermitRequest { case_id, contract_months };
    let permit = client.extend_permit(request(actor, req, None)).await.map_err(desk_error)?.into_inner().permit;
    Ok(Json(permit_json(&permit.unwrap_or_default())))
}

/// `POST /api/v1/work-permits/{case_id}/cancellation` (reviewer of the owning department).
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Reviewer])?;
    let value = object(&body)?;
    let mut r = Reader::default();
    let reason = r.string(&value, "reason");
    r.finish()?;
    let mut client = owning_desk(&state, actor, &case_id).await?;
    let req = pp::CancelPermitRequest { case_id, reason };
    let permit = client.cancel_permit(request(actor, req, None)).await.map_err(desk_error)?.into_inner().permit;
    Ok(Json(permit_json(&permit.unwrap_or_default())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_only_the_given_fields_and_names_every_problem() {
        let (req, errors) =
            change_request(&json!({"employer": {"name": "New Co."}, "position": {"annual_salary_cny": 360000}}));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(req.employer_name.as_deref(), Some("New Co."));
        assert_eq!((req.employer_region_code, req.position_title), (None, None));
        assert_eq!(req.annual_salary_cny, Some(360_000));

        let (_, errors) = change_request(&json!({
            "employer": {"name": 5, "credit_code": "x"},
            "position": {"annual_salary_cny": "lots", "contract_months": 12}
        }));
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(
            got,
            [
                ("employer.credit_code", "not_changeable"),
                ("position.contract_months", "not_changeable"),
                ("employer.name", "invalid_type"),
                ("position.annual_salary_cny", "invalid_type"),
            ]
        );
        let (_, errors) = change_request(&json!({"employer": "New Co."}));
        assert_eq!(errors[0].code, "invalid_type");
    }

    #[test]
    fn the_permit_json_has_the_decision_fields_and_no_applicant() {
        let p = pp::Permit { case_id: "c".into(), status: "approved".into(), ..Default::default() };
        let v = permit_json(&p);
        for key in ["case_id", "status", "permit_number", "valid_from", "valid_until", "reasons", "decided_at"] {
            assert!(v.get(key).is_some(), "{key}");
        }
        assert!(v.get("applicant").is_none());
    }
}
