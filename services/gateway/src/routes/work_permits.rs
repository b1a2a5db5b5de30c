//! `/api/v1/work-permits`: the review queue of the permit-issuing departments, decisions,
//! and the lifecycle of an issued permit (change, extension, cancellation).
//!
//! The owning desk (science-tech for A/B, hrss for C) is the one service-center's case
//! view names for the case's work permit; each desk checks that the caller is one of its
//! reviewers and what the permit's state allows.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use domain::case::{Department, Item};
use domain::json::Reader;
use domain::{Actor, Role};
use onething_proto::onething::permit::v1 as pp;
use onething_proto::onething::permit::v1::permit_service_client::PermitServiceClient;
use onething_proto::onething::servicecenter::v1 as pb;
use serde_json::Value;
use tonic::Code;
use tonic::transport::Channel;

use crate::extract::{
    Auth, EmployersAndForeigners, ForCase, FromJson, JsonBody, ListQuery, Query, Reviewers, ReviewersAndOperators,
    for_case,
};
use crate::problem::{CommandErrors, ListErrors, Problem, ReadErrors};
use crate::routes::materials::FileBytes;
use crate::startup::AppState;
use crate::views::{Applicant, Page, Permit, PermitVerification};

/// The desk that owns the case's permit. service-center shows a reviewer only the items
/// of their department, so a reviewer of another department finds no work permit: 404,
/// as for a case that does not exist.
async fn owning_desk(state: &AppState, actor: &Actor, case_id: &str) -> Result<PermitServiceClient<Channel>, Problem> {
    let req = pb::GetCaseRequest { id: case_id.to_string() };
    let case =
        state.clients.service_center().get_case(state.clients.request(actor, req, None)).await?.into_inner().case;
    let owner = case
        .unwrap_or_default()
        .items
        .iter()
        .find(|i| i.item == Item::WorkPermit.as_str())
        .and_then(|i| i.department.parse::<Department>().ok());
    owner
        .and_then(|d| state.clients.permits(d))
        .ok_or_else(|| Problem::not_found(format!("no work permit of case {case_id} for you")))
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

/// The reviewer's commands on a case's permit, each `POST /api/v1/work-permits/{case_id}/<step>`
/// at the owning desk, which checks the reviewer's department and the permit's state.
macro_rules! commands {
    ($($(#[doc = $doc:tt])* $name:ident: $path:tt, $req:ty, $rpc:ident, $body:tt;)+) => {$(
        $(#[doc = $doc])*
        #[utoipa::path(post, path = $path, tag = "work permits", params(("case_id" = String, Path)),
            request_body(content = Object, description = $body),
            responses((status = 200, body = Permit), CommandErrors))]
        pub async fn $name(
            State(state): State<AppState>,
            Auth(actor, ..): Auth<Reviewers>,
            Path(case_id): Path<String>,
            JsonBody(req): JsonBody<$req>,
        ) -> Result<Json<Permit>, Problem> {
            let mut desk = owning_desk(&state, &actor, &case_id).await?;
            let resp = desk.$rpc(state.clients.request(&actor, req.for_case(case_id), None)).await.map_err(desk_error)?;
            Ok(Json(Permit::from(&resp.into_inner().permit.unwrap_or_default())))
        }
    )+};
}

commands! {
    /// Approve, refuse with reasons, or ask for supplements.
    decide: "/api/v1/work-permits/{case_id}/decision", pp::DecidePermitRequest, decide_permit,
        r#"{"decision": "approve"} · {"decision": "refuse", "reasons": [...]} · {"decision": "supplement", "materials": [...], "note": "..."}"#;
    /// Extends an issued permit (before it expires).
    extend: "/api/v1/work-permits/{case_id}/extension", pp::ExtendPermitRequest, extend_permit,
        r#"{"contract_months": 24}"#;
    /// Cancels an issued permit, with its reason.
    cancel: "/api/v1/work-permits/{case_id}/cancellation", pp::CancelPermitRequest, cancel_permit,
        r#"{"reason": "..."}"#;
}

for_case!(pp::DecidePermitRequest, pp::ChangePermitRequest, pp::ExtendPermitRequest, pp::CancelPermitRequest);

impl FromJson for pp::DecidePermitRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pp::DecidePermitRequest {
            decision: r.string(v, "decision"),
            reasons: r.strings(v, "reasons"),
            materials: r.strings(v, "materials"),
            note: r.string(v, "note"),
            ..Default::default()
        }
    }
}

impl FromJson for pp::ExtendPermitRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        r.required(v, "contract_months", "contract_months is required");
        pp::ExtendPermitRequest { contract_months: r.int32(v, "contract_months"), ..Default::default() }
    }
}

