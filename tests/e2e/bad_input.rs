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

/// `(field, code)` of every error of a 422, each checked to carry both languages.
fn coded(problem: &Value) -> Vec<(String, String)> {
    let errors = problem["errors"].as_array().cloned().unwrap_or_default();
    for e in &errors {
        let (en, zh) = (e["message"].as_str().unwrap_or_default(), e["message_zh"].as_str().unwrap_or_default());
        assert!(!en.is_empty() && !zh.is_empty(), "both languages: {e}");
    }
    errors
        .iter()
        .map(|e| {
            (e["field"].as_str().unwrap_or_default().to_string(), e["code"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

/// Issue 9.4: what intake must refuse, each with its own code in the one notice, and nothing
/// written; then the same employer with the sector's approval is accepted.
#[tokio::test]
async fn a_citizen_a_past_start_an_invented_region_an_implausible_birth_or_salary_hidden_characters_and_a_missing_sector_approval_are_refused_at_once()
 {
    let stack = Stack::start(StackOptions::default()).await;
    let code = credit_code(16);
    let employer = stack.token("employer", &code, "").await;
    let yesterday = (platform::time::today_cst() - chrono::Days::new(1)).to_string();

    let mut body = application(&code, "B", &[]);
    body["employer"]["region_code"] = json!("629999");
    body["applicant"]["nationality"] = json!("CHN");
    body["applicant"]["birth_date"] = json!("1899-12-31");
    body["applicant"]["surname"] = json!("SMI\u{202E}TH");
    body["applicant"]["given_names"] = json!("JO\u{200B}HN\u{0007}");
    body["position"]["start_date"] = json!(yesterday);
    body["position"]["annual_salary_cny"] = json!(i64::MAX);
    body["position"]["sector"] = json!("education");
    let (status, p) = stack.post("/api/v1/cases", Some(&employer), &body).await;
    assert_eq!(status, 422, "{p:#}");
    let got = coded(&p);
    for (field, code) in [
        ("employer.region_code", "unknown_region_code"),
        ("applicant.nationality", "nationality_chinese"),
        ("applicant.birth_date", "birth_date_too_early"),
        ("applicant.surname", "invalid_characters"),
        ("applicant.given_names", "invalid_characters"),
        ("position.start_date", "start_date_in_past"),
        ("position.annual_salary_cny", "salary_above_bound"),
        ("employer.sector_preapproval", "sector_preapproval_missing"),
    ] {
        assert!(got.iter().any(|(f, c)| f == field && c == code), "{field} {code} missing from {got:?}");
    }

    // A negative or five-digit year is no date; an unknown sector is refused by name.
    let mut body = application(&code, "B", &[]);
    body["applicant"]["birth_date"] = json!("-0001-04-02");
    body["position"]["start_date"] = json!("20270-01-04");
    body["position"]["sector"] = json!("news");
    let (status, p) = stack.post("/api/v1/cases", Some(&employer), &body).await;
    assert_eq!(status, 422, "{p:#}");
    let got = coded(&p);
    for (field, code) in [
        ("applicant.birth_date", "invalid_date"),
        ("position.start_date", "invalid_date"),
        ("position.sector", "unknown_value"),
    ] {
        assert!(got.iter().any(|(f, c)| f == field && c == code), "{field} {code} missing from {got:?}");
    }

    // The invented code earns no work-region points at the classification either, and a
    // salary of 2^63−1 no longer buys category A.
    let ask = json!({"as_of": "2026-11-29", "birth_date": "1988-04-02", "annual_salary_cny": 300000, "employer_region_code": "629999"});
    let (status, c) = stack.post("/api/v1/classification", None, &ask).await;
    assert_eq!(status, 200, "{c:#}");
    let region = c["breakdown"].as_array().unwrap().iter().find(|f| f["factor"] == "work_region").cloned();
    assert_eq!(region.map(|f| f["points"].clone()), Some(json!(0)), "{c:#}");
    let mut rich = ask.clone();
    rich["annual_salary_cny"] = json!(i64::MAX);
    let (status, p) = stack.post("/api/v1/classification", None, &rich).await;
    assert_eq!(status, 422, "{p:#}");

    assert_eq!(stack.count("service-center", "SELECT COUNT(*) FROM cases").await, 0, "nothing stored");
    assert_eq!(stack.count("service-center", "SELECT COUNT(*) FROM outbox").await, 0, "nothing announced");

    // With the sector's approval (and a real county) the same post is accepted.
    let mut body = application(&code, "B", &[]);
    body["employer"]["region_code"] = json!("623027");
    body["employer"]["sector_preapproval"] = json!("甘教外〔2026〕12号");
    body["position"]["sector"] = json!("education");
    let (status, case) = stack.submit_case(&employer, body).await;
    assert_eq!(status, 201, "{case:#}");
    assert_eq!(stack.count("service-center", "SELECT COUNT(*) FROM cases").await, 1);
    stack.shutdown().await;
}

#[tokio::test]
async fn ids_no_resource_can_have_and_a_permit_number_nobody_holds_are_404_not_500() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, _) = submitted_in_review(&stack, 9, "B", &[]).await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let long = "a".repeat(3200);
    for (token, path) in [
        (&employer, format!("/api/v1/cases/{long}")),
        (&employer, format!("/api/v1/cases/{id}x%00")),
        (&reviewer, format!("/api/v1/work-permits/{long}")),
        (&reviewer, format!("/api/v1/work-permits/{long}/decision")),
        (&employer, format!("/api/v1/residence-permits/{long}")),
        (&employer, format!("/api/v1/materials/{long}")),
    ] {
        let (status, p) = stack.get(&path, Some(token)).await;
        assert_eq!(status, 404, "{}: {p:#}", &path[..60.min(path.len())]);
        assert!(p["type"].as_str().unwrap().ends_with("/not-found"), "{p:#}");
    }
    // A foreigner whose work permit number no case carries has nothing to see.
    let nobody = stack.token("foreigner", "62B209900000001", "").await;
    let (status, p) = stack.get("/api/v1/me", Some(&nobody)).await;
    assert_eq!(status, 404, "{p:#}");
    assert!(p.to_string().find("62B209900000001").is_none(), "the subject is not echoed: {p:#}");
    stack.shutdown().await;
}
