//! Refusal: reasons reach the case; downstream items end as not started.

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
    for downstream in ["social_insurance", "title_review", "residence_permit"] {
        assert_eq!(item_status(&case, downstream), "not_started", "{downstream}");
    }
    assert!(case["notices"][0].as_str().unwrap().contains("salary below the local minimum"));
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM si_registrations").await, 0);
    assert_eq!(stack.count("public-security", "SELECT COUNT(*) FROM residence_cases").await, 0);
    stack.shutdown().await;
}
