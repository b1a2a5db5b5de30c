//! `HrssService`: social insurance registrations, the social security card (activation,
//! sign-in, reading) and the title eligibility review.

use domain::Role;
use domain::case::Department;
use onething_proto::onething::hrss::v1 as pb;
use platform::ServiceError;
use platform::app::Base;
use platform::audit::{Access, Audit, Purpose as AuditPurpose};
use platform::identity::caller;
use tonic::{Request, Response, Status};
use tracing::instrument;

use crate::cards::{self, CardDesk, CardKey, Purpose};
use crate::identity::IdentityClaim;
use crate::ssn;
use crate::store;
use crate::title_review::{self, DecisionInput};

pub struct Hrss {
    pub base: Base,
    pub cards: CardDesk,
    /// service-center, asked what a cited material is.
    pub evidence: std::sync::Arc<dyn platform::sharing::ShareSource>,
}

/// Reads the card's numbers and the stated identity, reporting every problem at once.
fn card_request(
    permit_number: &str,
    social_security_number: &str,
    identity: Option<&pb::CardHolderIdentity>,
) -> Result<(CardKey, IdentityClaim), ServiceError> {
    let mut v = domain::Violations::new();
    let key = CardKey {
        permit_number: permit_number.trim().to_ascii_uppercase(),
        social_security_number: social_security_number.trim().to_ascii_uppercase(),
    };
    if key.permit_number.is_empty() && key.social_security_number.is_empty() {
        v.push("permit_number", "required", "give the work permit number or the social security number");
    }
    for (field, value) in
        [("permit_number", &key.permit_number), ("social_security_number", &key.social_security_number)]
    {
        if !value.is_empty() && !ssn::plausible(value) {
            v.push(field, "invalid_format", format!("{field} has letters and digits only (6 to 32)"));
        }
    }
    let id = identity.cloned().unwrap_or_default();
    let claim = IdentityClaim::parse("identity", &id.name, &id.birth_date, &id.nationality);
    match claim {
        Ok(claim) if v.is_empty() => Ok((key, claim)),
        Ok(_) => Err(v.into()),
        Err(more) => {
            v.extend(more);
            Err(v.into())
        }
    }
}

#[tonic::async_trait]
impl pb::hrss_service_server::HrssService for Hrss {
    #[instrument(skip_all, name = "GetSocialInsurance")]
    async fn get_social_insurance(
        &self,
        request: Request<pb::GetSocialInsuranceRequest>,
    ) -> Result<Response<pb::GetSocialInsuranceResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        if !(actor.is_staff_of(Department::Hrss) || actor.role.is_operator()) {
            return Err(ServiceError::PermissionDenied("only hrss staff may read registrations".into()).into());
        }
        let row = store::social_insurance::registration(&self.base.db.pool, &req.case_id)
            .await
            .map_err(ServiceError::from)?;
        let row = row.ok_or_else(|| ServiceError::not_found("social insurance registration", req.case_id.clone()))?;
        let resource = format!("case/{}/social_insurance", row.case_id);
        let read = Access {
            action: "social_insurance.read",
            resource: &resource,
            case_id: Some(&row.case_id),
            person: Some(row.person_key.as_str()),
            fields: &["social_security_number"],
            purpose: Some(AuditPurpose::of(actor.role).as_str()),
            outcome: "allowed",
        };
        actor.audit_access(&self.base.db, read).await?;
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

