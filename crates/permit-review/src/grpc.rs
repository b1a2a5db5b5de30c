//! `onething.permit.v1.PermitService` over a [`PermitDesk`].

use onething_proto::onething::permit::v1 as pb;
use platform::grpc::{Actor, continue_trace};
use tonic::{Request, Response, Status};
use tracing::instrument;

use crate::desk::{PermitDecision, PermitDesk};
use crate::store::PermitRow;

fn permit_pb(r: &PermitRow) -> pb::Permit {
    pb::Permit {
        case_id: r.case_id.clone(),
        department: r.department.clone(),
        category: r.category.clone(),
        status: r.status.clone(),
        permit_number: r.permit_number.clone().unwrap_or_default(),
        valid_from: r.valid_from.clone().unwrap_or_default(),
        valid_until: r.valid_until.clone().unwrap_or_default(),
        reasons: serde_json::from_str(&r.reasons).unwrap_or_default(),
        decided_at: r.decided_at.map(platform::time::rfc3339).unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl pb::permit_service_server::PermitService for PermitDesk {
    #[instrument(skip_all, name = "DecidePermit", fields(case_id))]
    async fn decide_permit(
        &self,
        request: Request<pb::DecidePermitRequest>,
    ) -> Result<Response<pb::DecidePermitResponse>, Status> {
        continue_trace(&request);
        let req = request.into_inner();
        tracing::Span::current().record("case_id", req.case_id.as_str());
        let actor = Actor::from_pb(req.actor.as_ref())?;
        let decision = PermitDecision::parse(&req.decision, &req.reasons).map_err(platform::ServiceError::from)?;
        let row = self.decide(&actor, &req.case_id, decision).await?;
        Ok(Response::new(pb::DecidePermitResponse { permit: Some(permit_pb(&row)) }))
    }

    #[instrument(skip_all, name = "GetPermit")]
    async fn get_permit(
        &self,
        request: Request<pb::GetPermitRequest>,
    ) -> Result<Response<pb::GetPermitResponse>, Status> {
        continue_trace(&request);
        let req = request.into_inner();
        let actor = Actor::from_pb(req.actor.as_ref())?;
        let row = self.get(&actor, &req.case_id).await?;
        Ok(Response::new(pb::GetPermitResponse { permit: Some(permit_pb(&row)) }))
    }
}
