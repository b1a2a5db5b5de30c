//! The approved path: one approval fans out to every downstream department, exactly once.

use e2e::stack::{DbKind, Stack, StackOptions, item, item_status};
use serde_json::json;

use crate::{CONVERGE, submitted_in_review};

const ALL_ITEMS: [&str; 4] = ["work_permit", "social_insurance", "title_review", "residence_permit"];

fn downstream_done(c: &serde_json::Value) -> bool {
    item_status(c, "social_insurance") == "completed"
        && item_status(c, "residence_permit") == "pending"
        && item(c, "residence_permit")["result"]["residence_case_id"].is_string()
        && item(c, "title_review")["result"]["eligible_on"].is_string()
}

async fn approved_permit_registers_everything_once(db: DbKind) {
    let stack = Stack::start(StackOptions { db, ..Default::default() }).await;
    let (employer, id, case) = submitted_in_review(&stack, 1, "B", &ALL_ITEMS).await;
    assert_eq!(case["category"], "B");
    assert!(case["case_no"].as_str().unwrap().starts_with("GS-"));
    assert!(case["due"]["committed"].as_str().unwrap() < case["due"]["statutory"].as_str().unwrap());
    // 15 committed working days from acceptance, all still ahead (16 when submitted on a
    // day off: acceptance is then the next working day, which counts too).
    let left = case["due"]["working_days_left"].as_i64().unwrap();
    assert!((15..=16).contains(&left), "{}", case["due"]);
    // The reviewers see how the category was reached, factor by factor.
    let k = &case["classification"];
    let breakdown = k["breakdown"].as_array().expect("breakdown");
    let sum: u64 = breakdown.iter().map(|f| f["points"].as_u64().unwrap()).sum();
    assert_eq!(k["points"].as_u64(), Some(sum), "{k}");
    assert!(breakdown.iter().any(|f| f["factor"] == "salary"), "{k}");
    assert_eq!(item(&case, "work_permit")["department"], "science-tech");
    assert_eq!(item_status(&case, "social_insurance"), "not_started");
    // The system's own forms were generated from the case data, not asked of the employer.
    let forms =
        case["timeline"].as_array().unwrap().iter().find(|t| t["event"] == "forms_generated").expect("forms generated");
    assert!(forms["detail"].as_str().unwrap().contains("work_permit_application_form"), "{forms}");
    assert!(forms["detail"].as_str().unwrap().contains("social_insurance_registration_form"), "{forms}");

    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let (status, permit) = stack
        .post(&format!("/api/v1/work-permits/{id}/decision"), Some(&reviewer), &json!({"decision": "approve"}))
        .await;
    assert_eq!(status, 200, "{permit:#}");
    assert_eq!(permit["status"], "approved");
    let number = permit["permit_number"].as_str().unwrap().to_string();
    assert!(number.starts_with("62B"), "{number}");

    let case = stack.wait_case(&employer, &id, CONVERGE, downstream_done).await;
    let items: Vec<&str> = case["items"].as_array().unwrap().iter().map(|i| i["item"].as_str().unwrap()).collect();
    assert_eq!(items, ALL_ITEMS);
    assert_eq!(item(&case, "work_permit")["result"]["permit_number"], number.as_str());
    assert_eq!(item(&case, "social_insurance")["department"], "hrss");
    assert!(item(&case, "social_insurance")["result"]["social_security_number"].as_str().unwrap().starts_with("F62"));
    assert_eq!(item(&case, "residence_permit")["department"], "public-security");
    assert_eq!(case["status"], "in_progress");

    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM si_registrations").await, 1);
    assert_eq!(stack.count("public-security", "SELECT COUNT(*) FROM residence_cases").await, 1);

    // One trace follows the approval from the reviewer's request through Kafka into the
    // reactions of hrss and public-security.
    let trace_of = |service: &'static str, topic: &'static str| {
        let stack = &stack;
        async move {
            let pool = stack.pool(service).await;
            let (tp,): (Option<String>,) =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT traceparent FROM outbox WHERE topic = '{topic}'")))
                    .fetch_one(&pool)
                    .await
                    .expect("outbox row");
            pool.close().await;
            let tp = tp.expect("the outbox row carries a traceparent");
            platform::telemetry::trace_id_of(&tp).expect("a W3C traceparent").to_string()
        }
    };
    let approved = trace_of("science-tech", "permit-approved").await;
    assert_eq!(trace_of("hrss", "social-insurance-registered").await, approved);
    assert_eq!(trace_of("public-security", "residence-case-opened").await, approved);
    assert_ne!(trace_of("service-center", "case-accepted").await, approved, "another request, another trace");

    // A second decision on the decided permit is a conflict, and changes nothing.
    let (status, problem) = stack
        .post(
            &format!("/api/v1/work-permits/{id}/decision"),
            Some(&reviewer),
            &json!({"decision": "refuse", "reasons": ["late"]}),
        )
        .await;
    assert_eq!(status, 409, "{problem:#}");
    stack.shutdown().await;
}