    #[instrument(skip_all, name = "ActivateCard")]
    async fn activate_card(
        &self,
        request: Request<pb::ActivateCardRequest>,
    ) -> Result<Response<pb::ActivateCardResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        // No token yet: the real-person check is the authentication.
        let (key, claim) = card_request(&req.permit_number, &req.social_security_number, req.identity.as_ref())?;
        let check = self.cards.check(&actor, Purpose::Activate, &key, &claim).await?;
        Ok(Response::new(pb::ActivateCardResponse { check: Some(check) }))
    }

    #[instrument(skip_all, name = "SignInWithCard")]
    async fn sign_in_with_card(
        &self,
        request: Request<pb::SignInWithCardRequest>,
    ) -> Result<Response<pb::SignInWithCardResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let (key, claim) = card_request(&req.permit_number, &req.social_security_number, req.identity.as_ref())?;
        let check = self.cards.check(&actor, Purpose::SignIn, &key, &claim).await?;
        Ok(Response::new(pb::SignInWithCardResponse { check: Some(check) }))
    }

    #[instrument(skip_all, name = "GetCard")]
    async fn get_card(&self, request: Request<pb::GetCardRequest>) -> Result<Response<pb::GetCardResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let own = actor.is(Role::Foreigner) && actor.subject == req.permit_number;
        if actor.is(Role::Foreigner) && !own {
            // Another foreigner's card: answered exactly as a card that does not exist.
            return Err(ServiceError::not_found("social security card", "for this permit").into());
        }
        if !(own || actor.is_staff_of(Department::Hrss) || actor.role.is_operator()) {
            return Err(ServiceError::PermissionDenied("a card is read by its holder or hrss staff".into()).into());
        }
        let card = cards::by_permit(&self.base, &req.permit_number)
            .await
            .map_err(ServiceError::from)?
            .ok_or_else(|| ServiceError::not_found("social security card", "for this permit"))?;
        let resource = format!("case/{}/social_security_card", card.case_id);
        let read = Access {
            action: "social_security_card.read",
            resource: &resource,
            case_id: Some(&card.case_id),
            purpose: Some(AuditPurpose::of(actor.role).as_str()),
            outcome: "allowed",
            ..Access::default()
        };
        actor.audit_access(&self.base.db, read).await?;
        Ok(Response::new(pb::GetCardResponse { card: Some(card.to_pb()) }))
    }

    #[instrument(skip_all, name = "ListTitleReviews")]
    async fn list_title_reviews(
        &self,
        request: Request<pb::ListTitleReviewsRequest>,
    ) -> Result<Response<pb::ListTitleReviewsResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let (reviews, next) = title_review::list(&self.base, &actor, &req.status, req.limit, &req.cursor).await?;
        Ok(Response::new(pb::ListTitleReviewsResponse { reviews, next_cursor: next.unwrap_or_default() }))
    }

    #[instrument(skip_all, name = "RecordGansuService", fields(case_id = %request.get_ref().case_id))]
    async fn record_gansu_service(
        &self,
        request: Request<pb::RecordGansuServiceRequest>,
    ) -> Result<Response<pb::RecordGansuServiceResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let review = title_review::record_service(&self.base, &actor, &req.case_id, &req.gansu_service_since).await?;
        Ok(Response::new(pb::RecordGansuServiceResponse { review: Some(review) }))
    }

    #[instrument(skip_all, name = "DecideTitleReview", fields(case_id = %request.get_ref().case_id))]
    async fn decide_title_review(
        &self,
        request: Request<pb::DecideTitleReviewRequest>,
    ) -> Result<Response<pb::DecideTitleReviewResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let input = DecisionInput {
            decision: req.decision,
            reasons: req.reasons,
            recommendation_report: req.recommendation_report,
        };
        let review = title_review::decide(&self.base, self.evidence.as_ref(), &actor, &req.case_id, &input).await?;
        Ok(Response::new(pb::DecideTitleReviewResponse { review: Some(review) }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_request_reports_every_problem() {
        let err = card_request("", "", None).unwrap_err();
        let ServiceError::InvalidArgument(v) = err else { panic!("invalid argument expected") };
        let fields: Vec<&str> = v.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["permit_number", "identity.name", "identity.birth_date", "identity.nationality"]);
        let id = pb::CardHolderIdentity {
            name: "SMITH JOHN".into(),
            birth_date: "1988-04-02".into(),
            nationality: "GBR".into(),
        };
        let ServiceError::InvalidArgument(v) = card_request("62B 2026", "", Some(&id)).unwrap_err() else {
            panic!("invalid argument expected")
        };
        assert_eq!(v.0[0].code, "invalid_format");
        let (key, _) = card_request(" 62b202600000001 ", "", Some(&id)).unwrap();
        assert_eq!(key.permit_number, "62B202600000001");
    }
}
