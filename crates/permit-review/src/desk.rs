//! A department's permit desk: applications arrive from `case-accepted`, reviewers decide
//! (approve, refuse, or ask for supplements), supplements come back from `case-supplemented`,
//! and an issued permit is changed, extended or cancelled.
//!
//! Every command goes through [`permit::transition`]; a state change is then one
//! transaction: the UPDATE at the version the permit was read at (a concurrent change in
//! between is the lost race, [`ServiceError::Aborted`]), its event in the outbox and its
//! audit record.

use platform::audit::{Access, Audit};
use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::Violations;
use domain::calendar::{Calendar, Counted};
use domain::case::{Category, Department};
use domain::materials::{Catalog, MaterialKind};
use domain::province::ProvinceProfile;
use domain::sharing::{PersonField, Purpose};
use domain::states::TransitionError;
use domain::states::permit::{self, PermitCommand, PermitStatus};
use domain::{Actor, HasCode, Role};
use onething_proto::events as ev;
use onething_proto::{FromWire, ToWire};
use platform::ServiceError;
use platform::app::Base;
use platform::events::consumer::{Context, Handler, HandlerError};
use platform::paging::{Page, known};
use platform::sharing::ShareSource;
use platform::time::{now_ms, now_rfc3339, rfc3339, today_cst};
use prost::Message;

use crate::document::{DocumentFont, PermitDocument};
use crate::lifecycle::{self, PermitChange};
use crate::rules::{self, VerificationCode};
use crate::store::{self, Decision, NewPermit, PermitRow, Step};

static CALENDAR: LazyLock<Calendar> = LazyLock::new(Calendar::embedded);
static PROVINCE: LazyLock<ProvinceProfile> = LazyLock::new(ProvinceProfile::gansu);

#[derive(Clone)]
pub struct PermitDesk {
    pub base: Base,
    pub department: Department,
    /// Asks service-center for the applicant fields the review and the e-permit need.
    pub sharing: Arc<dyn ShareSource>,
    /// The font of the electronic permits; `None`: downloads are unavailable (unit tests).
    pub font: Option<DocumentFont>,
}

/// The holder's fields printed on the e-permit (the sharing policy's `work_permit_document`).
const DOCUMENT_FIELDS: &[PersonField] =
    &[PersonField::Surname, PersonField::GivenNames, PersonField::Nationality, PersonField::PassportNumber];

/// The office that issues a permit of `category` for the application's employer, as the
/// classification names it (`ProvinceProfile::issuer`).
fn issuer_for(category: Category, a: &ev::CaseAccepted) -> String {
    let region = a.employer.as_ref().map(|e| e.region_code.as_str()).filter(|r| !r.is_empty());
    PROVINCE.issuer(category, region)
}

/// The permit's issuing office: the one named when it opened; for rows from before the
/// office was kept, derived from the stored application.
pub fn issuer_of(row: &PermitRow) -> String {
    if let Some(issuer) = row.issuer.as_deref().filter(|i| !i.is_empty()) {
        return issuer.to_string();
    }
    match (row.category.parse::<Category>(), decode_application(&row.application)) {
        (Ok(category), Ok(a)) => issuer_for(category, &a),
        _ => String::new(),
    }
}

/// What `VerifyPermit` answers for a code: valid with the permit's public facts, or
/// invalid and nothing else (an unknown code, a cancelled or an expired permit look alike).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verification {
    pub valid: bool,
    pub permit_number: String,
    pub valid_until: String,
    pub issuer: String,
}

/// A share that failed while a person waits: the owner down is retryable, a refusal by
/// the policy is this system's fault.
fn share_failed(e: HandlerError) -> ServiceError {
    match e {
        HandlerError::Retry(e) => ServiceError::Unavailable(format!("service-center: {e:#}")),
        HandlerError::Reject(e) => ServiceError::Internal(e),
    }
}

/// A reviewer's decision, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermitDecision {
    Approve,
    Refuse {
        reasons: Vec<String>,
    },
    /// Ask the employer to supply `materials` again (one notice), with the reviewer's note.
    Supplement {
        materials: Vec<MaterialKind>,
        note: String,
    },
}

