//! `/api/v1/residence-permits`: the work-type residence permit at the public-security
//! counter (public-security's `PublicSecurityService`).
//!
//! - `GET /api/v1/residence-permits?status=` (officer): the counter's queue.
//! - `GET /api/v1/residence-permits/{case_id}` (owning employer, its foreigner, public-security staff,
//!   ops, admin).
//! - `POST .../entry` (owning employer or officer), `.../application`, `.../verification`,
//!   `.../verification/outcome`, `.../decision`, `.../pickup` (officer).
//!
//! The service checks roles, ownership, the request (every violation) and the case's state;
//! the gateway reads the JSON (every type error at once) and maps the answer.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};

use crate::json::Query;
use onething_proto::onething::publicsecurity::v1 as pb;
use onething_proto::onething::publicsecurity::v1::public_security_service_client::PublicSecurityServiceClient;
use serde::Deserialize;
use serde_json::{Value, json};
use tonic::transport::Channel;

use crate::auth::Caller;
use crate::clients::request;
use crate::json::{Reader, object};
use crate::problem::{FieldError, Problem};
use crate::startup::AppState;
use domain::Role;

fn client(state: &AppState) -> PublicSecurityServiceClient<Channel> {
    PublicSecurityServiceClient::new(state.clients.public_security.clone())
}

fn opt(s: &str) -> Value {
    if s.is_empty() { Value::Null } else { Value::String(s.to_string()) }
}

/// A JSON boolean; absent or null reads as false.
fn boolean(r: &mut Reader, v: &Value, field: &str) -> bool {
    match v.get(field) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            r.errors.push(FieldError::new(field, "invalid_type", format!("{field} must be true or false")));
            false
        }
    }
}

/// A nested object (absent or null is fine).
fn nested(r: &mut Reader, v: &Value, field: &str) {
    if v.get(field).is_some_and(|x| !x.is_null() && !x.is_object()) {
        r.errors.push(FieldError::new(field, "invalid_type", format!("{field} must be an object")));
    }
}

fn verification_json(v: &pb::Verification) -> Value {
    json!({
        "id": v.id,
        "method": v.method,
        "scheduled_at": v.scheduled_at,
        "place": opt(&v.place),
        "outcome": opt(&v.outcome),
        "justified": v.justified,
        "note": opt(&v.note),
        "recorded_at": opt(&v.recorded_at),
    })
}

/// The residence case as the API shows it (personal data only as the service returned it:
/// to public-security staff).
pub fn residence_json(c: &pb::ResidenceCase) -> Value {
    let application = c.application.as_ref().map(|a| {
        json!({
            "applied_on": a.applied_on,
            "paper_materials": a.paper_materials,
            "passport_lost": a.passport_lost,
            "receipt": {"number": a.receipt_number, "valid_until": a.receipt_valid_until},
            "decision_due": a.decision_due,
            "decision_due_counted_in": a.decision_due_counted_in,
            "decision_due_count": a.decision_due_count,
            "decision_due_estimated": a.decision_due_estimated,
        })
    });
    let pickup = c.pickup.as_ref().map(|p| {
        let mut out = json!({"method": p.method, "picked_up_at": p.picked_up_at});
        if !(p.proxy_name.is_empty() && p.proxy_id_number.is_empty()) {
            out["proxy"] = json!({"name": p.proxy_name, "id_number": p.proxy_id_number});
        }
        if !(p.mail_address.is_empty() && p.mail_tracking_number.is_empty()) {
            out["mail"] = json!({"address": opt(&p.mail_address), "tracking_number": p.mail_tracking_number});
        }
        out
    });
    json!({
        "case_id": c.case_id,
        "residence_case_id": c.id,
        "status": c.status,
        "employer_credit_code": opt(&c.employer_credit_code),
        "work_permit": {
            "permit_number": c.permit_number,
            "valid_until": opt(&c.permit_valid_until),
            "cancelled": c.work_permit_cancelled,
        },
        "entry_date": opt(&c.entry_date),
        "apply_by": opt(&c.apply_by),
        "application": application,
        "verification": c.verifications.last().map(verification_json),
        "verifications": c.verifications.iter().map(verification_json).collect::<Vec<_>>(),
        "decision": c.decision.as_ref().map(|d| json!({"decision": d.decision, "reasons": d.reasons, "decided_at": d.decided_at})),
        "residence_permit": c.residence_permit.as_ref().map(|p| json!({"number": p.number, "valid_from": p.valid_from, "valid_until": p.valid_until})),
        "pickup": pickup,
        "applicant": c.applicant.as_ref().map(|a| json!({
            "surname": a.surname, "given_names": a.given_names, "sex": a.sex, "nationality": a.nationality,
            "birth_date": a.birth_date, "passport_number": a.passport_number, "passport_expiry": a.passport_expiry,
        })),
        "opened_at": c.opened_at,
        "updated_at": opt(&c.updated_at),
    })
}

