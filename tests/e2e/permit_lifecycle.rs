//! The work permit's life through the public API: supplement requests and resubmission,
//! the review queue per department, the lifelong permit number, and change, extension and
//! cancellation of an issued permit with their effects on the case view.

use e2e::stack::{DbKind, SAMPLE_PDF, Stack, StackOptions, application, credit_code, item, item_status};
use serde_json::{Value, json};

use crate::{CONVERGE, submitted_in_review};

const OPEN: [&str; 4] = ["not_started", "pending", "in_review", "supplement_requested"];

fn path(id: &str, action: &str) -> String {
    format!("/api/v1/work-permits/{id}/{action}")
}

fn error_fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| (e["field"].as_str().unwrap_or("").to_string(), e["code"].as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn has_timeline(case: &Value, event: &str) -> bool {
    case["timeline"].as_array().is_some_and(|t| t.iter().any(|e| e["event"] == event))
}

async fn approve(stack: &Stack, reviewer: &str, id: &str) -> Value {
    let (status, permit) = stack.post(&path(id, "decision"), Some(reviewer), &json!({"decision": "approve"})).await;
    assert_eq!(status, 200, "{permit:#}");
    assert_eq!(permit["status"], "approved");
    permit
}

#[tokio::test]
async fn a_supplement_request_holds_the_permit_until_the_employer_resubmits_then_it_is_approved() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, _) = submitted_in_review(&stack, 21, "B", &["social_insurance"]).await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;

    // Every wrong material code at once.
    let (status, problem) = stack
        .post(
            &path(&id, "decision"),
            Some(&reviewer),
            &json!({"decision": "supplement", "materials": ["criminal_record_certificate", "criminal_record", "visa_application_form"]}),
        )
        .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(
        error_fields(&problem),
        [
            ("materials[1]".to_string(), "unknown_value".to_string()),
            ("materials[2]".to_string(), "not_supplementable".to_string())
        ]
    );

    let note = "the certificate is older than six months";
    let (status, permit) = stack
        .post(
            &path(&id, "decision"),
            Some(&reviewer),
            &json!({"decision": "supplement", "materials": ["criminal_record_certificate"], "note": note}),
        )
        .await;
    assert_eq!(status, 200, "{permit:#}");
    assert_eq!(permit["status"], "supplement_requested");
    assert_eq!(permit["requested_materials"], json!(["criminal_record_certificate"]));
    assert_eq!(permit["supplement_notice"][0]["code"], "supplement_requested");
    assert!(permit["supplement_notice"][0]["message_zh"].as_str().unwrap().contains("无犯罪记录证明"));

    // No decision while the employer has the file.
    let (status, problem) = stack.post(&path(&id, "decision"), Some(&reviewer), &json!({"decision": "approve"})).await;
    assert_eq!(status, 409, "{problem:#}");

    let case =
        stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "work_permit") == "supplement_requested").await;
    assert_eq!(case["status"], "supplement_requested");
    assert_eq!(item(&case, "work_permit")["result"]["requested_materials"], "criminal_record_certificate");
    assert_eq!(item(&case, "work_permit")["result"]["supplement_note"], note);
    let notice = &case["notices"][0];
    assert_eq!((notice["kind"].as_str(), notice["answered_on"].as_null()), (Some("supplement_requested"), Some(())));

    // The employer uploads the certificate again and resubmits.
    let (status, upload) =
        stack.upload(&employer, "criminal_record_certificate", "application/pdf", SAMPLE_PDF.to_vec()).await;
    assert_eq!(status, 201, "{upload:#}");
    let (status, resubmitted) = stack
        .post(
            &format!("/api/v1/cases/{id}/supplements"),
            Some(&employer),
            &json!({"materials": [{"kind": "criminal_record_certificate", "id": upload["id"]}]}),
        )
        .await;
    assert_eq!(status, 200, "{resubmitted:#}");

    let case = stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item_status(c, "work_permit") == "in_review" && has_timeline(c, "supplement_received")
        })
        .await;
    assert_eq!(case["status"], "in_review");
    // The notice stays, marked answered on the day of the supplement.
    let notice = &case["notices"][0];
    assert_eq!(notice["kind"], "supplement_requested");
    assert_eq!(notice["answered_on"], platform::time::today_cst().to_string().as_str(), "{:#}", case["notices"]);
    let (status, permit) = stack.get(&format!("/api/v1/work-permits/{id}"), Some(&reviewer)).await;
    assert_eq!((status, permit["status"].as_str()), (200, Some("in_review")), "{permit:#}");

    let permit = approve(&stack, &reviewer, &id).await;
    let case = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "work_permit") == "approved").await;
    assert_eq!(item(&case, "work_permit")["result"]["permit_number"], permit["permit_number"]);
    stack.shutdown().await;
}