impl PermitDecision {
    pub fn parse(
        decision: &str,
        reasons: &[String],
        materials: &[String],
        note: &str,
    ) -> Result<PermitDecision, Violations> {
        let mut v = Violations::new();
        match decision {
            "approve" => return Ok(PermitDecision::Approve),
            "refuse" => {
                let reasons: Vec<String> =
                    reasons.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
                if reasons.is_empty() {
                    v.push("reasons", "required", "a refusal states its reasons in writing");
                } else {
                    return Ok(PermitDecision::Refuse { reasons });
                }
            }
            "supplement" => {
                let kinds = supplement_materials(&mut v, materials);
                let note = note.trim();
                if note.chars().count() > 1000 {
                    v.push("note", "too_long", "note has at most 1000 characters");
                }
                if v.is_empty() {
                    return Ok(PermitDecision::Supplement { materials: kinds, note: note.to_string() });
                }
            }
            "" => v.push("decision", "required", "decision is required: approve, refuse or supplement"),
            other => {
                v.push("decision", "unknown_value", format!("{other:?} is not one of approve, refuse, supplement"))
            }
        }
        Err(v)
    }

    /// The command of the permit's state machine.
    fn command(&self) -> PermitCommand {
        match self {
            PermitDecision::Approve => PermitCommand::Approve,
            PermitDecision::Refuse { .. } => PermitCommand::Refuse,
            PermitDecision::Supplement { .. } => PermitCommand::RequestSupplement,
        }
    }
}

/// The materials of a supplement request: known codes of materials the employer uploads
/// (system forms are generated, paper ones are handed over at the counter), each once.
fn supplement_materials(v: &mut Violations, materials: &[String]) -> Vec<MaterialKind> {
    if materials.is_empty() {
        v.push("materials", "required", "a supplement request names the materials to supply");
    }
    let catalog = Catalog::embedded();
    let mut kinds: Vec<MaterialKind> = Vec::new();
    for (i, code) in materials.iter().enumerate() {
        let field = format!("materials[{i}]");
        let Some(kind) = v.take(&field, code.trim().parse::<MaterialKind>()) else { continue };
        if !catalog.info(kind).is_online() {
            v.push(
                field,
                "not_supplementable",
                format!(
                    "{kind} is not uploaded by the employer (it is generated by the system or handed over on paper)"
                ),
            );
        } else if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

/// The date in China Standard Time of an epoch-millisecond timestamp.
fn cst_date(ms: i64) -> NaiveDate {
    (DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default() + chrono::Duration::hours(8)).date_naive()
}

/// Working days the permit has waited for its department (see [`rules::waiting_working_days`]).
pub fn waiting(row: &PermitRow, today: NaiveDate) -> Counted {
    let until = match row.status {
        PermitStatus::InReview => today,
        PermitStatus::SupplementRequested => row.supplement_requested_at.map(cst_date).unwrap_or(today),
        PermitStatus::Approved | PermitStatus::Refused | PermitStatus::Cancelled => {
            row.decided_at.map(cst_date).unwrap_or(today)
        }
    };
    let paused = u32::try_from(row.paused_working_days).unwrap_or(0);
    rules::waiting_working_days(&CALENDAR, cst_date(row.opened_at), until, paused)
}

pub fn decode_application(b64: &str) -> Result<ev::CaseAccepted, ServiceError> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|e| ServiceError::Internal(e.into()))?;
    let a = ev::CaseAccepted::decode(bytes.as_slice()).map_err(|e| ServiceError::Internal(e.into()))?;
    // An application stored before the events' enums (2026-12-02) has neither: refuse to act
    // on it rather than publish a permit without its items (docs/operations.md).
    Category::from_wire(a.category, "category").map_err(|e| ServiceError::Internal(e.into()))?;
    if !domain::case::Item::from_wire_all(&a.items, "items").is_ok_and(|i| i.contains(&domain::case::Item::WorkPermit))
    {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "the stored application of case {} has no items",
            a.case_id
        )));
    }
    Ok(a)
}