fn answer(c: Option<pb::ResidenceCase>) -> Json<Value> {
    Json(residence_json(&c.unwrap_or_default()))
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
    let actor = caller.require(&[Role::Officer])?;
    let req = pb::ListResidenceCasesRequest { status: q.status, ..Default::default() };
    let cases = client(&state).list_residence_cases(request(actor, req, None)).await?.into_inner().residence_cases;
    Ok(Json(json!({"residence_permits": cases.iter().map(residence_json).collect::<Vec<_>>()})))
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let actor =
        caller.require(&[Role::Employer, Role::Foreigner, Role::Officer, Role::Reviewer, Role::Ops, Role::Admin])?;
    let req = pb::GetResidenceCaseRequest { case_id };
    let resp = client(&state).get_residence_case(request(actor, req, None)).await?.into_inner();
    Ok(answer(resp.residence_case))
}

pub async fn entry(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Employer, Role::Officer])?;
    let value = object(&body)?;
    let mut r = Reader::default();
    let entry_date = r.string(&value, "entry_date");
    r.finish()?;
    let req = pb::RecordEntryRequest { case_id, entry_date };
    Ok(answer(client(&state).record_entry(request(actor, req, None)).await?.into_inner().residence_case))
}

pub async fn application(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Officer])?;
    let value = object(&body)?;
    let mut r = Reader::default();
    let paper_materials = r.strings(&value, "paper_materials");
    let passport_lost = boolean(&mut r, &value, "passport_lost");
    r.finish()?;
    let req = pb::RecordApplicationRequest { case_id, paper_materials, passport_lost };
    Ok(answer(client(&state).record_application(request(actor, req, None)).await?.into_inner().residence_case))
}

pub async fn verification(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Officer])?;
    let value = object(&body)?;
    let mut r = Reader::default();
    let method = r.string(&value, "method");
    let scheduled_at = r.string(&value, "scheduled_at");
    let place = r.string(&value, "place");
    r.finish()?;
    let req = pb::ScheduleVerificationRequest { case_id, method, scheduled_at, place };
    Ok(answer(client(&state).schedule_verification(request(actor, req, None)).await?.into_inner().residence_case))
}

pub async fn verification_outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Officer])?;
    let value = object(&body)?;
    let mut r = Reader::default();
    let outcome = r.string(&value, "outcome");
    let justified = boolean(&mut r, &value, "justified");
    let note = r.string(&value, "note");
    r.finish()?;
    let req = pb::RecordVerificationOutcomeRequest { case_id, outcome, justified, note };
    Ok(answer(client(&state).record_verification_outcome(request(actor, req, None)).await?.into_inner().residence_case))
}

pub async fn decision(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Officer])?;
    let value = object(&body)?;
    let mut r = Reader::default();
    let decision = r.string(&value, "decision");
    let reasons = r.strings(&value, "reasons");
    r.finish()?;
    let req = pb::DecideResidencePermitRequest { case_id, decision, reasons };
    Ok(answer(client(&state).decide_residence_permit(request(actor, req, None)).await?.into_inner().residence_case))
}

