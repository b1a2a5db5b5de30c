//! Reactions to the work permit's events: `permit-approved` opens a residence case
//! waiting for the applicant; `permit-cancelled` ends an open case or flags an issued
//! permit up for revocation; `permit-extended` moves the cap of the residence permit's
//! validity; `permit-changed` moves the file to the work permit's new employer.
//!
//! Each runs in the consumer's transaction with the inbox row, so a redelivery changes
//! nothing; the state guards below make a replayed or late event harmless as well.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use domain::case::TimelineEvent;
use domain::sharing::{PersonField, Purpose};
use domain::states::residence::{self, ResidenceCommand, ResidenceStatus};
use onething_proto::events as ev;
use platform::events::consumer::{Context, Handler, HandlerError};
use platform::sharing::ShareSource;
use platform::time::{now_ms, now_rfc3339};
use prost::Message;

use crate::desk::Step;
use crate::store;

pub struct OnPermitApproved {
    /// service-center, asked for the applicant's identity the residence file holds.
    pub sharing: Arc<dyn ShareSource>,
}

#[async_trait]
impl Handler<ev::PermitApproved> for OnPermitApproved {
    async fn handle(&self, e: ev::PermitApproved, cx: Context<'_>) -> Result<(), HandlerError> {
        let id = uuid::Uuid::now_v7().to_string();
        let employer = e.employer.clone().unwrap_or_default();
        let Ok(opened) = residence::transition(None, &ResidenceCommand::Open) else { return Ok(()) };
        // The event names no one: the file's identity comes from the application's owner.
        let shared = self.sharing.share(cx.tx, &e.case_id, Purpose::ResidencePermit, PersonField::ALL).await?;
        let applicant =
            base64::engine::general_purpose::STANDARD.encode(shared.applicant.unwrap_or_default().encode_to_vec());
        let case = store::NewCase {
            id: &id,
            case_id: &e.case_id,
            status: opened.status,
            permit_number: &e.permit_number,
            permit_valid_from: &e.valid_from,
            permit_valid_until: &e.valid_until,
            applicant: &applicant,
            opened_at: now_ms(),
            employer_credit_code: &employer.credit_code,
            employer_kind: &employer.kind,
            case_no: &e.case_no,
            person_key: &shared.person_key,
        };
        if store::open(cx.tx, &case).await? {
            let opened =
                ev::ResidenceCaseOpened { case_id: e.case_id.clone(), residence_case_id: id, opened_at: now_rfc3339() };
            cx.outbox.enqueue(cx.tx, &e.case_id, &opened).await?;
        }
        Ok(())
    }
}

pub struct OnPermitCancelled;

#[async_trait]
impl Handler<ev::PermitCancelled> for OnPermitCancelled {
    async fn handle(&self, e: ev::PermitCancelled, cx: Context<'_>) -> Result<(), HandlerError> {
        let Some(row) = store::get_in(cx.tx, &e.case_id).await? else {
            // The cancellation overtook the approval (two topics): a closed case stands in
            // its place, so that the late `permit-approved` opens nothing.
            let Ok(closed) = residence::transition(None, &ResidenceCommand::PermitCancelled) else { return Ok(()) };
            let id = uuid::Uuid::now_v7().to_string();
            store::open_cancelled(cx.tx, &id, &e.case_id, &e.permit_number, closed, now_ms()).await?;
            return Ok(());
        };
        // Refused, cancelled, or already flagged: the machine refuses, nothing more to do.
        let Ok(to) = residence::transition(Some(row.state()), &ResidenceCommand::PermitCancelled) else {
            return Ok(());
        };
        let step = if to.status != row.status {
            Step {
                detail: format!("the work permit was cancelled: {}", e.reason),
                result: vec![("work_permit_cancelled", "true".into()), ("waiting_for", "none".into())],
                ..Step::new(to.status, TimelineEvent::ResidenceCaseCancelled)
            }
        } else {
            let number = row.residence_permit_number.clone().unwrap_or_default();
            Step {
                detail: format!(
                    "the work permit was cancelled ({}); residence permit {number} is under review",
                    e.reason
                ),
                result: vec![("work_permit_cancelled", "true".into())],
                ..Step::new(to.status, TimelineEvent::WorkPermitCancelledNotice)
            }
        };
        // An officer's step committed in between is the lost race: retried on the new state.
        store::work_permit_cancelled(cx.tx, &row, to.status).await?;
        cx.outbox.enqueue(cx.tx, &e.case_id, &step.event(&e.case_id)).await?;
        tracing::info!(case_id = %e.case_id, from = %row.status, "work permit cancellation applied to the residence case");
        Ok(())
    }
}

pub struct OnPermitExtended;

#[async_trait]
impl Handler<ev::PermitExtended> for OnPermitExtended {
    async fn handle(&self, e: ev::PermitExtended, cx: Context<'_>) -> Result<(), HandlerError> {
        // A case still to be decided uses the new end as its cap; an issued permit keeps its
        // own dates (the foreigner applies for its extension) but the file holds the work
        // permit as it is now, so that the extension is checked against it. A closed case
        // (refused, cancelled, revoked) rests on nothing any more.
        let Some(row) = store::get_in(cx.tx, &e.case_id).await? else { return Ok(()) };
        let undecided = residence::transition(Some(row.state()), &ResidenceCommand::PermitExtended).is_ok();
        let issued = matches!(row.status, ResidenceStatus::Approved | ResidenceStatus::Completed);
        if !(undecided || issued) || row.permit_valid_until == e.valid_until {
            return Ok(());
        }
        // An officer's step committed in between is the lost race: retried on the new state.
        store::permit_extended(cx.tx, &row, &e.valid_until).await?;
        Ok(())
    }
}

pub struct OnPermitChanged;

#[async_trait]
impl Handler<ev::PermitChanged> for OnPermitChanged {
    async fn handle(&self, e: ev::PermitChanged, cx: Context<'_>) -> Result<(), HandlerError> {
        // A new employer on the work permit: the residence file (and who may act on it as
        // the employer) follows, whatever its state.
        let Some(employer) = e.employer.as_ref().filter(|x| !x.credit_code.is_empty()) else { return Ok(()) };
        let Some(row) = store::get_in(cx.tx, &e.case_id).await? else { return Ok(()) };
        if row.employer_credit_code == employer.credit_code && row.employer_kind == employer.kind {
            return Ok(());
        }
        store::employer_changed(cx.tx, &row, &employer.credit_code, &employer.kind).await?;
        tracing::info!(case_id = %e.case_id, "the residence file follows the work permit's new employer");
        Ok(())
    }
}
