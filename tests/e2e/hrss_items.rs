//! hrss's items through the public API: the electronic social security card (activation
//! with the real-person check, lock-out, sign-in, `/api/v1/me`), the card's permit
//! information following an extension and a cancellation, and the title eligibility review
//! before and after six months of work in Gansu.

use e2e::stack::{DbKind, SAMPLE_PDF, Stack, StackOptions, item, item_status};
use serde_json::{Value, json};

use crate::{CONVERGE, submitted_in_review};

const ACTIVATION: &str = "/api/v1/social-security-cards/activation";
const SIGN_IN: &str = "/api/v1/foreigners/sign-in";

/// The identity of the applicant of `e2e::stack::application`, with `birth_date`.
fn identity(key: (&str, &str), name: &str, birth_date: &str) -> Value {
    json!({key.0: key.1, "name": name, "identity": {"birth_date": birth_date, "nationality": "GBR"}})
}

/// Submits a case as employer `n` with `items`, approves its permit; returns the
/// employer's token, the case id and the approved permit.
async fn approved(stack: &Stack, n: u32, category: &str, items: &[&str]) -> (String, String, Value) {
    let (employer, id, _) = submitted_in_review(stack, n, category, items).await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let (status, permit) = stack
        .post(&format!("/api/v1/work-permits/{id}/decision"), Some(&reviewer), &json!({"decision": "approve"}))
        .await;
    assert_eq!(status, 200, "{permit:#}");
    (employer, id, permit)
}

fn has_timeline(case: &Value, event: &str) -> bool {
    case["timeline"].as_array().is_some_and(|t| t.iter().any(|e| e["event"] == event))
}

#[tokio::test]
async fn a_foreigner_activates_the_card_sees_permit_card_and_residence_and_the_card_follows_an_extension() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, permit) = approved(&stack, 60, "A", &["social_insurance"]).await;
    let number = permit["permit_number"].as_str().unwrap().to_string();
    let case = stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item_status(c, "social_insurance") == "completed"
                && item(c, "social_insurance")["result"]["due_on"].is_string()
                && item(c, "residence_permit")["result"]["residence_case_id"].is_string()
        })
        .await;
    // Registration within the legal 30 days of the permit's issue (FACTS §6), counted from
    // the issue date in China time.
    let decided_on = platform::time::cst_date(permit["decided_at"].as_str().unwrap()).unwrap();
    let due = (decided_on + chrono::Days::new(30)).to_string();
    assert_eq!(item(&case, "social_insurance")["result"]["due_on"], due.as_str());
    let ssn = item(&case, "social_insurance")["result"]["social_security_number"].as_str().unwrap().to_string();
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM si_cards WHERE status = 'issued'").await, 1);

    // Not active yet: no sign-in.
    let (status, problem) =
        stack.post(SIGN_IN, None, &identity(("permit_number", &number), "SMITH JOHN", "1988-04-02")).await;
    assert_eq!(status, 409, "{problem:#}");

    // A mismatch is refused with its reason, and counted.
    let (status, problem) =
        stack.post(ACTIVATION, None, &identity(("permit_number", &number), "SMITH JOHN", "1988-04-03")).await;
    assert_eq!(status, 403, "{problem:#}");
    assert_eq!(problem["code"], "identity_mismatch");
    assert!(problem["type"].as_str().unwrap().ends_with("/identity-mismatch"));
    assert_eq!(problem["attempts_left"], 4);
    assert_eq!(stack.count("hrss", "SELECT failed_attempts FROM si_cards").await, 1);

    // The right person (the name in any case and spacing) gets a foreigner token.
    let (status, activated) =
        stack.post(ACTIVATION, None, &identity(("permit_number", &number), " smith  john", "1988-04-02")).await;
    assert_eq!(status, 200, "{activated:#}");
    assert_eq!(activated["outcome"], "activated");
    assert_eq!((activated["role"].as_str(), activated["subject"].as_str()), (Some("foreigner"), Some(number.as_str())));
    assert_eq!(activated["card"]["status"], "active");
    assert_eq!(activated["card"]["social_security_number"], ssn.as_str());
    assert_eq!(stack.count("hrss", "SELECT failed_attempts FROM si_cards").await, 0, "a success clears the count");
    let token = activated["token"].as_str().unwrap().to_string();
    let case = stack
        .wait_case(&employer, &id, CONVERGE, |c| item(c, "social_insurance")["result"]["card_status"] == "active")
        .await;
    assert!(has_timeline(&case, "social_security_card_activated"));

    // Their own view: permit, card and residence status.
    let (status, me) = stack.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, 200, "{me:#}");
    assert_eq!(me["permit"]["permit_number"], number.as_str());
    assert_eq!(me["permit"]["valid_until"], permit["valid_until"]);
    assert_eq!(me["card"]["social_security_number"], ssn.as_str());
    assert_eq!(me["card"]["status"], "active");
    assert_eq!(me["residence_permit"]["status"], "pending");
    // `/me` is the foreigner's alone.
    assert_eq!(stack.get("/api/v1/me", Some(&employer)).await.0, 403);

    // Signing in again, by the social security number this time; activating twice is harmless.
    let (status, signed) =
        stack.post(SIGN_IN, None, &identity(("social_security_number", &ssn), "SMITH JOHN", "1988-04-02")).await;
    assert_eq!((status, signed["outcome"].as_str()), (200, Some("signed_in")), "{signed:#}");
    let (status, again) =
        stack.post(ACTIVATION, None, &identity(("permit_number", &number), "SMITH JOHN", "1988-04-02")).await;
    assert_eq!((status, again["outcome"].as_str()), (200, Some("already_active")), "{again:#}");

    // The permit is extended: the card's permit information follows.
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let (status, extended) = stack
        .post(&format!("/api/v1/work-permits/{id}/extension"), Some(&reviewer), &json!({"contract_months": 48}))
        .await;
    assert_eq!(status, 200, "{extended:#}");
    let new_until = extended["valid_until"].as_str().unwrap().to_string();
    assert_ne!(Some(new_until.as_str()), permit["valid_until"].as_str());
    let case = stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item(c, "social_insurance")["result"]["card_permit_valid_until"] == new_until.as_str()
        })
        .await;
    assert!(has_timeline(&case, "card_permit_info_updated"));
    assert_eq!(item_status(&case, "social_insurance"), "completed");
    let (_, me) = stack.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["card"]["permit_valid_until"], new_until.as_str());
    stack.shutdown().await;
}

