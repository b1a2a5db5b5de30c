//! Residence cases: opened by `permit-approved`, waiting for the applicant's visit.

use async_trait::async_trait;
use base64::Engine as _;
use onething_proto::events as ev;
use platform::events::consumer::{Context, Handler, HandlerError};
use platform::time::{now_ms, now_rfc3339};
use prost::Message;

pub struct OnPermitApproved;

#[async_trait]
impl Handler<ev::PermitApproved> for OnPermitApproved {
    async fn handle(&self, e: ev::PermitApproved, cx: Context<'_>) -> Result<(), HandlerError> {
        let id = uuid::Uuid::now_v7().to_string();
        let applicant =
            base64::engine::general_purpose::STANDARD.encode(e.applicant.clone().unwrap_or_default().encode_to_vec());
        let inserted = sqlx::query(
            "INSERT INTO residence_cases (id, case_id, status, permit_number, permit_valid_until, applicant, opened_at) \
             VALUES ($1, $2, 'pending', $3, $4, $5, $6) ON CONFLICT (case_id) DO NOTHING",
        )
        .bind(&id)
        .bind(&e.case_id)
        .bind(&e.permit_number)
        .bind(&e.valid_until)
        .bind(applicant)
        .bind(now_ms())
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
