//! Social insurance registration (社会保险登记) on `permit-approved`: the five insurances,
//! the lifelong social security number, the social security card with the permit loaded,
//! and the title eligibility review queue (职称申报条件审核).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Datelike, Days, NaiveDate};
use domain::case::{Insurance, Item, TimelineEvent};
use domain::sharing::{PersonField, Purpose};
use onething_proto::events as ev;
use onething_proto::{FromWire, ToWire};
use platform::db::Tx;
use platform::events::consumer::{Context, Handler, HandlerError};
use platform::sharing::ShareSource;
use platform::time::{now_ms, now_rfc3339, today_cst};

use crate::identity::IdentityOnRecord;
use crate::progress::{self, SOCIAL_INSURANCE};
use crate::ssn::{SsnGenerator, SsnSeed};
use crate::store::cancelled_permits;
use crate::store::social_insurance as store;
use crate::{cards, title_review};

/// The five insurances of MOHRSS Order No. 16 (FACTS §6).
pub const FIVE_INSURANCES: &[Insurance] = Insurance::ALL;

/// Registration must be done within 30 days of the permit's issue (FACTS §6, Art. 4).
pub const REGISTRATION_DAYS: u64 = 30;

pub struct OnPermitApproved {
    pub ssn: Arc<dyn SsnGenerator>,
    /// service-center, asked for the fields the card's identity check needs.
    pub sharing: Arc<dyn ShareSource>,
}

/// What the card's real-person check compares (the name, birth date and nationality
/// printed in the passport); sealed at once, never stored in the clear.
const CARD_IDENTITY: &[PersonField] =
    &[PersonField::Surname, PersonField::GivenNames, PersonField::Nationality, PersonField::BirthDate];

/// The last day of the legal registration period of a permit issued on `issued`.
pub fn registration_due(issued: NaiveDate) -> NaiveDate {
    issued.checked_add_days(Days::new(REGISTRATION_DAYS)).unwrap_or(issued)
}

/// Epoch ms of an RFC 3339 timestamp of an event (now when it cannot be read).
pub fn event_ms(at: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(at).map(|t| t.timestamp_millis()).unwrap_or_else(|_| now_ms())
}

async fn ssn_for(tx: &mut Tx<'static>, key: &str, generator: &dyn SsnGenerator) -> Result<String, sqlx::Error> {
    if let Some(ssn) = store::number_of(tx, key).await? {
        return Ok(ssn);
    }
    let year = today_cst().year();
    let serial = store::next_serial(tx, &format!("ssn-{year}")).await?;
    let ssn = generator.generate(SsnSeed { year, serial });
    store::insert_person(tx, key, &ssn, now_ms()).await?;
    Ok(ssn)
}

#[async_trait]
impl Handler<ev::PermitApproved> for OnPermitApproved {
    async fn handle(&self, e: ev::PermitApproved, cx: Context<'_>) -> Result<(), HandlerError> {
        let items = Item::from_wire_all(&e.items, "items")?;
        if !items.contains(&Item::WorkPermit) {
            // Every bundle has its work permit: a record without is not one of ours.
            return Err(HandlerError::Reject(anyhow::anyhow!("permit-approved without its items")));
        }
        if items.contains(&SOCIAL_INSURANCE) {
            if e.person_key.is_empty() {
                return Err(HandlerError::Reject(anyhow::anyhow!("the approved permit names no person")));
            }
            let key = e.person_key.clone();
            let shared =
                self.sharing.share(cx.tx, &e.case_id, Purpose::SocialInsuranceRegistration, CARD_IDENTITY).await?;
            let applicant = shared.applicant.unwrap_or_default();
            let ssn = ssn_for(cx.tx, &key, self.ssn.as_ref()).await?;
            let issued = platform::time::cst_date(&e.decided_at).unwrap_or_else(today_cst);
            let due_on = registration_due(issued).to_string();
            let insurances = FIVE_INSURANCES.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(",");
            let registration = store::NewRegistration {
                case_id: &e.case_id,
                person_key: &key,
                social_security_number: &ssn,
                permit_number: &e.permit_number,
                insurances: &insurances,
                registered_at: now_ms(),
                due_on: &due_on,
            };
            if store::register(cx.tx, &registration).await? {
                // The card carries the permit; only a salted digest of the identity is kept.
                cards::load_permit(cx.tx, &ssn, &e, &IdentityOnRecord::seal(&applicant), event_ms(&e.decided_at))
                    .await?;
                // The item's own deadline. Sent as a `pending` step: service-center never moves
                // an item back nor to the status it has, so if the registration below is applied
                // first this step only sets the due date, and it cannot swallow the
                // registration's own `completed` entry.
                let mut deadline = progress::step(
                    &e.case_id,
                    SOCIAL_INSURANCE,
                    domain::case::ItemStatus::Pending,
                    &[("due_on", &due_on)],
                    TimelineEvent::SocialInsuranceDue,
                    &format!("registration due within {REGISTRATION_DAYS} days of the permit's issue: by {due_on}"),
                );
                deadline.due_on = due_on.clone();
                cx.outbox.enqueue(cx.tx, &e.case_id, &deadline).await?;
                let event = ev::SocialInsuranceRegistered {
                    case_id: e.case_id.clone(),
                    social_security_number: ssn,
                    insurances: FIVE_INSURANCES.iter().map(|i| i.wire()).collect(),
                    registered_at: now_rfc3339(),
                    due_on,
                };
                cx.outbox.enqueue(cx.tx, &e.case_id, &event).await?;
            }
        }
        if items.contains(&progress::TITLE_REVIEW) {
            let start = e.valid_from.parse::<NaiveDate>().unwrap_or_else(|_| today_cst());
            if let Some(eligible_on) = title_review::queue(cx.tx, &e.case_id, start).await? {
                let event = ev::TitleReviewQueued { case_id: e.case_id.clone(), eligible_on, queued_at: now_rfc3339() };
                cx.outbox.enqueue(cx.tx, &e.case_id, &event).await?;
            }
        }
        // The cancellation may have arrived first (another topic): end what was just opened.
        if let Some(at) = cancelled_permits::cancelled_at(cx.tx, &e.case_id).await? {
            crate::cards::cancel_permit(cx.tx, &e.case_id, &e.permit_number, at).await?;
            crate::title_review::cancel(cx.tx, &e.case_id, "the work permit was cancelled").await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_is_due_thirty_days_after_the_permit_is_issued() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(registration_due(d("2026-12-01")), d("2026-12-31"));
        assert_eq!(registration_due(d("2027-02-10")), d("2027-03-12"));
    }

    #[test]
    fn event_times_are_read_as_epoch_ms() {
        assert_eq!(event_ms("2026-12-01T00:00:00.000Z"), 1_796_083_200_000);
    }
}
