//! The title eligibility review (职称申报条件审核): a foreigner may apply for a professional
//! title only after MORE than 6 months of work in Gansu, counted from the permit's start or
//! from earlier Gansu service a reviewer verified. Before that the review waits with its
//! `eligible_on` date visible; from that date an hrss reviewer decides, and the decision is
//! the `title-review-decided` event.

use chrono::{Days, Months, NaiveDate};
use domain::case::{Department, TimelineEvent};
use domain::states::title_review::{self as machine, TitleReviewCommand, TitleReviewPublicStatus, TitleReviewStatus};
use domain::{Actor, HasCode, Role, Violations};
use onething_proto::events as ev;
use onething_proto::onething::hrss::v1 as pb;
use platform::ServiceError;
use platform::app::Base;
use platform::audit::Audit;
use platform::db::Tx;
use platform::paging::{Page, known};
use platform::sharing::ShareSource;
use platform::time::{now_ms, rfc3339, today_cst};

use crate::progress::{self, TITLE_REVIEW};
use crate::store::title_reviews as store;

/// The first day of eligibility: the day after 6 months of work from `work_start` (more
/// than 6 months). A month end carries over as chrono does (31 Aug + 6 months = 28/29 Feb).
pub fn title_eligible_on(work_start: NaiveDate) -> NaiveDate {
    work_start.checked_add_months(Months::new(6)).and_then(|d| d.checked_add_days(Days::new(1))).unwrap_or(work_start)
}

/// Gansu work counts from the earlier of the permit's start and verified earlier service.
pub fn counting_from(work_start: NaiveDate, gansu_service_since: Option<NaiveDate>) -> NaiveDate {
    gansu_service_since.map_or(work_start, |s| s.min(work_start))
}

/// The public status of a stored one: `waiting` split at `eligible_on` into `waiting` and
/// `ready` (an unreadable date never becomes ready).
pub fn public_status(stored: TitleReviewStatus, eligible_on: &str, today: NaiveDate) -> TitleReviewPublicStatus {
    stored.public_status(eligible_on.parse().unwrap_or(NaiveDate::MAX), today)
}

pub use crate::store::title_reviews::ReviewRow;

impl ReviewRow {
    pub fn to_pb(&self, today: NaiveDate) -> pb::TitleReview {
        pb::TitleReview {
            case_id: self.case_id.clone(),
            status: public_status(self.status, &self.eligible_on, today).as_str().into(),
            eligible_on: self.eligible_on.clone(),
            work_start: self.work_start.clone().unwrap_or_default(),
            gansu_service_since: self.gansu_service_since.clone().unwrap_or_default(),
            reasons: serde_json::from_str(&self.reasons).unwrap_or_default(),
            recommendation_report: self.recommendation_report.clone().unwrap_or_default(),
            queued_at: rfc3339(self.queued_at),
            decided_at: self.decided_at.map(rfc3339).unwrap_or_default(),
            decided_by: self.decided_by.clone().unwrap_or_default(),
        }
    }
}

/// Queues the review of an approved permit starting on `work_start`. Returns the
/// eligibility date when the review is new.
pub async fn queue(tx: &mut Tx<'_>, case_id: &str, work_start: NaiveDate) -> Result<Option<String>, sqlx::Error> {
    let eligible_on = title_eligible_on(work_start).to_string();
    let Ok(status) = machine::transition(None, &TitleReviewCommand::Queue) else { return Ok(None) };
    let review = store::NewReview {
        case_id,
        status,
        eligible_on: &eligible_on,
        work_start: &work_start.to_string(),
        queued_at: now_ms(),
    };
    let inserted = store::insert(tx, &review).await?;
    Ok(inserted.then_some(eligible_on))
}

/// A cancelled permit ends a review that is still waiting. Returns whether it did; a
/// change in between is the lost race ([`ServiceError::Aborted`]).
pub async fn cancel(tx: &mut Tx<'_>, case_id: &str, reason: &str) -> Result<bool, ServiceError> {
    let Some(row) = find(tx, case_id).await? else { return Ok(false) };
    // Refused by the machine (already closed): nothing to do.
    let Ok(to) = machine::transition(Some(row.status), &TitleReviewCommand::Cancel) else { return Ok(false) };
    let reasons = serde_json::to_string(&[format!("work permit cancelled: {reason}")]).unwrap_or_else(|_| "[]".into());
    store::cancel(tx, &row, to, &reasons, now_ms()).await?;
    Ok(true)
}