impl FromJson for pp::CancelPermitRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pp::CancelPermitRequest { reason: r.string(v, "reason"), ..Default::default() }
    }
}

/// `GET /api/v1/work-permits/{case_id}` (reviewer of the owning department, ops, admin).
/// The reviewer of the owning department also gets the `applicant`, from service-center
/// (the desks hold no applicant data), which checks the reviewer and audits the read.
#[utoipa::path(get, path = "/api/v1/work-permits/{case_id}", tag = "work permits",
    params(("case_id" = String, Path)),
    responses((status = 200, description = "the permit; `applicant` only for a reviewer of the owning department", body = Permit), ReadErrors))]
pub async fn get(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<ReviewersAndOperators>,
    Path(case_id): Path<String>,
) -> Result<Json<Permit>, Problem> {
    let mut desk = owning_desk(&state, &actor, &case_id).await?;
    let req = pp::GetPermitRequest { case_id: case_id.clone() };
    let permit = desk.get_permit(state.clients.request(&actor, req, None)).await?.into_inner().permit;
    let mut view = Permit::from(&permit.unwrap_or_default());
    // Only a reviewer can be the one deciding; operators are not asked for, so their
    // reads leave no refusals in the audit log. Whether this reviewer's department owns
    // the permit is service-center's decision: NOT_FOUND means "not for you".
    if actor.is(Role::Reviewer) {
        let req = pb::GetApplicantRequest { case_id };
        view.applicant =
            match state.clients.service_center().get_applicant(state.clients.request(&actor, req, None)).await {
                Ok(resp) => resp.into_inner().applicant.as_ref().map(Applicant::from),
                Err(s) if s.code() == Code::NotFound => None,
                Err(s) => return Err(s.into()),
            };
    }
    Ok(Json(view))
}