async fn issued_permit_changes_extends_and_cancels(db: DbKind) {
    let stack = Stack::start(StackOptions { db, ..Default::default() }).await;
    let (employer, id, _) = submitted_in_review(&stack, 22, "A", &["social_insurance", "title_review"]).await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    // hrss sees the case (its social insurance and title review) but not the permit.
    let other = stack.token("reviewer", "bob", "hrss").await;

    // Nothing of the lifecycle before approval.
    let (status, _) = stack.post(&path(&id, "cancellation"), Some(&reviewer), &json!({"reason": "x"})).await;
    assert_eq!(status, 409);

    let permit = approve(&stack, &reviewer, &id).await;
    let first_until = permit["valid_until"].as_str().unwrap().to_string();
    stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item_status(c, "residence_permit") == "pending" && item_status(c, "title_review") == "pending"
        })
        .await;

    for (action, body) in [
        ("change", json!({"employer": {"name": "Other Co."}})),
        ("extension", json!({"contract_months": 48})),
        ("cancellation", json!({"reason": "x"})),
    ] {
        let (status, problem) = stack.post(&path(&id, action), Some(&other), &body).await;
        assert_eq!(status, 404, "{action} by another department finds no permit: {problem:#}");
    }

    // Change: every problem at once, then a valid change.
    let (status, problem) = stack
        .post(
            &path(&id, "change"),
            Some(&reviewer),
            &json!({"employer": {"region_code": "6201"}, "position": {"annual_salary_cny": 0}}),
        )
        .await;
    assert_eq!(status, 422, "{problem:#}");
    assert_eq!(
        error_fields(&problem),
        [
            ("employer.region_code".to_string(), "invalid_region_code".to_string()),
            ("position.annual_salary_cny".to_string(), "not_positive".to_string())
        ]
    );
    let (status, problem) = stack.post(&path(&id, "change"), Some(&reviewer), &json!({})).await;
    assert_eq!((status, error_fields(&problem)[0].1.as_str()), (422, "nothing_to_change"));
    let (status, changed) = stack
        .post(
            &path(&id, "change"),
            Some(&reviewer),
            &json!({"employer": {"name": "Lanzhou New Example Co., Ltd."}, "position": {"annual_salary_cny": 520000}}),
        )
        .await;
    assert_eq!(status, 200, "{changed:#}");
    assert_eq!(changed["changed_fields"], json!(["employer.name", "position.annual_salary_cny"]));
    assert_eq!(changed["employer"]["name"], "Lanzhou New Example Co., Ltd.");
    assert_eq!(changed["position"]["annual_salary_cny"], 520000);
    assert_eq!(changed["status"], "approved");
    let case = stack.wait_case(&employer, &id, CONVERGE, |c| has_timeline(c, "permit_changed")).await;
    assert_eq!(item(&case, "work_permit")["result"]["employer_name"], "Lanzhou New Example Co., Ltd.");

    // Extension: must end later than now; 48 months from today does (category A: 5 years).
    let (status, problem) = stack.post(&path(&id, "extension"), Some(&reviewer), &json!({"contract_months": 1})).await;
    assert_eq!((status, error_fields(&problem)), (422, vec![("contract_months".into(), "not_later".into())]));
    let (status, problem) = stack.post(&path(&id, "extension"), Some(&reviewer), &json!({})).await;
    assert_eq!((status, error_fields(&problem)[0].1.as_str()), (422, "required"));
    let (status, extended) =
        stack.post(&path(&id, "extension"), Some(&reviewer), &json!({"contract_months": 48})).await;
    assert_eq!(status, 200, "{extended:#}");
    let new_until = extended["valid_until"].as_str().unwrap().to_string();
    assert!(new_until > first_until, "{new_until} after {first_until}");
    assert_eq!(extended["permit_number"], permit["permit_number"]);
    let case = stack
        .wait_case(&employer, &id, CONVERGE, |c| item(c, "work_permit")["result"]["valid_until"] == new_until.as_str())
        .await;
    assert!(has_timeline(&case, "permit_extended"));

    // Cancellation: a written reason; open downstream items end with it.
    let (status, problem) = stack.post(&path(&id, "cancellation"), Some(&reviewer), &json!({})).await;
    assert_eq!((status, error_fields(&problem)), (422, vec![("reason".into(), "required".into())]));
    // The snapshot is taken once hrss has registered the social insurance (its last step
    // after the approval): an item still in flight could otherwise finish either side of
    // the cancellation, and the snapshot would not say which items were open.
    let before = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "social_insurance") == "completed").await;
    assert_eq!(
        (item_status(&before, "residence_permit"), item_status(&before, "title_review")),
        ("pending", "pending"),
        "{before:#}"
    );
    let (status, cancelled) =
        stack.post(&path(&id, "cancellation"), Some(&reviewer), &json!({"reason": "the employment ended"})).await;
    assert_eq!(status, 200, "{cancelled:#}");
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["cancellation_reason"].as_str()),
        (Some("cancelled"), Some("the employment ended"))
    );
    let case = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "work_permit") == "cancelled").await;
    assert_eq!(case["status"], "cancelled", "a cancelled permit is no refusal");
    for downstream in ["social_insurance", "title_review", "residence_permit"] {
        let was = item_status(&before, downstream);
        let now = item_status(&case, downstream);
        if OPEN.contains(&was) {
            assert_eq!(now, "cancelled", "{downstream} was {was}");
        } else {
            assert_ne!(now, "cancelled", "{downstream} was already {was}");
        }
    }
    // Residence and title review were waiting: both ended.
    assert_eq!(item_status(&case, "residence_permit"), "cancelled");
    assert_eq!(item_status(&case, "title_review"), "cancelled");

    // A cancelled permit has no lifecycle left.
    for (action, body) in [
        ("cancellation", json!({"reason": "again"})),
        ("extension", json!({"contract_months": 48})),
        ("change", json!({"position": {"title": "Chief engineer"}})),
    ] {
        let (status, problem) = stack.post(&path(&id, action), Some(&reviewer), &body).await;
        assert_eq!(status, 409, "{action} of a cancelled permit: {problem:#}");
    }
    stack.shutdown().await;
}