fn require_reviewer(actor: &Actor) -> Result<(), ServiceError> {
    if actor.is_staff_of(Department::Hrss) && actor.is(Role::Reviewer) {
        Ok(())
    } else {
        Err(ServiceError::PermissionDenied("only an hrss reviewer handles title reviews".into()))
    }
}

async fn find(tx: &mut Tx<'_>, case_id: &str) -> Result<Option<ReviewRow>, sqlx::Error> {
    store::get_in(tx, case_id).await
}

async fn get(tx: &mut Tx<'_>, case_id: &str) -> Result<ReviewRow, ServiceError> {
    find(tx, case_id).await?.ok_or_else(|| ServiceError::not_found("title review", case_id))
}

async fn reload(base: &Base, case_id: &str) -> Result<ReviewRow, ServiceError> {
    store::get(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("title review", case_id))
}

/// The status after `command`, or the conflict under the machine's code that forbids it.
fn step(row: &ReviewRow, command: TitleReviewCommand) -> Result<TitleReviewStatus, ServiceError> {
    machine::transition(Some(row.status), &command)
        .map_err(|e| ServiceError::conflict(e.code(), format!("case/{}", row.case_id), e.message()))
}

fn parse_date(v: &mut Violations, field: &str, s: &str) -> Option<NaiveDate> {
    match s.trim() {
        "" => {
            v.push(field, "required", format!("{field} is required"));
            None
        }
        s => s.parse().map_err(|_| v.push(field, "invalid_date", format!("{field} must be a date YYYY-MM-DD"))).ok(),
    }
}

/// One page of the reviewer's queue, oldest eligibility first (then by case id), and the
/// cursor of the next page. Every problem of `status`, `limit` and `cursor` is reported at
/// once.
pub async fn list(
    base: &Base,
    actor: &Actor,
    status: &str,
    limit: i32,
    cursor: &str,
) -> Result<(Vec<pb::TitleReview>, Option<String>), ServiceError> {
    require_reviewer(actor)?;
    let mut v = Violations::new();
    let status = known(&mut v, "status", status, TitleReviewPublicStatus::ALL);
    let page = Page::read(&mut v, limit, cursor, 2, |k| Some((k[0].clone(), k[1].clone())));
    let Some((page, after)) = page.filter(|_| v.is_empty()) else { return Err(v.into()) };
    let today = today_cst();
    // `waiting` and `ready` are both stored as waiting, split at `eligible_on`.
    let (stored, eligible) = match status {
        None => (None, None),
        Some(TitleReviewPublicStatus::Ready) => (Some(TitleReviewStatus::Waiting), Some(true)),
        Some(TitleReviewPublicStatus::Waiting) => (Some(TitleReviewStatus::Waiting), Some(false)),
        Some(TitleReviewPublicStatus::Eligible) => (Some(TitleReviewStatus::Eligible), None),
        Some(TitleReviewPublicStatus::NotEligible) => (Some(TitleReviewStatus::NotEligible), None),
        Some(TitleReviewPublicStatus::Cancelled) => (Some(TitleReviewStatus::Cancelled), None),
    };
    let filter = store::QueueFilter { status: stored, eligible, today: today.to_string(), after, fetch: page.fetch() };
    let rows = store::list(&base.db.pool, &filter).await?;
    let (rows, next) = page.finish(rows, |r| vec![r.eligible_on.clone(), r.case_id.clone()]);
    Ok((rows.iter().map(|r| r.to_pb(today)).collect(), next))
}

