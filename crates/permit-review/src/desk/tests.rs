//! The desk on a real SQLite database (no broker: events are read back from the outbox).

use std::sync::Arc;

use onething_proto::common as pbc;
use platform::config::DatabaseSettings;
use platform::db::Db;
use platform::events::headers::EventMeta;

use super::*;

struct TestDb(std::path::PathBuf);

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir() -> TestDb {
    let dir = std::env::temp_dir().join(format!("permit-review-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    TestDb(dir)
}

async fn desk_at(dir: &TestDb, department: Department) -> PermitDesk {
    let settings = DatabaseSettings {
        url: Some(format!("sqlite://{}/permits.db?mode=rwc", dir.0.display())),
        ..Default::default()
    };
    let db = Db::connect(&settings, "permits", &[(&crate::MIGRATIONS, crate::MIGRATIONS_TABLE)]).await.unwrap();
    let base = Base::with_db("science-tech", db);
    // service-center's answer to the desk's one question: the passport's expiry.
    let owner = platform::sharing::Canned {
        purpose: domain::sharing::Purpose::WorkPermitReview,
        fields: &[domain::sharing::PersonField::PassportExpiry],
        applicant: pbc::Applicant { passport_expiry: "2033-05-01".into(), ..Default::default() },
    };
    PermitDesk::with_sharing(base, department, Arc::new(owner))
}

fn reviewer(department: &str) -> Actor {
    Actor::parse("reviewer", "alice", department).unwrap()
}

fn accepted(case_id: &str, category: &str, passport: &str) -> ev::CaseAccepted {
    ev::CaseAccepted {
        case_id: case_id.into(),
        case_no: format!("GS-{case_id}"),
        category: category.parse::<domain::case::Category>().unwrap().wire(),
        employer: Some(pbc::Employer { name: "Old Co.".into(), region_code: "620100".into(), ..Default::default() }),
        person_key: domain::ids::person_key("GBR", "1988-04-02", passport).unwrap_or_default(),
        position: Some(pbc::Position {
            title: "Engineer".into(),
            annual_salary_cny: 480_000,
            start_date: "2027-01-04".into(),
            contract_months: 24,
            sector: None,
        }),
        items: vec![pbc::Item::WorkPermit as i32, pbc::Item::ResidencePermit as i32],
        ..Default::default()
    }
}

fn meta() -> EventMeta {
    EventMeta {
        id: uuid::Uuid::new_v4().to_string(),
        ce_type: "test".into(),
        source: "test".into(),
        time: now_rfc3339(),
        traceparent: None,
        signature: None,
    }
}

/// Runs a handler in its own transaction, as the consumer does.
async fn deliver<E: platform::events::Event>(desk: &PermitDesk, event: E)
where
    PermitDesk: Handler<E>,
{
    let mut tx = desk.base.db.begin().await.unwrap();
    let meta = meta();
    let cx = Context { tx: &mut tx, meta: &meta, outbox: &desk.base.outbox };
    desk.handle(event, cx).await.unwrap();
    tx.commit().await.unwrap();
}

async fn topics(desk: &PermitDesk) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT topic FROM outbox ORDER BY created_at, event_id")
        .fetch_all(&desk.base.db.pool)
        .await
        .unwrap();
    rows.into_iter().map(|(t,)| t).collect()
}

async fn audits(desk: &PermitDesk, action: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT outcome FROM audit_log WHERE action = $1 ORDER BY at, id")
        .bind(action)
        .fetch_all(&desk.base.db.pool)
        .await
        .unwrap();
    rows.into_iter().map(|(o,)| o).collect()
}

fn code(e: ServiceError) -> String {
    match e {
        ServiceError::InvalidArgument(v) => {
            v.0.iter().map(|x| format!("{}:{}", x.field, x.code)).collect::<Vec<_>>().join(" ")
        }
        ServiceError::FailedPrecondition { kind, .. } => format!("409:{kind}"),
        ServiceError::PermissionDenied(_) => "403".into(),
        ServiceError::NotFound { .. } => "404".into(),
        other => format!("{other}"),
    }
}

#[test]
fn decisions_parse_with_every_problem_named() {
    let parse = |d: &str, r: &[&str], m: &[&str]| {
        let r: Vec<String> = r.iter().map(|s| s.to_string()).collect();
        let m: Vec<String> = m.iter().map(|s| s.to_string()).collect();
        PermitDecision::parse(d, &r, &m, " see note ")
    };
    assert_eq!(parse("approve", &[], &[]).unwrap(), PermitDecision::Approve);
    assert_eq!(
        parse("refuse", &[" salary below minimum "], &[]).unwrap(),
        PermitDecision::Refuse { reasons: vec!["salary below minimum".into()] }
    );
    assert_eq!(parse("refuse", &["  "], &[]).unwrap_err().0[0].field, "reasons");
    assert_eq!(parse("maybe", &[], &[]).unwrap_err().0[0].code, "unknown_value");
    assert_eq!(
        parse("supplement", &[], &["criminal_record_certificate", "photo", "photo"]).unwrap(),
        PermitDecision::Supplement {
            materials: vec![MaterialKind::CriminalRecordCertificate, MaterialKind::Photo],
            note: "see note".into()
        }
    );
    let v = parse(
        "supplement",
        &[],
        &["criminal_record", "photo", "visa_application_form", "work_permit_application_form"],
    )
    .unwrap_err();
    let got: Vec<(&str, &str)> = v.0.iter().map(|x| (x.field.as_str(), x.code.as_str())).collect();
    assert_eq!(
        got,
        [
            ("materials[0]", "unknown_value"),
            ("materials[2]", "not_supplementable"),
            ("materials[3]", "not_supplementable")
        ]
    );
    assert_eq!(parse("supplement", &[], &[]).unwrap_err().0[0].field, "materials");
    let long = "x".repeat(1001);
    let v = PermitDecision::parse("supplement", &[], &[], &long).unwrap_err();
    assert_eq!(v.len(), 2, "missing materials and a long note together: {v}");
}

#[tokio::test]
async fn a_person_keeps_one_number_across_cases() {
    let dir = temp_dir();
    let desk = desk_at(&dir, Department::ScienceTech).await;
    let st = reviewer("science-tech");
    for (case, passport) in [("c1", "E12345678"), ("c2", "e12345678"), ("c3", "X99999999")] {
        deliver(&desk, accepted(case, "B", passport)).await;
    }
    // A category-C case goes to hrss: not opened here.
    deliver(&desk, accepted("c4", "C", "E12345678")).await;
    assert_eq!(code(desk.get(&st, "c4").await.unwrap_err()), "404");

    let first = desk.decide(&st, "c1", PermitDecision::Approve).await.unwrap();
    let again = desk.decide(&st, "c2", PermitDecision::Approve).await.unwrap();
    let other = desk.decide(&st, "c3", PermitDecision::Approve).await.unwrap();
    let n1 = first.permit_number.clone().unwrap();
    assert!(n1.starts_with("62B"), "{n1}");
    assert_eq!(again.permit_number.as_deref(), Some(n1.as_str()), "the same person keeps the number");
    assert_ne!(other.permit_number.as_deref(), Some(n1.as_str()), "another person gets another number");
    let (persons,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM permit_persons").fetch_one(&desk.base.db.pool).await.unwrap();
    assert_eq!(persons, 2);
    assert_eq!(topics(&desk).await.iter().filter(|t| *t == "permit-approved").count(), 3);
    assert_eq!(audits(&desk, "permit.decide").await, ["approved", "approved", "approved"]);
    // Nothing left to backfill.
    assert_eq!(desk.backfill_persons().await.unwrap(), 0);
}

#[tokio::test]
async fn a_supplement_request_waits_for_the_employer_and_returns_to_review_once() {
    let dir = temp_dir();
    let desk = desk_at(&dir, Department::ScienceTech).await;
    let st = reviewer("science-tech");
    deliver(&desk, accepted("c1", "A", "E1")).await;
    let supplement =
        PermitDecision::Supplement { materials: vec![MaterialKind::CriminalRecordCertificate], note: "expired".into() };
    let row = desk.decide(&st, "c1", supplement.clone()).await.unwrap();
    assert_eq!(row.status.as_str(), "supplement_requested");
    assert_eq!(row.requested_materials, r#"["criminal_record_certificate"]"#);
    assert!(row.supplement_requested_at.is_some());
    // No decision while the employer has the file.
    assert_eq!(code(desk.decide(&st, "c1", PermitDecision::Approve).await.unwrap_err()), "409:not_in_review");
    assert_eq!(code(desk.decide(&st, "c1", supplement).await.unwrap_err()), "409:not_in_review");

    let supplemented = ev::CaseSupplemented {
        case_id: "c1".into(),
        materials: vec![pbc::MaterialRef {
            kind: "criminal_record_certificate".into(),
            id: "m1".into(),
            ..Default::default()
        }],
        supplemented_at: now_rfc3339(),
    };
    deliver(&desk, supplemented.clone()).await;
    // A second delivery (or a second supplement) finds the permit in review: nothing happens.
    deliver(&desk, supplemented.clone()).await;
    // A case this desk does not hold is ignored.
    deliver(&desk, ev::CaseSupplemented { case_id: "elsewhere".into(), ..supplemented }).await;
    let row = desk.get(&st, "c1").await.unwrap();
    assert_eq!(row.status.as_str(), "in_review");
    assert!(row.supplement_requested_at.is_none());
    assert_eq!(topics(&desk).await, ["permit-application-opened", "permit-supplement-requested", "item-progressed"]);
    let (payload,): (String,) = sqlx::query_as("SELECT payload_b64 FROM outbox WHERE topic = 'item-progressed'")
        .fetch_one(&desk.base.db.pool)
        .await
        .unwrap();
    use base64::Engine as _;
    let progressed =
        ev::ItemProgressed::decode(base64::engine::general_purpose::STANDARD.decode(payload).unwrap().as_slice())
            .unwrap();
    assert_eq!(
        (progressed.item(), progressed.status(), progressed.event.as_str()),
        (pbc::Item::WorkPermit, pbc::ItemStatus::InReview, "supplement_received")
    );
    assert_eq!(progressed.department(), pbc::Department::ScienceTech);

    let approved = desk.decide(&st, "c1", PermitDecision::Approve).await.unwrap();
    assert_eq!(approved.status.as_str(), "approved");
    assert_eq!(audits(&desk, "permit.decide").await, ["supplement_requested", "approved"]);
}

#[tokio::test]
async fn an_issued_permit_is_changed_extended_and_cancelled_by_its_department_only() {
    let dir = temp_dir();
    let desk = desk_at(&dir, Department::ScienceTech).await;
    let st = reviewer("science-tech");
    let hrss = reviewer("hrss");
    deliver(&desk, accepted("c1", "A", "E1")).await;

    // Nothing of the lifecycle before approval.
    assert_eq!(code(desk.cancel(&st, "c1", "x").await.unwrap_err()), "409:not_approved");
    assert_eq!(code(desk.extend(&st, "c1", 12).await.unwrap_err()), "409:not_approved");
    let approved = desk.decide(&st, "c1", PermitDecision::Approve).await.unwrap();
    let until = approved.valid_until.clone().unwrap();

    // Another department may do nothing; its attempts are audited.
    assert_eq!(code(desk.cancel(&hrss, "c1", "x").await.unwrap_err()), "403");
    assert_eq!(code(desk.extend(&hrss, "c1", 48).await.unwrap_err()), "403");
    let change = PermitChange { employer_name: Some("New Co.".into()), ..Default::default() };
    assert_eq!(code(desk.change(&hrss, "c1", &change).await.unwrap_err()), "403");
    assert_eq!(audits(&desk, "permit.cancel").await, ["denied"]);

    let (row, changed) = desk.change(&st, "c1", &change).await.unwrap();
    assert_eq!(changed, ["employer.name"]);
    assert_eq!(decode_application(&row.application).unwrap().employer.unwrap().name, "New Co.");
    // The same change again changes nothing and emits nothing.
    assert!(desk.change(&st, "c1", &change).await.unwrap().1.is_empty());
    let bad =
        PermitChange { employer_region_code: Some("6201".into()), annual_salary_cny: Some(-5), ..Default::default() };
    assert_eq!(
        code(desk.change(&st, "c1", &bad).await.unwrap_err()),
        "employer.region_code:invalid_region_code position.annual_salary_cny:not_positive"
    );

    // The original runs to 2029-01-03 (24 months from 2027-01-04); 12 months from today
    // ends earlier, 48 months later.
    assert_eq!(code(desk.extend(&st, "c1", 12).await.unwrap_err()), "contract_months:not_later");
    let extended = desk.extend(&st, "c1", 48).await.unwrap();
    assert_eq!(extended.valid_from.as_deref(), Some(today_cst().to_string().as_str()));
    assert!(extended.valid_until.clone().unwrap() > until, "{extended:?}");
    let position = decode_application(&extended.application).unwrap().position.unwrap();
    assert_eq!((position.start_date, position.contract_months), (today_cst().to_string(), 48));

    assert_eq!(code(desk.cancel(&st, "c1", "  ").await.unwrap_err()), "reason:required");
    let cancelled = desk.cancel(&st, "c1", "the contract ended").await.unwrap();
    assert_eq!(cancelled.status.as_str(), "cancelled");
    assert_eq!(cancelled.cancellation_reason.as_deref(), Some("the contract ended"));
    assert_eq!(code(desk.cancel(&st, "c1", "again").await.unwrap_err()), "409:not_approved");
    assert_eq!(code(desk.extend(&st, "c1", 48).await.unwrap_err()), "409:not_approved");
    assert_eq!(code(desk.change(&st, "c1", &change).await.unwrap_err()), "409:not_approved");

    let t = topics(&desk).await;
    assert_eq!(t[1..], ["permit-approved", "permit-changed", "permit-extended", "permit-cancelled"]);
    assert_eq!(audits(&desk, "permit.change").await, ["denied", "employer.name"]);
    assert_eq!(audits(&desk, "permit.cancel").await, ["denied", "cancelled"]);
}

#[tokio::test]
async fn the_queue_lists_by_status_oldest_first_for_staff_and_operators() {
    let dir = temp_dir();
    let desk = desk_at(&dir, Department::Hrss).await;
    for case in ["c1", "c2", "c3"] {
        deliver(&desk, accepted(case, "C", case)).await;
    }
    let hr = reviewer("hrss");
    desk.decide(&hr, "c2", PermitDecision::Approve).await.unwrap();
    let ids = |(rows, _): (Vec<PermitRow>, Option<String>)| rows.into_iter().map(|r| r.case_id).collect::<Vec<_>>();
    assert_eq!(ids(desk.list(&hr, "in_review", 0, "").await.unwrap()), ["c1", "c3"]);
    assert_eq!(ids(desk.list(&hr, "", 0, "").await.unwrap()), ["c1", "c2", "c3"]);
    let ops = Actor::parse("ops", "o", "").unwrap();
    assert_eq!(ids(desk.list(&ops, "approved", 0, "").await.unwrap()), ["c2"]);
    assert_eq!(code(desk.list(&reviewer("science-tech"), "", 0, "").await.unwrap_err()), "403");
    assert_eq!(code(desk.list(&hr, "pending", 0, "").await.unwrap_err()), "status:unknown_value");
    let row = desk.get(&hr, "c1").await.unwrap();
    assert_eq!(waiting(&row, today_cst()).days, 0, "opened today");
}

#[tokio::test]
async fn the_migration_keeps_existing_permits_and_backfill_registers_their_persons() {
    let dir = temp_dir();
    let url = format!("sqlite://{}/permits.db?mode=rwc", dir.0.display());
    // The schema before this migration, with one issued permit.
    {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let first = sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(vec![crate::MIGRATIONS.migrations[0].clone()]),
            table_name: crate::MIGRATIONS_TABLE.into(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        first.run(&pool).await.unwrap();
        sqlx::query(
            "INSERT INTO permits (case_id, case_no, department, category, status, application, permit_number, \
             valid_from, valid_until, opened_at, decided_at, decided_by) \
             VALUES ('old', 'GS-old', 'science-tech', 'B', 'approved', $1, '62B202600000007', '2027-01-04', '2029-01-03', 1, 2, 'bob')",
        )
        .bind(encode_application(&accepted("old", "B", "E1")))
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let desk = desk_at(&dir, Department::ScienceTech).await;
    let st = reviewer("science-tech");
    let old = desk.get(&st, "old").await.unwrap();
    assert_eq!((old.status.as_str(), old.permit_number.as_deref()), ("approved", Some("62B202600000007")));
    assert_eq!(old.requested_materials, "[]");
    assert_eq!(desk.backfill_persons().await.unwrap(), 1);
    assert_eq!(desk.backfill_persons().await.unwrap(), 0);
    // The same person's next case gets the old number.
    deliver(&desk, accepted("new", "B", "E1")).await;
    let new = desk.decide(&st, "new", PermitDecision::Approve).await.unwrap();
    assert_eq!(new.permit_number.as_deref(), Some("62B202600000007"));
}

#[tokio::test]
async fn the_queue_comes_in_pages_of_limit_then_an_empty_next_cursor() {
    let dir = temp_dir();
    let desk = desk_at(&dir, Department::Hrss).await;
    for case in ["c1", "c2", "c3"] {
        deliver(&desk, accepted(case, "C", case)).await;
    }
    // Same opened_at for all: the case id breaks the tie.
    sqlx::query("UPDATE permits SET opened_at = 1764547200000").execute(&desk.base.db.pool).await.unwrap();
    let hr = reviewer("hrss");
    let (first, next) = desk.list(&hr, "", 2, "").await.unwrap();
    assert_eq!(first.iter().map(|r| r.case_id.as_str()).collect::<Vec<_>>(), ["c1", "c2"]);
    let next = next.expect("a second page");
    assert_eq!(next, platform::paging::encode(&["2025-12-01T00:00:00.000Z", "c2"]), "the gateway's cursor");
    let (second, last) = desk.list(&hr, "", 2, &next).await.unwrap();
    assert_eq!(second.iter().map(|r| r.case_id.as_str()).collect::<Vec<_>>(), ["c3"]);
    assert_eq!(last, None);
}

#[tokio::test]
async fn an_unknown_status_a_bad_limit_and_a_bad_cursor_are_reported_at_once() {
    let dir = temp_dir();
    let desk = desk_at(&dir, Department::Hrss).await;
    let Err(ServiceError::InvalidArgument(v)) = desk.list(&reviewer("hrss"), "pending", 999, "garbage").await else {
        panic!("InvalidArgument expected")
    };
    let got: Vec<(&str, &str)> = v.0.iter().map(|x| (x.field.as_str(), x.code.as_str())).collect();
    assert_eq!(got, [("status", "unknown_value"), ("limit", "out_of_range"), ("cursor", "invalid_cursor")]);
    assert!(v.0[0].message.contains("in_review, supplement_requested, approved, refused, cancelled"));
    let not_a_time = platform::paging::encode(&["yesterday", "c1"]);
    let Err(ServiceError::InvalidArgument(v)) = desk.list(&reviewer("hrss"), "", 0, &not_a_time).await else {
        panic!("InvalidArgument expected")
    };
    assert!(v.contains("cursor", "invalid_cursor"));
}

#[tokio::test]
async fn two_changes_from_one_read_of_a_permit_the_second_is_the_lost_race() {
    let dir = temp_dir();
    let desk = desk_at(&dir, Department::ScienceTech).await;
    deliver(&desk, accepted("c1", "A", "E1")).await;
    // Two reviewers read the permit at the same version.
    let first = store::get(&desk.base.db.pool, "c1").await.unwrap().unwrap();
    let second = first.clone();
    let mut tx = desk.base.db.begin().await.unwrap();
    store::request_supplement(&mut tx, &first, PermitStatus::SupplementRequested, &["photo"], "blurred", 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let refusal = Decision {
        status: PermitStatus::Refused,
        permit_number: None,
        valid_from: None,
        valid_until: None,
        reasons: &["late".to_string()],
        decided_at: 2,
        decided_by: "bob",
        verification_code: None,
        issuer: None,
    };
    let mut tx = desk.base.db.begin().await.unwrap();
    let lost = store::decide(&mut tx, &second, &refusal).await.unwrap_err();
    tx.rollback().await.unwrap();
    assert!(matches!(lost, ServiceError::Aborted(_)), "{lost:?}");
    assert_eq!(tonic::Status::from(lost).code(), tonic::Code::Aborted, "409 concurrent-change at the gateway");
    // The first change holds, and moved the version on once.
    let now = store::get(&desk.base.db.pool, "c1").await.unwrap().unwrap();
    assert_eq!((now.status, now.version), (PermitStatus::SupplementRequested, first.version + 1));
    // Read again, the change goes through.
    let mut tx = desk.base.db.begin().await.unwrap();
    store::cancel(&mut tx, &now, PermitStatus::Cancelled, "test", 3).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store::get(&desk.base.db.pool, "c1").await.unwrap().unwrap().version, first.version + 2);
}

#[tokio::test]
async fn an_approved_permit_names_its_issuer_and_its_code_verifies_until_it_is_cancelled() {
    let dir = temp_dir();
    let desk = desk_at(&dir, Department::ScienceTech).await;
    let st = reviewer("science-tech");
    let mut lanzhou = accepted("c1", "B", "E1");
    lanzhou.employer.as_mut().unwrap().credit_code = "91620100MA0000001X".into();
    deliver(&desk, lanzhou).await;
    let mut elsewhere = accepted("c2", "A", "E2");
    elsewhere.employer.as_mut().unwrap().region_code = "620500".into();
    deliver(&desk, elsewhere).await;

    // Named when the application opens, as the classification names it.
    let open = store::get(&desk.base.db.pool, "c1").await.unwrap().unwrap();
    assert!(issuer_of(&open).starts_with("Lanzhou Municipal Bureau of Science and Technology"), "{open:?}");
    assert_eq!(open.verification_code, None);
    let other = store::get(&desk.base.db.pool, "c2").await.unwrap().unwrap();
    assert_eq!(issuer_of(&other), "Gansu Provincial Department of Science and Technology");

    let approved = desk.decide(&st, "c1", PermitDecision::Approve).await.unwrap();
    let printed = approved.verification_code.clone().expect("a code on approval");
    assert!(VerificationCode::parse(&printed).is_some());
    let v = desk.verify(&printed.to_lowercase()).await.unwrap();
    assert!(v.valid);
    assert_eq!(v.permit_number, approved.permit_number.clone().unwrap());
    assert_eq!(v.valid_until, approved.valid_until.clone().unwrap());
    assert!(v.issuer.starts_with("Lanzhou Municipal"));
    // Unknown, malformed: invalid and nothing else.
    assert_eq!(desk.verify(VerificationCode::generate().as_str()).await.unwrap(), Verification::default());
    assert_eq!(desk.verify("nonsense").await.unwrap(), Verification::default());

    // Only the employer of the case and the holder may download; anyone else finds nothing
    // (this desk has no font: the owner's download is unavailable, not refused).
    let other_employer = Actor::parse("employer", "91620100MA0000002X", "").unwrap();
    let stranger = Actor::parse("foreigner", "62B202600009999", "").unwrap();
    assert_eq!(code(desk.document(&other_employer, "c1").await.unwrap_err()), "404");
    assert_eq!(code(desk.document(&stranger, "c1").await.unwrap_err()), "404");
    assert_eq!(code(desk.document(&st, "c1").await.unwrap_err()), "404");
    let holder = Actor::parse("foreigner", approved.permit_number.as_deref().unwrap(), "").unwrap();
    assert!(matches!(desk.document(&holder, "c1").await.unwrap_err(), ServiceError::Unavailable(_)));
    assert_eq!(audits(&desk, "permit.document").await, ["not_found", "not_found", "not_found"]);

    desk.cancel(&st, "c1", "contract ended").await.unwrap();
    assert_eq!(desk.verify(&printed).await.unwrap(), Verification::default());
}
