//! The work-type residence permit at the public-security counter, through the public API:
//! entry date, counter application with the paper materials and the receipt, verification,
//! decision, pickup (in person, by proxy, by mail), the refusal after a no-show, the
//! one-time list of missing paper materials, roles, and the case view of every step.

use chrono::{Days, NaiveDate, Utc};
use e2e::stack::{Stack, StackOptions, item, item_status};
use serde_json::{Value, json};

use crate::{CONVERGE, submitted_in_review};

const PAPER: [&str; 3] = ["visa_application_form", "entry_exit_photo", "employer_certification_letter"];

fn today_cst() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn path(id: &str, action: &str) -> String {
    if action.is_empty() {
        format!("/api/v1/residence-permits/{id}")
    } else {
        format!("/api/v1/residence-permits/{id}/{action}")
    }
}

fn fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|x| (x["field"].as_str().unwrap_or("").to_string(), x["code"].as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn timeline_has(case: &Value, event: &str) -> bool {
    case["timeline"].as_array().is_some_and(|t| t.iter().any(|e| e["event"] == event))
}

/// A case whose work permit is approved and whose residence case waits for the applicant;
/// returns the employer's token, the case id, the work permit's last day and its number.
async fn waiting_for_applicant(stack: &Stack, n: u32, items: &[&str]) -> (String, String, String, String) {
    let (employer, id, _) = submitted_in_review(stack, n, "B", items).await;
    let permit = crate::approve_at_science_tech(stack, &id).await;
    stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item_status(c, "residence_permit") == "pending"
                && item(c, "residence_permit")["result"]["residence_case_id"].is_string()
        })
        .await;
    let number = permit["permit_number"].as_str().unwrap().to_string();
    (employer, id, permit["valid_until"].as_str().unwrap().to_string(), number)
}

