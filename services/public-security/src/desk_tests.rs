//! The counter's state machine on a real SQLite database: commands, consumers, the events
//! written to the outbox, and the conflicts of wrong states.

use std::sync::Arc;

use base64::Engine as _;
use chrono::{Days, NaiveDate};
use domain::Actor;
use onething_proto::common as pbc;
use onething_proto::events as ev;
use onething_proto::{FromWire, ToWire};
use platform::ServiceError;
use platform::app::Base;
use platform::config::DatabaseSettings;
use platform::db::Db;
use platform::events::Event;
use platform::events::consumer::{Context, Handler};
use platform::events::headers::EventMeta;
use platform::time::today_cst;
use prost::Message;

use super::*;
use crate::residence::{OnPermitApproved, OnPermitCancelled, OnPermitExtended};

const EMPLOYER: &str = "91620100MA0000001F";

struct Fixture {
    desk: Desk,
    dir: std::path::PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn fixture() -> Fixture {
    let dir = std::env::temp_dir().join(format!("ps-desk-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let settings = DatabaseSettings {
        url: Some(format!("sqlite://{}/ps.db?mode=rwc", dir.display())),
        data_dir: dir.clone(),
        max_connections: 2,
    };
    let db = Db::connect(&settings, "public-security", &[(&crate::startup::MIGRATIONS, "_public_security_migrations")])
        .await
        .unwrap();
    let base = Base::with_db("public-security", db);
    Fixture { desk: Desk::new(base, ResidenceSettings::default()), dir }
}

/// The item status a step reports, by its wire name.
fn step_status(e: &ev::ItemProgressed) -> &'static str {
    domain::case::ItemStatus::from_wire(e.status, "status").unwrap().as_str()
}

fn officer() -> Actor {
    Actor::parse("officer", "wang", DEPARTMENT.as_str()).unwrap()
}

fn actor(role: &str, subject: &str, department: &str) -> Actor {
    Actor { role: role.parse().unwrap(), subject: subject.into(), department: department.parse().ok() }
}

async fn deliver<E: Event, H: Handler<E>>(desk: &Desk, handler: &H, event: E) -> Result<(), String> {
    let mut tx = desk.base.db.begin().await.unwrap();
    let meta = EventMeta {
        id: uuid::Uuid::now_v7().to_string(),
        ce_type: E::TYPE.into(),
        source: String::new(),
        time: String::new(),
        traceparent: None,
        signature: None,
    };
    handler
        .handle(event, Context { tx: &mut tx, meta: &meta, outbox: &desk.base.outbox })
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.unwrap();
    Ok(())
}

fn approved(case_id: &str, valid_until: NaiveDate) -> ev::PermitApproved {
    ev::PermitApproved {
        case_id: case_id.into(),
        department: domain::case::Department::ScienceTech.wire(),
        permit_number: "62B202600000001".into(),
        valid_until: valid_until.to_string(),
        employer: Some(onething_proto::common::Employer {
            credit_code: EMPLOYER.into(),
            kind: "enterprise".into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The handler, with service-center answering the residence file's question: the applicant.
fn on_approved() -> OnPermitApproved {
    OnPermitApproved {
        sharing: Arc::new(platform::sharing::Canned {
            purpose: domain::sharing::Purpose::ResidencePermit,
            fields: domain::sharing::PersonField::ALL,
            applicant: onething_proto::common::Applicant { surname: "SMITH".into(), ..Default::default() },
        }),
    }
}

fn cancelled(case_id: &str) -> ev::PermitCancelled {
    ev::PermitCancelled { case_id: case_id.into(), reason: "employment ended".into(), ..Default::default() }
}

/// The `item-progressed` events written so far, oldest first.
async fn steps(desk: &Desk) -> Vec<ev::ItemProgressed> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT topic, payload_b64 FROM outbox ORDER BY created_at, event_id")
            .fetch_all(&desk.base.db.pool)
            .await
            .unwrap();
    rows.iter()
        .filter(|(t, _)| t == "item-progressed")
        .map(|(_, p)| {
            ev::ItemProgressed::decode(base64::engine::general_purpose::STANDARD.decode(p).unwrap().as_slice()).unwrap()
        })
        .collect()
}

async fn topics(desk: &Desk) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT topic FROM outbox ORDER BY created_at, event_id")
        .fetch_all(&desk.base.db.pool)
        .await
        .unwrap();
    rows.into_iter().map(|(t,)| t).collect()
}

fn kind(e: ServiceError) -> String {
    match e {
        ServiceError::InvalidArgument(v) => {
            format!("422 {}", v.0.iter().map(|x| format!("{}:{}", x.field, x.code)).collect::<Vec<_>>().join(" "))
        }
        ServiceError::NotFound { .. } => "404".into(),
        ServiceError::PermissionDenied(_) => "403".into(),
        ServiceError::FailedPrecondition { kind, .. } => format!("409 {kind}"),
        other => format!("other {other}"),
    }
}

fn paper() -> Vec<String> {
    ["visa_application_form", "entry_exit_photo", "employer_certification_letter"].map(String::from).into()
}

fn far() -> NaiveDate {
    today_cst().checked_add_days(Days::new(800)).unwrap()
}

/// Tomorrow at 10:00 in China: inside every decision period.
fn tomorrow_10() -> String {
    format!("{}T10:00:00+08:00", today_cst().succ_opt().unwrap())
}

/// 10:00 Beijing time `days` days ago: an appointment that has passed, whatever the hour.
fn days_ago_10(days: u64) -> String {
    format!("{}T10:00:00+08:00", today_cst().checked_sub_days(Days::new(days)).unwrap())
}

/// Moves the counter application `days` days back, so that a past appointment fits
/// between it and the decision deadline.
async fn applied_days_ago(d: &Desk, case_id: &str, days: u64) {
    let on = today_cst().checked_sub_days(Days::new(days)).unwrap().to_string();
    sqlx::query("UPDATE residence_cases SET applied_on = $1 WHERE case_id = $2")
        .bind(on)
        .bind(case_id)
        .execute(&d.base.db.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_interview_path_from_entry_to_pickup_by_proxy() {
    let f = fixture().await;
    let d = &f.desk;
    deliver(d, &on_approved(), approved("c1", far())).await.unwrap();
    // A redelivered approval with a new event id opens nothing more.
    deliver(d, &on_approved(), approved("c1", far())).await.unwrap();
    assert_eq!(topics(d).await, ["residence-case-opened"]);

    // The entry date, by the owning employer only.
    let entry = today_cst().checked_sub_days(Days::new(3)).unwrap();
    let other = actor("employer", "91620100MA0000002D", "");
    assert_eq!(kind(d.record_entry(&other, "c1", &entry.to_string()).await.unwrap_err()), "403");
    assert_eq!(kind(d.record_entry(&officer(), "nope", &entry.to_string()).await.unwrap_err()), "404");
    let row = d.record_entry(&actor("employer", EMPLOYER, ""), "c1", &entry.to_string()).await.unwrap();
    assert_eq!(row.apply_by.as_deref(), Some(rules::apply_by(entry).to_string().as_str()));

    // Deciding before the counter application is a conflict.
    assert_eq!(kind(d.decide(&officer(), "c1", "approve", &[]).await.unwrap_err()), "409 not_applied");
    // Only a counter officer records the application; a reviewer of public-security cannot.
    let reviewer = actor("reviewer", "li", DEPARTMENT.as_str());
    assert_eq!(kind(d.record_application(&reviewer, "c1", &paper(), false).await.unwrap_err()), "403");
    assert_eq!(
        kind(d.record_application(&officer(), "c1", &paper()[..1], false).await.unwrap_err()),
        "422 paper_materials.entry_exit_photo:material_missing paper_materials.employer_certification_letter:material_missing"
    );
    let row = d.record_application(&officer(), "c1", &paper(), false).await.unwrap();
    assert_eq!(row.status.as_str(), "in_review");
    let due = rules::decision_due(today_cst(), ResidenceSettings::default().period(), &d.calendar).date.to_string();
    assert_eq!(row.decision_due.as_deref(), Some(due.as_str()));
    assert_eq!(row.receipt_valid_until, row.decision_due);
    assert!(row.receipt_number.as_deref().unwrap().starts_with("62SL"));
    assert_eq!(kind(d.record_application(&officer(), "c1", &paper(), false).await.unwrap_err()), "409 already_applied");
    assert_eq!(kind(d.record_entry(&officer(), "c1", &entry.to_string()).await.unwrap_err()), "409 already_applied");

    // An interview tomorrow; approving before its outcome is a conflict.
    assert_eq!(
        kind(d.record_outcome(&officer(), "c1", "attended", false, "").await.unwrap_err()),
        "409 no_open_verification"
    );
    d.schedule_verification(&officer(), "c1", "phone", &tomorrow_10(), "").await.unwrap();
    d.schedule_verification(&officer(), "c1", "interview", &tomorrow_10(), "Chengguan exit-entry hall").await.unwrap();
    let verifications = store::verifications(&d.base.db.pool, "c1").await.unwrap();
    assert_eq!(verifications.len(), 1, "an open verification is rescheduled, not duplicated");
    assert_eq!(verifications[0].method, "interview");
    assert_eq!(kind(d.decide(&officer(), "c1", "approve", &[]).await.unwrap_err()), "409 verification_pending");
    // Nothing can be recorded of an interview that has not happened yet.
    assert_eq!(
        kind(d.record_outcome(&officer(), "c1", "attended", false, "").await.unwrap_err()),
        "409 verification_not_yet_held"
    );
    assert_eq!(
        kind(d.record_outcome(&officer(), "c1", "no_show", false, "").await.unwrap_err()),
        "409 no_show_too_early"
    );
    // Held yesterday, the day after the application.
    applied_days_ago(d, "c1", 2).await;
    d.schedule_verification(&officer(), "c1", "interview", &days_ago_10(1), "Chengguan exit-entry hall").await.unwrap();
    d.record_outcome(&officer(), "c1", "attended", false, "answers consistent").await.unwrap();

    let row = d.decide(&officer(), "c1", "approve", &[]).await.unwrap();
    assert_eq!(row.status.as_str(), "approved");
    assert_eq!(row.rp_valid_until.as_deref(), Some(far().to_string().as_str()));
    assert_eq!(row.rp_valid_from.as_deref(), Some(today_cst().to_string().as_str()));
    assert!(row.residence_permit_number.as_deref().unwrap().starts_with("62R"));
    assert_eq!(kind(d.decide(&officer(), "c1", "refuse", &["x".into()]).await.unwrap_err()), "409 already_decided");

    // Pickup by proxy: the identity is stored, the case view gets the way only.
    assert_eq!(
        kind(d.record_pickup(&officer(), "c1", "proxy", "", "", "", "").await.unwrap_err()),
        "422 proxy.name:required proxy.id_number:required"
    );
    let row = d.record_pickup(&officer(), "c1", "proxy", "LI Lei", "620102199001011234", "", "").await.unwrap();
    assert_eq!((row.status.as_str(), row.pickup_proxy_id_number.as_deref()), ("completed", Some("620102199001011234")));
    assert_eq!(
        kind(d.record_pickup(&officer(), "c1", "in_person", "", "", "", "").await.unwrap_err()),
        "409 already_picked_up"
    );

    let s = steps(d).await;
    let names: Vec<&str> = s.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        [
            "residence_entry_recorded",
            "residence_application_received",
            "residence_verification_scheduled",
            "residence_verification_rescheduled",
            "residence_verification_rescheduled",
            "residence_verification_recorded",
            "residence_permit_approved",
            "residence_permit_collected",
        ]
    );
    assert_eq!(s[0].due_on, rules::apply_by(entry).to_string());
    assert_eq!((s[1].counter_visit, s[1].documents_submitted, s[1].due_on.as_str()), (true, 3, due.as_str()));
    assert_eq!(s[1].result["decision_due_counted_in"], "working_days");
    assert_eq!(s[1].result["receipt_valid_until"], due);
    // The interview is on another day than the application: one more visit.
    assert!(s[5].counter_visit);
    assert_eq!(step_status(&s[6]), "approved");
    assert_eq!((step_status(&s[7]), s[7].result["pickup_method"].as_str()), ("completed", "proxy"));
    assert!(!s[7].counter_visit, "a proxy's visit is not the applicant's trip");
    assert!(
        s.iter().all(|e| e.item() == pbc::Item::ResidencePermit && e.department() == pbc::Department::PublicSecurity)
    );
    let personal = ["LI Lei", "620102199001011234", "answers consistent"];
    assert!(
        s.iter().all(|e| personal.iter().all(|p| !e.detail.contains(p) && !e.result.values().any(|v| v.contains(p))))
    );
    assert!(topics(d).await.contains(&"residence-permit-issued".to_string()));

    // The view hides the proxy's identity from everyone but public-security staff.
    let verifications = store::verifications(&d.base.db.pool, "c1").await.unwrap();
    let for_employer = crate::grpc::to_pb(&row, &verifications, false);
    let pickup = for_employer.pickup.unwrap();
    assert_eq!((pickup.method.as_str(), pickup.proxy_id_number.as_str()), ("proxy", ""));
    assert!(for_employer.applicant.is_none() && for_employer.verifications[0].note.is_empty());
    let for_officer = crate::grpc::to_pb(&row, &verifications, true);
    assert_eq!(for_officer.applicant.unwrap().surname, "SMITH");
    assert_eq!(for_officer.pickup.unwrap().proxy_name, "LI Lei");
}

#[tokio::test]
async fn a_no_show_without_justification_lets_the_officer_refuse() {
    let f = fixture().await;
    let d = &f.desk;
    deliver(d, &on_approved(), approved("c2", far())).await.unwrap();
    d.record_application(&officer(), "c2", &paper(), false).await.unwrap();
    let no_show = vec![rules::REASON_NO_SHOW.to_string()];
    // The code needs its facts.
    assert_eq!(
        kind(d.decide(&officer(), "c2", "refuse", &no_show).await.unwrap_err()),
        "422 reasons[0]:not_applicable"
    );
    // An appointment just now: attendance could be recorded, a no-show not before the grace.
    let now = platform::time::now_rfc3339();
    d.schedule_verification(&officer(), "c2", "site_visit", &now, "the employer's office").await.unwrap();
    let early = d.record_outcome(&officer(), "c2", "no_show", true, "flight delayed").await.unwrap_err();
    assert!(early.to_string().contains("Beijing time"), "{early}");
    assert_eq!(kind(early), "409 no_show_too_early");
    applied_days_ago(d, "c2", 2).await;
    d.schedule_verification(&officer(), "c2", "site_visit", &days_ago_10(2), "the employer's office").await.unwrap();
    // A justified no-show: a new verification is due, and the code still does not apply.
    d.record_outcome(&officer(), "c2", "no_show", true, "flight delayed").await.unwrap();
    assert_eq!(kind(d.decide(&officer(), "c2", "approve", &[]).await.unwrap_err()), "409 verification_not_attended");
    assert_eq!(
        kind(d.decide(&officer(), "c2", "refuse", &no_show).await.unwrap_err()),
        "422 reasons[0]:not_applicable"
    );
    d.schedule_verification(&officer(), "c2", "interview", &days_ago_10(1), "hall").await.unwrap();
    d.record_outcome(&officer(), "c2", "no_show", false, "").await.unwrap();
    assert_eq!(store::verifications(&d.base.db.pool, "c2").await.unwrap().len(), 2);
    assert_eq!(kind(d.decide(&officer(), "c2", "refuse", &[]).await.unwrap_err()), "422 reasons:required");
    let row = d.decide(&officer(), "c2", "refuse", &no_show).await.unwrap();
    assert_eq!(row.status.as_str(), "refused");
    assert_eq!(
        kind(d.record_pickup(&officer(), "c2", "in_person", "", "", "", "").await.unwrap_err()),
        "409 case_closed"
    );
    let last = steps(d).await.pop().unwrap();
    assert_eq!((step_status(&last), last.event.as_str()), ("refused", "residence_permit_refused"));
    assert_eq!(last.result["reason_codes"], rules::REASON_NO_SHOW);
    assert!(last.result["reasons"].starts_with("the applicant did not attend"));
    assert!(!topics(d).await.contains(&"residence-permit-issued".to_string()));
}

#[tokio::test]
async fn a_work_permit_with_less_than_90_days_left_blocks_approval_until_extended() {
    let f = fixture().await;
    let d = &f.desk;
    let soon = today_cst().checked_add_days(Days::new(40)).unwrap();
    deliver(d, &on_approved(), approved("c3", soon)).await.unwrap();
    d.record_application(&officer(), "c3", &paper(), false).await.unwrap();
    assert_eq!(
        kind(d.decide(&officer(), "c3", "approve", &[]).await.unwrap_err()),
        "409 work_permit_validity_too_short"
    );
    let extended = ev::PermitExtended { case_id: "c3".into(), valid_until: far().to_string(), ..Default::default() };
    deliver(d, &OnPermitExtended, extended).await.unwrap();
    let short = vec![rules::REASON_SHORT_WORK_PERMIT.to_string()];
    assert_eq!(kind(d.decide(&officer(), "c3", "refuse", &short).await.unwrap_err()), "422 reasons[0]:not_applicable");
    let row = d.decide(&officer(), "c3", "approve", &[]).await.unwrap();
    assert_eq!(row.rp_valid_until.as_deref(), Some(far().to_string().as_str()));
    // In person: the applicant's visit counts.
    d.record_pickup(&officer(), "c3", "in_person", "", "", "", "").await.unwrap();
    assert!(steps(d).await.pop().unwrap().counter_visit);
}

#[tokio::test]
async fn a_cancelled_work_permit_ends_open_cases_and_flags_issued_permits() {
    let f = fixture().await;
    let d = &f.desk;
    // An open case ends.
    deliver(d, &on_approved(), approved("open", far())).await.unwrap();
    d.record_application(&officer(), "open", &paper(), false).await.unwrap();
    deliver(d, &OnPermitCancelled, cancelled("open")).await.unwrap();
    let row = store::get(&d.base.db.pool, "open").await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.work_permit_cancelled), ("cancelled", 1));
    let last = steps(d).await.pop().unwrap();
    assert_eq!((step_status(&last), last.event.as_str()), ("cancelled", "residence_case_cancelled"));
    assert_eq!(kind(d.decide(&officer(), "open", "approve", &[]).await.unwrap_err()), "409 case_closed");

    // An issued permit is flagged, once, and is not handed over.
    deliver(d, &on_approved(), approved("issued", far())).await.unwrap();
    d.record_application(&officer(), "issued", &paper(), false).await.unwrap();
    d.decide(&officer(), "issued", "approve", &[]).await.unwrap();
    deliver(d, &OnPermitCancelled, cancelled("issued")).await.unwrap();
    let before = steps(d).await.len();
    deliver(d, &OnPermitCancelled, cancelled("issued")).await.unwrap();
    assert_eq!(steps(d).await.len(), before, "a second cancellation changes nothing");
    let last = steps(d).await.pop().unwrap();
    assert_eq!(
        (step_status(&last), last.event.as_str(), last.result["work_permit_cancelled"].as_str()),
        ("approved", "work_permit_cancelled_notice", "true")
    );
    let row = store::get(&d.base.db.pool, "issued").await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.work_permit_cancelled), ("approved", 1));
    assert_eq!(
        kind(d.record_pickup(&officer(), "issued", "in_person", "", "", "", "").await.unwrap_err()),
        "409 under_review"
    );
    // The counter lists it among the permits to resolve, and shows it so.
    let (flagged, _) = d.list("revocation_pending", "", 0, "").await.unwrap();
    assert_eq!(flagged.iter().map(|r| r.case_id.as_str()).collect::<Vec<_>>(), ["issued"]);
    assert_eq!(row.state().shown(), "revocation_pending");
    // Kept (a new employer's work permit): the flag clears and the permit can be handed over.
    assert_eq!(
        kind(d.resolve_revocation(&officer(), "issued", "keep", "", "2999-01-01").await.unwrap_err()),
        "422 reason:required effective_on:not_allowed"
    );
    let kept = d.resolve_revocation(&officer(), "issued", "keep", "new employer's work permit", "").await.unwrap();
    assert_eq!(
        (kept.status.as_str(), kept.work_permit_cancelled, kept.revocation.as_deref()),
        ("approved", 0, Some("keep"))
    );
    let last = steps(d).await.pop().unwrap();
    assert_eq!((last.event.as_str(), last.result["waiting_for"].as_str()), ("residence_permit_kept", "pickup"));
    assert_eq!(
        kind(d.resolve_revocation(&officer(), "issued", "revoke", "x", "").await.unwrap_err()),
        "409 no_revocation_pending"
    );
    d.record_pickup(&officer(), "issued", "in_person", "", "", "", "").await.unwrap();

