//! End-to-end tests over the real stack: five services, a Tansu broker over TCP,
//! PostgreSQL (and SQLite for the main flow), driven through the gateway's HTTP API.

mod access;
mod audit;
mod bad_input;
mod broker_auth;
mod e_permit;
mod fan_out;
mod hrss_items;
mod materials;
mod metrics;
mod ops;
mod outage;
mod permit_lifecycle;
mod refusal;
mod residence;
mod rules;
mod service_center;
mod sessions;
mod sharing;
mod web;

use std::time::Duration;

use e2e::stack::{Stack, application, credit_code, item_status};
use serde_json::Value;

/// A science-tech reviewer approves case `id`'s work permit; returns the permit.
pub async fn approve_at_science_tech(stack: &Stack, id: &str) -> Value {
    approve_at(stack, id, "science-tech").await
}

/// A reviewer of `department` (the desk owning the permit) approves case `id`'s work
/// permit; returns the permit.
pub async fn approve_at(stack: &Stack, id: &str, department: &str) -> Value {
    let reviewer = stack.token("reviewer", "alice", department).await;
    let (status, permit) = stack
        .post(
            &format!("/api/v1/work-permits/{id}/decision"),
            Some(&reviewer),
            &serde_json::json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, 200, "{permit:#}");
    permit
}

pub const CONVERGE: Duration = Duration::from_secs(60);

/// Submits a case as employer `n` and waits until its permit is in review.
pub async fn submitted_in_review(stack: &Stack, n: u32, category: &str, items: &[&str]) -> (String, String, Value) {
    submit_in_review(stack, n, application(&credit_code(n), category, items)).await
}

/// Employer `n` submits `body`; returns as [`submitted_in_review`] once the permit is in review.
pub async fn submit_in_review(stack: &Stack, n: u32, body: Value) -> (String, String, Value) {
    let employer = stack.token("employer", &credit_code(n), "").await;
    let (status, case) = stack.submit_case(&employer, body).await;
    assert_eq!(status, 201, "{case:#}");
    let id = case["id"].as_str().expect("case id").to_string();
    let case = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "work_permit") == "in_review").await;
    (employer, id, case)
}
