//! Reactions to the work permit's events: `permit-approved` opens a residence case
//! waiting for the applicant; `permit-cancelled` ends an open case or flags an issued
//! permit for review; `permit-extended` moves the cap of the residence permit's validity.
//!
//! Each runs in the consumer's transaction with the inbox row, so a redelivery changes
//! nothing; the state guards below make a replayed or late event harmless as well.

use async_trait::async_trait;
use base64::Engine as _;
use domain::case::TimelineEvent;
use domain::states::residence::{self, ResidenceCommand};
use onething_proto::events as ev;
use platform::events::consumer::{Context, Handler, HandlerError};
use platform::time::{now_ms, now_rfc3339};
use prost::Message;

use crate::desk::Step;
use crate::store::{self, Val};

pub struct OnPermitApproved;

#[async_trait]
impl Handler<ev::PermitApproved> for OnPermitApproved {
    async fn handle(&self, e: ev::PermitApproved, cx: Context<'_>) -> Result<(), HandlerError> {
        let id = uuid::Uuid::now_v7().to_string();
        let applicant =
            base64::engine::general_purpose::STANDARD.encode(e.applicant.clone().unwrap_or_default().encode_to_vec());
        let employer = e.employer.clone().unwrap_or_default();
        let Ok(opened) = residence::transition(None, &ResidenceCommand::Open) else { return Ok(()) };
        let inserted = sqlx::query(
            "INSERT INTO residence_cases (id, case_id, status, permit_number, permit_valid_until, applicant, opened_at, \
             employer_credit_code, employer_kind, case_no) \
             VALUES ($1, $2, $9, $3, $4, $5, $6, $7, $8, $10) ON CONFLICT (case_id) DO NOTHING",
        )
        .bind(&id)
        .bind(&e.case_id)
        .bind(&e.permit_number)
        .bind(&e.valid_until)
        .bind(applicant)
        .bind(now_ms())
        .bind(&employer.credit_code)
        .bind(&employer.kind)
        .bind(opened.status.as_str())
        .bind(&e.case_no)
        .execute(&mut **cx.tx)
        .await?
        .rows_affected();
        if inserted == 1 {
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
            sqlx::query(
                "INSERT INTO residence_cases (id, case_id, status, permit_number, permit_valid_until, applicant, \
                 opened_at, work_permit_cancelled, updated_at) \
                 VALUES ($1, $2, $5, $3, '', '', $4, $6, $4) ON CONFLICT (case_id) DO NOTHING",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&e.case_id)
            .bind(&e.permit_number)
            .bind(now_ms())
            .bind(closed.status.as_str())
            .bind(i64::from(closed.work_permit_cancelled))
            .execute(&mut **cx.tx)
            .await?;
            return Ok(());
        };
        // Refused, cancelled, or already flagged: the machine refuses, nothing more to do.
        let Ok(to) = residence::transition(Some(row.state()), &ResidenceCommand::PermitCancelled) else {
            return Ok(());
        };
        let (columns, step) = if to.status != row.status {
            (
                vec![("status", Val::from(to.status.as_str())), ("work_permit_cancelled", Val::from(1))],
                Step {
                    detail: format!("the work permit was cancelled: {}", e.reason),
                    result: vec![("work_permit_cancelled", "true".into()), ("waiting_for", "none".into())],
                    ..Step::new(to.status, TimelineEvent::ResidenceCaseCancelled)
                },
            )
        } else {
            let number = row.residence_permit_number.clone().unwrap_or_default();
            (
                vec![("work_permit_cancelled", Val::from(1))],
                Step {
                    detail: format!(
                        "the work permit was cancelled ({}); residence permit {number} is under review",
                        e.reason
                    ),
                    result: vec![("work_permit_cancelled", "true".into())],
                    ..Step::new(to.status, TimelineEvent::WorkPermitCancelledNotice)
                },
            )
        };
        if !store::update(cx.tx, &e.case_id, row.version, &columns).await? {
            // An officer's step committed in between: retried on the new state.
            return Err(HandlerError::Retry(anyhow::anyhow!("residence case changed meanwhile")));
        }
        cx.outbox.enqueue(cx.tx, &e.case_id, &step.event(&e.case_id)).await?;
        tracing::info!(case_id = %e.case_id, from = %row.status, "work permit cancellation applied to the residence case");
        Ok(())
    }
}

pub struct OnPermitExtended;

#[async_trait]
impl Handler<ev::PermitExtended> for OnPermitExtended {
    async fn handle(&self, e: ev::PermitExtended, cx: Context<'_>) -> Result<(), HandlerError> {
        // Only a case still to be decided uses the work permit's end as its cap.
        let Some(row) = store::get_in(cx.tx, &e.case_id).await? else { return Ok(()) };
        let allowed = residence::transition(Some(row.state()), &ResidenceCommand::PermitExtended).is_ok();
        if !allowed || row.permit_valid_until == e.valid_until {
            return Ok(());
        }
        if !store::update(cx.tx, &e.case_id, row.version, &[("permit_valid_until", Val::from(e.valid_until.clone()))])
            .await?
        {
            return Err(HandlerError::Retry(anyhow::anyhow!("residence case changed meanwhile")));
        }
        Ok(())
    }
}