    // Picked up, then its work permit cancelled: revoked from a day on; the item ends.
    deliver(d, &on_approved(), approved("out", far())).await.unwrap();
    d.record_application(&officer(), "out", &paper(), false).await.unwrap();
    d.decide(&officer(), "out", "approve", &[]).await.unwrap();
    d.record_pickup(&officer(), "out", "in_person", "", "", "", "").await.unwrap();
    deliver(d, &OnPermitCancelled, cancelled("out")).await.unwrap();
    let row = store::get(&d.base.db.pool, "out").await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.state().shown()), ("completed", "revocation_pending"));
    let last_day = today_cst().checked_add_days(Days::new(10)).unwrap().to_string();
    let revoked = d.resolve_revocation(&officer(), "out", "revoke", "work permit cancelled", &last_day).await.unwrap();
    assert_eq!((revoked.status.as_str(), revoked.rp_valid_until.as_deref()), ("revoked", Some(last_day.as_str())));
    let last = steps(d).await.pop().unwrap();
    assert_eq!(
        (step_status(&last), last.event.as_str(), last.result["valid_until"].as_str()),
        ("cancelled", "residence_permit_revoked", last_day.as_str())
    );
    assert_eq!(
        kind(d.resolve_revocation(&officer(), "out", "revoke", "again", "").await.unwrap_err()),
        "409 already_revoked"
    );
    let reviewer = actor("reviewer", "li", DEPARTMENT.as_str());
    assert_eq!(kind(d.resolve_revocation(&reviewer, "open", "keep", "x", "").await.unwrap_err()), "403");

    // A cancellation that overtakes the approval: the late approval opens nothing.
    deliver(d, &OnPermitCancelled, cancelled("late")).await.unwrap();
    let opened_before = topics(d).await.iter().filter(|t| *t == "residence-case-opened").count();
    deliver(d, &on_approved(), approved("late", far())).await.unwrap();
    assert_eq!(topics(d).await.iter().filter(|t| *t == "residence-case-opened").count(), opened_before);
    assert_eq!(store::get(&d.base.db.pool, "late").await.unwrap().unwrap().status.as_str(), "cancelled");
}