/// Entry, counter application, an interview tomorrow that the applicant attends, approval.
async fn approved_after_interview(stack: &Stack, officer: &str, employer: &str, id: &str, until: &str) -> Value {
    let entry = today_cst().checked_sub_days(Days::new(2)).unwrap();
    let (status, rc) = stack.post(&path(id, "entry"), Some(employer), &json!({"entry_date": entry.to_string()})).await;
    assert_eq!(status, 200, "{rc:#}");
    let apply_by = entry.checked_add_days(Days::new(30)).unwrap().to_string();
    assert_eq!(rc["apply_by"], apply_by.as_str());
    let case = stack
        .wait_case(employer, id, CONVERGE, |c| item(c, "residence_permit")["result"]["apply_by"] == apply_by.as_str())
        .await;
    assert_eq!(item(&case, "residence_permit")["result"]["entry_date"], entry.to_string().as_str());

    let (status, rc) = stack
        .post(&path(id, "application"), Some(officer), &json!({"paper_materials": PAPER, "passport_lost": false}))
        .await;
    assert_eq!(status, 200, "{rc:#}");
    assert_eq!(rc["status"], "in_review");
    let app = &rc["application"];
    assert_eq!(app["applied_on"], today_cst().to_string().as_str());
    assert!(app["receipt"]["number"].as_str().unwrap().starts_with("62SL"), "{app:#}");
    assert_eq!(app["receipt"]["valid_until"], app["decision_due"]);
    assert_eq!(app["decision_due_counted_in"], "working_days");
    assert_eq!(app["decision_due_count"], 15);
    assert!(app["decision_due"].as_str().unwrap() > today_cst().to_string().as_str());
    assert_eq!(rc["applicant"]["surname"], "SMITH", "officers see whom they serve");
    // The counter finds the case by its receipt or work permit number, whatever the case.
    let receipt = app["receipt"]["number"].as_str().unwrap().to_lowercase();
    let permit = rc["work_permit"]["permit_number"].as_str().unwrap().to_string();
    let find = |number: String| async move {
        let (status, found) = stack.get(&format!("/api/v1/residence-permits?number={number}"), Some(officer)).await;
        assert_eq!(status, 200, "{found:#}");
        found["items"].as_array().unwrap().clone()
    };
    let case_no = rc["case_no"].as_str().expect("the residence case knows its case number").to_string();
    assert!(case_no.starts_with("GS-"), "{case_no}");
    let by_case_no = find(case_no.clone()).await;
    assert_eq!(by_case_no.len(), 1, "{case_no}");
    assert_eq!(by_case_no[0]["case_id"], id);
    let by_receipt = find(receipt.clone()).await;
    assert_eq!(by_receipt.len(), 1, "{receipt}");
    assert_eq!(by_receipt[0]["case_id"], id);
    // A person keeps one work permit number for life: their earlier cases carry it too.
    let by_permit = find(permit.clone()).await;
    assert!(by_permit.iter().any(|c| c["case_id"] == id), "{permit}");
    assert!(by_permit.iter().all(|c| c["work_permit"]["permit_number"] == permit.as_str()));
    let (_, none) = stack.get("/api/v1/residence-permits?number=62SL0000000000000", Some(officer)).await;
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0));

    let tomorrow = today_cst().succ_opt().unwrap();
    let (status, rc) = stack
        .post(
            &path(id, "verification"),
            Some(officer),
            &json!({"method": "interview", "scheduled_at": format!("{tomorrow}T10:00:00+08:00"), "place": "Chengguan exit-entry hall, window 3"}),
        )
        .await;
    assert_eq!(status, 200, "{rc:#}");
    assert_eq!(rc["verification"]["method"], "interview");
    assert_eq!(rc["verification"]["scheduled_at"], format!("{tomorrow}T02:00:00.000Z").as_str());
    // Tomorrow's interview has not happened: neither attendance nor absence can be recorded.
    for outcome in ["attended", "no_show"] {
        let (status, p) =
            stack.post(&path(id, "verification/outcome"), Some(officer), &json!({"outcome": outcome})).await;
        let kind = if outcome == "attended" { "verification-not-yet-held" } else { "no-show-too-early" };
        assert_eq!(status, 409, "{p:#}");
        assert!(p["type"].as_str().unwrap().ends_with(&format!("/{kind}")), "{p:#}");
        assert!(p["detail"].as_str().unwrap().contains(&format!("{tomorrow} 10:00 Beijing time")), "{p:#}");
    }
    // The applicant is at the counter today: the interview is held there and then.
    let now = Utc::now().to_rfc3339();
    let (status, rc) = stack
        .post(
            &path(id, "verification"),
            Some(officer),
            &json!({"method": "interview", "scheduled_at": now, "place": "Chengguan exit-entry hall, window 3"}),
        )
        .await;
    assert_eq!(status, 200, "{rc:#}");
    let (status, rc) = stack
        .post(&path(id, "verification/outcome"), Some(officer), &json!({"outcome": "attended", "note": "consistent"}))
        .await;
    assert_eq!(status, 200, "{rc:#}");
    assert_eq!(rc["verification"]["outcome"], "attended");

    let (status, rc) = stack.post(&path(id, "decision"), Some(officer), &json!({"decision": "approve"})).await;
    assert_eq!(status, 200, "{rc:#}");
    assert_eq!(rc["status"], "approved");
    let permit = &rc["residence_permit"];
    assert!(permit["number"].as_str().unwrap().starts_with("62R"), "{permit:#}");
    // Never before the work permit's first day (the test's permit starts a month from now).
    let work_from = rc["work_permit"]["valid_from"].as_str().unwrap();
    let expected_from = today_cst().to_string().max(work_from.to_string());
    assert_eq!(permit["valid_from"], expected_from.as_str(), "{rc:#}");
    assert_eq!(permit["valid_until"], until, "capped by the work permit");
    // Deciding twice is a conflict.
    let (status, p) =
        stack.post(&path(id, "decision"), Some(officer), &json!({"decision": "refuse", "reasons": ["x"]})).await;
    assert_eq!(status, 409, "{p:#}");
    rc
}

