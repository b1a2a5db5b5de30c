//! Consumed events: every department's progress lands on the case view.

use std::collections::BTreeMap;

use async_trait::async_trait;
use domain::case::{Department, Insurance, Item, ItemStatus, TimelineEvent};
use domain::states::title_review::TitleReviewStatus;
use onething_proto::FromWire;
use onething_proto::events as ev;
use platform::events::consumer::{Context, Handler, HandlerError};

use crate::store;

/// Updates the case view from department events.
pub struct Progress;

/// The China date of an event's own timestamp (today when it has none).
fn day_of(at: &str) -> chrono::NaiveDate {
    platform::time::cst_date(at).unwrap_or_else(platform::time::today_cst)
}

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
            TimelineEvent::PermitReviewStarted,
            Department::from_wire(e.department, "department")?.as_str(),
        )
        .await?;
        Ok(())
    }
}

#[async_trait]
impl Handler<ev::PermitApproved> for Progress {
    async fn handle(&self, e: ev::PermitApproved, cx: Context<'_>) -> Result<(), HandlerError> {
        let mut result = map([
            ("permit_number", e.permit_number.clone()),
            ("valid_from", e.valid_from.clone()),
            ("valid_until", e.valid_until.clone()),
        ]);
        // Desks before the issuer was named send none: the case keeps the classification's.
        if !e.issuer.is_empty() {
            result.insert("issuer".into(), e.issuer.clone());
        }
        store::move_item_on(
            cx.tx,
            &e.case_id,
            Item::WorkPermit,
            ItemStatus::Approved,
            &result,
            TimelineEvent::PermitApproved,
            &e.permit_number,
            day_of(&e.decided_at),
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
                TimelineEvent::HandedToDepartment,
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
        store::move_item_on(
            cx.tx,
            &e.case_id,
            Item::WorkPermit,
            ItemStatus::Refused,
            &result,
            TimelineEvent::PermitRefused,
            &reasons,
            day_of(&e.decided_at),
        )
        .await?;
        // Nothing downstream starts without a permit: the other items end here, with the
        // reason, instead of waiting for ever (and counting as open in the statistics).
        let why = map([("reason", NOT_APPLICABLE_AFTER_REFUSAL.to_string())]);
        for item in [Item::SocialInsurance, Item::TitleReview, Item::ResidencePermit] {
            if store::item_status(cx.tx, &e.case_id, item).await? == Some(ItemStatus::NotStarted) {
                store::move_item_on(
                    cx.tx,
                    &e.case_id,
                    item,
                    ItemStatus::NotApplicable,
                    &why,
                    TimelineEvent::NotApplicable,
                    "the work permit was refused",
                    day_of(&e.decided_at),
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// `result.reason` of an item that ends because its work permit was refused.
pub const NOT_APPLICABLE_AFTER_REFUSAL: &str = "work_permit_refused";

#[async_trait]
impl Handler<ev::SocialInsuranceRegistered> for Progress {
    async fn handle(&self, e: ev::SocialInsuranceRegistered, cx: Context<'_>) -> Result<(), HandlerError> {
        let insurances = Insurance::from_wire_all(&e.insurances, "insurances")?;
        let insurances: Vec<&str> = insurances.iter().map(|i| i.as_str()).collect();
        let result = map([
            ("social_security_number", e.social_security_number.clone()),
            ("insurances", insurances.join(",")),
            ("registered_at", e.registered_at.clone()),
            ("due_on", e.due_on.clone()),
        ]);
        let step = store::Step {
            item: Item::SocialInsurance,
            status: ItemStatus::Completed,
            result: &result,
            event: TimelineEvent::SocialInsuranceRegistered,
            detail: "",
            due_on: Some(e.due_on.as_str()),
            counter_visit: false,
            documents_submitted: 0,
            on: day_of(&e.registered_at),
        };
        store::record_step(cx.tx, &e.case_id, &step).await?;
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
            TimelineEvent::TitleReviewQueued,
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
            TimelineEvent::ResidenceCaseOpened,
            "",
        )
        .await?;
        store::merge_result(cx.tx, &e.case_id, Item::ResidencePermit, &result).await?;
        Ok(())
    }
}

/// The timeline event of a supplement request, named after the status it leads to.
pub fn supplement_requested_event() -> &'static str {
    TimelineEvent::SupplementRequested.as_str()
}

/// A step of any item, as its department reports it.
#[async_trait]
impl Handler<ev::ItemProgressed> for Progress {
    async fn handle(&self, e: ev::ItemProgressed, cx: Context<'_>) -> Result<(), HandlerError> {
        let item = Item::from_wire(e.item, "item")?;
        let result: BTreeMap<String, String> = e.result.into_iter().collect();
        let step = store::Step {
            item,
            status: ItemStatus::from_wire(e.status, "status")?,
            result: &result,
            event: e.event.parse().map_err(|err| HandlerError::Reject(anyhow::anyhow!("{err}")))?,
            detail: &e.detail,
            due_on: Some(e.due_on.as_str()),
            counter_visit: e.counter_visit,
            documents_submitted: e.documents_submitted.max(0) as i64,
            on: day_of(&e.at),
        };
        store::record_step(cx.tx, &e.case_id, &step).await?;
        Ok(())
    }
}

/// The reviewer asked for materials: one notice, and the deadline clock stops.
#[async_trait]
impl Handler<ev::PermitSupplementRequested> for Progress {
    async fn handle(&self, e: ev::PermitSupplementRequested, cx: Context<'_>) -> Result<(), HandlerError> {
        let result = map([("requested_materials", e.materials.join(",")), ("supplement_note", e.note.clone())]);
        let detail = supplement_detail(&e.materials, &e.note);
        // A second request while the first is open records its materials too.
        let step = store::Step {
            item: Item::WorkPermit,
            status: ItemStatus::SupplementRequested,
            result: &result,
            event: TimelineEvent::SupplementRequested,
            detail: &detail,
            due_on: None,
            counter_visit: false,
            documents_submitted: 0,
            on: day_of(&e.requested_at),
        };
        store::record_step(cx.tx, &e.case_id, &step).await?;
        if store::item_status(cx.tx, &e.case_id, Item::WorkPermit).await? == Some(ItemStatus::SupplementRequested) {
            // The day the reviewer asked, not the day this event was processed.
            let asked_on = platform::time::cst_date(&e.requested_at).unwrap_or_else(platform::time::today_cst);
            crate::deadlines::pause(cx.tx, &e.case_id, asked_on).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Handler<ev::PermitChanged> for Progress {
    async fn handle(&self, e: ev::PermitChanged, cx: Context<'_>) -> Result<(), HandlerError> {
        let mut result = map([("valid_until", e.valid_until.clone()), ("changed_at", e.changed_at.clone())]);
        if let Some(p) = &e.position {
            result.insert("position_title".into(), p.title.clone());
        }
        if let Some(emp) = &e.employer {
            result.insert("employer_name".into(), emp.name.clone());
        }
        store::merge_result(cx.tx, &e.case_id, Item::WorkPermit, &result).await?;
        store::add_timeline(
            cx.tx,
            &e.case_id,
            TimelineEvent::PermitChanged,
            Item::WorkPermit.as_str(),
            &e.changed_fields.join(", "),
        )
        .await?;
        Ok(())
    }
}

#[async_trait]
impl Handler<ev::PermitExtended> for Progress {
    async fn handle(&self, e: ev::PermitExtended, cx: Context<'_>) -> Result<(), HandlerError> {
        let result = map([("valid_until", e.valid_until.clone()), ("extended_at", e.extended_at.clone())]);
        store::merge_result(cx.tx, &e.case_id, Item::WorkPermit, &result).await?;
        store::add_timeline(
            cx.tx,
            &e.case_id,
            TimelineEvent::PermitExtended,
            Item::WorkPermit.as_str(),
            &format!("valid until {}", e.valid_until),
        )
        .await?;
        Ok(())
    }
}

/// A cancelled permit ends every downstream item still open, at once; hrss and
/// public-security also end their own records and report it (`item-progressed`).
#[async_trait]
impl Handler<ev::PermitCancelled> for Progress {
    async fn handle(&self, e: ev::PermitCancelled, cx: Context<'_>) -> Result<(), HandlerError> {
        let result = map([("cancelled_at", e.cancelled_at.clone()), ("cancellation_reason", e.reason.clone())]);
        store::move_item_on(
            cx.tx,
            &e.case_id,
            Item::WorkPermit,
            ItemStatus::Cancelled,
            &result,
            TimelineEvent::PermitCancelled,
            &e.reason,
            day_of(&e.cancelled_at),
        )
        .await?;
        for item in [Item::SocialInsurance, Item::TitleReview, Item::ResidencePermit] {
            let open = store::item_status(cx.tx, &e.case_id, item).await?.is_some_and(|s| {
                matches!(
                    s,
                    ItemStatus::NotStarted
                        | ItemStatus::Pending
                        | ItemStatus::InReview
                        | ItemStatus::SupplementRequested
                )
            });
            if open {
                store::move_item(
                    cx.tx,
                    &e.case_id,
                    item,
                    ItemStatus::Cancelled,
                    &BTreeMap::new(),
                    TimelineEvent::EndedByCancellation,
                    "",
                )
                .await?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Handler<ev::TitleReviewDecided> for Progress {
    async fn handle(&self, e: ev::TitleReviewDecided, cx: Context<'_>) -> Result<(), HandlerError> {
        let (status, decision) = if e.approved {
            (ItemStatus::Completed, TitleReviewStatus::Eligible)
        } else {
            (ItemStatus::Refused, TitleReviewStatus::NotEligible)
        };
        let result = map([
            ("decision", decision.as_str().to_string()),
            ("reasons", e.reasons.join("; ")),
            ("decided_at", e.decided_at.clone()),
        ]);
        store::move_item_on(
            cx.tx,
            &e.case_id,
            Item::TitleReview,
            status,
            &result,
            TimelineEvent::TitleReviewDecided,
            decision.as_str(),
            day_of(&e.decided_at),
        )
        .await?;
        Ok(())
    }
}

#[async_trait]
impl Handler<ev::ResidencePermitIssued> for Progress {
    async fn handle(&self, e: ev::ResidencePermitIssued, cx: Context<'_>) -> Result<(), HandlerError> {
        let result = map([
            ("residence_permit_number", e.residence_permit_number.clone()),
            ("valid_from", e.valid_from.clone()),
            ("valid_until", e.valid_until.clone()),
            ("issued_at", e.issued_at.clone()),
        ]);
        store::move_item_on(
            cx.tx,
            &e.case_id,
            Item::ResidencePermit,
            ItemStatus::Approved,
            &result,
            TimelineEvent::ResidencePermitIssued,
            "",
            day_of(&e.issued_at),
        )
        .await?;
        Ok(())
    }
}

/// The timeline's words for a supplement request; [`read_supplement_detail`] reads them back
/// for the case's notices (the timeline keeps text only).
pub fn supplement_detail(materials: &[String], note: &str) -> String {
    format!("materials requested: {}; {note}", materials.join(", "))
}

/// The material codes and the reviewer's note of a [`supplement_detail`].
pub fn read_supplement_detail(detail: &str) -> Option<(Vec<String>, String)> {
    let rest = detail.strip_prefix("materials requested: ")?;
    let (materials, note) = rest.split_once("; ")?;
    let materials = materials.split(", ").filter(|m| !m.is_empty()).map(str::to_string).collect();
    Some((materials, note.to_string()))
}

#[cfg(test)]
mod detail_tests {
    use super::*;

    #[test]
    fn a_supplement_detail_reads_back_its_materials_and_note() {
        let materials = vec!["criminal_record_certificate".to_string(), "passport".to_string()];
        let d = supplement_detail(&materials, "must be legalised; and recent");
        assert_eq!(read_supplement_detail(&d), Some((materials, "must be legalised; and recent".to_string())));
        assert_eq!(read_supplement_detail(&supplement_detail(&[], "")), Some((vec![], String::new())));
        assert_eq!(read_supplement_detail("salary too low"), None);
    }
}