#[tokio::test]
async fn five_refused_checks_lock_the_card_and_even_the_right_person_waits() {
    let stack = Stack::start(StackOptions { db: DbKind::Sqlite, ..Default::default() }).await;
    let (employer, id, permit) = approved(&stack, 61, "B", &["social_insurance"]).await;
    let number = permit["permit_number"].as_str().unwrap().to_string();
    stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "social_insurance") == "completed").await;

    // Malformed requests are not checks: every problem at once, nothing counted.
    let (status, problem) = stack.post(ACTIVATION, None, &json!({"identity": {"birth_date": "02/04/1988"}})).await;
    assert_eq!(status, 422, "{problem:#}");
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["permit_number", "name", "identity.birth_date", "identity.nationality"]);
    let (status, _) =
        stack.post(ACTIVATION, None, &identity(("permit_number", "62B209900000001"), "SMITH JOHN", "1988-04-02")).await;
    assert_eq!(status, 404);

    for left in [4, 3, 2, 1] {
        let (status, problem) =
            stack.post(ACTIVATION, None, &identity(("permit_number", &number), "SMITH JANE", "1988-04-02")).await;
        assert_eq!((status, problem["attempts_left"].as_i64()), (403, Some(left)), "{problem:#}");
        assert!(problem["locked_until"].is_null());
    }
    let (status, fifth) =
        stack.post(ACTIVATION, None, &identity(("permit_number", &number), "SMITH JANE", "1988-04-02")).await;
    assert_eq!((status, fifth["attempts_left"].as_i64()), (403, Some(0)), "{fifth:#}");
    let until = fifth["locked_until"].as_str().expect("the fifth failure locks the card").to_string();
    let minutes =
        (chrono::DateTime::parse_from_rfc3339(&until).unwrap().timestamp() - chrono::Utc::now().timestamp()) / 60;
    assert!((28..=30).contains(&minutes), "locked for the default 30 minutes: {minutes}");

    // The sixth attempt, with the right data, is refused while locked, with the unlock time.
    for path in [ACTIVATION, SIGN_IN] {
        let (status, locked) =
            stack.post(path, None, &identity(("permit_number", &number), "SMITH JOHN", "1988-04-02")).await;
        assert_eq!(status, 423, "{locked:#}");
        assert_eq!(locked["code"], "card_locked");
        assert_eq!(locked["locked_until"], until.as_str());
    }
    assert_eq!(
        stack.count("hrss", "SELECT COUNT(*) FROM si_cards WHERE status = 'issued' AND locked_until IS NOT NULL").await,
        1
    );
    assert_eq!(
        stack.count("hrss", "SELECT COUNT(*) FROM audit_log WHERE action = 'social_security_card.activate' AND outcome = 'identity_mismatch'").await,
        5
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn the_title_review_waits_six_months_then_earlier_gansu_service_lets_the_reviewer_decide() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, permit) = approved(&stack, 62, "B", &["title_review"]).await;
    let case = stack
        .wait_case(&employer, &id, CONVERGE, |c| item(c, "title_review")["result"]["eligible_on"].is_string())
        .await;
    // The permit starts on the contract start (a month from today): eligible after more than
    // 6 months, on the day after start + 6 months.
    let start = e2e::stack::start_date();
    assert_eq!(permit["valid_from"], start.as_str());
    let start = chrono::NaiveDate::parse_from_str(&start, "%Y-%m-%d").unwrap();
    let eligible = (start.checked_add_months(chrono::Months::new(6)).unwrap() + chrono::Days::new(1)).to_string();
    assert_eq!(item(&case, "title_review")["result"]["eligible_on"], eligible.as_str());
    assert_eq!(item_status(&case, "title_review"), "pending");

    let hrss = stack.token("reviewer", "hana", "hrss").await;
    let (_, uploaded) =
        stack.upload(&employer, "employer_recommendation_report", "application/pdf", SAMPLE_PDF.to_vec()).await;
    let report = uploaded["id"].as_str().unwrap().to_string();
    let decide = |body: Value| {
        let (stack, hrss, path) = (&stack, hrss.clone(), format!("/api/v1/title-reviews/{id}/decision"));
        async move { stack.post(&path, Some(&hrss), &body).await }
    };

    // Before six months: 409, and the item stays pending with its date.
    let (status, problem) = decide(json!({"decision": "eligible", "recommendation_report": report})).await;
    assert_eq!(status, 409, "{problem:#}");
    assert!(problem["detail"].as_str().unwrap().contains(&eligible));
    let (status, queue) = stack.get("/api/v1/title-reviews?status=waiting", Some(&hrss)).await;
    assert_eq!(status, 200, "{queue:#}");
    assert_eq!(queue["items"][0]["case_id"], id.as_str());
    assert_eq!(queue["items"][0]["eligible_on"], eligible.as_str());
    let (_, ready) = stack.get("/api/v1/title-reviews?status=ready", Some(&hrss)).await;
    assert_eq!(ready["items"].as_array().unwrap().len(), 0);
    let science_tech = stack.token("reviewer", "alice", "science-tech").await;
    assert_eq!(stack.get("/api/v1/title-reviews", Some(&science_tech)).await.0, 403);
    assert_eq!(stack.get("/api/v1/title-reviews?status=someday", Some(&hrss)).await.0, 422);

    // Earlier Gansu service, verified by the reviewer: checked, then recorded.
    let record = format!("/api/v1/title-reviews/{id}/service-record");
    let (status, problem) = stack.post(&record, Some(&hrss), &json!({"gansu_service_since": "2099-01-01"})).await;
    assert_eq!((status, problem["errors"][0]["code"].as_str()), (422, Some("in_the_future")), "{problem:#}");
    let (status, problem) = stack.post(&record, Some(&hrss), &json!({"gansu_service_since": 2025})).await;
    assert_eq!((status, problem["errors"][0]["code"].as_str()), (422, Some("invalid_type")), "{problem:#}");
    let (status, review) = stack.post(&record, Some(&hrss), &json!({"gansu_service_since": "2025-01-02"})).await;
    assert_eq!(status, 200, "{review:#}");
    assert_eq!((review["eligible_on"].as_str(), review["status"].as_str()), (Some("2025-07-03"), Some("ready")));
    stack
        .wait_case(&employer, &id, CONVERGE, |c| item(c, "title_review")["result"]["eligible_on"] == "2025-07-03")
        .await;

    // Now the decision: checked completely, then taken once.
    let (status, problem) = decide(json!({"decision": "eligible"})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("recommendation_report")), "{problem:#}");
    // The report it cites must exist, be this employer's, and be a recommendation report.
    let other = stack.token("employer", &e2e::stack::credit_code(63), "").await;
    let (_, theirs) =
        stack.upload(&other, "employer_recommendation_report", "application/pdf", SAMPLE_PDF.to_vec()).await;
    let (_, passport) = stack.upload(&employer, "passport", "application/pdf", SAMPLE_PDF.to_vec()).await;
    for (cited, code) in [
        ("nonexistent", "material_not_found"),
        (theirs["id"].as_str().unwrap(), "material_not_found"),
        (passport["id"].as_str().unwrap(), "wrong_material_kind"),
    ] {
        let (status, problem) = decide(json!({"decision": "eligible", "recommendation_report": cited})).await;
        assert_eq!(status, 422, "{cited}: {problem:#}");
        assert_eq!(
            (problem["errors"][0]["field"].as_str(), problem["errors"][0]["code"].as_str()),
            (Some("recommendation_report"), Some(code)),
            "{cited}: {problem:#}"
        );
    }
    assert_eq!(item_status(&stack.wait_case(&employer, &id, CONVERGE, |_| true).await, "title_review"), "pending");
    let (status, decided) = decide(json!({"decision": "eligible", "recommendation_report": report})).await;
    assert_eq!(status, 200, "{decided:#}");
    assert_eq!(decided["status"], "eligible");
    let case = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "title_review") == "completed").await;
    assert_eq!(item(&case, "title_review")["result"]["decision"], "eligible");
    let (status, _) = decide(json!({"decision": "not_eligible", "reasons": ["late"]})).await;
    assert_eq!(status, 409);
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM audit_log WHERE action = 'title_review.decide'").await, 1);
    stack.shutdown().await;
}