#[tokio::test]
async fn an_issued_permit_is_changed_extended_and_cancelled_on_postgres() {
    issued_permit_changes_extends_and_cancels(DbKind::Postgres).await;
}

#[tokio::test]
async fn an_issued_permit_is_changed_extended_and_cancelled_on_sqlite() {
    issued_permit_changes_extends_and_cancels(DbKind::Sqlite).await;
}

#[tokio::test]
async fn each_department_reviews_its_own_queue() {
    let stack = Stack::start(StackOptions::default()).await;
    let (_, b1, _) = submitted_in_review(&stack, 23, "B", &[]).await;
    let (_, c1, _) = submitted_in_review(&stack, 24, "C", &[]).await;
    let (_, a1, _) = submitted_in_review(&stack, 25, "A", &[]).await;
    let st = stack.token("reviewer", "alice", "science-tech").await;
    let hr = stack.token("reviewer", "bob", "hrss").await;
    approve(&stack, &st, &b1).await;

    let ids = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|p| p["case_id"].as_str().unwrap().to_string()).collect()
    };
    let (status, queue) = stack.get("/api/v1/work-permits?status=in_review", Some(&st)).await;
    assert_eq!(status, 200, "{queue:#}");
    assert_eq!(ids(&queue), vec![a1.clone()]);
    let p = &queue["items"][0];
    assert_eq!(
        (p["department"].as_str(), p["category"].as_str(), p["status"].as_str()),
        (Some("science-tech"), Some("A"), Some("in_review"))
    );
    assert!(p["case_no"].as_str().unwrap().starts_with("GS-"));
    assert!(p["opened_at"].as_str().unwrap().ends_with('Z'));
    assert!(p["waiting_working_days"].as_i64().unwrap() <= 1, "opened just now: {p}");
    assert!(p.get("applicant").is_none());

    let (status, queue) = stack.get("/api/v1/work-permits?status=in_review", Some(&hr)).await;
    assert_eq!((status, ids(&queue)), (200, vec![c1.clone()]));
    let (status, all) = stack.get("/api/v1/work-permits", Some(&st)).await;
    assert_eq!((status, all["items"].as_array().unwrap().len()), (200, 2), "approved and in review: {all:#}");

    // Operators see both departments, or one.
    let ops = stack.token("ops", "operator-1", "").await;
    let (status, queue) = stack.get("/api/v1/work-permits?status=in_review", Some(&ops)).await;
    assert_eq!(status, 200);
    let mut both = ids(&queue);
    both.sort();
    let mut expected = vec![a1.clone(), c1.clone()];
    expected.sort();
    assert_eq!(both, expected);
    let (status, queue) = stack.get("/api/v1/work-permits?department=hrss", Some(&ops)).await;
    assert_eq!((status, ids(&queue)), (200, vec![c1.clone()]));

    // A reviewer sees only their own department; others see nothing.
    assert_eq!(stack.get("/api/v1/work-permits?department=hrss", Some(&st)).await.0, 403);
    let ps = stack.token("reviewer", "carol", "public-security").await;
    assert_eq!(stack.get("/api/v1/work-permits", Some(&ps)).await.0, 403);
    let employer = stack.token("employer", &credit_code(23), "").await;
    assert_eq!(stack.get("/api/v1/work-permits", Some(&employer)).await.0, 403);
    assert_eq!(stack.get("/api/v1/work-permits", None).await.0, 401);
    let (status, problem) =
        stack.get("/api/v1/work-permits?status=waiting&department=public-security", Some(&ops)).await;
    assert_eq!(status, 422);
    assert_eq!(
        error_fields(&problem),
        [("status".to_string(), "unknown_value".to_string()), ("department".to_string(), "unknown_value".to_string())]
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn a_person_keeps_one_permit_number_for_life() {
    let stack = Stack::start(StackOptions::default()).await;
    let st = stack.token("reviewer", "alice", "science-tech").await;
    // The same applicant (nationality, birth date, passport) employed by two employers, one
    // after the other: while the first application is being decided a second is refused,
    // and only the first employer is told its number.
    let (first_employer, first, first_case) = submitted_in_review(&stack, 26, "B", &[]).await;
    let same_person = |n: u32, category: &str| {
        let mut body = application(&credit_code(n), category, &[]);
        body["applicant"]["passport_number"] = json!(e2e::stack::passport_of(&credit_code(26)));
        body
    };
    let second_employer = stack.token("employer", &credit_code(27), "").await;
    for (token, body, named) in
        [(&first_employer, same_person(26, "B"), true), (&second_employer, same_person(27, "A"), false)]
    {
        let (status, p) = stack.submit_case(token, body).await;
        assert_eq!(status, 422, "{p:#}");
        let open = p["errors"].as_array().unwrap().iter().find(|e| e["code"] == "open_case_exists").expect("{p:#}");
        assert_eq!(open["field"], "applicant.passport_number");
        let case_no = first_case["case_no"].as_str().unwrap();
        assert_eq!(open["message"].as_str().unwrap().contains(case_no), named, "{open:#}");
    }
    let number = approve(&stack, &st, &first).await["permit_number"].as_str().unwrap().to_string();
    stack.wait_case(&first_employer, &first, CONVERGE, |c| item_status(c, "work_permit") == "approved").await;
    let (status, case) = stack.submit_case(&second_employer, same_person(27, "A")).await;
    assert_eq!(status, 201, "decided: the person's next case is accepted: {case:#}");
    let second = case["id"].as_str().unwrap().to_string();
    stack.wait_case(&second_employer, &second, CONVERGE, |c| item_status(c, "work_permit") == "in_review").await;
    assert_eq!(approve(&stack, &st, &second).await["permit_number"], number.as_str(), "一人一号");

    // Another person gets another number.
    let code = credit_code(28);
    let employer = stack.token("employer", &code, "").await;
    let mut other = application(&code, "B", &[]);
    other["applicant"]["passport_number"] = json!("K98765432");
    let (status, case) = stack.submit_case(&employer, other).await;
    assert_eq!(status, 201, "{case:#}");
    let third = case["id"].as_str().unwrap().to_string();
    stack.wait_case(&employer, &third, CONVERGE, |c| item_status(c, "work_permit") == "in_review").await;
    assert_ne!(approve(&stack, &st, &third).await["permit_number"], number.as_str());

    // The foreigner signs in with the number and finds both of their cases.
    let foreigner = stack.token("foreigner", &number, "").await;
    let deadline = std::time::Instant::now() + CONVERGE;
    loop {
        let (status, list) = stack.get("/api/v1/cases", Some(&foreigner)).await;
        assert_eq!(status, 200, "{list:#}");
        let mut ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        ids.sort();
        let mut expected = vec![first.as_str(), second.as_str()];
        expected.sort();
        if ids == expected {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the foreigner's cases: {ids:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    stack.shutdown().await;
}
