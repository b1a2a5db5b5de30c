//! `PublicSecurityService`: residence cases read and moved through the counter's steps.
//! The rules and state changes live in [`crate::desk`]; this maps messages.

use base64::Engine as _;
use domain::{Actor, Role};
use onething_proto::common as pbc;
use onething_proto::onething::publicsecurity::v1 as pb;
use platform::ServiceError;
use platform::audit::{Access, Audit, Purpose};
use platform::identity::caller;
use prost::Message;
use tonic::{Request, Response, Status};

use crate::desk::{DEPARTMENT, Desk};
use crate::store::{self, CaseRow, VerificationRow};

pub struct PublicSecurity {
    pub desk: Desk,
}

fn opt_rfc3339(ms: Option<i64>) -> String {
    ms.map(platform::time::rfc3339).unwrap_or_default()
}

/// The case as the caller may see it: personal data (the applicant, the proxy, the mail
/// address, officers' notes) only for public-security staff.
pub fn to_pb(row: &CaseRow, verifications: &[VerificationRow], staff: bool) -> pb::ResidenceCase {
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    let application = row.applied_on.as_ref().map(|applied_on| pb::CounterApplication {
        applied_on: applied_on.clone(),
        paper_materials: CaseRow::strings(row.paper_materials.as_deref()),
        passport_lost: row.passport_lost != 0,
        receipt_number: text(&row.receipt_number),
        receipt_valid_until: text(&row.receipt_valid_until),
        decision_due: text(&row.decision_due),
        decision_due_counted_in: text(&row.decision_due_counted_in),
        decision_due_count: row.decision_due_count.unwrap_or_default().clamp(0, i64::from(i32::MAX)) as i32,
        decision_due_estimated: row.decision_due_estimated != 0,
    });
    let verifications = verifications
        .iter()
        .map(|v| pb::Verification {
            id: v.id.clone(),
            method: v.method.clone(),
            scheduled_at: platform::time::rfc3339(v.scheduled_at),
            place: v.place.clone(),
            outcome: text(&v.outcome),
            justified: v.justified != 0,
            note: if staff { text(&v.note) } else { String::new() },
            recorded_at: opt_rfc3339(v.recorded_at),
        })
        .collect();
    let decision = row.decision.as_ref().map(|d| pb::ResidenceDecision {
        decision: d.clone(),
        reasons: CaseRow::strings(row.reasons.as_deref()),
        decided_at: opt_rfc3339(row.decided_at),
    });
    let residence_permit = row.residence_permit_number.as_ref().map(|n| pb::IssuedResidencePermit {
        number: n.clone(),
        valid_from: text(&row.rp_valid_from),
        valid_until: text(&row.rp_valid_until),
    });
    let pickup = row.pickup_method.as_ref().map(|m| pb::Pickup {
        method: m.clone(),
        picked_up_at: opt_rfc3339(row.picked_up_at),
        proxy_name: if staff { text(&row.pickup_proxy_name) } else { String::new() },
        proxy_id_number: if staff { text(&row.pickup_proxy_id_number) } else { String::new() },
        mail_address: if staff { text(&row.pickup_mail_address) } else { String::new() },
        mail_tracking_number: text(&row.pickup_mail_tracking),
    });
    let applicant = if staff && !row.applicant.is_empty() {
        base64::engine::general_purpose::STANDARD
            .decode(&row.applicant)
            .ok()
            .and_then(|b| pbc::Applicant::decode(b.as_slice()).ok())
    } else {
        None
    };
    pb::ResidenceCase {
        id: row.id.clone(),
        case_id: row.case_id.clone(),
        status: row.status.as_str().into(),
        permit_number: row.permit_number.clone(),
        permit_valid_until: row.permit_valid_until.clone(),
        opened_at: platform::time::rfc3339(row.opened_at),
        employer_credit_code: row.employer_credit_code.clone(),
        entry_date: text(&row.entry_date),
        apply_by: text(&row.apply_by),
        application,
        verifications,
        decision,
        residence_permit,
        pickup,
        work_permit_cancelled: row.work_permit_cancelled != 0,
        updated_at: opt_rfc3339(row.updated_at),
        applicant,
        case_no: row.case_no.clone(),
        permit_valid_from: row.permit_valid_from.clone(),
        revocation: row.revocation.as_ref().map(|d| pb::Revocation {
            decision: d.clone(),
            reason: text(&row.revocation_reason),
            effective_on: text(&row.revoked_on),
            decided_at: opt_rfc3339(row.revocation_decided_at),
        }),
        shown_status: row.state().shown().into(),
    }
}