#[tokio::test]
async fn a_refusal_states_its_reasons_and_the_case_shows_it_refused() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, _) = approved(&stack, 63, "B", &["title_review"]).await;
    stack.wait_case(&employer, &id, CONVERGE, |c| item(c, "title_review")["result"]["eligible_on"].is_string()).await;
    let hrss = stack.token("reviewer", "hana", "hrss").await;
    let (status, _) = stack
        .post(
            &format!("/api/v1/title-reviews/{id}/service-record"),
            Some(&hrss),
            &json!({"gansu_service_since": "2024-05-01"}),
        )
        .await;
    assert_eq!(status, 200);
    let path = format!("/api/v1/title-reviews/{id}/decision");
    let (status, problem) = stack.post(&path, Some(&hrss), &json!({"decision": "not_eligible"})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("reasons")), "{problem:#}");
    let (status, decided) = stack
        .post(
            &path,
            Some(&hrss),
            &json!({"decision": "not_eligible", "reasons": ["no professional achievements on record"]}),
        )
        .await;
    assert_eq!((status, decided["status"].as_str()), (200, Some("not_eligible")), "{decided:#}");
    let case = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "title_review") == "refused").await;
    assert_eq!(item(&case, "title_review")["result"]["reasons"], "no professional achievements on record");
    stack.shutdown().await;
}