fn encode_application(a: &ev::CaseAccepted) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(a.encode_to_vec())
}

fn parse_date(s: &str) -> Result<NaiveDate, ServiceError> {
    s.parse::<NaiveDate>().map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored date {s:?}: {e}")))
}

fn validity_of(
    category: Category,
    a: &ev::CaseAccepted,
    passport_expiry: &str,
) -> Result<(NaiveDate, NaiveDate), ServiceError> {
    let position = a.position.clone().unwrap_or_default();
    Ok(rules::validity(
        category,
        today_cst(),
        parse_date(&position.start_date)?,
        position.contract_months.max(0) as u32,
        parse_date(passport_expiry)?,
    ))
}

/// The person of the application (service-center's key; absent on cases accepted before
/// events carried it).
fn person_key_of(a: &ev::CaseAccepted) -> Option<String> {
    (!a.person_key.is_empty()).then(|| a.person_key.clone())
}

/// A command the permit's state forbids: a conflict under the machine's stable code.
fn refused(case_id: &str, e: TransitionError) -> ServiceError {
    ServiceError::conflict(e.code(), format!("case/{case_id}"), e.message())
}

/// The step `command` makes from the permit's status, or the conflict that forbids it.
fn step(row: &PermitRow, command: PermitCommand) -> Result<Step, ServiceError> {
    let to = permit::transition(Some(row.status), &command).map_err(|e| refused(&row.case_id, e))?;
    Ok(Step { from: row.status, to })
}

/// The key of a permit in the queue's order: `opened_at` exactly as `Permit.opened_at`
/// shows it, then the case id (the gateway builds the same cursor when it merges desks).
pub fn cursor_key(row: &PermitRow) -> Vec<String> {
    vec![rfc3339(row.opened_at), row.case_id.clone()]
}

impl PermitDesk {
    pub fn new(base: Base, department: Department) -> anyhow::Result<PermitDesk> {
        let sharing = base.sharing()?;
        Ok(PermitDesk::with_sharing(base, department, sharing))
    }

    pub fn with_sharing(base: Base, department: Department, sharing: Arc<dyn ShareSource>) -> PermitDesk {
        PermitDesk { base, department, sharing, font: None }
    }

    /// The desk that renders e-permits in `font`.
    pub fn with_font(self, font: DocumentFont) -> PermitDesk {
        PermitDesk { font: Some(font), ..self }
    }

    fn owns(&self, category: Category) -> bool {
        category.department() == self.department
    }

    fn may_read(&self, actor: &Actor) -> bool {
        actor.is_staff_of(self.department) || actor.role.is_operator()
    }

    /// Only a reviewer of this department acts on its permits; a refusal is audited.
    async fn require_reviewer(&self, actor: &Actor, action: &str, case_id: &str) -> Result<(), ServiceError> {
        if actor.is_staff_of(self.department) && actor.is(Role::Reviewer) {
            return Ok(());
        }
        actor.audit(&self.base.db, action, &format!("case/{case_id}"), "denied").await?;
        Err(ServiceError::PermissionDenied(format!(
            "only a reviewer of {} may do this on its permits",
            self.department
        )))
    }

    async fn load(&self, case_id: &str) -> Result<PermitRow, ServiceError> {
        store::get(&self.base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("work permit", case_id))
    }

    pub async fn get(&self, actor: &Actor, case_id: &str) -> Result<PermitRow, ServiceError> {
        if !self.may_read(actor) {
            return Err(ServiceError::PermissionDenied(format!(
                "only staff of {} may read its permits",
                self.department
            )));
        }
        let row = self.load(case_id).await?;
        self.audit_reads(actor, std::slice::from_ref(&row)).await?;
        Ok(row)
    }

