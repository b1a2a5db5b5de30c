//! The social security card (社会保障卡): issued with the social security number, the work
//! permit loaded on it and kept in step with the permit's changes, and its electronic
//! activation by the foreigner through a real-person check with lock-out.

use platform::audit::Audit;
use std::sync::Arc;

use domain::case::{ItemStatus, TimelineEvent};
use domain::states::card::{self, CardCommand, CardState, CheckOutcome};
use domain::{Actor, HasCode};
use onething_proto::events as ev;
use onething_proto::onething::hrss::v1 as pb;
use platform::ServiceError;
use platform::app::Base;
use platform::db::Tx;
use platform::time::{now_ms, rfc3339};

use crate::identity::{IdentityClaim, IdentityOnRecord, IdentityVerifier, Verdict};
use crate::lockout::{AfterFailure, Counters, Policy};
use crate::progress::{self, SOCIAL_INSURANCE};
use crate::store::cards as store;

pub use crate::store::cards::CardRow;

impl CardRow {
    /// The card's state in its machine.
    pub fn state(&self) -> CardState {
        CardState::new(self.status, self.permit_status)
    }

    fn counters(&self) -> Counters {
        Counters { failed: self.failed_attempts.clamp(0, u32::MAX as i64) as u32, locked_until: self.locked_until }
    }

    pub fn to_pb(&self) -> pb::SocialSecurityCard {
        pb::SocialSecurityCard {
            social_security_number: self.social_security_number.clone(),
            case_id: self.case_id.clone(),
            status: self.status.as_str().into(),
            permit_number: self.permit_number.clone(),
            permit_valid_from: self.permit_valid_from.clone(),
            permit_valid_until: self.permit_valid_until.clone(),
            permit_status: self.permit_status.as_str().into(),
            issued_at: rfc3339(self.issued_at),
            activated_at: self.activated_at.map(rfc3339).unwrap_or_default(),
            failed_attempts: self.failed_attempts.clamp(0, i32::MAX as i64) as i32,
            locked_until: self.locked_until.filter(|u| *u > now_ms()).map(rfc3339).unwrap_or_default(),
        }
    }
}

/// The card of `social_security_number` now carries the permit of `e` (a first card, or
/// a later permit of the same person replacing the earlier one). An active card stays
/// active. Older permit events never overwrite newer information (`permit_info_at`).
pub async fn load_permit(
    tx: &mut Tx<'_>,
    social_security_number: &str,
    e: &ev::PermitApproved,
    identity: &IdentityOnRecord,
    info_at: i64,
) -> Result<(), sqlx::Error> {
    // A new card is issued with the permit; an existing card keeps its status and gets the
    // permit's information, valid again (the machine's `load_permit` from any state).
    let issued = card::transition(None, &CardCommand::LoadPermit).unwrap_or(CardState::ALL[0]);
    let permit = store::LoadedPermit {
        social_security_number,
        case_id: &e.case_id,
        permit_number: &e.permit_number,
        valid_from: &e.valid_from,
        valid_until: &e.valid_until,
        info_at,
        identity_salt: &identity.salt,
        identity_digest: &identity.digest,
        issued,
        at: now_ms(),
    };
    store::load_permit(tx, &permit).await
}

/// The permit of `case_id` changed validity: the card that carries it follows. Returns
/// whether a card changed. `valid_from` empty keeps the card's. A change of the card in
/// between is the lost race ([`ServiceError::Aborted`]).
pub async fn follow_permit(
    tx: &mut Tx<'_>,
    case_id: &str,
    permit_number: &str,
    valid_from: &str,
    valid_until: &str,
    info_at: i64,
) -> Result<bool, ServiceError> {
    let Some(card) = store::by_case(tx, case_id, permit_number).await? else { return Ok(false) };
    // Refused by the machine (a cancelled permit): nothing to do.
    let Ok(to) = card::transition(Some(card.state()), &CardCommand::FollowPermit) else { return Ok(false) };
    // Older than what the card holds, or the validity it has already: nothing to do.
    let changes =
        card.permit_valid_until != valid_until || (!valid_from.is_empty() && card.permit_valid_from != valid_from);
    if info_at < card.permit_info_at || !changes {
        return Ok(false);
    }
    let validity = store::Validity { valid_from, valid_until, info_at };
    store::follow_permit(tx, &card, to.permit, &validity, now_ms()).await?;
    Ok(true)
}