#[tokio::test]
async fn a_residence_permit_starts_with_its_work_permit_and_follows_its_extension_and_employer() {
    let f = fixture().await;
    let d = &f.desk;
    // Approved ahead of its start: the work permit runs from in 60 days.
    let starts = today_cst().checked_add_days(Days::new(60)).unwrap();
    let ahead = ev::PermitApproved { valid_from: starts.to_string(), ..approved("c5", far()) };
    deliver(d, &on_approved(), ahead).await.unwrap();
    d.record_application(&officer(), "c5", &paper(), false).await.unwrap();
    let row = d.decide(&officer(), "c5", "approve", &[]).await.unwrap();
    assert_eq!(row.rp_valid_from.as_deref(), Some(starts.to_string().as_str()), "never before the work permit");
    assert!(row.rp_valid_until.as_deref().unwrap() <= far().to_string().as_str(), "never after it either");
    // Issued: an extension of the work permit is held (the cap of the permit's own extension).
    let later = far().checked_add_days(Days::new(365)).unwrap();
    let extended = ev::PermitExtended { case_id: "c5".into(), valid_until: later.to_string(), ..Default::default() };
    deliver(d, &OnPermitExtended, extended).await.unwrap();
    // A new employer: the file follows it, and the old employer cannot act on it any more.
    let new_employer = "91620100MA0000002D";
    let changed = ev::PermitChanged {
        case_id: "c5".into(),
        employer: Some(onething_proto::common::Employer {
            credit_code: new_employer.into(),
            kind: "public_institution".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    deliver(d, &crate::residence::OnPermitChanged, changed).await.unwrap();
    let row = store::get(&d.base.db.pool, "c5").await.unwrap().unwrap();
    assert_eq!(row.permit_valid_until, later.to_string());
    assert_eq!((row.employer_credit_code.as_str(), row.employer_kind.as_str()), (new_employer, "public_institution"));
    assert_eq!(row.rp_valid_until.as_deref(), Some(far().to_string().as_str()), "the issued dates stay");
    // Up for revocation before it starts: its last day cannot come before its first.
    deliver(d, &OnPermitCancelled, cancelled("c5")).await.unwrap();
    let tomorrow = today_cst().succ_opt().unwrap().to_string();
    assert_eq!(
        kind(d.resolve_revocation(&officer(), "c5", "revoke", "x", &tomorrow).await.unwrap_err()),
        "422 effective_on:before_today"
    );
    let revoked = d.resolve_revocation(&officer(), "c5", "revoke", "work permit cancelled", "").await.unwrap();
    assert_eq!(revoked.rp_valid_until.as_deref(), Some(starts.to_string().as_str()), "empty means its first day");
}

#[tokio::test]
async fn the_decision_period_can_count_calendar_days() {
    let mut f = fixture().await;
    f.desk.settings =
        ResidenceSettings { decision_days: 15, decision_counted_in: rules::DayCount::Days, ..Default::default() };
    let d = &f.desk;
    deliver(d, &on_approved(), approved("c4", far())).await.unwrap();
    let all: Vec<String> = [paper(), vec!["passport_loss_certificate".into()]].concat();
    assert_eq!(
        kind(d.record_application(&officer(), "c4", &paper(), true).await.unwrap_err()),
        "422 paper_materials.passport_loss_certificate:material_missing"
    );
    let row = d.record_application(&officer(), "c4", &all, true).await.unwrap();
    let due = today_cst().checked_add_days(Days::new(15)).unwrap().to_string();
    assert_eq!(row.decision_due.as_deref(), Some(due.as_str()));
    assert_eq!(row.decision_due_counted_in.as_deref(), Some("days"));
    let s = steps(d).await.pop().unwrap();
    assert_eq!((s.documents_submitted, s.result["decision_due_counted_in"].as_str()), (4, "days"));
    // A verification after the deadline would leave no time to decide.
    let late = format!("{}T10:00:00+08:00", today_cst().checked_add_days(Days::new(16)).unwrap());
    assert_eq!(
        kind(d.schedule_verification(&officer(), "c4", "phone", &late, "").await.unwrap_err()),
        "422 scheduled_at:after_decision_deadline"
    );
}

#[tokio::test]
async fn the_queue_comes_in_pages_oldest_first_then_an_empty_next_cursor() {
    let f = fixture().await;
    let d = &f.desk;
    let until = today_cst() + chrono::Duration::days(400);
    for case in ["q1", "q2", "q3"] {
        deliver(d, &on_approved(), approved(case, until)).await.unwrap();
    }
    // Two cases opened in the same millisecond: the id breaks the tie.
    sqlx::query("UPDATE residence_cases SET opened_at = 1000 WHERE case_id <> 'q3'")
        .execute(&d.base.db.pool)
        .await
        .unwrap();
    let (first, next) = d.list("", "", 2, "").await.unwrap();
    let mut tied: Vec<&str> = vec![first[0].case_id.as_str(), first[1].case_id.as_str()];
    tied.sort_unstable();
    assert_eq!(tied, ["q1", "q2"]);
    assert!(first[0].id < first[1].id);
    let (second, last) = d.list("pending", "", 2, &next.expect("a second page")).await.unwrap();
    assert_eq!(second.iter().map(|r| r.case_id.as_str()).collect::<Vec<_>>(), ["q3"]);
    assert_eq!(last, None);
    assert!(d.list("in_review", "", 0, "").await.unwrap().0.is_empty());
}

#[tokio::test]
async fn an_unknown_status_and_bad_paging_are_reported_at_once() {
    let f = fixture().await;
    let err = f.desk.list("not_started", "", 500, "x").await.unwrap_err();
    assert_eq!(kind(err), "422 status:unknown_value limit:out_of_range cursor:invalid_cursor");
    let Err(ServiceError::InvalidArgument(v)) = f.desk.list("waiting", "", 0, "").await else { panic!("422 expected") };
    assert!(
        v.0[0].message.contains("pending, in_review, approved, refused, completed, cancelled"),
        "{}",
        v.0[0].message
    );
}

#[tokio::test]
async fn two_steps_from_one_read_of_a_case_the_second_is_the_lost_race() {
    let f = fixture().await;
    let d = &f.desk;
    deliver(d, &on_approved(), approved("c1", far())).await.unwrap();
    let read = store::get(&d.base.db.pool, "c1").await.unwrap().unwrap();
    let mut tx = d.base.db.begin().await.unwrap();
    store::record_entry(&mut tx, &read, "2026-12-01", "2026-12-31").await.unwrap();
    let lost = store::permit_extended(&mut tx, &read, "2031-01-01").await.unwrap_err();
    assert!(matches!(lost, ServiceError::Aborted(_)), "{lost:?}");
    tx.commit().await.unwrap();
    let now = store::get(&d.base.db.pool, "c1").await.unwrap().unwrap();
    assert_eq!((now.entry_date.as_deref(), now.version), (Some("2026-12-01"), read.version + 1));
    assert_eq!(now.permit_valid_until, read.permit_valid_until, "the lost change changed nothing");
}
