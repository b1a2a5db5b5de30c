//! `PublicSecurityService`: reading residence cases.

use onething_proto::onething::publicsecurity::v1 as pb;
use platform::ServiceError;
use platform::app::Base;
use platform::grpc::{Actor, continue_trace};
use tonic::{Request, Response, Status};

pub struct PublicSecurity {
    pub base: Base,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    case_id: String,
    status: String,
    permit_number: String,
    permit_valid_until: String,
    opened_at: i64,
}

#[tonic::async_trait]
impl pb::public_security_service_server::PublicSecurityService for PublicSecurity {
    async fn get_residence_case(
        &self,
        request: Request<pb::GetResidenceCaseRequest>,
    ) -> Result<Response<pb::GetResidenceCaseResponse>, Status> {
        continue_trace(&request);
        let req = request.into_inner();
        let actor = Actor::from_pb(req.actor.as_ref())?;
        if !(actor.is_staff_of("public-security") || actor.is("ops") || actor.is("admin")) {
            return Err(
                ServiceError::PermissionDenied("only public-security staff may read residence cases".into()).into()
            );
        }
        let row: Option<Row> =
            sqlx::query_as("SELECT id, case_id, status, permit_number, permit_valid_until, opened_at FROM residence_cases WHERE case_id = $1")
                .bind(&req.case_id)
                .fetch_optional(&self.base.db.pool)
                .await
                .map_err(ServiceError::from)?;
        let row = row.ok_or_else(|| ServiceError::not_found("residence case", req.case_id.clone()))?;
        actor.audit(&self.base.db, "residence_case.read", &format!("case/{}", row.case_id), "allowed").await?;
        Ok(Response::new(pb::GetResidenceCaseResponse {
            residence_case: Some(pb::ResidenceCase {
                id: row.id,
                case_id: row.case_id,
                status: row.status,
                permit_number: row.permit_number,
                permit_valid_until: row.permit_valid_until,
                opened_at: platform::time::rfc3339(row.opened_at),
            }),
        }))
    }
}