/// Records earlier Gansu service the reviewer verified and recomputes `eligible_on`.
pub async fn record_service(
    base: &Base,
    actor: &Actor,
    case_id: &str,
    since: &str,
) -> Result<pb::TitleReview, ServiceError> {
    require_reviewer(actor)?;
    let mut v = Violations::new();
    let since = parse_date(&mut v, "gansu_service_since", since);
    let today = today_cst();
    if since.is_some_and(|s| s > today) {
        v.push("gansu_service_since", "in_the_future", "gansu_service_since cannot be in the future");
    }
    let (Some(since), true) = (since, v.is_empty()) else { return Err(v.into()) };
    let mut tx = base.db.begin().await?;
    let row = get(&mut tx, case_id).await?;
    let to = step(&row, TitleReviewCommand::RecordService)?;
    let work_start = row.work_start.as_deref().and_then(|s| s.parse::<NaiveDate>().ok());
    if let Some(start) = work_start
        && since >= start
    {
        let mut v = Violations::new();
        v.push(
            "gansu_service_since",
            "not_before_work_start",
            format!("earlier Gansu service must start before the permit's start ({start}); later work adds nothing"),
        );
        return Err(v.into());
    }
    // Rows queued before `work_start` was kept: the earlier of the two dates still holds.
    let eligible_on = match work_start {
        Some(start) => title_eligible_on(counting_from(start, Some(since))),
        None => title_eligible_on(since).min(row.eligible_on.parse().unwrap_or(NaiveDate::MAX)),
    }
    .to_string();
    store::record_service(&mut tx, &row, to, &since.to_string(), &eligible_on).await?;
    let queue = if eligible_on.as_str() <= today.to_string().as_str() {
        "ready_for_decision"
    } else {
        "waiting_for_eligibility"
    };
    let event = progress::step(
        case_id,
        TITLE_REVIEW,
        to.item_status(),
        &[("eligible_on", &eligible_on), ("gansu_service_since", &since.to_string()), ("queue", queue)],
        TimelineEvent::GansuServiceRecorded,
        &format!("Gansu service since {since} verified; eligible from {eligible_on}"),
    );
    base.outbox.enqueue(&mut tx, case_id, &event).await?;
    actor.audit_in(&mut tx, "title_review.record_service", &format!("case/{case_id}"), "recorded").await?;
    tx.commit().await?;
    base.outbox.wake();
    Ok(reload(base, case_id).await?.to_pb(today))
}

/// A reviewer's decision, as it arrives.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub decision: String,
    pub reasons: Vec<String>,
    pub recommendation_report: String,
}

/// Checks a decision completely: every problem at once.
pub fn validate_decision(d: &DecisionInput) -> Result<bool, Violations> {
    let mut v = Violations::new();
    let approved = match d.decision.parse::<TitleReviewStatus>() {
        Ok(TitleReviewStatus::Eligible) => Some(true),
        Ok(TitleReviewStatus::NotEligible) => Some(false),
        _ if d.decision.is_empty() => {
            v.push("decision", "required", "decision is required: eligible or not_eligible");
            None
        }
        _ => {
            v.push("decision", "unknown_value", "decision must be eligible or not_eligible");
            None
        }
    };
    for (i, r) in d.reasons.iter().enumerate() {
        if r.trim().is_empty() {
            v.push(format!("reasons[{i}]"), "required", "a reason cannot be empty");
        } else if r.chars().count() > 1000 {
            v.push(format!("reasons[{i}]"), "too_long", "a reason has at most 1000 characters");
        }
    }
    if approved == Some(false) && d.reasons.is_empty() {
        v.push("reasons", "required", "a refusal states its reasons in writing");
    }
    let report = d.recommendation_report.trim();
    if report.is_empty() {
        if approved == Some(true) {
            v.push(
                "recommendation_report",
                "required",
                "the employer's recommendation report (an uploaded material id) is required",
            );
        }
    } else if report.len() > 64 || !report.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        v.push("recommendation_report", "invalid_format", "recommendation_report must be an uploaded material id");
    }
    match approved {
        Some(a) if v.is_empty() => Ok(a),
        _ => Err(v),
    }
}

/// The material kind a recommendation report must be.
const REPORT_KIND: &str = "employer_recommendation_report";

/// The recommendation report a decision cites must exist, be the case employer's (or the
/// case's own) and be a recommendation report; asked of service-center, which owns the
/// uploads. A decision citing none has nothing to check here.
async fn check_report(evidence: &dyn ShareSource, case_id: &str, report: &str) -> Result<(), ServiceError> {
    let report = report.trim();
    if report.is_empty() {
        return Ok(());
    }
    let mut v = Violations::new();
    match evidence.evidence(case_id, report).await? {
        None => v.push("recommendation_report", "material_not_found", "no upload of the case's employer has this id"),
        Some(m) if m.kind != REPORT_KIND => v.push(
            "recommendation_report",
            "wrong_material_kind",
            format!("the material is a {}, not an employer recommendation report", m.kind),
        ),
        Some(_) => return Ok(()),
    }
    Err(v.into())
}

