//! `onething.permit.v1.PermitService` over a [`PermitDesk`].

use domain::materials::MaterialKind;
use domain::notice::Notice;
use onething_proto::onething::permit::v1 as pb;
use platform::identity::caller;
use platform::time::{rfc3339, today_cst};
use tonic::{Request, Response, Status};
use tracing::instrument;

use crate::desk::{PermitDecision, PermitDesk, decode_application, issuer_of, waiting};
use crate::lifecycle::PermitChange;
use crate::store::PermitRow;

/// The permit as the API shows it: no applicant data, only the employer and the position.
pub fn permit_pb(r: &PermitRow) -> pb::Permit {
    let application = decode_application(&r.application).unwrap_or_default();
    let requested: Vec<String> = serde_json::from_str(&r.requested_materials).unwrap_or_default();
    let kinds: Vec<MaterialKind> = requested.iter().filter_map(|m| m.parse().ok()).collect();
    let notice = if kinds.is_empty() { Notice::default() } else { Notice::supplement(&kinds, &r.supplement_note) };
    let waited = waiting(r, today_cst());
    pb::Permit {
        case_id: r.case_id.clone(),
        department: r.department.clone(),
        category: r.category.clone(),
        status: r.status.as_str().into(),
        permit_number: r.permit_number.clone().unwrap_or_default(),
        valid_from: r.valid_from.clone().unwrap_or_default(),
        valid_until: r.valid_until.clone().unwrap_or_default(),
        reasons: serde_json::from_str(&r.reasons).unwrap_or_default(),
        decided_at: r.decided_at.map(rfc3339).unwrap_or_default(),
        case_no: r.case_no.clone(),
        opened_at: rfc3339(r.opened_at),
        waiting_working_days: i32::try_from(waited.days).unwrap_or(i32::MAX),
        waiting_estimated: waited.estimated,
        requested_materials: requested,
        supplement_note: r.supplement_note.clone(),
        supplement_notice: notice
            .items
            .into_iter()
            .map(|i| pb::NoticeItem {
                field: i.field,
                code: i.code,
                message_zh: i.message_zh,
                message_en: i.message_en,
            })
            .collect(),
        employer: application.employer,
        position: application.position,
        cancellation_reason: r.cancellation_reason.clone().unwrap_or_default(),
        cancelled_at: r.cancelled_at.map(rfc3339).unwrap_or_default(),
        updated_at: r.updated_at.map(rfc3339).unwrap_or_default(),
        issuer: issuer_of(r),
    }
}

#[tonic::async_trait]
impl pb::permit_service_server::PermitService for PermitDesk {
    #[instrument(skip_all, name = "DecidePermit", fields(case_id))]
    async fn decide_permit(
        &self,
        request: Request<pb::DecidePermitRequest>,
    ) -> Result<Response<pb::DecidePermitResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        tracing::Span::current().record("case_id", req.case_id.as_str());
        let decision = PermitDecision::parse(&req.decision, &req.reasons, &req.materials, &req.note)
            .map_err(platform::ServiceError::from)?;
        let row = self.decide(&actor, &req.case_id, decision).await?;
        Ok(Response::new(pb::DecidePermitResponse { permit: Some(permit_pb(&row)) }))
    }

    #[instrument(skip_all, name = "GetPermit")]
    async fn get_permit(
        &self,
        request: Request<pb::GetPermitRequest>,
    ) -> Result<Response<pb::GetPermitResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let row = self.get(&actor, &req.case_id).await?;
        Ok(Response::new(pb::GetPermitResponse { permit: Some(permit_pb(&row)) }))
    }

    #[instrument(skip_all, name = "ListPermits")]
    async fn list_permits(
        &self,
        request: Request<pb::ListPermitsRequest>,
    ) -> Result<Response<pb::ListPermitsResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let (rows, next) = self.list(&actor, &req.status, req.limit, &req.cursor).await?;
        Ok(Response::new(pb::ListPermitsResponse {
            permits: rows.iter().map(permit_pb).collect(),
            next_cursor: next.unwrap_or_default(),
        }))
    }

    #[instrument(skip_all, name = "ChangePermit", fields(case_id))]
    async fn change_permit(
        &self,
        request: Request<pb::ChangePermitRequest>,
    ) -> Result<Response<pb::ChangePermitResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        tracing::Span::current().record("case_id", req.case_id.as_str());
        let change = PermitChange {
            employer_name: req.employer_name,
            employer_region_code: req.employer_region_code,
            position_title: req.position_title,
            annual_salary_cny: req.annual_salary_cny,
        };
        let (row, changed_fields) = self.change(&actor, &req.case_id, &change).await?;
        Ok(Response::new(pb::ChangePermitResponse { permit: Some(permit_pb(&row)), changed_fields }))
    }

    #[instrument(skip_all, name = "ExtendPermit", fields(case_id))]
    async fn extend_permit(
        &self,
        request: Request<pb::ExtendPermitRequest>,
    ) -> Result<Response<pb::ExtendPermitResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        tracing::Span::current().record("case_id", req.case_id.as_str());
        let row = self.extend(&actor, &req.case_id, i64::from(req.contract_months)).await?;
        Ok(Response::new(pb::ExtendPermitResponse { permit: Some(permit_pb(&row)) }))
    }

    #[instrument(skip_all, name = "CancelPermit", fields(case_id))]
    async fn cancel_permit(
        &self,
        request: Request<pb::CancelPermitRequest>,
    ) -> Result<Response<pb::CancelPermitResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        tracing::Span::current().record("case_id", req.case_id.as_str());
        let row = self.cancel(&actor, &req.case_id, &req.reason).await?;
        Ok(Response::new(pb::CancelPermitResponse { permit: Some(permit_pb(&row)) }))
    }

    #[instrument(skip_all, name = "GetPermitDocument", fields(case_id))]
    async fn get_permit_document(
        &self,
        request: Request<pb::GetPermitDocumentRequest>,
    ) -> Result<Response<pb::GetPermitDocumentResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        tracing::Span::current().record("case_id", req.case_id.as_str());
        let (row, content) = self.document(&actor, &req.case_id).await?;
        let number = row.permit_number.unwrap_or_default();
        Ok(Response::new(pb::GetPermitDocumentResponse {
            content,
            filename: format!("work-permit-{number}.pdf"),
            verification_code: row.verification_code.unwrap_or_default(),
        }))
    }

    #[instrument(skip_all, name = "VerifyPermit")]
    async fn verify_permit(
        &self,
        request: Request<pb::VerifyPermitRequest>,
    ) -> Result<Response<pb::VerifyPermitResponse>, Status> {
        // Anyone may ask (the gateway signs the call as anonymous), so only a signed call.
        caller(&request)?;
        let v = self.verify(&request.into_inner().code).await?;
        Ok(Response::new(pb::VerifyPermitResponse {
            valid: v.valid,
            permit_number: v.permit_number,
            valid_until: v.valid_until,
            issuer: v.issuer,
        }))
    }
}
