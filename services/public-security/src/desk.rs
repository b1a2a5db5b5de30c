//! The residence counter: every step of a residence case after it opened, as commands
//! that check the caller, the request (every violation at once) and the case's state (the
//! residence machine, [`residence::transition`]), then change the case and write its events
//! in one transaction.
//!
//! | step | who | from | to | event(s) |
//! |---|---|---|---|---|
//! | entry date | owning employer, officer | `pending` | `pending` | `ItemProgressed` (`apply_by`) |
//! | counter application | officer | `pending` | `in_review` | `ItemProgressed` (receipt, deadline, visit, documents) |
//! | verification scheduled / outcome | officer | `in_review` | `in_review` | `ItemProgressed` |
//! | approve | officer | `in_review` | `approved` | `ResidencePermitIssued` + `ItemProgressed` |
//! | refuse | officer | `in_review` | `refused` | `ItemProgressed` (reasons) |
//! | pickup | officer | `approved` | `completed` | `ItemProgressed` (way; in person = a visit) |
//! | work permit cancelled | `permit-cancelled` | `pending`, `in_review` | `cancelled` | `ItemProgressed` |
//! | work permit cancelled | `permit-cancelled` | `approved`, `completed` | same, flagged | `ItemProgressed` notice |

use platform::audit::Audit;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::calendar::Calendar;
use domain::case::TimelineEvent;
use domain::case::{Department, EmployerKind, Item};
use domain::states::residence::{self, ResidenceCommand, ResidenceState, ResidenceStatus, VerificationOutcome};
use domain::{Actor, HasCode, Role, Violations};
use onething_proto::ToWire;
use onething_proto::events as ev;
use platform::ServiceError;
use platform::app::Base;
use platform::db::Tx;
use platform::paging::{Page, known};
use platform::time::{now_ms, now_rfc3339, rfc3339, today_cst};

use crate::config::ResidenceSettings;
use crate::rules::{self, Decision, Grounds, Outcome, PickupWay};
use crate::store::{self, CaseRow, VerificationRow};

pub const DEPARTMENT: Department = Department::PublicSecurity;
pub const ITEM: Item = Item::ResidencePermit;

/// A step as the case view shows it (`ItemProgressed`): the item's status is the case's
/// (the same names).
pub struct Step {
    pub status: ResidenceStatus,
    pub event: TimelineEvent,
    pub detail: String,
    pub result: Vec<(&'static str, String)>,
    pub counter_visit: bool,
    pub documents_submitted: i32,
    pub due_on: String,
}

impl Step {
    /// A step to `status` shown as `event`; every other field is empty.
    pub fn new(status: ResidenceStatus, event: TimelineEvent) -> Step {
        Step {
            status,
            event,
            detail: String::new(),
            result: Vec::new(),
            counter_visit: false,
            documents_submitted: 0,
            due_on: String::new(),
        }
    }

    pub fn event(self, case_id: &str) -> ev::ItemProgressed {
        ev::ItemProgressed {
            case_id: case_id.into(),
            item: ITEM.wire(),
            department: DEPARTMENT.wire(),
            status: self.status.item_status().wire(),
            result: self.result.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<HashMap<_, _>>(),
            event: self.event.as_str().into(),
            detail: self.detail,
            at: now_rfc3339(),
            counter_visit: self.counter_visit,
            documents_submitted: self.documents_submitted,
            due_on: self.due_on,
        }
    }
}

#[derive(Clone)]
pub struct Desk {
    pub base: Base,
    pub settings: ResidenceSettings,
    pub calendar: Calendar,
}

fn is_officer(actor: &Actor) -> bool {
    actor.is_staff_of(DEPARTMENT) && actor.is(Role::Officer)
}

fn conflict(case_id: &str, kind: &'static str, description: impl Into<String>) -> ServiceError {
    ServiceError::conflict(kind, format!("case/{case_id}"), description)
}

/// The case's state after `command`, or the conflict under the machine's code that
/// forbids it.
fn step_to(row: &CaseRow, command: ResidenceCommand) -> Result<ResidenceState, ServiceError> {
    residence::transition(Some(row.state()), &command).map_err(|e| conflict(&row.case_id, e.code(), e.message()))
}

/// The key of a case in the queue's order: `opened_at` in epoch ms, then the id.
pub fn cursor_key(row: &CaseRow) -> Vec<String> {
    vec![row.opened_at.to_string(), row.id.clone()]
}

fn internal(what: &str) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("{what}"))
}