#[tokio::test]
async fn a_cancelled_permit_ends_the_waiting_title_review_and_is_marked_on_the_card() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, permit) = approved(&stack, 64, "A", &["social_insurance", "title_review"]).await;
    let number = permit["permit_number"].as_str().unwrap().to_string();
    stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item_status(c, "social_insurance") == "completed"
                && item(c, "title_review")["result"]["eligible_on"].is_string()
        })
        .await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let (status, cancelled) = stack
        .post(&format!("/api/v1/work-permits/{id}/cancellation"), Some(&reviewer), &json!({"reason": "contract ended"}))
        .await;
    assert_eq!(status, 200, "{cancelled:#}");
    let case = stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item_status(c, "title_review") == "cancelled"
                && item(c, "social_insurance")["result"]["card_permit_status"] == "cancelled"
        })
        .await;
    assert!(has_timeline(&case, "title_review_cancelled") && has_timeline(&case, "card_permit_info_cancelled"));
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM title_reviews WHERE status = 'cancelled'").await, 1);
    // The card no longer lets its holder in on the cancelled permit.
    let (status, problem) =
        stack.post(ACTIVATION, None, &identity(("permit_number", &number), "SMITH JOHN", "1988-04-02")).await;
    assert_eq!(status, 409, "{problem:#}");
    let hrss = stack.token("reviewer", "hana", "hrss").await;
    let (status, _) = stack
        .post(
            &format!("/api/v1/title-reviews/{id}/service-record"),
            Some(&hrss),
            &json!({"gansu_service_since": "2024-05-01"}),
        )
        .await;
    assert_eq!(status, 409);
    stack.shutdown().await;
}
