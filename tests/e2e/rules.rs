//! The domain rules through the gateway: the points table, the one-time notice (422),
//! and intake routing by the classification rather than by a client field.

use e2e::stack::{Stack, StackOptions, application, credit_code, item};
use serde_json::{Value, json};

use crate::CONVERGE;

fn codes_by_field(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|x| (x["field"].as_str().unwrap_or("").to_string(), x["code"].as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_points_table_the_one_time_notice_and_routing_by_classification() {
    let stack = Stack::start(StackOptions { db: e2e::stack::DbKind::Sqlite, ..Default::default() }).await;

    // The example of API.md.
    let example = json!({"as_of": "2026-11-29", "birth_date": "1988-04-02", "annual_salary_cny": 300000, "education": "doctorate",
        "vocational": "none", "work_experience_years": 6.5, "months_in_china_per_year": 12, "chinese": "hsk4",
        "extras": ["fortune_500"], "local_bonus": 0, "direct_qualification": null, "employer_region_code": "620500"});
    let (status, c) = stack.post("/api/v1/classification", None, &example).await;
    assert_eq!(status, 200, "{c:#}");
    let factors: Vec<&str> = c["breakdown"].as_array().unwrap().iter().map(|f| f["factor"].as_str().unwrap()).collect();
    assert_eq!(
        factors,
        [
            "salary",
            "education",
            "work_experience",
            "months_in_china",
            "chinese",
            "work_region",
            "age",
            "extras",
            "local_bonus"
        ]
    );
    let sum: u64 = c["breakdown"].as_array().unwrap().iter().map(|f| f["points"].as_u64().unwrap()).sum();
    assert_eq!(c["points"].as_u64(), Some(sum));
    // 14 + 20 + 9 + 15 + 4 + 10 + 15 + 5 + 0 = 92 → A, science-tech.
    assert_eq!(c["points"], 92);
    assert_eq!((c["category"].as_str(), c["department"].as_str()), (Some("A"), Some("science-tech")));
    assert!(c["issuer"].as_str().is_some_and(|s| !s.is_empty()));

    // The salary band edge: 449,999 earns 17, 450,000 earns 20.
    let salary_points = |c: &Value| c["breakdown"][0]["points"].as_u64();
    let mut below = example.clone();
    below["annual_salary_cny"] = json!(449_999);
    let mut at = example.clone();
    at["annual_salary_cny"] = json!(450_000);
    assert_eq!(salary_points(&stack.post("/api/v1/classification", None, &below).await.1), Some(17));
    assert_eq!(salary_points(&stack.post("/api/v1/classification", None, &at).await.1), Some(20));

    // Every problem of a classification request at once.
    let (status, p) = stack
        .post("/api/v1/classification", None, &json!({"birth_date": "1988-13-01", "annual_salary_cny": "much", "education": "phd", "months_in_china_per_year": 13}))
        .await;
    assert_eq!(status, 422, "{p:#}");
    let fields: Vec<String> = codes_by_field(&p).into_iter().map(|(f, _)| f).collect();
    for f in ["as_of", "birth_date", "annual_salary_cny", "education", "months_in_china_per_year"] {
        assert!(fields.iter().any(|x| x == f), "{f} missing in {fields:?}");
    }

    // The one-time notice: a minor applicant, an expired passport, a salary below the Gansu
    // minimum wage and a missing certificate, all in one 422 with Chinese and English text.
    let code = credit_code(20);
    let employer = stack.token("employer", &code, "").await;
    let mut bad = application(&code, "C", &["social_insurance"]);
    bad["applicant"]["birth_date"] = json!("2012-01-01");
    bad["applicant"]["passport_expiry"] = json!("2025-01-01");
    bad["position"]["annual_salary_cny"] = json!(12_000);
    bad["materials"] = json!(
        bad["materials"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] != "criminal_record_certificate")
            .cloned()
            .collect::<Vec<_>>()
    );
    let (status, p) = stack.post("/api/v1/cases", Some(&employer), &bad).await;
    assert_eq!(status, 422, "{p:#}");
    let found = codes_by_field(&p);
    for expected in [
        ("applicant.birth_date", "applicant_under_18"),
        ("applicant.passport_expiry", "expired"),
        ("position.annual_salary_cny", "salary_below_minimum_wage"),
        ("materials.criminal_record_certificate", "material_missing"),
    ] {
        assert!(found.iter().any(|(f, c)| (f.as_str(), c.as_str()) == expected), "{expected:?} missing in {found:?}");
    }
    for e in p["errors"].as_array().unwrap() {
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        assert!(e["message_zh"].as_str().is_some_and(|m| !m.is_empty()), "every notice item has Chinese text: {e}");
    }
    assert_eq!(stack.count("service-center", "SELECT COUNT(*) FROM cases").await, 0);

    // The client says C, the points table says A: the case goes to science-tech as A.
    let mut body = application(&code, "A", &[]);
    body["category"] = json!("C");
    let (status, case) = stack.submit_case(&employer, body).await;
    assert_eq!(status, 201, "{case:#}");
    assert_eq!(case["category"], "A");
    assert_eq!(item(&case, "work_permit")["department"], "science-tech");
    let id = case["id"].as_str().unwrap();
    stack.wait_case(&employer, id, CONVERGE, |c| item(c, "work_permit")["status"] == "in_review").await;
    assert_eq!(stack.count("science-tech", "SELECT COUNT(*) FROM permits").await, 1);
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM permits").await, 0);
    stack.shutdown().await;
}