impl PublicSecurity {
    async fn view(&self, row: &CaseRow, actor: &Actor) -> Result<pb::ResidenceCase, ServiceError> {
        let verifications = store::verifications(&self.desk.base.db.pool, &row.case_id).await?;
        Ok(to_pb(row, &verifications, actor.is_staff_of(DEPARTMENT)))
    }
}

/// The access-log entry of `actor` reading `row` (`resource`: `case/<case id>`).
fn read_of<'a>(actor: &Actor, row: &'a CaseRow, resource: &'a str, outcome: &'a str) -> Access<'a> {
    Access {
        action: "residence_case.read",
        resource,
        case_id: Some(&row.case_id),
        person: Some(row.person_key.as_str()).filter(|k| !k.is_empty()),
        purpose: Some(Purpose::of(actor.role).as_str()),
        outcome,
        ..Access::default()
    }
}

fn start<T>(request: Request<T>) -> Result<(T, Actor), Status> {
    let actor = caller(&request)?;
    Ok((request.into_inner(), actor))
}

#[tonic::async_trait]
impl pb::public_security_service_server::PublicSecurityService for PublicSecurity {
    async fn get_residence_case(
        &self,
        request: Request<pb::GetResidenceCaseRequest>,
    ) -> Result<Response<pb::GetResidenceCaseResponse>, Status> {
        let (req, actor) = start(request)?;
        // The employer and the foreigner (by the work permit number) read their own case.
        let owner_role = actor.is(Role::Employer) || actor.is(Role::Foreigner);
        if !(actor.is_staff_of(DEPARTMENT) || actor.role.is_operator() || owner_role) {
            return Err(ServiceError::PermissionDenied("you may not read residence cases".into()).into());
        }
        let row = store::get(&self.desk.base.db.pool, &req.case_id)
            .await
            .map_err(ServiceError::from)?
            .ok_or_else(|| ServiceError::not_found("residence case", req.case_id.clone()))?;
        let owns = if actor.is(Role::Employer) {
            row.employer_credit_code == actor.subject
        } else if actor.is(Role::Foreigner) {
            !row.permit_number.is_empty() && row.permit_number == actor.subject
        } else {
            true
        };
        let outcome = if owns { "allowed" } else { "denied" };
        let resource = format!("case/{}", row.case_id);
        actor.audit_accesses(&self.desk.base.db, &[read_of(&actor, &row, &resource, outcome)]).await?;
        if !owns {
            // Not the caller's: answered exactly as a case that does not exist.
            return Err(ServiceError::not_found("residence case", req.case_id.clone()).into());
        }
        Ok(Response::new(pb::GetResidenceCaseResponse { residence_case: Some(self.view(&row, &actor).await?) }))
    }

    async fn list_residence_cases(
        &self,
        request: Request<pb::ListResidenceCasesRequest>,
    ) -> Result<Response<pb::ListResidenceCasesResponse>, Status> {
        let (req, actor) = start(request)?;
        if !(actor.is_staff_of(DEPARTMENT) && actor.is(Role::Officer)) {
            return Err(
                ServiceError::PermissionDenied("the queue is for public-security counter officers".into()).into()
            );
        }
        let status = req.status.trim();
        let (rows, next) = self.desk.list(status, &req.number, req.limit, &req.cursor).await?;
        let mut residence_cases = Vec::with_capacity(rows.len());
        for row in &rows {
            residence_cases.push(self.view(row, &actor).await?);
        }
        // One entry per person the list showed.
        let resources: Vec<String> = rows.iter().map(|r| format!("case/{}", r.case_id)).collect();
        let reads: Vec<Access> =
            rows.iter().zip(&resources).map(|(r, res)| read_of(&actor, r, res, "allowed")).collect();
        actor.audit_accesses(&self.desk.base.db, &reads).await?;
        Ok(Response::new(pb::ListResidenceCasesResponse { residence_cases, next_cursor: next.unwrap_or_default() }))
    }

