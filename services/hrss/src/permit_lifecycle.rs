//! Reactions to a permit's later life: the card's permit information follows a change or
//! an extension; a cancellation marks it cancelled and ends a title review still waiting.

use async_trait::async_trait;
use domain::case::{ItemStatus, TimelineEvent};
use domain::states::card::CardPermitStatus;
use onething_proto::events as ev;
use platform::events::consumer::{Context, Handler, HandlerError};

use crate::progress::{self, SOCIAL_INSURANCE, TITLE_REVIEW};
use crate::social_insurance::event_ms;
use crate::store::cancelled_permits;
use crate::{cards, title_review};

#[derive(Debug, Clone, Copy, Default)]
pub struct OnPermitLifecycle;

async fn card_follows(
    cx: Context<'_>,
    case_id: &str,
    permit_number: &str,
    valid_from: &str,
    valid_until: &str,
    at: &str,
) -> Result<(), HandlerError> {
    if valid_until.is_empty() {
        return Ok(());
    }
    if cards::follow_permit(cx.tx, case_id, permit_number, valid_from, valid_until, event_ms(at)).await? {
        let event = progress::step(
            case_id,
            SOCIAL_INSURANCE,
            ItemStatus::Completed,
            &[("card_permit_valid_until", valid_until)],
            TimelineEvent::CardPermitInfoUpdated,
            &format!("the permit on the social security card is valid until {valid_until}"),
        );
        cx.outbox.enqueue(cx.tx, case_id, &event).await?;
    }
    Ok(())
}

#[async_trait]
impl Handler<ev::PermitChanged> for OnPermitLifecycle {
    async fn handle(&self, e: ev::PermitChanged, cx: Context<'_>) -> Result<(), HandlerError> {
        card_follows(cx, &e.case_id, &e.permit_number, "", &e.valid_until, &e.changed_at).await
    }
}

#[async_trait]
impl Handler<ev::PermitExtended> for OnPermitLifecycle {
    async fn handle(&self, e: ev::PermitExtended, cx: Context<'_>) -> Result<(), HandlerError> {
        card_follows(cx, &e.case_id, &e.permit_number, &e.valid_from, &e.valid_until, &e.extended_at).await
    }
}

#[async_trait]
impl Handler<ev::PermitCancelled> for OnPermitLifecycle {
    async fn handle(&self, e: ev::PermitCancelled, cx: Context<'_>) -> Result<(), HandlerError> {
        cancelled_permits::record(cx.tx, &e.case_id, &e.permit_number, event_ms(&e.cancelled_at)).await?;
        if title_review::cancel(cx.tx, &e.case_id, &e.reason).await? {
            let event = progress::step(
                &e.case_id,
                TITLE_REVIEW,
                ItemStatus::Cancelled,
                &[("cancelled_at", &e.cancelled_at)],
                TimelineEvent::TitleReviewCancelled,
                "the work permit was cancelled",
            );
            cx.outbox.enqueue(cx.tx, &e.case_id, &event).await?;
        }
        if cards::cancel_permit(cx.tx, &e.case_id, &e.permit_number, event_ms(&e.cancelled_at)).await? {
            let event = progress::step(
                &e.case_id,
                SOCIAL_INSURANCE,
                ItemStatus::Completed,
                &[("card_permit_status", CardPermitStatus::Cancelled.as_str())],
                TimelineEvent::CardPermitInfoCancelled,
                "the permit on the social security card is marked cancelled",
            );
            cx.outbox.enqueue(cx.tx, &e.case_id, &event).await?;
        }
        Ok(())
    }
}