/// Reads a pickup body into the request, collecting type errors.
pub fn pickup_request(value: &Value) -> (pb::RecordPickupRequest, Vec<FieldError>) {
    let mut r = Reader::default();
    nested(&mut r, value, "proxy");
    nested(&mut r, value, "mail");
    let req = pb::RecordPickupRequest {
        case_id: String::new(),
        method: r.string(value, "method"),
        proxy_name: r.string(value, "proxy.name"),
        proxy_id_number: r.string(value, "proxy.id_number"),
        mail_address: r.string(value, "mail.address"),
        mail_tracking_number: r.string(value, "mail.tracking_number"),
    };
    (req, r.errors)
}

pub async fn pickup(
    State(state): State<AppState>,
    caller: Caller,
    Path(case_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Officer])?;
    let value = object(&body)?;
    let (mut req, errors) = pickup_request(&value);
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    req.case_id = case_id;
    Ok(answer(client(&state).record_pickup(request(actor, req, None)).await?.into_inner().residence_case))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pickup_body_reads_nested_objects_and_names_every_type_error() {
        let (req, errors) = pickup_request(
            &json!({"method": "mail", "mail": {"address": "1 Donggang Rd", "tracking_number": "SF1234567890"}}),
        );
        assert!(errors.is_empty());
        assert_eq!((req.method.as_str(), req.mail_tracking_number.as_str()), ("mail", "SF1234567890"));
        let (_, errors) = pickup_request(&json!({"method": 3, "proxy": "LI Lei", "mail": {"address": 5}}));
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["proxy", "method", "mail.address"]);
    }

    #[test]
    fn booleans_are_read_strictly() {
        let mut r = Reader::default();
        let v = json!({"a": true, "b": "yes", "c": null});
        assert!(boolean(&mut r, &v, "a"));
        assert!(!boolean(&mut r, &v, "b") && !boolean(&mut r, &v, "c") && !boolean(&mut r, &v, "d"));
        assert_eq!(r.errors.len(), 1);
        assert_eq!(r.errors[0].field, "b");
    }

    #[test]
    fn the_openapi_fragment_documents_every_route_and_its_references_resolve() {
        const FRAGMENT: &str = include_str!("../../openapi/residence_permits.json");
        let merged = crate::routes::docs::merged(include_str!("../../openapi.json"), &[FRAGMENT]).unwrap();
        let doc: Value = serde_json::from_str(&merged).unwrap();
        for (path, method) in [
            ("/api/v1/residence-permits", "get"),
            ("/api/v1/residence-permits/{case_id}", "get"),
            ("/api/v1/residence-permits/{case_id}/entry", "post"),
            ("/api/v1/residence-permits/{case_id}/application", "post"),
            ("/api/v1/residence-permits/{case_id}/verification", "post"),
            ("/api/v1/residence-permits/{case_id}/verification/outcome", "post"),
            ("/api/v1/residence-permits/{case_id}/decision", "post"),
            ("/api/v1/residence-permits/{case_id}/pickup", "post"),
        ] {
            assert!(doc["paths"][path][method].is_object(), "{method} {path}");
        }
        fn refs<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        out.push(r);
                    }
                    m.values().for_each(|x| refs(x, out));
                }
                Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
                _ => {}
            }
        }
        // The fragment's references resolve in the base document plus the fragment.
        let fragment: Value = serde_json::from_str(FRAGMENT).unwrap();
        let mut all = Vec::new();
        refs(&fragment, &mut all);
        assert!(all.len() > 10);
        for r in all {
            assert!(doc.pointer(r.trim_start_matches('#')).is_some(), "{r} does not resolve");
        }
    }

    #[test]
    fn the_view_leaves_absent_steps_null_and_shows_the_receipt() {
        let c = pb::ResidenceCase {
            case_id: "c".into(),
            status: "in_review".into(),
            application: Some(pb::CounterApplication {
                receipt_number: "62SL2026112900001".into(),
                decision_due: "2026-12-18".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let v = residence_json(&c);
        assert_eq!(v["application"]["receipt"]["number"], "62SL2026112900001");
        assert!(v["decision"].is_null() && v["pickup"].is_null() && v["applicant"].is_null());
        assert!(v["verification"].is_null() && v["verifications"].as_array().unwrap().is_empty());
    }
}
