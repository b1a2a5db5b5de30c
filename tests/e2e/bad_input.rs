//! Bad input gets a clear problem+json and stores nothing.

use e2e::stack::{Stack, StackOptions, application, credit_code};
use serde_json::{Value, json};

use crate::submitted_in_review;

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| e.iter().map(|x| x["field"].as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn bad_submissions_are_refused_with_every_problem_listed_and_nothing_stored() {
    let stack = Stack::start(StackOptions::default()).await;
    let code = credit_code(6);
    let employer = stack.token("employer", &code, "").await;

    let (status, p) = stack.post_raw("/api/v1/cases", Some(&employer), b"{\"employer\": ".to_vec(), &[]).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["code"], "malformed_json");

    // Missing fields: all of them at once.
    let (status, p) = stack.post("/api/v1/cases", Some(&employer), &json!({"items": ["work_permit"]})).await;
    assert_eq!(status, 422);
    let f = fields(&p);
    for expected in [
        "employer.credit_code",
        "employer.name",
        "applicant.passport_number",
        "applicant.birth_date",
        "position.annual_salary_cny",
    ] {
        assert!(f.iter().any(|x| x == expected), "{expected} missing from {f:?}");
    }

    // Unknown item names and wrong types together with rule violations.
    let mut body = application(&code, "B", &["work_permit", "visa", "social_insurance"]);
    body["position"]["annual_salary_cny"] = json!("a lot");
    body["applicant"]["nationality"] = json!("XXX");
    let (status, p) = stack.post("/api/v1/cases", Some(&employer), &body).await;
    assert_eq!(status, 422, "{p:#}");
    let f = fields(&p);
    assert!(f.contains(&"items[1]".to_string()), "{f:?}");
    assert!(f.contains(&"position.annual_salary_cny".to_string()), "{f:?}");
    assert!(f.contains(&"applicant.nationality".to_string()), "{f:?}");
    assert_eq!(p["type"].as_str().map(|t| t.ends_with("invalid-request")), Some(true));

    // Someone else's credit code, or no token at all.
    let (status, _) = stack.post("/api/v1/cases", Some(&employer), &application(&credit_code(7), "B", &[])).await;
    assert_eq!(status, 403);
    let (status, _) = stack.post("/api/v1/cases", None, &application(&code, "B", &[])).await;
    assert_eq!(status, 401);

    assert_eq!(stack.count("service-center", "SELECT COUNT(*) FROM cases").await, 0, "nothing stored");
    assert_eq!(stack.count("service-center", "SELECT COUNT(*) FROM outbox").await, 0, "nothing announced");
    let (status, list) = stack.get("/api/v1/cases", Some(&employer)).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    stack.shutdown().await;
}

#[tokio::test]
async fn wrong_department_unknown_case_and_replayed_submissions() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, _) = submitted_in_review(&stack, 8, "B", &[]).await;

    let hrss = stack.token("reviewer", "bob", "hrss").await;
    let (status, p) =
        stack.post(&format!("/api/v1/work-permits/{id}/decision"), Some(&hrss), &json!({"decision": "approve"})).await;
    assert_eq!(status, 404, "another department's permit is not found: {p:#}");
    let employer_decides = stack
        .post(&format!("/api/v1/work-permits/{id}/decision"), Some(&employer), &json!({"decision": "approve"}))
        .await;
    assert_eq!(employer_decides.0, 403);
    assert_eq!(
        stack.count("science-tech", "SELECT COUNT(*) FROM permits WHERE status = 'in_review'").await,
        1,
        "still undecided"
    );

    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let unknown = "0193c0de-0000-7000-8000-000000000000";
    let (status, p) = stack
        .post(&format!("/api/v1/work-permits/{unknown}/decision"), Some(&reviewer), &json!({"decision": "approve"}))
        .await;
    assert_eq!(status, 404, "{p:#}");
    assert_eq!(stack.get(&format!("/api/v1/cases/{unknown}"), Some(&employer)).await.0, 404);
    let (status, p) = stack
        .post(&format!("/api/v1/work-permits/{id}/decision"), Some(&reviewer), &json!({"decision": "maybe"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "decision");

    // Another employer cannot read the case: it is not found, exactly like an unknown one.
    let stranger = stack.token("employer", &e2e::stack::credit_code(9), "").await;
    let (status, theirs) = stack.get(&format!("/api/v1/cases/{id}"), Some(&stranger)).await;
    let (_, absent) = stack.get(&format!("/api/v1/cases/{unknown}"), Some(&stranger)).await;
    assert_eq!(status, 404);
    assert_eq!(
        (theirs["type"].as_str(), theirs["title"].as_str()),
        (absent["type"].as_str(), absent["title"].as_str())
    );

    // Idempotency-Key: same body → same case; other body → 422.
    let code = credit_code(10);
    let emp = stack.token("employer", &code, "").await;
    let mut app = application(&code, "C", &[]);
    for m in app["materials"].as_array_mut().unwrap() {
        let (status, up) =
            stack.upload(&emp, m["kind"].as_str().unwrap(), "application/pdf", e2e::stack::SAMPLE_PDF.to_vec()).await;
        assert_eq!(status, 201, "{up}");
        m["id"] = up["id"].clone();
    }
    let body = serde_json::to_vec(&app).unwrap();
    let first = stack.post_raw("/api/v1/cases", Some(&emp), body.clone(), &[("idempotency-key", "k-1")]).await;
    let again = stack.post_raw("/api/v1/cases", Some(&emp), body, &[("idempotency-key", "k-1")]).await;
    assert_eq!(first.0, 201);
    assert_eq!(again.0, 201);
    assert_eq!(first.1["id"], again.1["id"]);
    let mut other = app.clone();
    other["position"]["title"] = json!("Another title");
    let other = serde_json::to_vec(&other).unwrap();
    let (status, p) = stack.post_raw("/api/v1/cases", Some(&emp), other, &[("idempotency-key", "k-1")]).await;
    assert_eq!(status, 422, "{p:#}");
    assert_eq!(
        stack
            .count("service-center", &format!("SELECT COUNT(*) FROM cases WHERE employer_credit_code = '{code}'"))
            .await,
        1
    );
    stack.shutdown().await;
}
