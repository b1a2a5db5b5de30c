//! `POST /api/v1/work-permits/{case_id}/decision` (reviewer of the owning department).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use onething_proto::onething::permit::v1 as pp;
use onething_proto::onething::servicecenter::v1 as pb;
use serde_json::{Value, json};
use tonic::Code;

use crate::auth::Caller;
use crate::clients::request;
use crate::json::{Reader, object};
use crate::problem::Problem;
use crate::routes::actor_pb;
use crate::startup::AppState;

pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&["reviewer"])?;
    let value = object(&body)?;
    let mut r = Reader::default();
    let decision = r.string(&value, "decision");
    let reasons = r.strings(&value, "reasons");
    let materials = r.strings(&value, "materials");
    let note = r.string(&value, "note");
    if !r.errors.is_empty() {
        return Err(Problem::invalid(r.errors));
    }
    // The case tells which department owns its permit; the reviewer sees it only if one
    // of its items belongs to their department.
    let case = state
        .clients
        .service_center()
        .get_case(request(pb::GetCaseRequest { id: case_id.clone(), actor: Some(actor_pb(actor)) }, None))
        .await?
        .into_inner()
        .case
        .unwrap_or_default();
    let owner = case.items.iter().find(|i| i.item == "work_permit").map(|i| i.department.clone());
    let Some(owner) = owner.filter(|d| *d == actor.department) else {
        return Err(Problem::forbidden("the work permit of this case is decided by another department"));
    };
    let mut client = state
        .clients
        .permits(&owner)
        .ok_or_else(|| Problem::forbidden("this department does not decide work permits"))?;
    let req = pp::DecidePermitRequest { case_id, decision, reasons, materials, note, actor: Some(actor_pb(actor)) };
    let permit = match client.decide_permit(request(req, None)).await {
        Ok(resp) => resp.into_inner().permit.unwrap_or_default(),
        // The case exists but its `case-accepted` has not reached the department yet.
        Err(s) if s.code() == Code::NotFound => {
            return Err(Problem::new(
                axum::http::StatusCode::CONFLICT,
                "not-yet-in-review",
                "Not yet in review",
                "the application is still being routed to the department; retry in a moment",
            ));
        }
        Err(s) => return Err(s.into()),
    };
    Ok(Json(json!({
        "case_id": permit.case_id,
        "department": permit.department,
        "category": permit.category,
        "status": permit.status,
        "permit_number": permit.permit_number,
        "valid_from": permit.valid_from,
        "valid_until": permit.valid_until,
        "reasons": permit.reasons,
        "decided_at": permit.decided_at,
    })))
}
