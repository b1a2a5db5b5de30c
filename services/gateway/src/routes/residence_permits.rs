//! `/api/v1/residence-permits`: the work-type residence permit at the public-security
//! counter. The service checks roles, ownership, the request (every violation) and the
//! case's state; the gateway reads the JSON (every type error at once) and maps the answer.

use axum::Json;
use axum::extract::{Path, State};
use domain::json::Reader;
use onething_proto::onething::publicsecurity::v1 as pb;
use serde_json::Value;

use crate::clients::request;
use crate::extract::{Auth, EmployersAndOfficers, FromJson, JsonBody, ListQuery, Officers, Query, ResidenceReaders};
use crate::problem::{CommandErrors, ListErrors, Problem, ReadErrors};
use crate::startup::AppState;
use crate::views::{Page, ResidenceCase};

fn answer(c: Option<pb::ResidenceCase>) -> Json<ResidenceCase> {
    Json(ResidenceCase::from(&c.unwrap_or_default()))
}

/// `GET /api/v1/residence-permits?status=&limit=&cursor=` (officer): the counter's queue.
#[utoipa::path(get, path = "/api/v1/residence-permits", tag = "residence permits", params(ListQuery),
    responses(
        (status = 200, body = Page<ResidenceCase>),
        ListErrors,
    ))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Officers>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<ResidenceCase>>, Problem> {
    let limit = q.limit();
    let req = pb::ListResidenceCasesRequest { status: q.status, limit, cursor: q.cursor };
    let resp = state.clients.public_security().list_residence_cases(request(&actor, req, None)).await?.into_inner();
    Ok(Json(Page::new(resp.residence_cases.iter().map(ResidenceCase::from).collect(), &resp.next_cursor)))
}

/// `GET /api/v1/residence-permits/{case_id}` (its employer, its foreigner, public-security
/// staff, ops, admin; personal data for public-security staff only).
#[utoipa::path(get, path = "/api/v1/residence-permits/{case_id}", tag = "residence permits",
    params(("case_id" = String, Path)),
    responses(
        (status = 200, body = ResidenceCase),
        ReadErrors,
    ))]
pub async fn get(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<ResidenceReaders>,
    Path(case_id): Path<String>,
) -> Result<Json<ResidenceCase>, Problem> {
    let req = pb::GetResidenceCaseRequest { case_id };
    let resp = state.clients.public_security().get_residence_case(request(&actor, req, None)).await?;
    Ok(answer(resp.into_inner().residence_case))
}

pub struct EntryBody(String);

impl FromJson for EntryBody {
    fn read(r: &mut Reader, v: &Value) -> Self {
        EntryBody(r.string(v, "entry_date"))
    }
}

/// `POST .../entry` (the case's employer or an officer): the foreigner's entry date.
#[utoipa::path(post, path = "/api/v1/residence-permits/{case_id}/entry", tag = "residence permits",
    params(("case_id" = String, Path)), request_body(content = Object, description = r#"{"entry_date": "YYYY-MM-DD"}"#),
    responses(
        (status = 200, body = ResidenceCase),
        CommandErrors,
    ))]
pub async fn entry(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<EmployersAndOfficers>,
    Path(case_id): Path<String>,
    JsonBody(EntryBody(entry_date)): JsonBody<EntryBody>,
) -> Result<Json<ResidenceCase>, Problem> {
    let req = pb::RecordEntryRequest { case_id, entry_date };
    Ok(answer(
        state.clients.public_security().record_entry(request(&actor, req, None)).await?.into_inner().residence_case,
    ))
}

pub struct ApplicationBody {
    paper_materials: Vec<String>,
    passport_lost: bool,
}

impl FromJson for ApplicationBody {
    fn read(r: &mut Reader, v: &Value) -> Self {
        ApplicationBody {
            paper_materials: r.strings(v, "paper_materials"),
            passport_lost: r.boolean(v, "passport_lost"),
        }
    }
}

/// `POST .../application` (officer): the in-person application with the paper materials; gives the receipt.
#[utoipa::path(post, path = "/api/v1/residence-permits/{case_id}/application", tag = "residence permits",
    params(("case_id" = String, Path)), request_body(content = Object, description = r#"{"paper_materials": [...], "passport_lost": false}"#),
    responses(
        (status = 200, body = ResidenceCase),
        CommandErrors,
    ))]
pub async fn application(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Officers>,
    Path(case_id): Path<String>,
    JsonBody(body): JsonBody<ApplicationBody>,
) -> Result<Json<ResidenceCase>, Problem> {
    let req = pb::RecordApplicationRequest {
        case_id,
        paper_materials: body.paper_materials,
        passport_lost: body.passport_lost,
    };
    Ok(answer(
        state
            .clients
            .public_security()
            .record_application(request(&actor, req, None))
            .await?
            .into_inner()
            .residence_case,
    ))
}

pub struct VerificationBody(pb::ScheduleVerificationRequest);

impl FromJson for VerificationBody {
    fn read(r: &mut Reader, v: &Value) -> Self {
        VerificationBody(pb::ScheduleVerificationRequest {
            case_id: String::new(),
            method: r.string(v, "method"),
            scheduled_at: r.string(v, "scheduled_at"),
            place: r.string(v, "place"),
        })
    }
}