/// The written form of refusal reasons: a known code becomes its text, with the code.
pub fn written_reasons(reasons: &[String]) -> String {
    reasons
        .iter()
        .map(|r| match rules::reason_text(r) {
            Some((en, _)) => format!("{en} ({r})"),
            None => r.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn date(s: Option<&str>, what: &str) -> Result<NaiveDate, ServiceError> {
    s.and_then(|d| d.parse().ok()).ok_or_else(|| internal(&format!("stored {what} is not a date")))
}

impl Desk {
    pub fn new(base: Base, settings: ResidenceSettings) -> Desk {
        Desk { base, settings, calendar: Calendar::embedded() }
    }

    async fn load(&self, case_id: &str) -> Result<CaseRow, ServiceError> {
        store::get(&self.base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("residence case", case_id))
    }

    async fn deny(&self, actor: &Actor, action: &str, case_id: &str, why: &str) -> ServiceError {
        if let Err(e) = actor.audit(&self.base.db, action, &format!("case/{case_id}"), "denied").await {
            return e;
        }
        ServiceError::PermissionDenied(why.into())
    }

    /// Only a public-security counter officer acts at the counter.
    async fn officer(&self, actor: &Actor, action: &str, case_id: &str) -> Result<CaseRow, ServiceError> {
        if !is_officer(actor) {
            return Err(self.deny(actor, action, case_id, "only a public-security counter officer may do this").await);
        }
        self.load(case_id).await
    }

    /// After the step's change of the case (at the version read, see [`store`]): writes the
    /// events, audits, commits, wakes the relay, and returns the case as it now is.
    async fn commit(
        &self,
        mut tx: Tx<'static>,
        actor: &Actor,
        action: &str,
        row: &CaseRow,
        steps: Vec<Step>,
    ) -> Result<CaseRow, ServiceError> {
        let case_id = row.case_id.as_str();
        for step in steps {
            self.base.outbox.enqueue(&mut tx, case_id, &step.event(case_id)).await?;
        }
        // The record of who did it commits with what was done.
        actor.audit_in(&mut tx, action, &format!("case/{case_id}"), "done").await?;
        tx.commit().await?;
        self.base.outbox.wake();
        tracing::info!(case_id, action, "residence case step recorded");
        self.load(case_id).await
    }

    /// The foreigner's entry date (owning employer or officer), while waiting for the
    /// counter application: the application is due 30 days after entry.
    pub async fn record_entry(&self, actor: &Actor, case_id: &str, entry_date: &str) -> Result<CaseRow, ServiceError> {
        const ACTION: &str = "residence.entry";
        if !(is_officer(actor) || actor.is(Role::Employer)) {
            return Err(self.deny(actor, ACTION, case_id, "only the employer or a counter officer may do this").await);
        }
        let row = self.load(case_id).await?;
        if actor.is(Role::Employer) && row.employer_credit_code != actor.subject {
            return Err(self.deny(actor, ACTION, case_id, "the case belongs to another employer").await);
        }
        let entry = rules::parse_entry_date(entry_date, today_cst())?;
        let to = step_to(&row, ResidenceCommand::RecordEntry)?;
        let apply_by = rules::apply_by(entry);
        let step = Step {
            detail: format!("apply at the exit-entry counter by {apply_by}"),
            result: vec![
                ("entry_date", entry.to_string()),
                ("apply_by", apply_by.to_string()),
                ("waiting_for", "applicant".into()),
            ],
            due_on: apply_by.to_string(),
            ..Step::new(to.status, TimelineEvent::ResidenceEntryRecorded)
        };
        let mut tx = self.base.db.begin().await?;
        store::record_entry(&mut tx, &row, &entry.to_string(), &apply_by.to_string()).await?;
        self.commit(tx, actor, ACTION, &row, vec![step]).await
    }

    /// The applicant at the counter: paper materials checked (every missing one listed),
    /// the visit recorded, the receipt issued, the decision deadline set.
    pub async fn record_application(
        &self,
        actor: &Actor,
        case_id: &str,
        paper_materials: &[String],
        passport_lost: bool,
    ) -> Result<CaseRow, ServiceError> {
        const ACTION: &str = "residence.application";
        let row = self.officer(actor, ACTION, case_id).await?;
        // Paper materials do not depend on the employer's kind today; the catalog decides.
        let employer: EmployerKind = row.employer_kind.parse().unwrap_or(EmployerKind::Enterprise);
        let received = rules::check_paper_materials(paper_materials, passport_lost, employer)?;
        let to = step_to(&row, ResidenceCommand::Apply)?;
        let today = today_cst();
        let period = self.settings.period();
        let due = rules::decision_due(today, period, &self.calendar);
        let mut tx = self.base.db.begin().await?;
        let serial = store::next_serial(&mut tx, &format!("receipt-{today}")).await?;
        let receipt = rules::receipt_number(today, serial);
        let codes: Vec<&str> = received.iter().map(|k| k.as_str()).collect();
        let unit = period.counted_in.as_str();
        let mut result = vec![
            ("applied_on", today.to_string()),
            ("receipt_number", receipt.clone()),
            ("receipt_valid_until", due.date.to_string()),
            ("decision_due", due.date.to_string()),
            ("decision_due_counted_in", unit.to_string()),
            ("decision_due_estimated", due.estimated.to_string()),
            ("paper_materials", codes.join(",")),
            ("waiting_for", "decision".into()),
        ];
        if row.apply_by.as_deref().and_then(|d| d.parse::<NaiveDate>().ok()).is_some_and(|by| today > by) {
            result.push(("applied_late", "true".into()));
        }
        let step = Step {
            status: to.status,
            event: TimelineEvent::ResidenceApplicationReceived,
            detail: format!("receipt {receipt}; decision due {} ({} {unit})", due.date, period.days),
            result,
            counter_visit: true,
            documents_submitted: i32::try_from(received.len()).unwrap_or(i32::MAX),
            due_on: due.date.to_string(),
        };
        let application = store::Application {
            status: to.status,
            applied_on: &today.to_string(),
            paper_materials: &serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into()),
            passport_lost,
            received_by: &actor.subject,
            receipt_number: &receipt,
            receipt_valid_until: &due.date.to_string(),
            decision_due: &due.date.to_string(),
            decision_due_counted_in: unit,
            decision_due_count: i64::from(period.days),
            decision_due_estimated: due.estimated,
        };
        store::record_application(&mut tx, &row, &application).await?;
        self.commit(tx, actor, ACTION, &row, vec![step]).await
    }

    /// Schedules an interview, phone check or site visit; an open one (no outcome yet) is
    /// rescheduled instead.
    pub async fn schedule_verification(
        &self,
        actor: &Actor,
        case_id: &str,
        method: &str,
        scheduled_at: &str,
        place: &str,
    ) -> Result<CaseRow, ServiceError> {
        const ACTION: &str = "residence.verification.schedule";
        let row = self.officer(actor, ACTION, case_id).await?;
        let to = step_to(&row, ResidenceCommand::ScheduleVerification)?;
        let applied_on = date(row.applied_on.as_deref(), "application day")?;
        let due = date(row.decision_due.as_deref(), "decision deadline")?;
        let plan = rules::parse_plan(method, scheduled_at, place, applied_on, due)?;
        let current = store::current_verification(&self.base.db.pool, case_id).await?;
        let open = current.filter(|v| v.outcome.is_none());
        let mut verification = VerificationRow {
            id: uuid::Uuid::now_v7().to_string(),
            case_id: case_id.into(),
            method: plan.method.as_str().into(),
            scheduled_at: plan.at.timestamp_millis(),
            place: plan.place.clone(),
            scheduled_by: actor.subject.clone(),
            created_at: now_ms(),
            ..VerificationRow::default()
        };
        let mut tx = self.base.db.begin().await?;
        let event = match &open {
            Some(v) => {
                verification.id = v.id.clone();
                if !store::reschedule_verification(&mut tx, &verification).await? {
                    return Err(conflict(case_id, "changed_meanwhile", "the verification changed meanwhile; retry"));
                }
                TimelineEvent::ResidenceVerificationRescheduled
            }
            None => {
                store::insert_verification(&mut tx, &verification).await?;
                TimelineEvent::ResidenceVerificationScheduled
            }
        };
        let at = rfc3339(verification.scheduled_at);
        let where_ = if plan.place.is_empty() { String::new() } else { format!(" at {}", plan.place) };
        let step = Step {
            detail: format!("{} on {at}{where_}", plan.method.as_str()),
            result: vec![
                ("verification_method", plan.method.as_str().into()),
                ("verification_scheduled_at", at),
                ("verification_place", plan.place.clone()),
                ("verification_outcome", String::new()),
                ("waiting_for", "verification".into()),
            ],
            ..Step::new(to.status, event)
        };
        store::touch(&mut tx, &row).await?;
        self.commit(tx, actor, ACTION, &row, vec![step]).await
    }

    /// The outcome of the open verification. An attended interview on another day than the
    /// counter application is one more visit (trip); phone checks and site visits are not.
    pub async fn record_outcome(
        &self,
        actor: &Actor,
        case_id: &str,
        outcome: &str,
        justified: bool,
        note: &str,
    ) -> Result<CaseRow, ServiceError> {
        const ACTION: &str = "residence.verification.outcome";
        let row = self.officer(actor, ACTION, case_id).await?;
        let outcome = rules::parse_outcome(outcome, justified, note)?;
        let to = step_to(&row, ResidenceCommand::RecordVerificationOutcome)?;
        let Some(v) = store::current_verification(&self.base.db.pool, case_id).await?.filter(|v| v.outcome.is_none())
        else {
            return Err(conflict(case_id, "no_open_verification", "no verification is scheduled and open"));
        };
        let applied_on = date(row.applied_on.as_deref(), "application day")?;
        let scheduled = DateTime::<Utc>::from_timestamp_millis(v.scheduled_at).unwrap_or_default();
        let from = rules::outcome_recordable_from(outcome, scheduled, self.settings.no_show_grace());
        if Utc::now() < from {
            let at = rules::beijing_time(from);
            return Err(match outcome {
                Outcome::Attended => conflict(
                    case_id,
                    "verification_not_yet_held",
                    format!("the verification is scheduled for {at} Beijing time; record its outcome from then on"),
                ),
                Outcome::NoShow { .. } => conflict(
                    case_id,
                    "no_show_too_early",
                    format!("a no-show can be recorded from {at} Beijing time, once the appointment has passed"),
                ),
            });
        }
        let visit = outcome == Outcome::Attended
            && v.method == rules::Method::Interview.as_str()
            && rules::day_cst(scheduled) != applied_on;
        let mut tx = self.base.db.begin().await?;
        let justified = matches!(outcome, Outcome::NoShow { justified: true });
        if !store::record_outcome(&mut tx, &v.id, outcome.as_str(), justified, note.trim(), &actor.subject).await? {
            return Err(conflict(case_id, "changed_meanwhile", "the verification changed meanwhile; retry"));
        }
        let (detail, waiting_for) = match outcome {
            Outcome::Attended => (format!("{}: attended", v.method), "decision"),
            Outcome::NoShow { justified: true } => {
                (format!("{}: no-show with a justified reason", v.method), "verification")
            }
            Outcome::NoShow { justified: false } => {
                (format!("{}: no-show without a justified reason", v.method), "decision")
            }
        };
        // The officer's note stays with public security: it is not part of the case view.
        let step = Step {
            detail,
            result: vec![
                ("verification_outcome", outcome.as_str().into()),
                ("verification_justified", justified.to_string()),
                ("waiting_for", waiting_for.into()),
            ],
            counter_visit: visit,
            ..Step::new(to.status, TimelineEvent::ResidenceVerificationRecorded)
        };
        store::touch(&mut tx, &row).await?;
        self.commit(tx, actor, ACTION, &row, vec![step]).await
    }

    /// Approve (issues the residence permit) or refuse with written reasons.
    pub async fn decide(
        &self,
        actor: &Actor,
        case_id: &str,
        decision: &str,
        reasons: &[String],
    ) -> Result<CaseRow, ServiceError> {
        const ACTION: &str = "residence.decide";
        let row = self.officer(actor, ACTION, case_id).await?;
        let decision = rules::parse_decision(decision, reasons)?;
        let to = step_to(
            &row,
            match decision {
                Decision::Approve => ResidenceCommand::Approve,
                Decision::Refuse { .. } => ResidenceCommand::Refuse,
            },
        )?;
        let current = store::current_verification(&self.base.db.pool, case_id).await?;
        let today = today_cst();
        let work_permit_until: NaiveDate =
            row.permit_valid_until.parse().map_err(|_| internal("stored work permit validity is not a date"))?;
        let work_permit_from = row.permit_valid_from.parse::<NaiveDate>().ok();
        let validity = rules::validity(today, work_permit_from, work_permit_until);
        let decided_at = now_ms();
        match decision {
            Decision::Approve => {
                match current.as_ref().map(|v| v.outcome.as_deref()) {
                    Some(None) => {
                        return Err(conflict(
                            case_id,
                            "verification_pending",
                            "the scheduled verification has no outcome yet",
                        ));
                    }
                    Some(Some(o)) if o == VerificationOutcome::NoShow.as_str() => {
                        return Err(conflict(
                            case_id,
                            "verification_not_attended",
                            "the applicant missed the verification: schedule another one, or refuse",
                        ));
                    }
                    _ => {}
                }
                let (from, until) = validity.map_err(|days| {
                    conflict(
                        case_id,
                        rules::REASON_SHORT_WORK_PERMIT,
                        format!(
                            "the work permit (valid until {work_permit_until}) leaves {days} day(s); a work-type \
                             residence permit needs at least {}: wait for the permit's extension, or refuse",
                            rules::MIN_VALIDITY_DAYS
                        ),
                    )
                })?;
                let mut tx = self.base.db.begin().await?;
                let serial = store::next_serial(&mut tx, &format!("permit-{}", today.year())).await?;
                let number = rules::residence_permit_number(today.year(), serial);
                let issued = ev::ResidencePermitIssued {
                    case_id: case_id.into(),
                    residence_permit_number: number.clone(),
                    valid_from: from.to_string(),
                    valid_until: until.to_string(),
                    issued_at: rfc3339(decided_at),
                };
                // Also an `item-progressed` step: it travels in order with the other steps, so
                // the case view has the number even if the pickup overtakes the issued event.
                let step = Step {
                    detail: format!("residence permit {number}, valid {from} to {until}; ready for pickup"),
                    result: vec![
                        ("residence_permit_number", number.clone()),
                        ("valid_from", from.to_string()),
                        ("valid_until", until.to_string()),
                        ("waiting_for", "pickup".into()),
                    ],
                    ..Step::new(to.status, TimelineEvent::ResidencePermitApproved)
                };
                let approval = store::Approval {
                    status: to.status,
                    decided_at,
                    decided_by: &actor.subject,
                    residence_permit_number: &number,
                    valid_from: &from.to_string(),
                    valid_until: &until.to_string(),
                };
                store::approve(&mut tx, &row, &approval).await?;
                self.base.outbox.enqueue(&mut tx, case_id, &issued).await?;
                self.commit(tx, actor, ACTION, &row, vec![step]).await
            }
            Decision::Refuse { reasons } => {
                let grounds = Grounds {
                    unjustified_no_show: current.as_ref().is_some_and(|v| {
                        v.outcome.as_deref() == Some(VerificationOutcome::NoShow.as_str()) && v.justified == 0
                    }),
                    work_permit_too_short: validity.is_err(),
                };
                rules::check_reasons(&reasons, grounds)?;
                let written = written_reasons(&reasons);
                let codes: Vec<&str> =
                    reasons.iter().map(String::as_str).filter(|r| rules::reason_text(r).is_some()).collect();
                let step = Step {
                    detail: written.clone(),
                    result: vec![
                        ("reasons", written),
                        ("reason_codes", codes.join(",")),
                        ("decided_at", rfc3339(decided_at)),
                        ("waiting_for", "none".into()),
                    ],
                    ..Step::new(to.status, TimelineEvent::ResidencePermitRefused)
                };
                let reasons = serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into());
                let mut tx = self.base.db.begin().await?;
                store::refuse(&mut tx, &row, to.status, &reasons, decided_at, &actor.subject).await?;
                self.commit(tx, actor, ACTION, &row, vec![step]).await
            }
        }
    }

    /// The permit leaves the counter: in person (a visit), by proxy (identity recorded) or
    /// by mail (address and tracking number recorded).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_pickup(
        &self,
        actor: &Actor,
        case_id: &str,
        method: &str,
        proxy_name: &str,
        proxy_id_number: &str,
        mail_address: &str,
        mail_tracking_number: &str,
    ) -> Result<CaseRow, ServiceError> {
        const ACTION: &str = "residence.pickup";
        let row = self.officer(actor, ACTION, case_id).await?;
        let way = rules::parse_pickup(method, proxy_name, proxy_id_number, mail_address, mail_tracking_number)?;
        let to = step_to(&row, ResidenceCommand::Pickup)?;
        let now = now_ms();
        let mut pickup = store::Pickup {
            status: to.status,
            method: way.method(),
            picked_up_at: now,
            picked_up_by: &actor.subject,
            proxy_name: "",
            proxy_id_number: "",
            mail_address: "",
            mail_tracking: "",
        };
        let mut result = vec![
            ("pickup_method", way.method().to_string()),
            ("picked_up_on", today_cst().to_string()),
            ("residence_permit_number", row.residence_permit_number.clone().unwrap_or_default()),
            ("valid_from", row.rp_valid_from.clone().unwrap_or_default()),
            ("valid_until", row.rp_valid_until.clone().unwrap_or_default()),
            ("waiting_for", "none".into()),
        ];
        let detail = match &way {
            PickupWay::InPerson => "collected in person at the counter",
            PickupWay::Proxy { name, id_number } => {
                pickup.proxy_name = name;
                pickup.proxy_id_number = id_number;
                "collected by a proxy (identity recorded at the counter)"
            }
            PickupWay::Mail { address, tracking_number } => {
                pickup.mail_address = address;
                pickup.mail_tracking = tracking_number;
                result.push(("mail_tracking_number", tracking_number.clone()));
                "sent by mail"
            }
        };
        let step = Step {
            detail: detail.into(),
            result,
            counter_visit: way == PickupWay::InPerson,
            ..Step::new(to.status, TimelineEvent::ResidencePermitCollected)
        };
        let mut tx = self.base.db.begin().await?;
        store::record_pickup(&mut tx, &row, &pickup).await?;
        self.commit(tx, actor, ACTION, &row, vec![step]).await
    }

    /// Resolves a residence permit up for revocation after its work permit's cancellation:
    /// revoked from a day on (its validity ends then; the item is `cancelled`), or kept for
    /// a stated reason (the flag clears; an approved permit can then be picked up).
    pub async fn resolve_revocation(
        &self,
        actor: &Actor,
        case_id: &str,
        decision: &str,
        reason: &str,
        effective_on: &str,
    ) -> Result<CaseRow, ServiceError> {
        const ACTION: &str = "residence.revocation";
        let row = self.officer(actor, ACTION, case_id).await?;
        let until = row.rp_valid_until.as_deref().and_then(|d| d.parse::<NaiveDate>().ok()).unwrap_or(NaiveDate::MAX);
        let starts = row.rp_valid_from.as_deref().and_then(|d| d.parse::<NaiveDate>().ok());
        let earliest = starts.map_or(today_cst(), |s| s.max(today_cst()));
        let resolution = rules::parse_resolution(decision, reason, effective_on, earliest, until)?;
        let to = step_to(
            &row,
            match resolution {
                rules::Resolution::Revoke { .. } => ResidenceCommand::Revoke,
                rules::Resolution::Keep { .. } => ResidenceCommand::Keep,
            },
        )?;
        let number = row.residence_permit_number.clone().unwrap_or_default();
        let mut result = vec![
            ("revocation", resolution.as_str().to_string()),
            ("revocation_reason", resolution.reason().to_string()),
            ("residence_permit_number", number.clone()),
        ];
        let (revoked_on, step) = match &resolution {
            rules::Resolution::Revoke { last_day, reason } => {
                result.push(("valid_until", last_day.to_string()));
                result.push(("waiting_for", "none".into()));
                let step = Step {
                    detail: format!("residence permit {number} revoked, valid until {last_day}: {reason}"),
                    result,
                    ..Step::new(to.status, TimelineEvent::ResidencePermitRevoked)
                };
                (Some(last_day.to_string()), step)
            }
            rules::Resolution::Keep { reason } => {
                let waiting = if to.status == ResidenceStatus::Approved { "pickup" } else { "none" };
                result.push(("waiting_for", waiting.into()));
                let step = Step {
                    detail: format!("residence permit {number} kept: {reason}"),
                    result,
                    ..Step::new(to.status, TimelineEvent::ResidencePermitKept)
                };
                (None, step)
            }
        };
        let mut tx = self.base.db.begin().await?;
        let revocation = store::Revocation {
            to,
            decision: resolution.as_str(),
            reason: resolution.reason(),
            revoked_on: revoked_on.as_deref(),
            by: &actor.subject,
        };
        store::resolve_revocation(&mut tx, &row, &revocation).await?;
        self.commit(tx, actor, ACTION, &row, vec![step]).await
    }

    /// One page of the counter's queue with `status` (every status when empty) and, when
    /// given, the work permit, residence permit or receipt `number` (the counter's search;
    /// numbers are upper case), oldest first, and the cursor of the next page. Every problem
    /// of `status`, `limit` and `cursor` is reported at once.
    pub async fn list(
        &self,
        status: &str,
        number: &str,
        limit: i32,
        cursor: &str,
    ) -> Result<(Vec<CaseRow>, Option<String>), ServiceError> {
        let mut v = Violations::new();
        // `revocation_pending` is a shown status (issued, its work permit cancelled): the
        // officers' list of permits to resolve.
        let flagged = status.trim() == residence::REVOCATION_PENDING;
        let parsed = if flagged { None } else { known(&mut v, "status", status, ResidenceStatus::ALL) };
        let page = Page::read(&mut v, limit, cursor, 2, platform::paging::ms_and_id);
        let Some((page, after)) = page.filter(|_| v.is_empty()) else { return Err(v.into()) };
        let number: String = number.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        let filter = store::Filter { status: parsed, flagged, number: &number };
        let rows = store::list(&self.base.db.pool, &filter, after, page.fetch()).await?;
        Ok(page.finish(rows, cursor_key))
    }
}

#[cfg(test)]
#[path = "desk_tests.rs"]
mod tests;
