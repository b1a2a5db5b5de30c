//! End-to-end tests over the real stack: five services, a Tansu broker over TCP,
//! PostgreSQL (and SQLite for the main flow), driven through the gateway's HTTP API.

mod access;
mod bad_input;
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

pub const CONVERGE: Duration = Duration::from_secs(60);

/// Submits a case as employer `n` and waits until its permit is in review.
pub async fn submitted_in_review(stack: &Stack, n: u32, category: &str, items: &[&str]) -> (String, String, Value) {
    let code = credit_code(n);
    let employer = stack.token("employer", &code, "").await;
    let (status, case) = stack.submit_case(&employer, application(&code, category, items)).await;
    assert_eq!(status, 201, "{case:#}");
    let id = case["id"].as_str().expect("case id").to_string();
    let case = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "work_permit") == "in_review").await;
    (employer, id, case)
}
