//! Refusal: reasons reach the case; downstream items end as not applicable.

use e2e::stack::{Stack, StackOptions, item, item_status};
use serde_json::json;

use crate::{CONVERGE, submitted_in_review};

#[tokio::test]
async fn a_refused_permit_shows_its_reasons_and_starts_nothing_downstream() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, _) = submitted_in_review(&stack, 5, "B", &["social_insurance", "title_review"]).await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;

    let (status, problem) = stack
        .post(&format!("/api/v1/work-permits/{id}/decision"), Some(&reviewer), &json!({"decision": "refuse"}))
        .await;
    assert_eq!(status, 422, "a refusal needs written reasons: {problem:#}");
    assert_eq!(problem["errors"][0]["field"], "reasons");

    let reasons = ["the position does not match the degree", "salary below the local minimum"];
    let (status, permit) = stack
        .post(
            &format!("/api/v1/work-permits/{id}/decision"),
            Some(&reviewer),
            &json!({"decision": "refuse", "reasons": reasons}),
        )
        .await;
    assert_eq!(status, 200, "{permit:#}");
    assert_eq!(permit["status"], "refused");

    let case = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "work_permit") == "refused").await;
    assert_eq!(case["status"], "refused");
    assert_eq!(item(&case, "work_permit")["result"]["reasons"], reasons.join("; "));
    // Nothing downstream will ever start: each item ends as not_applicable, saying why.
    let case =
        stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "residence_permit") == "not_applicable").await;
    for downstream in ["social_insurance", "title_review", "residence_permit"] {
        assert_eq!(item_status(&case, downstream), "not_applicable", "{downstream}");
        assert_eq!(item(&case, downstream)["result"]["reason"], "work_permit_refused", "{downstream}");
    }
    assert_eq!(case["notices"][0]["kind"], "refusal");
    assert!(case["notices"][0]["text"].as_str().unwrap().contains("salary below the local minimum"));
    // The statistics count none of them as open.
    let ops = stack.token("ops", "zhao", "").await;
    let (status, stats) = stack.get("/api/v1/stats", Some(&ops)).await;
    assert_eq!(status, 200, "{stats:#}");
    let open: Vec<String> = ["not_started", "pending", "in_review", "supplement_requested"]
        .iter()
        .flat_map(|s| ["social_insurance", "title_review", "residence_permit"].map(|i| format!("{i}/{s}")))
        .collect();
    assert!(
        open.iter().all(|k| {
            let (i, s) = k.split_once('/').unwrap();
            stats["items"][i][s].as_i64().unwrap_or(0) == 0
        }),
        "{:#}",
        stats["items"]
    );
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM si_registrations").await, 0);
    assert_eq!(stack.count("public-security", "SELECT COUNT(*) FROM residence_cases").await, 0);
    stack.shutdown().await;
}