/// The permit of `case_id` was cancelled: the card's permit information says so. A change
/// of the card in between is the lost race ([`ServiceError::Aborted`]).
pub async fn cancel_permit(
    tx: &mut Tx<'_>,
    case_id: &str,
    permit_number: &str,
    info_at: i64,
) -> Result<bool, ServiceError> {
    let Some(card) = store::by_case(tx, case_id, permit_number).await? else { return Ok(false) };
    // Refused by the machine (already cancelled): nothing to do.
    let Ok(to) = card::transition(Some(card.state()), &CardCommand::CancelPermit) else { return Ok(false) };
    store::cancel_permit(tx, &card, to.permit, info_at, now_ms()).await?;
    Ok(true)
}

/// The card carrying `permit_number` (the latest, should a person ever have two).
pub async fn by_permit(base: &Base, permit_number: &str) -> Result<Option<CardRow>, sqlx::Error> {
    store::by_permit(&base.db.pool, permit_number).await
}

/// Why the foreigner presents the identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// First use: the card becomes `active`.
    Activate,
    /// Later use of an active card.
    SignIn,
}

impl Purpose {
    /// The command of the card's machine.
    fn command(self) -> CardCommand {
        match self {
            Purpose::Activate => CardCommand::Activate,
            Purpose::SignIn => CardCommand::SignIn,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Purpose::Activate => "social_security_card.activate",
            Purpose::SignIn => "social_security_card.sign_in",
        }
    }
}

/// The numbers the foreigner gave to find the card (at least one).
#[derive(Debug, Clone, Default)]
pub struct CardKey {
    pub permit_number: String,
    pub social_security_number: String,
}

/// Real-person checks against the cards, with the lock-out policy.
#[derive(Clone)]
pub struct CardDesk {
    pub base: Base,
    pub verifier: Arc<dyn IdentityVerifier>,
    pub policy: Policy,
}

const MISMATCH: &str = "the name, birth date or nationality does not match the work permit";

impl CardDesk {
    async fn find(&self, key: &CardKey) -> Result<Option<String>, sqlx::Error> {
        store::find(&self.base.db.pool, &key.permit_number, &key.social_security_number).await
    }

    /// Checks `claim` against the card of `key`. A refused check is an outcome (its count is
    /// committed), not an error; errors are: no such card (NOT_FOUND), a cancelled permit or
    /// a sign-in on a card not yet active (FAILED_PRECONDITION), the check unavailable.
    pub async fn check(
        &self,
        actor: &Actor,
        purpose: Purpose,
        key: &CardKey,
        claim: &IdentityClaim,
    ) -> Result<pb::CardCheck, ServiceError> {
        let ssn = self
            .find(key)
            .await?
            .ok_or_else(|| ServiceError::not_found("social security card", "for the given number"))?;
        let now = now_ms();
        let mut tx = self.base.db.begin().await?;
        // Writing first takes the card's row lock (PostgreSQL) or the write lock (SQLite),
        // so concurrent checks of one card are counted one after the other.
        let mut card = store::lock(&mut tx, &ssn, now).await?;
        let resource = format!("case/{}/social_security_card", card.case_id);
        let counters = match self.policy.gate(card.counters(), now) {
            Ok(c) => c,
            Err(until) => {
                tx.commit().await?;
                actor.audit(&self.base.db, purpose.action(), &resource, CheckOutcome::Locked.as_str()).await?;
                return Ok(pb::CardCheck {
                    outcome: CheckOutcome::Locked.as_str().into(),
                    locked_until: rfc3339(until),
                    reason: format!("the card is locked after too many refused checks; retry after {}", rfc3339(until)),
                    ..Default::default()
                });
            }
        };
        let record = IdentityOnRecord { salt: card.identity_salt.clone(), digest: card.identity_digest.clone() };
        let verdict = self.verifier.verify(claim, &record).await.map_err(|e| {
            tracing::warn!(error = %e, "real-person check unavailable");
            ServiceError::Unavailable("the real-person check is unavailable; retry shortly".into())
        })?;
        if verdict == Verdict::Mismatch {
            let (next, after) = self.policy.on_failure(counters, now);
            store_counters(&mut tx, &mut card, next).await?;
            tx.commit().await?;
            actor.audit(&self.base.db, purpose.action(), &resource, CheckOutcome::IdentityMismatch.as_str()).await?;
            let mut check = pb::CardCheck {
                outcome: CheckOutcome::IdentityMismatch.as_str().into(),
                reason: MISMATCH.into(),
                ..Default::default()
            };
            match after {
                AfterFailure::Counted { attempts_left } => check.attempts_left = attempts_left as i32,
                AfterFailure::Locked { until } => check.locked_until = rfc3339(until),
            }
            return Ok(check);
        }
        let cleared = self.policy.on_success();
        store_counters(&mut tx, &mut card, cleared).await?;
        let from = card.state();
        let to = match card::transition(Some(from), &purpose.command()) {
            Ok(to) => to,
            Err(e) => {
                tx.commit().await?;
                // The audit outcome of a refused check is spelled as the refusal status.
                actor.audit(&self.base.db, purpose.action(), &resource, ItemStatus::Refused.as_str()).await?;
                return Err(ServiceError::conflict(e.code(), resource.clone(), e.message()));
            }
        };
        let outcome = match purpose {
            Purpose::Activate if from.status != to.status => {
                store::activate(&mut tx, &mut card, to.status, now).await?;
                let at = rfc3339(now);
                let event = progress::step(
                    &card.case_id,
                    SOCIAL_INSURANCE,
                    ItemStatus::Completed,
                    &[("card_status", to.status.as_str()), ("card_activated_at", &at)],
                    TimelineEvent::SocialSecurityCardActivated,
                    "the foreigner activated the electronic social security card",
                );
                self.base.outbox.enqueue(&mut tx, &card.case_id, &event).await?;
                CheckOutcome::Activated
            }
            Purpose::Activate => CheckOutcome::AlreadyActive,
            Purpose::SignIn => CheckOutcome::SignedIn,
        };
        tx.commit().await?;
        self.base.outbox.wake();
        actor.audit(&self.base.db, purpose.action(), &resource, outcome.as_str()).await?;
        Ok(pb::CardCheck { outcome: outcome.as_str().into(), card: Some(card.to_pb()), ..Default::default() })
    }
}

