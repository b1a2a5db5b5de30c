//! `/api/v1/residence-permits`: the work-type residence permit at the public-security
//! counter. The service checks roles, ownership, the request (every violation) and the
//! case's state; the gateway reads the JSON (every type error at once) and maps the answer.

use axum::Json;
use axum::extract::{Path, State};
use domain::json::Reader;
use onething_proto::onething::publicsecurity::v1 as pb;
use serde_json::Value;

use crate::extract::{
    Auth, EmployersAndOfficers, ForCase, FromJson, JsonBody, ListQuery, Officers, Query, ResidenceReaders, for_case,
};
use crate::problem::{CommandErrors, ListErrors, Problem, ReadErrors};
use crate::startup::AppState;
use crate::views::{Page, ResidenceCase};

fn answer(c: Option<pb::ResidenceCase>) -> Json<ResidenceCase> {
    Json(ResidenceCase::from(&c.unwrap_or_default()))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NumberQuery {
    /// Only the case with this case, work permit, residence permit or receipt number (the counter's search).
    #[serde(default)]
    number: String,
}

/// `GET /api/v1/residence-permits?status=&number=&limit=&cursor=` (officer): the counter's queue.
#[utoipa::path(get, path = "/api/v1/residence-permits", tag = "residence permits", params(ListQuery, NumberQuery),
    responses((status = 200, body = Page<ResidenceCase>), ListErrors))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Officers>,
    Query(q): Query<ListQuery>,
    Query(n): Query<NumberQuery>,
) -> Result<Json<Page<ResidenceCase>>, Problem> {
    let limit = q.limit();
    let req = pb::ListResidenceCasesRequest { status: q.status, limit, cursor: q.cursor, number: n.number };
    let resp = state
        .clients
        .public_security()
        .list_residence_cases(state.clients.request(&actor, req, None))
        .await?
        .into_inner();
    Ok(Json(Page::new(resp.residence_cases.iter().map(ResidenceCase::from).collect(), &resp.next_cursor)))
}

/// `GET /api/v1/residence-permits/{case_id}` (its employer, its foreigner, public-security
/// staff, ops, admin; personal data for public-security staff only).
#[utoipa::path(get, path = "/api/v1/residence-permits/{case_id}", tag = "residence permits",
    params(("case_id" = String, Path)),
    responses((status = 200, body = ResidenceCase), ReadErrors))]
pub async fn get(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<ResidenceReaders>,
    Path(case_id): Path<String>,
) -> Result<Json<ResidenceCase>, Problem> {
    let req = pb::GetResidenceCaseRequest { case_id };
    let resp = state.clients.public_security().get_residence_case(state.clients.request(&actor, req, None)).await?;
    Ok(answer(resp.into_inner().residence_case))
}

/// The counter's commands, each `POST /api/v1/residence-permits/{case_id}/<step>`: the
/// body read with every type error at once, the case named by the path, the residence case
/// answered. Everything else (roles, ownership, rules, state) is the service's.
macro_rules! commands {
    ($($(#[doc = $doc:tt])* $name:ident: $path:tt, $roles:ty, $req:ty, $rpc:ident, $body:tt;)+) => {$(
        $(#[doc = $doc])*
        #[utoipa::path(post, path = $path, tag = "residence permits", params(("case_id" = String, Path)),
            request_body(content = Object, description = $body),
            responses((status = 200, body = ResidenceCase), CommandErrors))]
        pub async fn $name(
            State(state): State<AppState>,
            Auth(actor, ..): Auth<$roles>,
            Path(case_id): Path<String>,
            JsonBody(req): JsonBody<$req>,
        ) -> Result<Json<ResidenceCase>, Problem> {
            let req = state.clients.request(&actor, req.for_case(case_id), None);
            Ok(answer(state.clients.public_security().$rpc(req).await?.into_inner().residence_case))
        }
    )+};
}

