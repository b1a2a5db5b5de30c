//! Broker down: decisions still succeed (outbox); once it is back everything converges.
//!
//! Two outages: the broker process killed and started again (the test broker keeps its
//! topics in memory, so it comes back empty: the relay recreates topics and producers,
//! consumers are rebuilt), and the broker frozen with SIGSTOP (connections stay open but
//! nothing answers, as with a hung broker or a network partition).

use std::time::Duration;

use e2e::stack::{Stack, StackOptions, item, item_status};
use serde_json::json;

use crate::submitted_in_review;

/// Polls `/readyz` until it answers `want`.
async fn readiness(stack: &Stack, want: u16) -> serde_json::Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = stack.get("/readyz", None).await;
        if status == want {
            return body;
        }
        assert!(std::time::Instant::now() < deadline, "/readyz stayed {status}: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[derive(Clone, Copy)]
enum Outage {
    Restart,
    Freeze,
}

async fn a_decision_during_an_outage_is_delivered_afterwards(outage: Outage, employer_no: u32) {
    let mut stack = Stack::start(StackOptions::default()).await;
    let (employer, id, _) = submitted_in_review(&stack, employer_no, "C", &["social_insurance", "title_review"]).await;

    match outage {
        Outage::Restart => stack.broker.stop().await,
        Outage::Freeze => stack.broker.pause(),
    }
    let reviewer = stack.token("reviewer", "bob", "hrss").await;
    let (status, permit) = stack
        .post(&format!("/api/v1/work-permits/{id}/decision"), Some(&reviewer), &json!({"decision": "approve"}))
        .await;
    assert_eq!(status, 200, "the decision is stored even with the broker down: {permit:#}");
    assert!(permit["permit_number"].as_str().unwrap().starts_with("62C"));
    assert_eq!(
        stack.count("hrss", "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL").await,
        1,
        "the event waits in the outbox"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, case) = stack.get(&format!("/api/v1/cases/{id}"), Some(&employer)).await;
    assert_eq!(item_status(&case, "work_permit"), "in_review", "nobody heard of the approval yet");

    // Readiness names what is down: every service has lost the broker.
    let down = readiness(&stack, 503).await;
    let names = down["down"].as_array().expect("names of what is down");
    assert!(
        !names.is_empty() && names.iter().all(|n| e2e::stack::SERVICES.contains(&n.as_str().unwrap_or(""))),
        "{down}"
    );

    match outage {
        Outage::Restart => stack.broker.restart().await,
        Outage::Freeze => stack.broker.resume(),
    }
    let case = stack
        .wait_case(&employer, &id, Duration::from_secs(90), |c| {
            item_status(c, "work_permit") == "approved"
                && item_status(c, "social_insurance") == "completed"
                && item(c, "residence_permit")["result"]["residence_case_id"].is_string()
                && item(c, "title_review")["result"]["eligible_on"].is_string()
        })
        .await;
    assert_eq!(item(&case, "work_permit")["department"], "hrss");
    assert_eq!(readiness(&stack, 200).await["status"], "ready");
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM si_registrations").await, 1);
    assert_eq!(stack.count("public-security", "SELECT COUNT(*) FROM residence_cases").await, 1);
    // Every event of every service went out in the end.
    for service in e2e::stack::SERVICES {
        assert_eq!(
            stack.count(service, "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL").await,
            0,
            "{service}"
        );
    }
    stack.shutdown().await;
}

#[tokio::test]
async fn a_decision_while_the_broker_is_stopped_is_delivered_after_its_restart() {
    a_decision_during_an_outage_is_delivered_afterwards(Outage::Restart, 4).await;
}

#[tokio::test]
async fn a_decision_while_the_broker_is_frozen_is_delivered_when_it_answers_again() {
    a_decision_during_an_outage_is_delivered_afterwards(Outage::Freeze, 11).await;
}
