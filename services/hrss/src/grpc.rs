//! `HrssService`: reading social insurance registrations.

use onething_proto::onething::hrss::v1 as pb;
use platform::ServiceError;
use platform::app::Base;
use platform::grpc::{Actor, continue_trace};
use tonic::{Request, Response, Status};

pub struct Hrss {
    pub base: Base,
}

#[derive(sqlx::FromRow)]
struct Row {
    case_id: String,
    social_security_number: String,
    insurances: String,
    registered_at: i64,
    due_on: String,
}

#[tonic::async_trait]
impl pb::hrss_service_server::HrssService for Hrss {
    async fn get_social_insurance(
        &self,
        request: Request<pb::GetSocialInsuranceRequest>,
    ) -> Result<Response<pb::GetSocialInsuranceResponse>, Status> {
        continue_trace(&request);
        let req = request.into_inner();
        let actor = Actor::from_pb(req.actor.as_ref())?;
        if !(actor.is_staff_of("hrss") || actor.is("ops") || actor.is("admin")) {
            return Err(ServiceError::PermissionDenied("only hrss staff may read registrations".into()).into());
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT case_id, social_security_number, insurances, registered_at, due_on FROM si_registrations WHERE case_id = $1",
        )
        .bind(&req.case_id)
        .fetch_optional(&self.base.db.pool)
        .await
        .map_err(ServiceError::from)?;
        let row = row.ok_or_else(|| ServiceError::not_found("social insurance registration", req.case_id.clone()))?;
        actor.audit(&self.base.db, "social_insurance.read", &format!("case/{}", row.case_id), "allowed").await?;
        Ok(Response::new(pb::GetSocialInsuranceResponse {
            registration: Some(pb::SocialInsuranceRegistration {
                case_id: row.case_id,
                social_security_number: row.social_security_number,
                insurances: row.insurances.split(',').map(str::to_string).collect(),
                registered_at: platform::time::rfc3339(row.registered_at),
                due_on: row.due_on,
            }),
        }))
    }
}