/// Decides the review: only from `eligible_on`, only once, citing an existing
/// recommendation report of the case's employer.
pub async fn decide(
    base: &Base,
    evidence: &dyn ShareSource,
    actor: &Actor,
    case_id: &str,
    input: &DecisionInput,
) -> Result<pb::TitleReview, ServiceError> {
    require_reviewer(actor)?;
    let approved = validate_decision(input)?;
    check_report(evidence, case_id, &input.recommendation_report).await?;
    let today = today_cst();
    let now = now_ms();
    let mut tx = base.db.begin().await?;
    let row = get(&mut tx, case_id).await?;
    let command = if approved { TitleReviewCommand::DecideEligible } else { TitleReviewCommand::DecideNotEligible };
    let status = step(&row, command)?;
    if row.eligible_on.as_str() > today.to_string().as_str() {
        return Err(ServiceError::conflict(
            "not_yet_eligible",
            format!("case/{case_id}"),
            format!("the applicant is eligible only from {} (more than 6 months of work in Gansu)", row.eligible_on),
        ));
    }
    let reasons: Vec<String> = input.reasons.iter().map(|r| r.trim().to_string()).collect();
    let report = Some(input.recommendation_report.trim().to_string()).filter(|r| !r.is_empty());
    let reasons_json = serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into());
    let decision = store::Decision {
        status,
        reasons: &reasons_json,
        recommendation_report: report.as_deref().unwrap_or_default(),
        decided_at: now,
        decided_by: &actor.subject,
    };
    store::decide(&mut tx, &row, &decision).await?;
    let event = ev::TitleReviewDecided { case_id: case_id.into(), approved, reasons, decided_at: rfc3339(now) };
    base.outbox.enqueue(&mut tx, case_id, &event).await?;
    actor.audit_in(&mut tx, "title_review.decide", &format!("case/{case_id}"), status.as_str()).await?;
    tx.commit().await?;
    base.outbox.wake();
    Ok(reload(base, case_id).await?.to_pb(today))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn eligibility_opens_the_day_after_six_months() {
        assert_eq!(title_eligible_on(d("2027-01-04")), d("2027-07-05"));
        assert_eq!(title_eligible_on(d("2026-08-31")), d("2027-03-01"));
        assert_eq!(title_eligible_on(d("2027-08-31")), d("2028-03-01"), "leap year: 29 Feb + 1");
    }

    #[test]
    fn earlier_gansu_service_moves_eligibility_earlier_never_later() {
        let start = d("2027-01-04");
        assert_eq!(title_eligible_on(counting_from(start, Some(d("2025-03-01")))), d("2025-09-02"));
        assert_eq!(counting_from(start, Some(d("2027-06-01"))), start);
        assert_eq!(counting_from(start, None), start);
    }

    #[test]
    fn a_waiting_review_is_ready_from_its_eligibility_date() {
        let today = d("2027-07-05");
        assert_eq!(public_status("waiting".parse().unwrap(), "2027-07-06", today).as_str(), "waiting");
        assert_eq!(public_status("waiting".parse().unwrap(), "2027-07-05", today).as_str(), "ready");
        assert_eq!(public_status("not_eligible".parse().unwrap(), "2027-01-01", today).as_str(), "not_eligible");
    }

    #[test]
    fn a_decision_is_checked_completely() {
        let bad = DecisionInput {
            decision: "maybe".into(),
            reasons: vec![" ".into()],
            recommendation_report: "../etc/passwd".into(),
        };
        let codes: Vec<(String, String)> =
            validate_decision(&bad).unwrap_err().0.into_iter().map(|v| (v.field, v.code)).collect();
        assert_eq!(
            codes,
            [
                ("decision".to_string(), "unknown_value".to_string()),
                ("reasons[0]".into(), "required".into()),
                ("recommendation_report".into(), "invalid_format".into())
            ]
        );
        let refusal = DecisionInput { decision: "not_eligible".into(), ..Default::default() };
        assert_eq!(validate_decision(&refusal).unwrap_err().0[0].field, "reasons");
        let approval = DecisionInput { decision: "eligible".into(), ..Default::default() };
        assert_eq!(validate_decision(&approval).unwrap_err().0[0].field, "recommendation_report");
        let ok = DecisionInput {
            decision: "eligible".into(),
            recommendation_report: "0190a1b2-c3d4".into(),
            ..Default::default()
        };
        assert_eq!(validate_decision(&ok), Ok(true));
    }
}