#[tokio::test]
async fn the_interview_path_ends_with_the_permit_picked_up_in_person_by_proxy_or_by_mail() {
    let stack = Stack::start(StackOptions::default()).await;
    let officer = stack.token("officer", "wang", "public-security").await;
    let pickups = [
        (41, vec!["social_insurance"], json!({"method": "in_person"})),
        (42, vec![], json!({"method": "proxy", "proxy": {"name": "LI Lei", "id_number": "620102199001011234"}})),
        (
            43,
            vec![],
            json!({"method": "mail", "mail": {"address": "1 Donggang West Rd, Lanzhou", "tracking_number": "SF1234567890"}}),
        ),
    ];
    for (n, items, pickup) in pickups {
        let method = pickup["method"].as_str().unwrap().to_string();
        let (employer, id, until, work_permit) = waiting_for_applicant(&stack, n, &items).await;
        let approved = approved_after_interview(&stack, &officer, &employer, &id, &until).await;
        let number = approved["residence_permit"]["number"].as_str().unwrap().to_string();
        let receipt = approved["application"]["receipt"]["number"].as_str().unwrap().to_string();
        let due = approved["application"]["decision_due"].as_str().unwrap().to_string();

        // `residence-permit-issued` and the `item-progressed` step travel on two topics:
        // wait for both.
        let case = stack
            .wait_case(&employer, &id, CONVERGE, |c| {
                item_status(c, "residence_permit") == "approved"
                    && item(c, "residence_permit")["result"]["waiting_for"] == "pickup"
            })
            .await;
        assert_eq!(item(&case, "residence_permit")["result"]["residence_permit_number"], number.as_str());

        let (status, rc) = stack.post(&path(&id, "pickup"), Some(&officer), &pickup).await;
        assert_eq!(status, 200, "{method}: {rc:#}");
        assert_eq!(
            (rc["status"].as_str(), rc["pickup"]["method"].as_str()),
            (Some("completed"), Some(method.as_str()))
        );
        let (status, p) = stack.post(&path(&id, "pickup"), Some(&officer), &pickup).await;
        assert_eq!(status, 409, "picked up twice: {p:#}");

        // The case view: receipt, deadline, permit and pickup; the case is done.
        let case = stack
            .wait_case(&employer, &id, CONVERGE, |c| {
                item_status(c, "residence_permit") == "completed" && c["status"] == "completed"
            })
            .await;
        let result = &item(&case, "residence_permit")["result"];
        assert_eq!(result["receipt_number"], receipt.as_str(), "{result:#}");
        assert_eq!(result["receipt_valid_until"], due.as_str());
        assert_eq!(result["decision_due"], due.as_str());
        assert_eq!(result["decision_due_counted_in"], "working_days");
        assert_eq!(result["residence_permit_number"], number.as_str());
        // The test's work permit starts a month from now: the residence permit starts with it.
        let from = today_cst().to_string().max(e2e::stack::start_date());
        assert_eq!(result["valid_from"], from.as_str());
        assert_eq!(result["valid_until"], until.as_str());
        assert_eq!(result["pickup_method"], method.as_str());
        assert_eq!(result["verification_outcome"], "attended");
        for event in [
            "residence_entry_recorded",
            "residence_application_received",
            "residence_verification_scheduled",
            "residence_verification_recorded",
            "residence_permit_collected",
        ] {
            assert!(timeline_has(&case, event), "{event} missing: {:#}", case["timeline"]);
        }
        let text = case.to_string();
        assert!(!text.contains("620102199001011234") && !text.contains("Donggang"), "no personal data of the pickup");
        if method == "mail" {
            assert_eq!(result["mail_tracking_number"], "SF1234567890");
        }

        // The employer reads its residence case, without the proxy's identity or the address.
        let (status, own) = stack.get(&path(&id, ""), Some(&employer)).await;
        assert_eq!(status, 200, "{own:#}");
        assert_eq!(own["pickup"]["method"], method.as_str());
        assert!(own["applicant"].is_null() && own["pickup"]["proxy"].is_null());
        assert!(own["pickup"]["mail"].is_null() || own["pickup"]["mail"]["address"].is_null());
        // The foreigner reads their own residence case by their work permit number.
        let foreigner = stack.token("foreigner", &work_permit, "").await;
        let (status, mine) = stack.get(&path(&id, ""), Some(&foreigner)).await;
        assert_eq!((status, mine["status"].as_str()), (200, Some("completed")), "{mine:#}");
        let stranger = stack.token("foreigner", "62B202600009999", "").await;
        assert_eq!(stack.get(&path(&id, ""), Some(&stranger)).await.0, 404);
        // The officer sees what was recorded.
        let (_, seen) = stack.get(&path(&id, ""), Some(&officer)).await;
        if method == "proxy" {
            assert_eq!(seen["pickup"]["proxy"]["id_number"], "620102199001011234");
        }
    }
    // Every approved case passed the counter: the queue has them as completed.
    let (status, queue) = stack.get("/api/v1/residence-permits?status=completed", Some(&officer)).await;
    assert_eq!(status, 200, "{queue:#}");
    assert_eq!(queue["items"].as_array().unwrap().len(), 3);
    stack.shutdown().await;
}

