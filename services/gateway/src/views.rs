//! The JSON every route answers, as typed views converted `From` the services' messages.
//! The OpenAPI document is generated from these same types, so the two cannot disagree.
//! Empty strings of the messages become `null` where the contract says a value may be
//! absent.

use std::collections::BTreeMap;

use onething_proto::onething::hrss::v1 as hp;
use onething_proto::onething::permit::v1 as pp;
use onething_proto::onething::publicsecurity::v1 as ps;
use onething_proto::onething::servicecenter::v1 as sc;
use serde::Serialize;
use utoipa::ToSchema;

/// `None` for the empty string the services send for "absent".
pub fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// One page of a list (API.md, Additions: paging).
#[derive(Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass it as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    pub fn new(items: Vec<T>, next_cursor: &str) -> Page<T> {
        Page { items, next_cursor: opt(next_cursor) }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Token {
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Status {
    pub status: String,
}

// ---- cases -------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct EmployerRef {
    pub credit_code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Due {
    pub committed: String,
    pub statutory: String,
    /// Some day counted lies in a year without holiday data (weekends only).
    pub estimated: bool,
    /// The deadline clock is stopped since this date (a supplement request is open).
    pub paused_since: Option<String>,
    /// Working days from today (Beijing) to `committed`; negative once it has passed.
    pub working_days_left: i32,
}

#[derive(Serialize, ToSchema)]
pub struct CaseItem {
    pub item: String,
    pub department: String,
    pub status: String,
    /// Result fields of the item (permit number and validity, social security number, receipt, …).
    pub result: BTreeMap<String, String>,
    pub updated_at: String,
    pub due_on: Option<String>,
    pub decided_on: Option<String>,
    /// Working days from today (Beijing) to `due_on`; negative once it has passed.
    pub working_days_left: Option<i32>,
}

impl From<&sc::CaseItem> for CaseItem {
    fn from(i: &sc::CaseItem) -> Self {
        CaseItem {
            item: i.item.clone(),
            department: i.department.clone(),
            status: i.status.clone(),
            result: i.result.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            updated_at: i.updated_at.clone(),
            due_on: opt(&i.due_on),
            decided_on: opt(&i.decided_on),
            working_days_left: i.working_days_left,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    pub at: String,
    pub event: String,
    pub item: String,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct Evaluation {
    pub item: String,
    pub rating: i32,
    pub comment: String,
    pub at: String,
}

impl From<&sc::Evaluation> for Evaluation {
    fn from(e: &sc::Evaluation) -> Self {
        Evaluation { item: e.item.clone(), rating: e.rating, comment: e.comment.clone(), at: e.at.clone() }
    }
}

/// A consultation or complaint on a case, with its answer.
#[derive(Serialize, ToSchema)]
pub struct Message {
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub text: String,
    pub author_role: String,
    pub at: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
}

impl From<&sc::CaseMessage> for Message {
    fn from(m: &sc::CaseMessage) -> Self {
        Message {
            id: m.id.clone(),
            kind: m.kind.clone(),
            channel: m.channel.clone(),
            text: m.text.clone(),
            author_role: m.author_role.clone(),
            at: m.at.clone(),
            answer: opt(&m.answer),
            answered_by: opt(&m.answered_by),
            answered_at: opt(&m.answered_at),
        }
    }
}

/// A case in a list: its items' statuses and dates, without timeline, notices or messages.
#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub case_no: String,
    pub status: String,
    pub category: String,
    pub employer: EmployerRef,
    pub submitted_at: String,
    pub accepted_on: String,
    pub due: Due,
    pub items: Vec<CaseItem>,
}

impl From<&sc::Case> for CaseSummary {
    fn from(c: &sc::Case) -> Self {
        let d = c.due.clone().unwrap_or_default();
        CaseSummary {
            id: c.id.clone(),
            case_no: c.case_no.clone(),
            status: c.status.clone(),
            category: c.category.clone(),
            employer: EmployerRef { credit_code: c.employer_credit_code.clone(), name: c.employer_name.clone() },
            submitted_at: c.submitted_at.clone(),
            accepted_on: c.accepted_on.clone(),
            due: Due {
                committed: d.committed,
                statutory: d.statutory,
                estimated: d.estimated,
                paused_since: opt(&c.clock_paused_on),
                working_days_left: d.working_days_left,
            },
            items: c.items.iter().map(CaseItem::from).collect(),
        }
    }
}

/// What the employer is told: a refusal's reasons or a supplement request.
#[derive(Serialize, ToSchema)]
pub struct Notice {
    /// `refusal` or `supplement_requested`.
    pub kind: String,
    pub text: String,
    pub at: String,
    /// For a supplement request: the day the materials were supplied; `null` while open.
    pub answered_on: Option<String>,
    /// For a supplement request: the material codes asked for (`text` is the reviewer's note).
    pub materials: Vec<String>,
}

impl From<&sc::Notice> for Notice {
    fn from(n: &sc::Notice) -> Self {
        Notice {
            kind: n.kind.clone(),
            text: n.text.clone(),
            at: n.at.clone(),
            answered_on: opt(&n.answered_on),
            materials: n.materials.clone(),
        }
    }
}

/// The one-thing case with all four items, its notices and history.
#[derive(Serialize, ToSchema)]
pub struct Case {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub notices: Vec<Notice>,
    pub timeline: Vec<TimelineEntry>,
    pub evaluations: Vec<Evaluation>,
    pub messages: Vec<Message>,
    /// The case's files (uploads and generated forms), each readable at
    /// `GET /api/v1/materials/{id}`: listed to the employer and the staff of its departments.
    pub materials: Vec<Material>,
    /// How the category was reached (points per factor); absent for cases accepted before
    /// it was kept.
    pub classification: Option<CaseClassification>,
    /// The office that issues the work permit: the issued permit's, before that the one the
    /// classification names (the Lanzhou municipal S&T bureau for Lanzhou employers' A/B
    /// permits); absent for cases older than both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseClassification {
    pub points: u32,
    /// `points`, `direct_qualification` or `b_condition`.
    pub route: String,
    /// The category the points alone give.
    pub points_category: String,
    pub breakdown: Vec<FactorPoints>,
}

/// The points of one factor, as in `POST /api/v1/classification`'s `breakdown`.
#[derive(Serialize, ToSchema)]
pub struct FactorPoints {
    pub factor: String,
    pub points: u32,
    pub max: u32,
}

impl From<&sc::Case> for Case {
    fn from(c: &sc::Case) -> Self {
        Case {
            summary: CaseSummary::from(c),
            notices: c.notices.iter().map(Notice::from).collect(),
            timeline: c
                .timeline
                .iter()
                .map(|t| TimelineEntry {
                    at: t.at.clone(),
                    event: t.event.clone(),
                    item: t.item.clone(),
                    detail: t.detail.clone(),
                })
                .collect(),
            evaluations: c.evaluations.iter().map(Evaluation::from).collect(),
            messages: c.messages.iter().map(Message::from).collect(),
            materials: c.materials.iter().map(Material::from).collect(),
            issuer: opt(&c.issuer),
            classification: c.classification.as_ref().map(|k| CaseClassification {
                points: k.points,
                route: k.route.clone(),
                points_category: k.points_category.clone(),
                breakdown: k
                    .breakdown
                    .iter()
                    .map(|f| FactorPoints { factor: f.factor.clone(), points: f.points, max: f.max })
                    .collect(),
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Material {
    pub id: String,
    pub kind: String,
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    pub uploaded_at: String,
}

impl From<&sc::Material> for Material {
    fn from(m: &sc::Material) -> Self {
        Material {
            id: m.id.clone(),
            kind: m.kind.clone(),
            sha256: m.sha256.clone(),
            size: m.size,
            content_type: m.content_type.clone(),
            uploaded_at: m.uploaded_at.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DishonestyList {
    pub credit_codes: Vec<String>,
    pub version: i64,
    pub replaced_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct DishonestyListReplaced {
    pub count: i64,
    pub version: i64,
}

// ---- work permits --------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct NoticeItem {
    pub field: String,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct PermitEmployer {
    pub credit_code: String,
    pub name: String,
    pub region_code: String,
}

#[derive(Serialize, ToSchema)]
pub struct PermitPosition {
    pub title: String,
    pub annual_salary_cny: i64,
    pub start_date: String,
    pub contract_months: i32,
}

/// The applicant's identity (API.md's `applicant`). Personal data: on a residence case only
/// for public-security staff, on a work permit only for the reviewer of the department
/// that decides it (service-center audits every such read).
#[derive(Serialize, ToSchema)]
pub struct Applicant {
    pub surname: String,
    pub given_names: String,
    /// `M` or `F`.
    pub sex: String,
    /// ISO 3166-1 alpha-3.
    pub nationality: String,
    pub birth_date: String,
    pub passport_number: String,
    pub passport_expiry: String,
}

impl From<&onething_proto::common::Applicant> for Applicant {
    fn from(a: &onething_proto::common::Applicant) -> Self {
        Applicant {
            surname: a.surname.clone(),
            given_names: a.given_names.clone(),
            sex: a.sex.clone(),
            nationality: a.nationality.clone(),
            birth_date: a.birth_date.clone(),
            passport_number: a.passport_number.clone(),
            passport_expiry: a.passport_expiry.clone(),
        }
    }
}

/// A work permit at its desk (science-tech for A/B, hrss for C). The desk holds no
/// applicant data; `GET /api/v1/work-permits/{case_id}` adds it from service-center.
#[derive(Serialize, ToSchema)]
pub struct Permit {
    pub case_id: String,
    pub case_no: String,
    pub department: String,
    pub category: String,
    pub status: String,
    pub permit_number: String,
    pub valid_from: String,
    pub valid_until: String,
    pub reasons: Vec<String>,
    pub decided_at: String,
    pub opened_at: String,
    pub waiting_working_days: i32,
    pub waiting_estimated: bool,
    pub requested_materials: Vec<String>,
    pub supplement_note: String,
    pub supplement_notice: Vec<NoticeItem>,
    pub employer: PermitEmployer,
    pub position: PermitPosition,
    pub cancellation_reason: String,
    pub cancelled_at: String,
    pub updated_at: String,
    /// The office that issues (or issued) the permit, as the classification names it.
    pub issuer: String,
    /// Only on a change: the fields it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_fields: Option<Vec<String>>,
    /// Only on `GET /api/v1/work-permits/{case_id}` by a reviewer of the owning department.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicant: Option<Applicant>,
}

impl From<&pp::Permit> for Permit {
    fn from(p: &pp::Permit) -> Self {
        let employer = p.employer.clone().unwrap_or_default();
        let position = p.position.clone().unwrap_or_default();
        Permit {
            case_id: p.case_id.clone(),
            case_no: p.case_no.clone(),
            department: p.department.clone(),
            category: p.category.clone(),
            status: p.status.clone(),
            permit_number: p.permit_number.clone(),
            valid_from: p.valid_from.clone(),
            valid_until: p.valid_until.clone(),
            reasons: p.reasons.clone(),
            decided_at: p.decided_at.clone(),
            opened_at: p.opened_at.clone(),
            waiting_working_days: p.waiting_working_days,
            waiting_estimated: p.waiting_estimated,
            requested_materials: p.requested_materials.clone(),
            supplement_note: p.supplement_note.clone(),
            supplement_notice: p
                .supplement_notice
                .iter()
                .map(|i| NoticeItem {
                    field: i.field.clone(),
                    code: i.code.clone(),
                    message_zh: i.message_zh.clone(),
                    message_en: i.message_en.clone(),
                })
                .collect(),
            employer: PermitEmployer {
                credit_code: employer.credit_code,
                name: employer.name,
                region_code: employer.region_code,
            },
            position: PermitPosition {
                title: position.title,
                annual_salary_cny: position.annual_salary_cny,
                start_date: position.start_date,
                contract_months: position.contract_months,
            },
            cancellation_reason: p.cancellation_reason.clone(),
            cancelled_at: p.cancelled_at.clone(),
            updated_at: p.updated_at.clone(),
            issuer: p.issuer.clone(),
            changed_fields: None,
            applicant: None,
        }
    }
}

// ---- hrss ---------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct Card {
    pub social_security_number: String,
    pub status: String,
    pub case_id: String,
    pub permit_number: String,
    pub permit_valid_from: String,
    pub permit_valid_until: String,
    pub permit_status: String,
    pub issued_at: String,
    pub activated_at: Option<String>,
}

impl From<&hp::SocialSecurityCard> for Card {
    fn from(c: &hp::SocialSecurityCard) -> Self {
        Card {
            social_security_number: c.social_security_number.clone(),
            status: c.status.clone(),
            case_id: c.case_id.clone(),
            permit_number: c.permit_number.clone(),
            permit_valid_from: c.permit_valid_from.clone(),
            permit_valid_until: c.permit_valid_until.clone(),
            permit_status: c.permit_status.clone(),
            issued_at: c.issued_at.clone(),
            activated_at: opt(&c.activated_at),
        }
    }
}

/// A passed card check: the foreigner's bearer token.
#[derive(Serialize, ToSchema)]
pub struct CardSession {
    pub outcome: String,
    pub token: String,
    pub token_type: String,
    pub role: String,
    pub subject: String,
    pub expires_at: Option<String>,
    pub card: Card,
}

#[derive(Serialize, ToSchema)]
pub struct TitleReview {
    pub case_id: String,
    pub status: String,
    pub eligible_on: String,
    pub work_start: Option<String>,
    pub gansu_service_since: Option<String>,
    pub reasons: Vec<String>,
    pub recommendation_report: Option<String>,
    pub queued_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
}

impl From<&hp::TitleReview> for TitleReview {
    fn from(r: &hp::TitleReview) -> Self {
        TitleReview {
            case_id: r.case_id.clone(),
            status: r.status.clone(),
            eligible_on: r.eligible_on.clone(),
            work_start: opt(&r.work_start),
            gansu_service_since: opt(&r.gansu_service_since),
            reasons: r.reasons.clone(),
            recommendation_report: opt(&r.recommendation_report),
            queued_at: r.queued_at.clone(),
            decided_at: opt(&r.decided_at),
            decided_by: opt(&r.decided_by),
        }
    }
}

// ---- residence permits ----------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct Receipt {
    pub number: String,
    pub valid_until: String,
}

#[derive(Serialize, ToSchema)]
pub struct CounterApplication {
    pub applied_on: String,
    pub paper_materials: Vec<String>,
    pub passport_lost: bool,
    pub receipt: Receipt,
    pub decision_due: String,
    pub decision_due_counted_in: String,
    pub decision_due_count: i32,
    pub decision_due_estimated: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Verification {
    pub id: String,
    pub method: String,
    pub scheduled_at: String,
    pub place: Option<String>,
    pub outcome: Option<String>,
    pub justified: bool,
    pub note: Option<String>,
    pub recorded_at: Option<String>,
}

impl From<&ps::Verification> for Verification {
    fn from(v: &ps::Verification) -> Self {
        Verification {
            id: v.id.clone(),
            method: v.method.clone(),
            scheduled_at: v.scheduled_at.clone(),
            place: opt(&v.place),
            outcome: opt(&v.outcome),
            justified: v.justified,
            note: opt(&v.note),
            recorded_at: opt(&v.recorded_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResidenceDecision {
    pub decision: String,
    pub reasons: Vec<String>,
    pub decided_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedResidencePermit {
    pub number: String,
    pub valid_from: String,
    pub valid_until: String,
}

#[derive(Serialize, ToSchema)]
pub struct Proxy {
    pub name: String,
    pub id_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct Mail {
    pub address: Option<String>,
    pub tracking_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct Pickup {
    pub method: String,
    pub picked_up_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<Mail>,
}

#[derive(Serialize, ToSchema)]
pub struct WorkPermitRef {
    pub permit_number: String,
    /// The work permit's first day: the residence permit starts no earlier.
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    /// The work permit was cancelled after the residence permit was issued, and no officer
    /// has resolved it yet (`status` is then `revocation_pending`).
    pub cancelled: bool,
}

/// The officer's resolution of a residence permit up for revocation.
#[derive(Serialize, ToSchema)]
pub struct Revocation {
    /// `revoke` or `keep`.
    pub decision: String,
    pub reason: String,
    /// For `revoke`: the residence permit's last day of validity.
    pub effective_on: Option<String>,
    pub decided_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ResidenceCase {
    pub case_id: String,
    /// The one-thing case's number (GS-YYYYMMDD-NNNNNN), when known.
    pub case_no: Option<String>,
    pub residence_case_id: String,
    /// `pending`, `in_review`, `approved`, `refused`, `completed`, `cancelled`, `revoked`, or
    /// `revocation_pending` (issued, its work permit cancelled, awaiting the officer).
    pub status: String,
    pub employer_credit_code: Option<String>,
    pub work_permit: WorkPermitRef,
    pub revocation: Option<Revocation>,
    pub entry_date: Option<String>,
    pub apply_by: Option<String>,
    pub application: Option<CounterApplication>,
    /// The current (last) verification.
    pub verification: Option<Verification>,
    pub verifications: Vec<Verification>,
    pub decision: Option<ResidenceDecision>,
    pub residence_permit: Option<IssuedResidencePermit>,
    pub pickup: Option<Pickup>,
    pub applicant: Option<Applicant>,
    pub opened_at: String,
    pub updated_at: Option<String>,
}

impl From<&ps::ResidenceCase> for ResidenceCase {
    fn from(c: &ps::ResidenceCase) -> Self {
        ResidenceCase {
            case_id: c.case_id.clone(),
            case_no: opt(&c.case_no),
            residence_case_id: c.id.clone(),
            status: if c.shown_status.is_empty() { c.status.clone() } else { c.shown_status.clone() },
            employer_credit_code: opt(&c.employer_credit_code),
            work_permit: WorkPermitRef {
                permit_number: c.permit_number.clone(),
                valid_from: opt(&c.permit_valid_from),
                valid_until: opt(&c.permit_valid_until),
                cancelled: c.work_permit_cancelled,
            },
            revocation: c.revocation.as_ref().map(|r| Revocation {
                decision: r.decision.clone(),
                reason: r.reason.clone(),
                effective_on: opt(&r.effective_on),
                decided_at: r.decided_at.clone(),
            }),
            entry_date: opt(&c.entry_date),
            apply_by: opt(&c.apply_by),
            application: c.application.as_ref().map(|a| CounterApplication {
                applied_on: a.applied_on.clone(),
                paper_materials: a.paper_materials.clone(),
                passport_lost: a.passport_lost,
                receipt: Receipt { number: a.receipt_number.clone(), valid_until: a.receipt_valid_until.clone() },
                decision_due: a.decision_due.clone(),
                decision_due_counted_in: a.decision_due_counted_in.clone(),
                decision_due_count: a.decision_due_count,
                decision_due_estimated: a.decision_due_estimated,
            }),
            verification: c.verifications.last().map(Verification::from),
            verifications: c.verifications.iter().map(Verification::from).collect(),
            decision: c.decision.as_ref().map(|d| ResidenceDecision {
                decision: d.decision.clone(),
                reasons: d.reasons.clone(),
                decided_at: d.decided_at.clone(),
            }),
            residence_permit: c.residence_permit.as_ref().map(|p| IssuedResidencePermit {
                number: p.number.clone(),
                valid_from: p.valid_from.clone(),
                valid_until: p.valid_until.clone(),
            }),
            pickup: c.pickup.as_ref().map(|p| Pickup {
                method: p.method.clone(),
                picked_up_at: p.picked_up_at.clone(),
                proxy: (!(p.proxy_name.is_empty() && p.proxy_id_number.is_empty()))
                    .then(|| Proxy { name: p.proxy_name.clone(), id_number: p.proxy_id_number.clone() }),
                mail: (!(p.mail_address.is_empty() && p.mail_tracking_number.is_empty()))
                    .then(|| Mail { address: opt(&p.mail_address), tracking_number: p.mail_tracking_number.clone() }),
            }),
            applicant: c.applicant.as_ref().map(Applicant::from),
            opened_at: c.opened_at.clone(),
            updated_at: opt(&c.updated_at),
        }
    }
}

/// `GET /api/v1/work-permits/verify/{code}`: whether the e-permit with this code is valid,
/// and nothing personal. An invalid one (unknown code, cancelled, expired) carries only
/// `valid: false`, so the answer tells nothing more about a code than that.
#[derive(Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct PermitVerification {
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

impl From<&pp::VerifyPermitResponse> for PermitVerification {
    fn from(v: &pp::VerifyPermitResponse) -> Self {
        if !v.valid {
            return PermitVerification { valid: false, permit_number: None, valid_until: None, issuer: None };
        }
        PermitVerification {
            valid: true,
            permit_number: Some(v.permit_number.clone()),
            valid_until: Some(v.valid_until.clone()),
            issuer: Some(v.issuer.clone()),
        }
    }
}
