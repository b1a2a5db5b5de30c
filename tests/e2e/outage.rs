//! Broker down: decisions still succeed (outbox); once it is back everything converges.
//!
//! The broker is frozen (SIGSTOP) rather than killed: the test broker keeps topics in
//! memory only, and librdkafka 2.12 crashes on the leader-discovery replies of a broker
//! that came back empty (docs/operations.md). A production Kafka keeps its topics.

use std::time::Duration;

use e2e::stack::{Stack, StackOptions, item, item_status};
use serde_json::json;

use crate::{CONVERGE, submitted_in_review};

#[tokio::test]
async fn a_decision_during_a_broker_outage_is_delivered_when_it_is_back() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, _) = submitted_in_review(&stack, 4, "C", &["social_insurance", "title_review"]).await;

    stack.broker.pause();
    let reviewer = stack.token("reviewer", "bob", "hrss").await;
    let (status, permit) = stack.post(&format!("/api/v1/work-permits/{id}/decision"), Some(&reviewer), &json!({"decision": "approve"})).await;
    assert_eq!(status, 200, "the decision is stored even with the broker down: {permit:#}");
    assert!(permit["permit_number"].as_str().unwrap().starts_with("62C"));
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL").await, 1, "the event waits in the outbox");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, case) = stack.get(&format!("/api/v1/cases/{id}"), Some(&employer)).await;
    assert_eq!(item_status(&case, "work_permit"), "in_review", "nobody heard of the approval yet");

    stack.broker.resume();
    let case = stack
        .wait_case(&employer, &id, Duration::from_secs(90), |c| {
            item_status(c, "work_permit") == "approved"
                && item_status(c, "social_insurance") == "completed"
                && item(c, "residence_permit")["result"]["residence_case_id"].is_string()
                && item(c, "title_review")["result"]["eligible_on"].is_string()
        })
        .await;
    assert_eq!(item(&case, "work_permit")["department"], "hrss");
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL").await, 0);
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM si_registrations").await, 1);
    assert_eq!(stack.count("public-security", "SELECT COUNT(*) FROM residence_cases").await, 1);
    let _ = CONVERGE;
    stack.shutdown().await;
}