#[tokio::test]
async fn missing_paper_materials_wrong_roles_a_no_show_refusal_and_a_cancelled_work_permit() {
    let stack = Stack::start(StackOptions::default()).await;
    let officer = stack.token("officer", "wang", "public-security").await;
    let (employer, id, _, _) = waiting_for_applicant(&stack, 51, &[]).await;
    let (status, doc) = stack.get("/openapi.json", None).await;
    assert_eq!(status, 200);
    assert!(doc["paths"]["/api/v1/residence-permits/{case_id}/pickup"]["post"].is_object(), "documented");

    // The counter's queue shows the case waiting for the applicant; only officers read it.
    let (status, queue) = stack.get("/api/v1/residence-permits?status=pending", Some(&officer)).await;
    assert_eq!(status, 200, "{queue:#}");
    assert!(queue["items"].as_array().unwrap().iter().any(|c| c["case_id"] == id.as_str()));
    let (status, _) = stack.get("/api/v1/residence-permits?status=pending", Some(&employer)).await;
    assert_eq!(status, 403);
    let (status, p) = stack.get("/api/v1/residence-permits?status=waiting", Some(&officer)).await;
    assert_eq!((status, fields(&p)), (422, vec![("status".to_string(), "unknown_value".to_string())]));

    // Nobody but a public-security counter officer acts at the counter.
    let body = json!({"paper_materials": PAPER});
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let ps_reviewer = stack.token("reviewer", "zhao", "public-security").await;
    for (who, token) in [("employer", &employer), ("reviewer", &reviewer), ("public-security reviewer", &ps_reviewer)] {
        let (status, p) = stack.post(&path(&id, "application"), Some(token), &body).await;
        assert_eq!(status, 403, "{who}: {p:#}");
        let (status, _) = stack.post(&path(&id, "decision"), Some(token), &json!({"decision": "approve"})).await;
        assert_eq!(status, 403, "{who}");
    }
    let other = stack.token("employer", &e2e::stack::credit_code(52), "").await;
    let today = today_cst().to_string();
    let (status, _) = stack.post(&path(&id, "entry"), Some(&other), &json!({"entry_date": today})).await;
    assert_eq!(status, 403, "another employer");
    let (status, _) = stack.get(&path(&id, ""), Some(&other)).await;
    assert_eq!(status, 404, "another employer's case is not found");
    let (status, _) = stack.post(&path("no-such-case", "application"), Some(&officer), &body).await;
    assert_eq!(status, 404);

    // Deciding before the counter application is a conflict.
    let (status, p) = stack.post(&path(&id, "decision"), Some(&officer), &json!({"decision": "approve"})).await;
    assert_eq!(status, 409, "{p:#}");

    // Every missing paper material at once, and wrong types beside them.
    let (status, p) = stack.post(&path(&id, "application"), Some(&officer), &json!({"paper_materials": []})).await;
    assert_eq!(status, 422, "{p:#}");
    let missing: Vec<(String, String)> =
        PAPER.iter().map(|k| (format!("paper_materials.{k}"), "material_missing".to_string())).collect();
    assert_eq!(fields(&p), missing);
    assert!(p["errors"][0]["message_zh"].as_str().unwrap().contains("外国人签证证件申请表"));
    let (status, p) = stack
        .post(&path(&id, "application"), Some(&officer), &json!({"paper_materials": PAPER, "passport_lost": true}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&p), [("paper_materials.passport_loss_certificate".to_string(), "material_missing".to_string())]);
    let (status, p) = stack
        .post(&path(&id, "application"), Some(&officer), &json!({"paper_materials": "all", "passport_lost": "no"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&p).len(), 2, "{p:#}");

    // Applied; a phone check the applicant misses without a reason; refused for it.
    let (status, _) = stack.post(&path(&id, "application"), Some(&officer), &body).await;
    assert_eq!(status, 200);
    let (status, p) = stack.post(&path(&id, "application"), Some(&officer), &body).await;
    assert_eq!(status, 409, "applied twice: {p:#}");
    let (status, p) = stack
        .post(&path(&id, "verification"), Some(&officer), &json!({"method": "visit", "scheduled_at": "soon"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&p),
        [
            ("method".to_string(), "unknown_value".to_string()),
            ("scheduled_at".to_string(), "invalid_timestamp".to_string())
        ]
    );
    let at = Utc::now().to_rfc3339();
    let (status, _) =
        stack.post(&path(&id, "verification"), Some(&officer), &json!({"method": "phone", "scheduled_at": at})).await;
    assert_eq!(status, 200);
    let no_show = json!({"decision": "refuse", "reasons": ["verification_no_show"]});
    let (status, p) = stack.post(&path(&id, "decision"), Some(&officer), &no_show).await;
    assert_eq!(
        (status, fields(&p)),
        (422, vec![("reasons[0]".to_string(), "not_applicable".to_string())]),
        "no no-show recorded yet: {p:#}"
    );
    let (status, _) = stack
        .post(&path(&id, "verification/outcome"), Some(&officer), &json!({"outcome": "no_show", "justified": false}))
        .await;
    assert_eq!(status, 200);
    let (status, p) = stack.post(&path(&id, "decision"), Some(&officer), &json!({"decision": "approve"})).await;
    assert_eq!(status, 409, "approval after a no-show: {p:#}");
    let (status, p) = stack.post(&path(&id, "decision"), Some(&officer), &json!({"decision": "refuse"})).await;
    assert_eq!((status, fields(&p)), (422, vec![("reasons".to_string(), "required".to_string())]));
    let (status, rc) = stack.post(&path(&id, "decision"), Some(&officer), &no_show).await;
    assert_eq!(status, 200, "{rc:#}");
    assert_eq!(rc["status"], "refused");
    let (status, _) = stack.post(&path(&id, "decision"), Some(&officer), &no_show).await;
    assert_eq!(status, 409, "decided twice");
    let (status, _) = stack.post(&path(&id, "pickup"), Some(&officer), &json!({"method": "in_person"})).await;
    assert_eq!(status, 409, "nothing to pick up");

    let case = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "residence_permit") == "refused").await;
    let result = &item(&case, "residence_permit")["result"];
    assert!(result["reasons"].as_str().unwrap().contains("did not attend the verification"), "{result:#}");
    assert_eq!(result["reason_codes"], "verification_no_show");
    assert_eq!(result["verification_outcome"], "no_show");
    assert!(timeline_has(&case, "residence_permit_refused"));

    // An issued residence permit whose work permit is cancelled is flagged for review and
    // not handed over.
    let (employer, id, until, _) = waiting_for_applicant(&stack, 53, &[]).await;
    approved_after_interview(&stack, &officer, &employer, &id, &until).await;
    stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "residence_permit") == "approved").await;
    let (status, p) = stack
        .post(&format!("/api/v1/work-permits/{id}/cancellation"), Some(&reviewer), &json!({"reason": "contract ended"}))
        .await;
    assert_eq!(status, 200, "{p:#}");
    let case = stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item(c, "residence_permit")["result"]["work_permit_cancelled"] == "true"
        })
        .await;
    assert_eq!(item_status(&case, "residence_permit"), "approved");
    assert!(timeline_has(&case, "work_permit_cancelled_notice"));
    let (status, p) = stack.post(&path(&id, "pickup"), Some(&officer), &json!({"method": "in_person"})).await;
    assert_eq!(status, 409, "{p:#}");
    let (_, rc) = stack.get(&path(&id, ""), Some(&officer)).await;
    assert_eq!(rc["work_permit"]["cancelled"], true);
    assert_eq!(rc["status"], "revocation_pending", "{rc:#}");
    stack.shutdown().await;
}