commands! {
    /// The foreigner's entry date (the case's employer or an officer).
    entry: "/api/v1/residence-permits/{case_id}/entry", EmployersAndOfficers, pb::RecordEntryRequest, record_entry,
        r#"{"entry_date": "YYYY-MM-DD"}"#;
    /// The in-person application with the paper materials; gives the receipt (officer).
    application: "/api/v1/residence-permits/{case_id}/application", Officers, pb::RecordApplicationRequest,
        record_application, r#"{"paper_materials": [...], "passport_lost": false}"#;
    /// Schedules an interview, phone call or site visit (officer).
    verification: "/api/v1/residence-permits/{case_id}/verification", Officers, pb::ScheduleVerificationRequest,
        schedule_verification, r#"{"method": "interview | phone | site_visit", "scheduled_at": "RFC 3339", "place": "..."}"#;
    /// Attended, or a no-show, justified or not (officer).
    verification_outcome: "/api/v1/residence-permits/{case_id}/verification/outcome", Officers,
        pb::RecordVerificationOutcomeRequest, record_verification_outcome,
        r#"{"outcome": "attended | no_show", "justified": false, "note": "..."}"#;
    /// Approve, or refuse with reasons (officer).
    decision: "/api/v1/residence-permits/{case_id}/decision", Officers, pb::DecideResidencePermitRequest,
        decide_residence_permit, r#"{"decision": "approve | refuse", "reasons": [...]}"#;
    /// In person, by proxy (with ID) or by mail (with tracking) (officer).
    pickup: "/api/v1/residence-permits/{case_id}/pickup", Officers, pb::RecordPickupRequest, record_pickup,
        r#"{"method": "in_person | proxy | mail", "proxy": {"name", "id_number"}, "mail": {"address", "tracking_number"}}"#;
    /// Resolves an issued residence permit whose work permit was cancelled: revoked from a
    /// date (today when left out), or kept for a stated reason (officer).
    revocation: "/api/v1/residence-permits/{case_id}/revocation", Officers, pb::ResolveRevocationRequest,
        resolve_revocation, r#"{"decision": "revoke | keep", "reason": "...", "effective_on": "YYYY-MM-DD"}"#;
}

for_case!(
    pb::RecordEntryRequest,
    pb::RecordApplicationRequest,
    pb::ScheduleVerificationRequest,
    pb::RecordVerificationOutcomeRequest,
    pb::DecideResidencePermitRequest,
    pb::RecordPickupRequest,
    pb::ResolveRevocationRequest,
);

impl FromJson for pb::RecordEntryRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pb::RecordEntryRequest { entry_date: r.string(v, "entry_date"), ..Default::default() }
    }
}

impl FromJson for pb::RecordApplicationRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pb::RecordApplicationRequest {
            paper_materials: r.strings(v, "paper_materials"),
            passport_lost: r.boolean(v, "passport_lost"),
            ..Default::default()
        }
    }
}

impl FromJson for pb::ScheduleVerificationRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pb::ScheduleVerificationRequest {
            method: r.string(v, "method"),
            scheduled_at: r.string(v, "scheduled_at"),
            place: r.string(v, "place"),
            ..Default::default()
        }
    }
}

impl FromJson for pb::RecordVerificationOutcomeRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pb::RecordVerificationOutcomeRequest {
            outcome: r.string(v, "outcome"),
            justified: r.boolean(v, "justified"),
            note: r.string(v, "note"),
            ..Default::default()
        }
    }
}

impl FromJson for pb::DecideResidencePermitRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pb::DecideResidencePermitRequest {
            decision: r.string(v, "decision"),
            reasons: r.strings(v, "reasons"),
            ..Default::default()
        }
    }
}

impl FromJson for pb::ResolveRevocationRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        pb::ResolveRevocationRequest {
            decision: r.string(v, "decision"),
            reason: r.string(v, "reason"),
            effective_on: r.string(v, "effective_on"),
            ..Default::default()
        }
    }
}

impl FromJson for pb::RecordPickupRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        r.nested(v, "proxy");
        r.nested(v, "mail");
        pb::RecordPickupRequest {
            method: r.string(v, "method"),
            proxy_name: r.string(v, "proxy.name"),
            proxy_id_number: r.string(v, "proxy.id_number"),
            mail_address: r.string(v, "mail.address"),
            mail_tracking_number: r.string(v, "mail.tracking_number"),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pickup_body_reads_nested_objects_and_names_every_type_error() {
        let mut r = Reader::default();
        let req = pb::RecordPickupRequest::read(
            &mut r,
            &json!({"method": "mail", "mail": {"address": "1 Donggang Rd", "tracking_number": "SF1234567890"}}),
        );
        assert!(r.errors.is_empty());
        assert_eq!((req.method.as_str(), req.mail_tracking_number.as_str()), ("mail", "SF1234567890"));
        let mut r = Reader::default();
        pb::RecordPickupRequest::read(&mut r, &json!({"method": 3, "proxy": "LI Lei", "mail": {"address": 5}}));
        let fields: Vec<&str> = r.errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["proxy", "method", "mail.address"]);
    }
}