    /// One access-log entry per permit shown: whose (the application's person key), why.
    async fn audit_reads(&self, actor: &Actor, rows: &[PermitRow]) -> Result<(), ServiceError> {
        let people: Vec<Option<String>> =
            rows.iter().map(|r| decode_application(&r.application).ok().as_ref().and_then(person_key_of)).collect();
        let resources: Vec<String> = rows.iter().map(|r| format!("case/{}/work_permit", r.case_id)).collect();
        let purpose = platform::audit::Purpose::of(actor.role).as_str();
        let reads: Vec<Access> = rows
            .iter()
            .zip(&people)
            .zip(&resources)
            .map(|((r, person), resource)| Access {
                action: "permit.read",
                resource,
                case_id: Some(&r.case_id),
                person: person.as_deref(),
                purpose: Some(purpose),
                outcome: "allowed",
                ..Access::default()
            })
            .collect();
        actor.audit_accesses(&self.base.db, &reads).await
    }

    /// One page of the department's permits with `status` (every status when empty),
    /// oldest first, and the cursor of the next page (`None` on the last one). Every problem
    /// of `status`, `limit` and `cursor` is reported at once.
    pub async fn list(
        &self,
        actor: &Actor,
        status: &str,
        limit: i32,
        cursor: &str,
    ) -> Result<(Vec<PermitRow>, Option<String>), ServiceError> {
        if !self.may_read(actor) {
            return Err(ServiceError::PermissionDenied(format!(
                "only staff of {} and operators may list its permits",
                self.department
            )));
        }
        let mut v = Violations::new();
        let status = known(&mut v, "status", status, PermitStatus::ALL);
        // The key's time is `Permit.opened_at` as the API shows it (see [`cursor_key`]).
        let page = Page::read(&mut v, limit, cursor, 2, |k| {
            Some((chrono::DateTime::parse_from_rfc3339(&k[0]).ok()?.timestamp_millis(), k[1].clone()))
        });
        let Some((page, after)) = page.filter(|_| v.is_empty()) else { return Err(v.into()) };
        let after = after.as_ref().map(|(at, id)| (*at, id.as_str()));
        let rows = store::list(&self.base.db.pool, status, after, page.fetch()).await?;
        let (rows, next) = page.finish(rows, cursor_key);
        self.audit_reads(actor, &rows).await?;
        Ok((rows, next))
    }

    /// Records a decision. Only a reviewer of this department decides, and only a permit
    /// in review.
    pub async fn decide(
        &self,
        actor: &Actor,
        case_id: &str,
        decision: PermitDecision,
    ) -> Result<PermitRow, ServiceError> {
        self.require_reviewer(actor, "permit.decide", case_id).await?;
        let row = self.load(case_id).await?;
        let step = step(&row, decision.command())?;
        let application = decode_application(&row.application)?;
        let category: Category = row.category.parse().map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        let now = now_ms();
        let at = rfc3339(now);
        let mut tx = self.base.db.begin().await?;
        match &decision {
            PermitDecision::Approve => {
                let (from, until) = validity_of(category, &application, &row.passport_expiry)?;
                let number = self.number_for(&mut tx, category, &application, now).await?;
                let code = VerificationCode::generate();
                let issuer = issuer_of(&row);
                store::decide(
                    &mut tx,
                    &row,
                    &Decision {
                        status: step.to,
                        permit_number: Some(&number),
                        valid_from: Some(from.to_string()),
                        valid_until: Some(until.to_string()),
                        reasons: &[],
                        decided_at: now,
                        decided_by: &actor.subject,
                        verification_code: Some(code.as_str()),
                        issuer: Some(&issuer),
                    },
                )
                .await?;
                let event = ev::PermitApproved {
                    case_id: case_id.into(),
                    department: self.department.wire(),
                    permit_number: number,
                    category: category.wire(),
                    valid_from: from.to_string(),
                    valid_until: until.to_string(),
                    items: application.items.clone(),
                    employer: application.employer.clone(),
                    person_key: application.person_key.clone(),
                    position: application.position.clone(),
                    decided_at: at.clone(),
                    case_no: row.case_no.clone(),
                    issuer,
                };
                self.base.outbox.enqueue(&mut tx, case_id, &event).await?;
            }
            PermitDecision::Refuse { reasons } => {
                store::decide(
                    &mut tx,
                    &row,
                    &Decision {
                        status: step.to,
                        permit_number: None,
                        valid_from: None,
                        valid_until: None,
                        reasons,
                        decided_at: now,
                        decided_by: &actor.subject,
                        verification_code: None,
                        issuer: None,
                    },
                )
                .await?;
                let event = ev::PermitRefused {
                    case_id: case_id.into(),
                    department: self.department.wire(),
                    reasons: reasons.clone(),
                    decided_at: at.clone(),
                };
                self.base.outbox.enqueue(&mut tx, case_id, &event).await?;
            }
            PermitDecision::Supplement { materials, note } => {
                let codes: Vec<&str> = materials.iter().map(|m| m.as_str()).collect();
                store::request_supplement(&mut tx, &row, step.to, &codes, note, now).await?;
                let event = ev::PermitSupplementRequested {
                    case_id: case_id.into(),
                    department: self.department.wire(),
                    materials: codes.iter().map(|c| c.to_string()).collect(),
                    note: note.clone(),
                    requested_at: at.clone(),
                };
                self.base.outbox.enqueue(&mut tx, case_id, &event).await?;
            }
        }
        let outcome = step.to.as_str();
        store::audit(&mut tx, actor, "permit.decide", &format!("case/{case_id}"), outcome).await?;
        tx.commit().await?;
        self.base.outbox.wake();
        tracing::info!(case_id, department = %self.department, outcome, "work permit decided");
        self.load(case_id).await
    }