#[cfg(test)]
mod list_tests {

    use platform::config::DatabaseSettings;

    use super::*;

    static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

    async fn base() -> (Base, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("hrss-reviews-{}", uuid::Uuid::new_v4().simple()));
        let settings = DatabaseSettings { url: None, data_dir: dir.clone(), max_connections: 4 };
        let db = platform::db::Db::connect(&settings, "hrss", &[(&MIGRATIONS, "_hrss_migrations")]).await.unwrap();
        (Base::with_db("hrss", db), dir)
    }

    fn ids(reviews: &[pb::TitleReview]) -> Vec<&str> {
        reviews.iter().map(|r| r.case_id.as_str()).collect()
    }

    #[tokio::test]
    async fn the_queue_comes_in_pages_then_an_empty_next_cursor_and_a_cancellation_closes_a_review() {
        let (base, dir) = base().await;
        let mut tx = base.db.begin().await.unwrap();
        for (case, start) in [("c1", "2020-01-06"), ("c2", "2020-01-06"), ("c3", "2020-02-03")] {
            queue(&mut tx, case, start.parse().unwrap()).await.unwrap();
        }
        assert_eq!(queue(&mut tx, "c1", "2020-01-06".parse().unwrap()).await.unwrap(), None, "queued once");
        assert!(cancel(&mut tx, "c3", "contract ended").await.unwrap());
        assert!(!cancel(&mut tx, "c3", "again").await.unwrap(), "a closed review is not cancelled twice");
        tx.commit().await.unwrap();
        let hr = Actor::parse("reviewer", "r", "hrss").unwrap();
        let (first, next) = list(&base, &hr, "", 2, "").await.unwrap();
        assert_eq!(ids(&first), ["c1", "c2"]);
        let (second, last) = list(&base, &hr, "", 2, &next.unwrap()).await.unwrap();
        assert_eq!(ids(&second), ["c3"]);
        assert_eq!(second[0].status, "cancelled");
        assert_eq!(last, None);
        assert_eq!(ids(&list(&base, &hr, "ready", 0, "").await.unwrap().0), ["c1", "c2"]);
        assert!(list(&base, &hr, "waiting", 0, "").await.unwrap().0.is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_review_changed_since_it_was_read_is_the_lost_race() {
        let (base, dir) = base().await;
        let mut tx = base.db.begin().await.unwrap();
        queue(&mut tx, "c1", "2020-01-06".parse().unwrap()).await.unwrap();
        let read = find(&mut tx, "c1").await.unwrap().unwrap();
        store::record_service(&mut tx, &read, TitleReviewStatus::Waiting, "2019-01-01", "2019-07-02").await.unwrap();
        let lost = store::cancel(&mut tx, &read, TitleReviewStatus::Cancelled, "[]", 1).await.unwrap_err();
        assert!(matches!(lost, ServiceError::Aborted(_)), "{lost:?}");
        // Read again, the cancellation goes through.
        assert!(cancel(&mut tx, "c1", "contract ended").await.unwrap());
        tx.commit().await.unwrap();
        let row = reload(&base, "c1").await.unwrap();
        assert_eq!(
            (row.status, row.eligible_on.as_str(), row.version),
            (TitleReviewStatus::Cancelled, "2019-07-02", 2)
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn an_unknown_status_and_bad_paging_are_one_invalid_argument() {
        let (base, dir) = base().await;
        let hr = Actor::parse("reviewer", "r", "hrss").unwrap();
        let Err(ServiceError::InvalidArgument(v)) = list(&base, &hr, "pending", 0, "nope").await else {
            panic!("InvalidArgument expected")
        };
        let got: Vec<(&str, &str)> = v.0.iter().map(|x| (x.field.as_str(), x.code.as_str())).collect();
        assert_eq!(got, [("status", "unknown_value"), ("cursor", "invalid_cursor")]);
        assert!(v.0[0].message.contains("waiting, ready, eligible, not_eligible, cancelled"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