/// `GET /api/v1/work-permits/{case_id}/document` (the employer, the foreigner): the
/// electronic permit. service-center finds the desk (a case the caller may not see is 404);
/// the desk checks again that the caller is the case's employer or the permit's holder and
/// writes the download to its access log (the PDF names the holder and the passport).
#[utoipa::path(get, path = "/api/v1/work-permits/{case_id}/document", tag = "work permits",
    params(("case_id" = String, Path)),
    responses(
        (status = 200, description = "the e-permit: the permit's data and its verification code; `Content-Disposition: attachment`, `Cache-Control: private, no-store`",
            content((FileBytes = "application/pdf")),
            headers(
                ("Content-Disposition" = String, description = "attachment; filename=\"work-permit-<permit_number>.pdf\""),
                ("Cache-Control" = String, description = "private, no-store"),
            )),
        (status = 401, description = "no token, or an invalid or expired one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "the caller's role may not do this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not-approved`: the permit is not (or no longer) approved", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn document(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<EmployersAndForeigners>,
    Path(case_id): Path<String>,
) -> Result<Response, Problem> {
    let mut desk = owning_desk(&state, &actor, &case_id).await?;
    let req = pp::GetPermitDocumentRequest { case_id };
    let doc = desk.get_permit_document(state.clients.request(&actor, req, None)).await?.into_inner();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", safe_filename(&doc.filename)))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let mut resp = Response::new(Body::from(doc.content));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    h.insert(header::CONTENT_DISPOSITION, disposition);
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // It names the holder: never kept by a shared cache or the browser's disk cache.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(resp)
}

/// A desk's filename, if it is one a header may carry.
fn safe_filename(name: &str) -> &str {
    let ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok { name } else { "work-permit.pdf" }
}

/// `GET /api/v1/work-permits/verify/{code}` (no auth): whether the e-permit printed with
/// `code` is valid now. The code does not say which desk issued it, so both are asked;
/// either one's `valid` answers. An unknown code is 200 `{"valid": false}`, like a cancelled
/// or expired permit: the answer says nothing else about a code. Only when no desk says
/// valid and one could not be asked is the answer 503 (invalid would be a guess).
#[utoipa::path(get, path = "/api/v1/work-permits/verify/{code}", tag = "work permits", security(()),
    params(("code" = String, Path, description = "the verification code printed on the e-permit (case and hyphens do not matter)")),
    responses(
        (status = 200, description = "`valid` and, only when valid, `permit_number`, `valid_until`, `issuer`; never personal data", body = PermitVerification),
        (status = 404, description = "a code with characters no code has (anything but letters, digits and hyphens) or longer than any: refused at the edge like every impossible id", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "a desk could not be asked and none said valid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<PermitVerification>, Problem> {
    let anyone = Actor::anonymous();
    let mut calls = Vec::new();
    for d in [Department::ScienceTech, Department::Hrss] {
        let Some(mut desk) = state.clients.permits(d) else { continue };
        let req = state.clients.request(&anyone, pp::VerifyPermitRequest { code: code.clone() }, None);
        calls.push(tokio::spawn(async move { desk.verify_permit(req).await }));
    }
    let mut failed = None;
    for call in calls {
        match call.await.map_err(|_| Problem::from(tonic::Status::internal("verify task failed")))? {
            Ok(answer) if answer.get_ref().valid => return Ok(Json(PermitVerification::from(answer.get_ref()))),
            Ok(_) => {}
            Err(status) => failed = Some(status),
        }
    }
    match failed {
        Some(status) => Err(status.into()),
        None => Ok(Json(PermitVerification::from(&pp::VerifyPermitResponse::default()))),
    }
}

/// `GET /api/v1/work-permits?status=&department=&limit=&cursor=`: a reviewer lists their
/// own department's permits; ops and admin both departments' (merged by opening time) or
/// one. Oldest first.
#[utoipa::path(get, path = "/api/v1/work-permits", tag = "work permits", params(ListQuery),
    responses((status = 200, body = Page<Permit>), ListErrors))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<ReviewersAndOperators>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<Permit>>, Problem> {
    let issuers = [Department::ScienceTech, Department::Hrss];
    let departments: Vec<Department> = match (actor.role, q.department.as_str()) {
        (Role::Reviewer, d) if !d.is_empty() && d != actor.department_str() => {
            return Err(Problem::forbidden("a reviewer lists only their own department's permits"));
        }
        // A reviewer always has a department; one that issues no permits is refused below.
        (Role::Reviewer, _) => actor.department.into_iter().collect(),
        (_, "") => issuers.to_vec(),
        (_, d) => match d.parse::<Department>() {
            Ok(d) if issuers.contains(&d) => vec![d],
            _ => return Err(unknown_department(&state, &actor, &q).await),
        },
    };
    let mut calls = Vec::new();
    for d in departments {
        let Some(mut desk) = state.clients.permits(d) else {
            return Err(Problem::forbidden("your department does not issue work permits"));
        };
        let req = pp::ListPermitsRequest { status: q.status.clone(), limit: q.limit(), cursor: q.cursor.clone() };
        let req = state.clients.request(&actor, req, None);
        calls.push(tokio::spawn(async move { desk.list_permits(req).await }));
    }
    let mut pages = Vec::new();
    for call in calls {
        let answer = call.await.map_err(|_| Problem::from(tonic::Status::internal("list task failed")))?;
        pages.push(answer?.into_inner());
    }
    Ok(Json(merge(pages, q.limit())))
}

/// An unknown department, with whatever else a desk finds wrong in the query: one 422.
async fn unknown_department(state: &AppState, actor: &Actor, q: &ListQuery) -> Problem {
    let mut errors = vec![crate::problem::FieldError::new(
        "department",
        "unknown_value",
        "department must be one of science-tech, hrss (the departments that issue work permits)",
    )];
    if let Some(mut desk) = state.clients.permits(Department::ScienceTech) {
        let req = pp::ListPermitsRequest { status: q.status.clone(), limit: q.limit(), cursor: q.cursor.clone() };
        if let Err(status) = desk.list_permits(state.clients.request(actor, req, None)).await {
            errors.splice(0..0, crate::problem::field_errors(&status));
        }
    }
    Problem::invalid(errors)
}

/// Merges the desks' pages (each sorted by opening time, then case id) into one page; its
/// cursor is the sort key of the last permit kept, which every desk reads the same way.
fn merge(pages: Vec<pp::ListPermitsResponse>, limit: i32) -> Page<Permit> {
    if pages.len() == 1 {
        let page = pages.into_iter().next().unwrap_or_default();
        return Page::new(page.permits.iter().map(Permit::from).collect(), &page.next_cursor);
    }
    let more = pages.iter().any(|p| !p.next_cursor.is_empty());
    let mut permits: Vec<pp::Permit> = pages.into_iter().flat_map(|p| p.permits).collect();
    permits.sort_by(|a, b| (&a.opened_at, &a.case_id).cmp(&(&b.opened_at, &b.case_id)));
    let limit = if limit <= 0 { platform::paging::DEFAULT_LIMIT as usize } else { limit as usize };
    let cut = permits.len() > limit;
    permits.truncate(limit);
    let next = match permits.last() {
        Some(last) if cut || more => platform::paging::encode(&[&last.opened_at, &last.case_id]),
        _ => String::new(),
    };
    Page::new(permits.iter().map(Permit::from).collect(), &next)
}

/// The change of an issued permit: only the employer's name and region and the position's
/// title and salary change (a new employer or contract is a new application or an extension).
impl FromJson for pp::ChangePermitRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        const CHANGEABLE: [(&str, &[&str]); 2] =
            [("employer", &["name", "region_code"]), ("position", &["title", "annual_salary_cny"])];
        for (section, fields) in CHANGEABLE {
            r.nested(v, section);
            if let Some(Value::Object(o)) = v.get(section) {
                for key in o.keys().filter(|k| !fields.contains(&k.as_str())) {
                    r.push(
                        format!("{section}.{key}"),
                        "not_changeable",
                        format!(
                            "{section}.{key} cannot be changed on an issued permit; changeable: {}",
                            fields.join(", ")
                        ),
                    );
                }
            }
        }
        let mut opt = |path: &str| domain::json::present(v, path).then(|| r.string(v, path));
        let employer_name = opt("employer.name");
        let employer_region_code = opt("employer.region_code");
        let position_title = opt("position.title");
        let annual_salary_cny =
            domain::json::present(v, "position.annual_salary_cny").then(|| r.integer(v, "position.annual_salary_cny"));
        pp::ChangePermitRequest {
            case_id: String::new(),
            employer_name,
            employer_region_code,
            position_title,
            annual_salary_cny,
        }
    }
}