    /// The person's lifelong number (一人一号), issued on their first approval at this desk.
    async fn number_for(
        &self,
        tx: &mut platform::db::Tx<'_>,
        category: Category,
        application: &ev::CaseAccepted,
        now: i64,
    ) -> Result<String, ServiceError> {
        let key = person_key_of(application);
        if let Some(key) = &key
            && let Some(number) = store::person_number(tx, key).await?
        {
            return Ok(number);
        }
        let year = today_cst().year();
        let serial = store::next_serial(tx, &format!("{}-{year}", self.department)).await?;
        let candidate = rules::permit_number(category, year, serial);
        let Some(key) = key else { return Ok(candidate) };
        store::claim_person_number(tx, &key, &candidate, now)
            .await?
            .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("permit number {candidate} is already taken")))
    }

    /// Changes employer details or the position of an approved permit.
    /// Returns the permit and the fields that changed; a request that changes nothing
    /// answers the permit as it is and emits nothing (a retried request is harmless).
    pub async fn change(
        &self,
        actor: &Actor,
        case_id: &str,
        change: &PermitChange,
    ) -> Result<(PermitRow, Vec<String>), ServiceError> {
        self.require_reviewer(actor, "permit.change", case_id).await?;
        let row = self.load(case_id).await?;
        step(&row, PermitCommand::Change)?;
        let mut application = decode_application(&row.application)?;
        let changed = lifecycle::apply_change(&mut application, change, &PROVINCE, today_cst())?;
        if changed.is_empty() {
            return Ok((row, changed));
        }
        let now = now_ms();
        let mut tx = self.base.db.begin().await?;
        store::change_application(&mut tx, &row, &encode_application(&application), now).await?;
        let event = ev::PermitChanged {
            case_id: case_id.into(),
            department: self.department.wire(),
            permit_number: row.permit_number.clone().unwrap_or_default(),
            employer: application.employer.clone(),
            position: application.position.clone(),
            changed_fields: changed.clone(),
            valid_until: row.valid_until.clone().unwrap_or_default(),
            changed_at: rfc3339(now),
        };
        self.base.outbox.enqueue(&mut tx, case_id, &event).await?;
        store::audit(&mut tx, actor, "permit.change", &format!("case/{case_id}"), &changed.join(",")).await?;
        tx.commit().await?;
        self.base.outbox.wake();
        tracing::info!(case_id, department = %self.department, changed = ?changed, "work permit changed");
        Ok((self.load(case_id).await?, changed))
    }

    /// Extends an approved permit that has not expired, for a new contract of
    /// `contract_months` from today.
    pub async fn extend(&self, actor: &Actor, case_id: &str, contract_months: i64) -> Result<PermitRow, ServiceError> {
        self.require_reviewer(actor, "permit.extend", case_id).await?;
        let row = self.load(case_id).await?;
        step(&row, PermitCommand::Extend)?;
        let today = today_cst();
        let valid_until = parse_date(row.valid_until.as_deref().unwrap_or_default())?;
        if today > valid_until {
            return Err(ServiceError::conflict(
                "expired",
                format!("case/{case_id}"),
                format!("the work permit expired on {valid_until}; an extension is asked before expiry"),
            ));
        }
        let category: Category = row.category.parse().map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        let mut application = decode_application(&row.application)?;
        let passport_expiry = parse_date(&row.passport_expiry)?;
        let (from, until) = lifecycle::extension(category, today, contract_months, passport_expiry, valid_until)?;
        // The new contract becomes the position's contract.
        let mut position = application.position.clone().unwrap_or_default();
        position.start_date = today.to_string();
        position.contract_months = i32::try_from(contract_months).unwrap_or(i32::MAX);
        application.position = Some(position);
        let now = now_ms();
        let mut tx = self.base.db.begin().await?;
        let (from, until) = (from.to_string(), until.to_string());
        let app = encode_application(&application);
        store::extend(&mut tx, &row, &app, &from, &until, now).await?;
        let event = ev::PermitExtended {
            case_id: case_id.into(),
            department: self.department.wire(),
            permit_number: row.permit_number.clone().unwrap_or_default(),
            valid_from: from,
            valid_until: until.clone(),
            extended_at: rfc3339(now),
        };
        self.base.outbox.enqueue(&mut tx, case_id, &event).await?;
        store::audit(&mut tx, actor, "permit.extend", &format!("case/{case_id}"), &format!("valid_until={until}"))
            .await?;
        tx.commit().await?;
        self.base.outbox.wake();
        tracing::info!(case_id, department = %self.department, "work permit extended");
        self.load(case_id).await
    }

    /// Cancels an approved permit, with its written reason.
    pub async fn cancel(&self, actor: &Actor, case_id: &str, reason: &str) -> Result<PermitRow, ServiceError> {
        self.require_reviewer(actor, "permit.cancel", case_id).await?;
        let row = self.load(case_id).await?;
        let step = step(&row, PermitCommand::Cancel)?;
        let reason = lifecycle::cancellation_reason(reason)?;
        let now = now_ms();
        let mut tx = self.base.db.begin().await?;
        store::cancel(&mut tx, &row, step.to, &reason, now).await?;
        let event = ev::PermitCancelled {
            case_id: case_id.into(),
            department: self.department.wire(),
            permit_number: row.permit_number.clone().unwrap_or_default(),
            reason,
            cancelled_at: rfc3339(now),
        };
        self.base.outbox.enqueue(&mut tx, case_id, &event).await?;
        store::audit(&mut tx, actor, "permit.cancel", &format!("case/{case_id}"), step.to.as_str()).await?;
        tx.commit().await?;
        self.base.outbox.wake();
        tracing::info!(case_id, department = %self.department, "work permit cancelled");
        self.load(case_id).await
    }

    /// The electronic permit of an approved permit, for its employer (the application's
    /// credit code) and its holder (the permit number as the token's subject); anyone else
    /// finds nothing, exactly as for a case that does not exist. The holder's name and
    /// passport come from service-center (`work_permit_document`); the download is written
    /// to the access log in the transaction that reads them.
    pub async fn document(&self, actor: &Actor, case_id: &str) -> Result<(PermitRow, Vec<u8>), ServiceError> {
        const ACTION: &str = "permit.document";
        let resource = format!("case/{case_id}/work_permit/document");
        let row = store::get(&self.base.db.pool, case_id).await?;
        let application = row.as_ref().map(|r| decode_application(&r.application)).transpose()?;
        let owner = match (&row, &application, actor.role) {
            (Some(_), Some(a), Role::Employer) => a.employer.as_ref().is_some_and(|e| e.credit_code == actor.subject),
            (Some(r), _, Role::Foreigner) => r.permit_number.as_deref() == Some(actor.subject.as_str()),
            _ => false,
        };
        let (Some(row), Some(application), true) = (row, application, owner) else {
            let refused = Access { action: ACTION, resource: &resource, outcome: "not_found", ..Access::default() };
            actor.audit_access(&self.base.db, refused).await?;
            return Err(ServiceError::not_found("work permit", case_id));
        };
        if row.status != PermitStatus::Approved {
            return Err(ServiceError::conflict(
                "not_approved",
                format!("case/{case_id}"),
                format!("the work permit is {}; only an approved permit has an electronic permit", row.status.as_str()),
            ));
        }
        let font = self
            .font
            .as_ref()
            .ok_or_else(|| ServiceError::Unavailable("this desk renders no electronic permits".into()))?;
        let mut tx = self.base.db.begin().await?;
        let code = match row.verification_code.clone() {
            Some(code) => code,
            // Approved before codes existed: its code is made now, once.
            None => store::ensure_code(&mut tx, case_id, VerificationCode::generate().as_str())
                .await?
                .ok_or_else(|| ServiceError::not_found("work permit", case_id))?,
        };
        let shared = self
            .sharing
            .share(&mut tx, case_id, Purpose::WorkPermitDocument, DOCUMENT_FIELDS)
            .await
            .map_err(share_failed)?;
        let holder = shared.applicant.unwrap_or_default();
        let person = person_key_of(&application).or_else(|| Some(shared.person_key).filter(|k| !k.is_empty()));
        let fields: Vec<&str> = DOCUMENT_FIELDS.iter().map(|f| f.as_str()).collect();
        let employer = application.employer.clone().unwrap_or_default();
        let position = application.position.clone().unwrap_or_default();
        let document = PermitDocument {
            holder: format!("{} {}", holder.surname, holder.given_names).trim().to_string(),
            nationality: holder.nationality,
            passport_number: holder.passport_number,
            permit_number: row.permit_number.clone().unwrap_or_default(),
            category: row.category.clone(),
            valid_from: row.valid_from.clone().unwrap_or_default(),
            valid_until: row.valid_until.clone().unwrap_or_default(),
            employer: employer.name,
            position: position.title,
            issuer: issuer_of(&row),
            issued_on: row.decided_at.map(|ms| cst_date(ms).to_string()).unwrap_or_default(),
            verification_code: code.clone(),
        };
        let pdf = crate::document::render(font, &document).map_err(ServiceError::Internal)?;
        let read = Access {
            action: ACTION,
            resource: &resource,
            case_id: Some(case_id),
            person: person.as_deref(),
            fields: &fields,
            purpose: Some(platform::audit::Purpose::of(actor.role).as_str()),
            outcome: "allowed",
        };
        actor.audit_access_in(&mut tx, read).await?;
        tx.commit().await?;
        tracing::info!(case_id, department = %self.department, "electronic work permit downloaded");
        Ok((PermitRow { verification_code: Some(code), ..row }, pdf))
    }

    /// Whether the permit printed with `code` is valid today (no caller needed, nothing
    /// personal answered).
    pub async fn verify(&self, code: &str) -> Result<Verification, ServiceError> {
        let Some(code) = VerificationCode::parse(code) else { return Ok(Verification::default()) };
        let Some(row) = store::by_code(&self.base.db.pool, code.as_str()).await? else {
            return Ok(Verification::default());
        };
        if !rules::is_valid(row.status, row.valid_until.as_deref(), today_cst()) {
            return Ok(Verification::default());
        }
        Ok(Verification {
            valid: true,
            permit_number: row.permit_number.clone().unwrap_or_default(),
            valid_until: row.valid_until.clone().unwrap_or_default(),
            issuer: issuer_of(&row),
        })
    }

    /// Gives every person with a permit issued before `permit_persons` existed their row,
    /// so their next case reuses the number. Idempotent; run at start-up.
    pub async fn backfill_persons(&self) -> anyhow::Result<usize> {
        let mut added = 0;
        for (application, number) in store::issued_without_person(&self.base.db.pool).await? {
            let Some(key) = decode_application(&application).ok().as_ref().and_then(person_key_of) else { continue };
            let mut tx = self.base.db.begin().await?;
            if store::claim_person_number(&mut tx, &key, &number, now_ms()).await?.as_deref() == Some(number.as_str()) {
                added += 1;
            }
            tx.commit().await?;
        }
        if added > 0 {
            tracing::info!(department = %self.department, added, "permit numbers registered to their persons");
        }
        Ok(added)
    }
}

