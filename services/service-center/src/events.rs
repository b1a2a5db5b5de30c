//! Consumed events: every department's progress lands on the case view.

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::case::{Item, ItemStatus};
use onething_proto::events as ev;
use platform::events::consumer::{Context, Handler, HandlerError};

use crate::store;

/// Updates the case view from department events.
pub struct Progress;

fn map<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

#[async_trait]
impl Handler<ev::PermitApplicationOpened> for Progress {
    async fn handle(&self, e: ev::PermitApplicationOpened, cx: Context<'_>) -> Result<(), HandlerError> {
        store::move_item(
            cx.tx,
            &e.case_id,
            Item::WorkPermit,
            ItemStatus::InReview,
            &BTreeMap::new(),
            "permit_review_started",
            &e.department,
        )
        .await?;
        Ok(())
    }
}

#[async_trait]
impl Handler<ev::PermitApproved> for Progress {
    async fn handle(&self, e: ev::PermitApproved, cx: Context<'_>) -> Result<(), HandlerError> {
        let result = map([
            ("permit_number", e.permit_number.clone()),
            ("valid_from", e.valid_from.clone()),
            ("valid_until", e.valid_until.clone()),
        ]);
        store::move_item(
            cx.tx,
            &e.case_id,
            Item::WorkPermit,
            ItemStatus::Approved,
            &result,
            "permit_approved",
            &e.permit_number,
        )
        .await?;
        // Every requested downstream item is now with its department.
        for item in [Item::SocialInsurance, Item::TitleReview, Item::ResidencePermit] {
            store::move_item(
                cx.tx,
                &e.case_id,
                item,
                ItemStatus::Pending,
                &BTreeMap::new(),
                "handed_to_department",
                "",
            )
            .await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Handler<ev::PermitRefused> for Progress {
    async fn handle(&self, e: ev::PermitRefused, cx: Context<'_>) -> Result<(), HandlerError> {
        let reasons = e.reasons.join("; ");
        let result = map([("reasons", reasons.clone())]);
        store::move_item(cx.tx, &e.case_id, Item::WorkPermit, ItemStatus::Refused, &result, "permit_refused", &reasons)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl Handler<ev::SocialInsuranceRegistered> for Progress {
    async fn handle(&self, e: ev::SocialInsuranceRegistered, cx: Context<'_>) -> Result<(), HandlerError> {
        let result = map([
            ("social_security_number", e.social_security_number.clone()),
            ("insurances", e.insurances.join(",")),
            ("registered_at", e.registered_at.clone()),
            ("due_on", e.due_on.clone()),
        ]);
        store::move_item(
            cx.tx,
            &e.case_id,
            Item::SocialInsurance,
            ItemStatus::Completed,
            &result,
            "social_insurance_registered",
            "",
        )
        .await?;
        Ok(())
    }
}

#[async_trait]
impl Handler<ev::TitleReviewQueued> for Progress {
    async fn handle(&self, e: ev::TitleReviewQueued, cx: Context<'_>) -> Result<(), HandlerError> {
        let result = map([("eligible_on", e.eligible_on.clone()), ("queue", "waiting_for_eligibility".into())]);
        store::move_item(
            cx.tx,
            &e.case_id,
            Item::TitleReview,
            ItemStatus::Pending,
            &result,
            "title_review_queued",
            &e.eligible_on,
        )
        .await?;
        // The item may already be pending (handed over); record the eligibility anyway.
        store::merge_result(cx.tx, &e.case_id, Item::TitleReview, &result).await?;
        Ok(())
    }
}

#[async_trait]
impl Handler<ev::ResidenceCaseOpened> for Progress {
    async fn handle(&self, e: ev::ResidenceCaseOpened, cx: Context<'_>) -> Result<(), HandlerError> {
        let result = map([
            ("residence_case_id", e.residence_case_id.clone()),
            ("waiting_for", "applicant".into()),
            ("opened_at", e.opened_at.clone()),
        ]);
        store::move_item(
            cx.tx,
            &e.case_id,
            Item::ResidencePermit,
            ItemStatus::Pending,
            &result,
            "residence_case_opened",
            "",
        )
        .await?;
        store::merge_result(cx.tx, &e.case_id, Item::ResidencePermit, &result).await?;
        Ok(())
    }
}