/// `POST .../verification` (officer): schedules an interview, phone call or site visit.
#[utoipa::path(post, path = "/api/v1/residence-permits/{case_id}/verification", tag = "residence permits",
    params(("case_id" = String, Path)), request_body(content = Object, description = r#"{"method": "interview | phone | site_visit", "scheduled_at": "RFC 3339", "place": "..."}"#),
    responses(
        (status = 200, body = ResidenceCase),
        CommandErrors,
    ))]
pub async fn verification(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Officers>,
    Path(case_id): Path<String>,
    JsonBody(VerificationBody(mut req)): JsonBody<VerificationBody>,
) -> Result<Json<ResidenceCase>, Problem> {
    req.case_id = case_id;
    Ok(answer(
        state
            .clients
            .public_security()
            .schedule_verification(request(&actor, req, None))
            .await?
            .into_inner()
            .residence_case,
    ))
}

pub struct OutcomeBody(pb::RecordVerificationOutcomeRequest);

impl FromJson for OutcomeBody {
    fn read(r: &mut Reader, v: &Value) -> Self {
        OutcomeBody(pb::RecordVerificationOutcomeRequest {
            case_id: String::new(),
            outcome: r.string(v, "outcome"),
            justified: r.boolean(v, "justified"),
            note: r.string(v, "note"),
        })
    }
}

/// `POST .../verification/outcome` (officer): attended, or a no-show (justified or not).
#[utoipa::path(post, path = "/api/v1/residence-permits/{case_id}/verification/outcome", tag = "residence permits",
    params(("case_id" = String, Path)), request_body(content = Object, description = r#"{"outcome": "attended | no_show", "justified": false, "note": "..."}"#),
    responses(
        (status = 200, body = ResidenceCase),
        CommandErrors,
    ))]
pub async fn verification_outcome(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Officers>,
    Path(case_id): Path<String>,
    JsonBody(OutcomeBody(mut req)): JsonBody<OutcomeBody>,
) -> Result<Json<ResidenceCase>, Problem> {
    req.case_id = case_id;
    let resp = state.clients.public_security().record_verification_outcome(request(&actor, req, None)).await?;
    Ok(answer(resp.into_inner().residence_case))
}

pub struct ResidenceDecisionBody(pb::DecideResidencePermitRequest);

impl FromJson for ResidenceDecisionBody {
    fn read(r: &mut Reader, v: &Value) -> Self {
        ResidenceDecisionBody(pb::DecideResidencePermitRequest {
            case_id: String::new(),
            decision: r.string(v, "decision"),
            reasons: r.strings(v, "reasons"),
        })
    }
}

/// `POST .../decision` (officer): approve, or refuse with reasons.
#[utoipa::path(post, path = "/api/v1/residence-permits/{case_id}/decision", tag = "residence permits",
    params(("case_id" = String, Path)), request_body(content = Object, description = r#"{"decision": "approve | refuse", "reasons": [...]}"#),
    responses(
        (status = 200, body = ResidenceCase),
        CommandErrors,
    ))]
pub async fn decision(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Officers>,
    Path(case_id): Path<String>,
    JsonBody(ResidenceDecisionBody(mut req)): JsonBody<ResidenceDecisionBody>,
) -> Result<Json<ResidenceCase>, Problem> {
    req.case_id = case_id;
    Ok(answer(
        state
            .clients
            .public_security()
            .decide_residence_permit(request(&actor, req, None))
            .await?
            .into_inner()
            .residence_case,
    ))
}

pub struct PickupBody(pb::RecordPickupRequest);

impl FromJson for PickupBody {
    fn read(r: &mut Reader, v: &Value) -> Self {
        r.nested(v, "proxy");
        r.nested(v, "mail");
        PickupBody(pb::RecordPickupRequest {
            case_id: String::new(),
            method: r.string(v, "method"),
            proxy_name: r.string(v, "proxy.name"),
            proxy_id_number: r.string(v, "proxy.id_number"),
            mail_address: r.string(v, "mail.address"),
            mail_tracking_number: r.string(v, "mail.tracking_number"),
        })
    }
}

/// `POST .../pickup` (officer): in person, by proxy (with ID) or by mail (with tracking).
#[utoipa::path(post, path = "/api/v1/residence-permits/{case_id}/pickup", tag = "residence permits",
    params(("case_id" = String, Path)), request_body(content = Object, description = r#"{"method": "in_person | proxy | mail", "proxy": {"name", "id_number"}, "mail": {"address", "tracking_number"}}"#),
    responses(
        (status = 200, body = ResidenceCase),
        CommandErrors,
    ))]
pub async fn pickup(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Officers>,
    Path(case_id): Path<String>,
    JsonBody(PickupBody(mut req)): JsonBody<PickupBody>,
) -> Result<Json<ResidenceCase>, Problem> {
    req.case_id = case_id;
    Ok(answer(
        state.clients.public_security().record_pickup(request(&actor, req, None)).await?.into_inner().residence_case,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pickup_body_reads_nested_objects_and_names_every_type_error() {
        let mut r = Reader::default();
        let PickupBody(req) = PickupBody::read(
            &mut r,
            &json!({"method": "mail", "mail": {"address": "1 Donggang Rd", "tracking_number": "SF1234567890"}}),
        );
        assert!(r.errors.is_empty());
        assert_eq!((req.method.as_str(), req.mail_tracking_number.as_str()), ("mail", "SF1234567890"));
        let mut r = Reader::default();
        PickupBody::read(&mut r, &json!({"method": 3, "proxy": "LI Lei", "mail": {"address": 5}}));
        let fields: Vec<&str> = r.errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["proxy", "method", "mail.address"]);
    }
}