    async fn record_entry(
        &self,
        request: Request<pb::RecordEntryRequest>,
    ) -> Result<Response<pb::RecordEntryResponse>, Status> {
        let (req, actor) = start(request)?;
        let row = self.desk.record_entry(&actor, &req.case_id, &req.entry_date).await?;
        Ok(Response::new(pb::RecordEntryResponse { residence_case: Some(self.view(&row, &actor).await?) }))
    }

    async fn record_application(
        &self,
        request: Request<pb::RecordApplicationRequest>,
    ) -> Result<Response<pb::RecordApplicationResponse>, Status> {
        let (req, actor) = start(request)?;
        let row = self.desk.record_application(&actor, &req.case_id, &req.paper_materials, req.passport_lost).await?;
        Ok(Response::new(pb::RecordApplicationResponse { residence_case: Some(self.view(&row, &actor).await?) }))
    }

    async fn schedule_verification(
        &self,
        request: Request<pb::ScheduleVerificationRequest>,
    ) -> Result<Response<pb::ScheduleVerificationResponse>, Status> {
        let (req, actor) = start(request)?;
        let row =
            self.desk.schedule_verification(&actor, &req.case_id, &req.method, &req.scheduled_at, &req.place).await?;
        Ok(Response::new(pb::ScheduleVerificationResponse { residence_case: Some(self.view(&row, &actor).await?) }))
    }

    async fn record_verification_outcome(
        &self,
        request: Request<pb::RecordVerificationOutcomeRequest>,
    ) -> Result<Response<pb::RecordVerificationOutcomeResponse>, Status> {
        let (req, actor) = start(request)?;
        let row = self.desk.record_outcome(&actor, &req.case_id, &req.outcome, req.justified, &req.note).await?;
        Ok(Response::new(pb::RecordVerificationOutcomeResponse {
            residence_case: Some(self.view(&row, &actor).await?),
        }))
    }

    async fn decide_residence_permit(
        &self,
        request: Request<pb::DecideResidencePermitRequest>,
    ) -> Result<Response<pb::DecideResidencePermitResponse>, Status> {
        let (req, actor) = start(request)?;
        let row = self.desk.decide(&actor, &req.case_id, &req.decision, &req.reasons).await?;
        Ok(Response::new(pb::DecideResidencePermitResponse { residence_case: Some(self.view(&row, &actor).await?) }))
    }

    async fn record_pickup(
        &self,
        request: Request<pb::RecordPickupRequest>,
    ) -> Result<Response<pb::RecordPickupResponse>, Status> {
        let (req, actor) = start(request)?;
        let row = self
            .desk
            .record_pickup(
                &actor,
                &req.case_id,
                &req.method,
                &req.proxy_name,
                &req.proxy_id_number,
                &req.mail_address,
                &req.mail_tracking_number,
            )
            .await?;
        Ok(Response::new(pb::RecordPickupResponse { residence_case: Some(self.view(&row, &actor).await?) }))
    }

    async fn resolve_revocation(
        &self,
        request: Request<pb::ResolveRevocationRequest>,
    ) -> Result<Response<pb::ResolveRevocationResponse>, Status> {
        let (req, actor) = start(request)?;
        let row =
            self.desk.resolve_revocation(&actor, &req.case_id, &req.decision, &req.reason, &req.effective_on).await?;
        Ok(Response::new(pb::ResolveRevocationResponse { residence_case: Some(self.view(&row, &actor).await?) }))
    }
}