async fn store_counters(tx: &mut Tx<'_>, card: &mut CardRow, c: Counters) -> Result<(), ServiceError> {
    store::set_counters(tx, card, c.failed as i64, c.locked_until).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::PermitIdentityVerifier;
    use platform::config::DatabaseSettings;

    static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

    /// hrss's tables in a fresh SQLite file, and one issued card for SMITH JOHN.
    async fn desk(max_failures: u32) -> (CardDesk, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("hrss-cards-{}", uuid::Uuid::new_v4().simple()));
        let settings = DatabaseSettings { url: None, data_dir: dir.clone(), max_connections: 4 };
        let db = platform::db::Db::connect(&settings, "hrss", &[(&MIGRATIONS, "_hrss_migrations")]).await.unwrap();
        let base = Base::with_db("hrss", db);
        let applicant = onething_proto::common::Applicant {
            surname: "SMITH".into(),
            given_names: "JOHN".into(),
            nationality: "GBR".into(),
            birth_date: "1988-04-02".into(),
            ..Default::default()
        };
        let e = ev::PermitApproved {
            case_id: "case-1".into(),
            permit_number: "62B202600000001".into(),
            valid_from: "2027-01-04".into(),
            valid_until: "2029-01-03".into(),
            ..Default::default()
        };
        let mut tx = base.db.begin().await.unwrap();
        load_permit(&mut tx, "F62202600000001", &e, &IdentityOnRecord::seal(&applicant), 1).await.unwrap();
        tx.commit().await.unwrap();
        let policy = Policy { max_failures, lock_ms: 30 * 60_000 };
        (CardDesk { base, verifier: Arc::new(PermitIdentityVerifier), policy }, dir)
    }

    fn claim(name: &str) -> IdentityClaim {
        IdentityClaim::parse("identity", name, "1988-04-02", "GBR").unwrap()
    }

    fn key() -> CardKey {
        CardKey { permit_number: "62B202600000001".into(), ..Default::default() }
    }

    fn anonymous() -> Actor {
        Actor::anonymous()
    }

    #[tokio::test]
    async fn concurrent_wrong_checks_are_counted_one_by_one_and_lock_the_card() {
        let (desk, dir) = desk(5).await;
        let attempts = (0..12).map(|_| {
            let desk = desk.clone();
            tokio::spawn(async move { desk.check(&anonymous(), Purpose::Activate, &key(), &claim("SMITH JANE")).await })
        });
        let mut outcomes = Vec::new();
        for a in attempts {
            outcomes.push(a.await.unwrap().unwrap().outcome);
        }
        assert_eq!(outcomes.iter().filter(|o| *o == "identity_mismatch").count(), 5, "{outcomes:?}");
        assert_eq!(outcomes.iter().filter(|o| *o == "locked").count(), 7);
        // Locked: even the right person waits, and activation changes nothing.
        let right = desk.check(&anonymous(), Purpose::Activate, &key(), &claim("SMITH JOHN")).await.unwrap();
        assert_eq!(right.outcome, "locked");
        assert!(!right.locked_until.is_empty());
        let card = by_permit(&desk.base, "62B202600000001").await.unwrap().unwrap();
        assert_eq!(card.status.as_str(), "issued");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn activation_then_sign_in_and_the_card_event_is_in_the_outbox() {
        let (desk, dir) = desk(5).await;
        let err = desk.check(&anonymous(), Purpose::SignIn, &key(), &claim("SMITH JOHN")).await.unwrap_err();
        assert!(matches!(err, ServiceError::FailedPrecondition { kind: "card_not_active", .. }));
        let wrong = desk.check(&anonymous(), Purpose::Activate, &key(), &claim("SMITH JANE")).await.unwrap();
        assert_eq!((wrong.outcome.as_str(), wrong.attempts_left), ("identity_mismatch", 4));
        let ok = desk.check(&anonymous(), Purpose::Activate, &key(), &claim("smith, john")).await.unwrap();
        assert_eq!(ok.outcome, "activated");
        let card = ok.card.unwrap();
        assert_eq!((card.status.as_str(), card.failed_attempts), ("active", 0));
        let by_ssn = CardKey { social_security_number: "F62202600000001".into(), ..Default::default() };
        let again = desk.check(&anonymous(), Purpose::SignIn, &by_ssn, &claim("SMITH JOHN")).await.unwrap();
        assert_eq!(again.outcome, "signed_in");
        let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE topic = 'item-progressed'")
            .fetch_one(&desk.base.db.pool)
            .await
            .unwrap();
        assert_eq!(events, 1, "one activation, one event");
        let missing = CardKey { permit_number: "62B209900000009".into(), ..Default::default() };
        let err = desk.check(&anonymous(), Purpose::Activate, &missing, &claim("SMITH JOHN")).await.unwrap_err();
        assert!(matches!(err, ServiceError::NotFound { .. }));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_card_changed_since_it_was_read_is_the_lost_race() {
        let (desk, dir) = desk(5).await;
        let mut tx = desk.base.db.begin().await.unwrap();
        let mut read = store::by_case(&mut tx, "case-1", "62B202600000001").await.unwrap().unwrap();
        let mut stale = read.clone();
        store::set_counters(&mut tx, &mut read, 1, None).await.unwrap();
        assert_eq!(read.version, stale.version + 1);
        let lost = store::activate(&mut tx, &mut stale, domain::states::card::CardStatus::Active, 7).await.unwrap_err();
        assert!(matches!(lost, ServiceError::Aborted(_)), "{lost:?}");
        assert_eq!(stale.status.as_str(), "issued", "a lost change leaves the row as read");
        store::activate(&mut tx, &mut read, domain::states::card::CardStatus::Active, 7).await.unwrap();
        tx.commit().await.unwrap();
        let card = by_permit(&desk.base, "62B202600000001").await.unwrap().unwrap();
        assert_eq!((card.status.as_str(), card.failed_attempts, card.version), ("active", 1, stale.version + 2));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn the_card_follows_newer_permit_events_only_and_a_cancellation_sticks() {
        let (desk, dir) = desk(5).await;
        let mut tx = desk.base.db.begin().await.unwrap();
        assert!(follow_permit(&mut tx, "case-1", "62B202600000001", "", "2031-01-03", 10).await.unwrap());
        assert!(!follow_permit(&mut tx, "case-1", "62B202600000001", "", "2030-01-03", 5).await.unwrap(), "older");
        assert!(!follow_permit(&mut tx, "case-1", "62B202600000001", "", "2031-01-03", 11).await.unwrap(), "same");
        assert!(
            !follow_permit(&mut tx, "case-2", "62B202600000001", "", "2032-01-03", 12).await.unwrap(),
            "other case"
        );
        assert!(cancel_permit(&mut tx, "case-1", "62B202600000001", 13).await.unwrap());
        assert!(!follow_permit(&mut tx, "case-1", "62B202600000001", "", "2033-01-03", 14).await.unwrap());
        tx.commit().await.unwrap();
        let card = by_permit(&desk.base, "62B202600000001").await.unwrap().unwrap();
        assert_eq!((card.permit_valid_until.as_str(), card.permit_status.as_str()), ("2031-01-03", "cancelled"));
        let err = desk.check(&anonymous(), Purpose::Activate, &key(), &claim("SMITH JOHN")).await.unwrap_err();
        assert!(matches!(err, ServiceError::FailedPrecondition { kind: "permit_cancelled", .. }));
        let _ = std::fs::remove_dir_all(dir);
    }
}