/// `POST /api/v1/work-permits/{case_id}/change` (reviewer of the owning department).
#[utoipa::path(post, path = "/api/v1/work-permits/{case_id}/change", tag = "work permits",
    params(("case_id" = String, Path)),
    request_body(content = Object, description = r#"{"employer": {"name", "region_code"}, "position": {"title", "annual_salary_cny"}}"#),
    responses((status = 200, description = "the permit with `changed_fields`", body = Permit), CommandErrors))]
pub async fn change(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Reviewers>,
    Path(case_id): Path<String>,
    JsonBody(req): JsonBody<pp::ChangePermitRequest>,
) -> Result<Json<Permit>, Problem> {
    let mut desk = owning_desk(&state, &actor, &case_id).await?;
    let resp = desk
        .change_permit(state.clients.request(&actor, req.for_case(case_id), None))
        .await
        .map_err(desk_error)?
        .into_inner();
    let mut permit = Permit::from(&resp.permit.unwrap_or_default());
    permit.changed_fields = Some(resp.changed_fields);
    Ok(Json(permit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(v: Value) -> (pp::ChangePermitRequest, Vec<(String, String)>) {
        let mut r = Reader::default();
        let req = pp::ChangePermitRequest::read(&mut r, &v);
        (req, r.errors.0.into_iter().map(|e| (e.field, e.code)).collect())
    }

    #[test]
    fn a_change_reads_only_the_given_fields_and_names_every_problem() {
        let (req, errors) = change(json!({"employer": {"name": "New Co."}, "position": {"annual_salary_cny": 360000}}));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(req.employer_name.as_deref(), Some("New Co."));
        assert_eq!((req.employer_region_code, req.position_title), (None, None));
        assert_eq!(req.annual_salary_cny, Some(360_000));
        let (_, errors) = change(json!({
            "employer": {"name": 5, "credit_code": "x"},
            "position": {"annual_salary_cny": "lots", "contract_months": 12}
        }));
        let got: Vec<(&str, &str)> = errors.iter().map(|(f, c)| (f.as_str(), c.as_str())).collect();
        assert_eq!(
            got,
            [
                ("employer.credit_code", "not_changeable"),
                ("position.contract_months", "not_changeable"),
                ("employer.name", "invalid_type"),
                ("position.annual_salary_cny", "invalid_type"),
            ]
        );
        assert_eq!(change(json!({"employer": "New Co."})).1[0].1, "invalid_type");
    }

    fn permit(opened_at: &str, case_id: &str) -> pp::Permit {
        pp::Permit { opened_at: opened_at.into(), case_id: case_id.into(), ..Default::default() }
    }

    #[test]
    fn two_desks_pages_merge_by_opening_time_and_the_cursor_points_past_the_last_kept() {
        let st = pp::ListPermitsResponse {
            permits: vec![permit("2026-12-01T01:00:00.000Z", "a"), permit("2026-12-01T03:00:00.000Z", "c")],
            next_cursor: String::new(),
        };
        let hrss = pp::ListPermitsResponse {
            permits: vec![permit("2026-12-01T02:00:00.000Z", "b")],
            next_cursor: String::new(),
        };
        let page = merge(vec![st.clone(), hrss.clone()], 2);
        let ids: Vec<&str> = page.items.iter().map(|p| p.case_id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let cursor = page.next_cursor.expect("a third permit follows");
        assert_eq!(platform::paging::decode(&cursor, 2).unwrap(), ["2026-12-01T02:00:00.000Z", "b"]);
        assert!(merge(vec![st, hrss], 3).next_cursor.is_none());
    }
}