#[tokio::test]
async fn an_issued_residence_permit_whose_work_permit_is_cancelled_is_revoked_or_kept_by_an_officer() {
    let stack = Stack::start(StackOptions::default()).await;
    let officer = stack.token("officer", "wang", "public-security").await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let cancel = |id: String| {
        let (stack, reviewer) = (&stack, &reviewer);
        async move {
            let (status, p) = stack
                .post(
                    &format!("/api/v1/work-permits/{id}/cancellation"),
                    Some(reviewer),
                    &json!({"reason": "contract ended"}),
                )
                .await;
            assert_eq!(status, 200, "{p:#}");
        }
    };

    // Picked up, then the work permit is cancelled: up for revocation, in the counter's list.
    let (employer, id, until, _) = waiting_for_applicant(&stack, 54, &[]).await;
    approved_after_interview(&stack, &officer, &employer, &id, &until).await;
    let (status, _) = stack.post(&path(&id, "pickup"), Some(&officer), &json!({"method": "in_person"})).await;
    assert_eq!(status, 200);
    stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "residence_permit") == "completed").await;
    cancel(id.clone()).await;
    stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item(c, "residence_permit")["result"]["work_permit_cancelled"] == "true"
        })
        .await;
    let (_, rc) = stack.get(&path(&id, ""), Some(&employer)).await;
    assert_eq!(rc["status"], "revocation_pending", "the employer sees it: {rc:#}");
    let (status, listed) = stack.get("/api/v1/residence-permits?status=revocation_pending", Some(&officer)).await;
    assert_eq!(status, 200, "{listed:#}");
    assert!(listed["items"].as_array().unwrap().iter().any(|c| c["case_id"] == id.as_str()), "{listed:#}");

    // Every problem at once; only an officer resolves it.
    let (status, p) = stack
        .post(&path(&id, "revocation"), Some(&officer), &json!({"decision": "suspend", "effective_on": "2020-01-01"}))
        .await;
    assert_eq!(status, 422, "{p:#}");
    assert_eq!(
        fields(&p),
        [
            ("reason".to_string(), "required".to_string()),
            ("effective_on".to_string(), "before_today".to_string()),
            ("decision".to_string(), "unknown_value".to_string())
        ]
    );
    let body = json!({"decision": "revoke", "reason": "work permit cancelled"});
    let (status, _) = stack.post(&path(&id, "revocation"), Some(&employer), &body).await;
    assert_eq!(status, 403);
    // A week after the residence permit's first day (it starts with the work permit).
    let first_day: NaiveDate = e2e::stack::start_date().parse().unwrap();
    let last_day = first_day.max(today_cst()).checked_add_days(Days::new(7)).unwrap().to_string();
    let body = json!({"decision": "revoke", "reason": "work permit cancelled", "effective_on": last_day});
    let (status, rc) = stack.post(&path(&id, "revocation"), Some(&officer), &body).await;
    assert_eq!(status, 200, "{rc:#}");
    assert_eq!((rc["status"].as_str(), rc["revocation"]["decision"].as_str()), (Some("revoked"), Some("revoke")));
    assert_eq!(rc["residence_permit"]["valid_until"], last_day.as_str());
    let (status, p) = stack.post(&path(&id, "revocation"), Some(&officer), &body).await;
    assert_eq!(status, 409, "{p:#}");
    assert!(p["type"].as_str().unwrap().ends_with("/already-revoked"), "{p:#}");
    // The employer's case: the item ends, with the new last day and the reason.
    let case = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "residence_permit") == "cancelled").await;
    let result = &item(&case, "residence_permit")["result"];
    assert_eq!(
        (result["valid_until"].as_str(), result["revocation"].as_str()),
        (Some(last_day.as_str()), Some("revoke"))
    );
    assert!(timeline_has(&case, "residence_permit_revoked"));

    // Issued but not yet collected, then cancelled: kept (a new employer's work permit), and
    // then handed over.
    let (employer, id, until, _) = waiting_for_applicant(&stack, 55, &[]).await;
    approved_after_interview(&stack, &officer, &employer, &id, &until).await;
    stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "residence_permit") == "approved").await;
    cancel(id.clone()).await;
    stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item(c, "residence_permit")["result"]["work_permit_cancelled"] == "true"
        })
        .await;
    let (status, p) = stack.post(&path(&id, "pickup"), Some(&officer), &json!({"method": "in_person"})).await;
    assert_eq!(status, 409, "{p:#}");
    let keep = json!({"decision": "keep", "reason": "new employer's work permit"});
    let (status, rc) = stack.post(&path(&id, "revocation"), Some(&officer), &keep).await;
    assert_eq!(status, 200, "{rc:#}");
    assert_eq!((rc["status"].as_str(), rc["work_permit"]["cancelled"].as_bool()), (Some("approved"), Some(false)));
    let (status, rc) = stack.post(&path(&id, "pickup"), Some(&officer), &json!({"method": "in_person"})).await;
    assert_eq!((status, rc["status"].as_str()), (200, Some("completed")), "{rc:#}");
    let case = stack.wait_case(&employer, &id, CONVERGE, |c| timeline_has(c, "residence_permit_kept")).await;
    assert_eq!(item(&case, "residence_permit")["result"]["revocation"], "keep");
    stack.shutdown().await;
}