#[tokio::test]
async fn an_approved_permit_yields_one_registration_and_one_residence_case_on_postgres() {
    approved_permit_registers_everything_once(DbKind::Postgres).await;
}

#[tokio::test]
async fn an_approved_permit_yields_one_registration_and_one_residence_case_on_sqlite() {
    approved_permit_registers_everything_once(DbKind::Sqlite).await;
}

#[tokio::test]
async fn every_event_delivered_twice_changes_nothing() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, _) = submitted_in_review(&stack, 2, "A", &ALL_ITEMS).await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let (status, _) = stack
        .post(&format!("/api/v1/work-permits/{id}/decision"), Some(&reviewer), &json!({"decision": "approve"}))
        .await;
    assert_eq!(status, 200);
    let before = stack.wait_case(&employer, &id, CONVERGE, downstream_done).await;

    // Audit checkpoints keep flowing while the case is read (each read is logged), so they
    // are neither duplicated here nor counted as a reaction to the duplicates.
    let checkpoint = <onething_proto::events::AuditCheckpoint as platform::events::Event>::TOPIC;
    let case_events = format!("SELECT COUNT(*) FROM outbox WHERE topic <> '{checkpoint}'");
    let mut published = 0;
    for service in e2e::stack::SERVICES {
        published += stack.count(service, &format!("{case_events} AND published_at IS NOT NULL")).await;
    }
    let mut republished = 0;
    for t in platform::events::ALL_TOPICS.iter().filter(|t| **t != checkpoint) {
        republished += stack.broker.republish(t).await;
    }
    assert_eq!(republished as i64, published, "every event of the case was sent a second time");
    let outbox_before: Vec<i64> = {
        let mut v = Vec::new();
        for service in e2e::stack::SERVICES {
            v.push(stack.count(service, &case_events).await);
        }
        v
    };
    for group in e2e::stack::SERVICES {
        stack.broker.wait_caught_up(group, platform::events::ALL_TOPICS, CONVERGE).await;
    }

    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM si_registrations").await, 1);
    assert_eq!(stack.count("hrss", "SELECT COUNT(*) FROM si_persons").await, 1);
    assert_eq!(stack.count("public-security", "SELECT COUNT(*) FROM residence_cases").await, 1);
    assert_eq!(stack.count("science-tech", "SELECT COUNT(*) FROM permits").await, 1);
    assert_eq!(stack.count("service-center", "SELECT COUNT(*) FROM cases").await, 1);
    // Nobody reacted to the duplicates: no new event anywhere.
    for (service, before) in e2e::stack::SERVICES.iter().zip(outbox_before) {
        assert_eq!(stack.count(service, &case_events).await, before, "{service}");
    }
    let after = stack.wait_case(&employer, &id, CONVERGE, |_| true).await;
    assert_eq!(after["items"], before["items"]);
    assert_eq!(after["timeline"].as_array().unwrap().len(), before["timeline"].as_array().unwrap().len());
    stack.shutdown().await;
}

#[tokio::test]
async fn the_fan_out_is_parallel_a_slow_hrss_does_not_delay_public_security() {
    let stack = Stack::start(StackOptions { hrss_delay_ms: 3000, ..Default::default() }).await;
    let (employer, id, _) = submitted_in_review(&stack, 3, "B", &["social_insurance"]).await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let (status, _) = stack
        .post(&format!("/api/v1/work-permits/{id}/decision"), Some(&reviewer), &json!({"decision": "approve"}))
        .await;
    assert_eq!(status, 200);
    let opened = stack
        .wait_case(&employer, &id, CONVERGE, |c| item(c, "residence_permit")["result"]["residence_case_id"].is_string())
        .await;
    assert_ne!(
        item_status(&opened, "social_insurance"),
        "completed",
        "the residence case opened while hrss was still busy"
    );
    let done = stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "social_insurance") == "completed").await;
    let at = |event: &str| -> String {
        done["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["event"] == event)
            .map(|t| t["at"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert!(at("residence_case_opened") < at("social_insurance_registered"), "{:#}", done["timeline"]);
    stack.shutdown().await;
}