/// Opens the application when the case's category belongs to this department.
#[async_trait]
impl Handler<ev::CaseAccepted> for PermitDesk {
    async fn handle(&self, e: ev::CaseAccepted, cx: Context<'_>) -> Result<(), HandlerError> {
        let category = Category::from_wire(e.category, "category")?;
        if !self.owns(category) {
            return Ok(());
        }
        let Ok(status) = permit::transition(None, &PermitCommand::Open) else { return Ok(()) };
        // The permit never outlasts the passport: the one field of the person the desk needs.
        let shared =
            self.sharing.share(cx.tx, &e.case_id, Purpose::WorkPermitReview, &[PersonField::PassportExpiry]).await?;
        let passport_expiry = shared.applicant.unwrap_or_default().passport_expiry;
        let row = NewPermit {
            case_id: &e.case_id,
            case_no: &e.case_no,
            department: self.department.as_str(),
            category: category.as_str(),
            status,
            application: encode_application(&e),
            passport_expiry: &passport_expiry,
            issuer: &issuer_for(category, &e),
            opened_at: now_ms(),
        };
        if store::open(cx.tx, &row).await? {
            let opened = ev::PermitApplicationOpened {
                case_id: e.case_id.clone(),
                department: self.department.wire(),
                opened_at: now_rfc3339(),
            };
            cx.outbox.enqueue(cx.tx, &e.case_id, &opened).await?;
        }
        Ok(())
    }
}

/// The employer supplied the requested materials: the permit is back in review (only at
/// the desk that holds it, and only once).
#[async_trait]
impl Handler<ev::CaseSupplemented> for PermitDesk {
    async fn handle(&self, e: ev::CaseSupplemented, cx: Context<'_>) -> Result<(), HandlerError> {
        let Some(row) = store::get_in(cx.tx, &e.case_id).await? else { return Ok(()) };
        // Refused by the machine: a late or replayed event, nothing to do.
        let Ok(to) = permit::transition(Some(row.status), &PermitCommand::Supplied) else { return Ok(()) };
        let today = today_cst();
        let paused = row
            .supplement_requested_at
            .map(|at| CALENDAR.working_days_between(cst_date(at), today).days)
            .unwrap_or_default();
        let now = now_ms();
        // A change in between is the lost race: the event is retried on the new state.
        store::supplement_received(cx.tx, &row, to, i64::from(paused), now).await?;
        let mut kinds: Vec<&str> = e.materials.iter().map(|m| m.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let at = rfc3339(now);
        let progressed = ev::ItemProgressed {
            case_id: e.case_id.clone(),
            item: domain::case::Item::WorkPermit.wire(),
            department: self.department.wire(),
            status: to.item_status().wire(),
            result: [("supplemented_at".to_string(), at.clone())].into_iter().collect(),
            event: domain::case::TimelineEvent::SupplementReceived.as_str().into(),
            detail: format!("materials supplied: {}", kinds.join(", ")),
            at,
            ..Default::default()
        };
        cx.outbox.enqueue(cx.tx, &e.case_id, &progressed).await?;
        tracing::info!(case_id = %e.case_id, department = %self.department, "supplement received; back in review");
        Ok(())
    }
}

#[cfg(test)]
mod tests;
