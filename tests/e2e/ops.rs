//! The operators' read model over the real broker: the overview counts what a scripted set
//! of cases produced, every service's outbox and every group's lag are reported, a
//! poisoned record shows in the dead letters with its reason, and a dead letter replayed
//! is applied once; the stream pushes the overview; only operators see it.

use std::time::{Duration, Instant};

use e2e::stack::{DbKind, Stack, StackOptions, item_status};
use onething_proto::events as ev;
use platform::events::kafka;
use prost::Message;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::FutureRecord;
use serde_json::{Value, json};

use crate::{CONVERGE, submitted_in_review};

/// Polls the overview until `pred` holds; panics with the last one after `CONVERGE`.
async fn overview_until(stack: &Stack, token: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + CONVERGE;
    loop {
        let (status, o) = stack.get("/api/v1/ops/overview", Some(token)).await;
        if status == 200 && pred(&o) {
            return o;
        }
        assert!(Instant::now() < deadline, "the overview did not converge: {status} {o:#}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn topic_count(o: &Value, topic: &str) -> i64 {
    o["events"]["by_topic"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["topic"] == topic)
        .map_or(0, |t| t["count"].as_i64().unwrap_or(0))
}

fn pairs(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn produce(stack: &Stack, topic: &str, key: &str, payload: &[u8], headers: &[(&str, &str)]) {
    let mut settings = platform::config::Settings::default().kafka;
    settings.brokers = stack.broker.addr();
    let producer = kafka::producer(&settings, "e2e-ops").expect("producer");
    let mut h = OwnedHeaders::new();
    for (k, v) in headers {
        h = h.insert(Header { key: k, value: Some(*v) });
    }
    producer
        .send(FutureRecord::to(topic).key(key).payload(payload).headers(h), Duration::from_secs(10))
        .await
        .expect("record accepted");
}

#[tokio::test]
async fn the_overview_counts_the_streams_and_a_dead_letter_is_replayed_once() {
    let stack = Stack::start(StackOptions { db: DbKind::Sqlite, ops: true, ..Default::default() }).await;
    let ops = stack.token("ops", "zhao", "").await;
    let admin = stack.token("admin", "root", "").await;

    // Three cases, two approved.
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let mut approved = Vec::new();
    for n in 1..=3 {
        let (employer, id, _) = submitted_in_review(&stack, 60 + n, "B", &[]).await;
        if n <= 2 {
            let (status, p) = stack
                .post(&format!("/api/v1/work-permits/{id}/decision"), Some(&reviewer), &json!({"decision": "approve"}))
                .await;
            assert_eq!(status, 200, "{p:#}");
            approved.push((employer, id));
        }
    }
    for (employer, id) in &approved {
        stack.wait_case(employer, id, CONVERGE, |c| item_status(c, "residence_permit") == "pending").await;
    }
    // The third case's `permit-application-opened` is published by science-tech's outbox
    // after its consumer commits, so a zero lag does not mean it was counted yet: wait for
    // at least the three, then expect exactly three.
    let o = overview_until(&stack, &ops, |o| {
        topic_count(o, "case-accepted") == 3
            && topic_count(o, "permit-approved") == 2
            && topic_count(o, "permit-application-opened") >= 3
            && o["cases"]["cases"]["by_status"]["in_review"] == 1
            && o["cases"]["cases"]["total"] == 3
            && o["consumer_lag"].as_array().is_some_and(|l| !l.is_empty() && l.iter().all(|p| p["lag"] == 0))
    })
    .await;
    // Exactly what the script produced: no event counted twice.
    assert_eq!(topic_count(&o, "permit-application-opened"), 3, "{:#}", o["events"]);
    assert_eq!(o["cases"]["cases"]["by_status"]["in_review"], 1, "{:#}", o["cases"]["cases"]);
    assert_eq!(o["cases"]["items"]["work_permit"]["approved"], 2, "{:#}", o["cases"]["items"]);
    let per_minute: i64 = o["events"]["per_minute"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["topic"] == "case-accepted")
        .map(|m| m["count"].as_i64().unwrap())
        .sum();
    assert_eq!(per_minute, 3);
    assert!(o["events"]["per_minute"].as_array().unwrap().iter().any(|m| m["source"] == "service-center"));
    // Every service answered with its outbox, every group's lag is known.
    let outbox = o["outbox"].as_array().unwrap();
    for service in ["service-center", "science-tech", "hrss", "public-security", "ops"] {
        let s = outbox.iter().find(|s| s["service"] == service).unwrap_or_else(|| panic!("{service}: {outbox:?}"));
        assert_eq!(s["reachable"], true, "{s}");
    }
    let groups: Vec<&str> = o["consumer_lag"].as_array().unwrap().iter().filter_map(|p| p["group"].as_str()).collect();
    for group in ["service-center", "hrss", "public-security", "science-tech", "ops"] {
        assert!(groups.contains(&group), "{group} in {groups:?}");
    }
    assert!(o["cases"]["deadlines"]["items"]["work_permit"].is_object(), "{:#}", o["cases"]["deadlines"]);
    // The same figures as Prometheus gauges on the ops service's /metrics.
    let text = reqwest::get(stack.metrics_url("ops")).await.expect("ops metrics").text().await.unwrap();
    assert!(text.contains("onething_consumer_lag{group=\"public-security\",topic=\"permit-approved\""), "{text}");
    assert!(text.contains("onething_items{item=\"work_permit\",status=\"approved\"} 2"), "{text}");
    assert!(text.contains("onething_items_overdue{item=\"work_permit\"} 0"), "{text}");

    // A poisoned record (a payload no consumer can read) is dead-lettered with its reason.
    // It is signed by a publisher of the topic, so it is its payload that fails.
    let (_, poisoned_case) = &approved[0];
    let payload = b"\xff\xff not protobuf";
    let headers = stack.signed_headers(
        "public-security",
        ("item-progressed", poisoned_case, payload),
        "poisoned-1",
        "onething.events.v1.ItemProgressed",
    );
    produce(&stack, "item-progressed", poisoned_case, payload, &pairs(&headers)).await;
    // A step that a consumer dead-lettered during an incident, valid now.
    let (employer, case_id) = &approved[1];
    let step = ev::ItemProgressed {
        case_id: case_id.clone(),
        item: onething_proto::common::Item::ResidencePermit as i32,
        department: onething_proto::common::Department::PublicSecurity as i32,
        status: onething_proto::common::ItemStatus::Pending as i32,
        event: "residence_entry_recorded".into(),
        detail: "replayed step".into(),
        at: platform::time::now_rfc3339(),
        ..Default::default()
    };
    // As public security signed it for `item-progressed`: the replay sends it there.
    let payload = step.encode_to_vec();
    let mut headers = stack.signed_headers(
        "public-security",
        ("item-progressed", case_id, &payload),
        "incident-step-1",
        "onething.events.v1.ItemProgressed",
    );
    headers.push(("dlq_error".into(), "transient: database unavailable".into()));
    headers.push(("dlq_consumer".into(), "service-center".into()));
    produce(&stack, "item-progressed.dlq", case_id, &payload, &pairs(&headers)).await;
    let o = overview_until(&stack, &ops, |o| o["dead_letters"]["total"] == 2).await;
    assert_eq!(o["dead_letters"]["pending"], 2);
    let (status, list) = stack.get("/api/v1/ops/dead-letters?topic=item-progressed", Some(&admin)).await;
    assert_eq!(status, 200, "{list:#}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list:#}");
    let poisoned = items.iter().find(|d| d["ce_id"] == "poisoned-1").expect("the poisoned record");
    assert!(poisoned["reason"].as_str().unwrap().contains("undecodable"), "{poisoned}");
    assert_eq!(poisoned["consumer_group"], "service-center");
    let incident = items.iter().find(|d| d["ce_id"] == "incident-step-1").expect("the incident's step").clone();

    // Replayed once: applied once; a second replay is refused and changes nothing.
    let replay = format!("/api/v1/ops/dead-letters/{}/replay", incident["id"].as_str().unwrap());
    assert_eq!(stack.post(&replay, Some(&ops), &json!({})).await.0, 403, "admins replay");
    let (status, replayed) = stack.post(&replay, Some(&admin), &json!({})).await;
    assert_eq!(status, 200, "{replayed:#}");
    assert_eq!(replayed["replayed_by"], "root");
    let (status, again) = stack.post(&replay, Some(&admin), &json!({})).await;
    assert_eq!(status, 409, "{again:#}");
    let case = stack
        .wait_case(employer, case_id, CONVERGE, |c| {
            c["timeline"].as_array().unwrap().iter().any(|t| t["detail"] == "replayed step")
        })
        .await;
    let entries = case["timeline"].as_array().unwrap().iter().filter(|t| t["detail"] == "replayed step").count();
    assert_eq!(entries, 1);
    let o = overview_until(&stack, &ops, |o| o["dead_letters"]["pending"] == 1).await;
    assert_eq!(o["dead_letters"]["total"], 2);

    // Only operators see the overview; the dead letters are the administrators'.
    let employer_token = stack.token("employer", &e2e::stack::credit_code(61), "").await;
    assert_eq!(stack.get("/api/v1/ops/overview", Some(&employer_token)).await.0, 403);
    assert_eq!(stack.get("/api/v1/ops/dead-letters", Some(&ops)).await.0, 403);
    assert_eq!(stack.get("/api/v1/ops/dead-letters?topic=nope", Some(&admin)).await.0, 422);
    assert_eq!(stack.get("/api/v1/ops/overview?minutes=0", Some(&ops)).await.0, 422);

    // The stream pushes the overview as server-sent events.
    let resp = reqwest::Client::new()
        .get(format!("{}/api/v1/ops/stream", stack.api.base_url))
        .bearer_auth(&ops)
        .send()
        .await
        .expect("stream");
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut resp = resp;
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), resp.chunk()).await.expect("an event").expect("body");
        text.push_str(&String::from_utf8_lossy(&chunk.expect("open stream")));
    }
    assert!(text.starts_with("event: overview\ndata: {"), "{text}");
    let data: Value = serde_json::from_str(text.lines().nth(1).unwrap().trim_start_matches("data: ")).unwrap();
    assert_eq!(topic_count(&data, "case-accepted"), 3);
    drop(resp);
    stack.shutdown().await;
}

/// The lag of `group` on `topic`, summed over its partitions (None while unknown).
fn lag_of(o: &Value, group: &str, topic: &str) -> Option<i64> {
    let parts: Vec<&Value> =
        o["consumer_lag"].as_array()?.iter().filter(|p| p["group"] == group && p["topic"] == topic).collect();
    (!parts.is_empty()).then(|| parts.iter().map(|p| p["lag"].as_i64().unwrap_or(0)).sum())
}

#[tokio::test]
async fn a_stopped_consumer_falls_behind_and_catches_up_when_it_resumes() {
    let mut stack = Stack::start(StackOptions { db: DbKind::Sqlite, ops: true, ..Default::default() }).await;
    let ops = stack.token("ops", "zhao", "").await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let (employer, first, _) = submitted_in_review(&stack, 70, "B", &[]).await;
    let (status, _) = stack
        .post(&format!("/api/v1/work-permits/{first}/decision"), Some(&reviewer), &json!({"decision": "approve"}))
        .await;
    assert_eq!(status, 200);
    stack.wait_case(&employer, &first, CONVERGE, |c| item_status(c, "residence_permit") == "pending").await;
    overview_until(&stack, &ops, |o| lag_of(o, "public-security", "permit-approved") == Some(0)).await;

    // public-security stops: two approvals wait for it on permit-approved.
    stack.stop_public_security().await;
    let o = overview_until(&stack, &ops, |o| {
        o["outbox"].as_array().unwrap().iter().any(|s| s["service"] == "public-security" && s["reachable"] == false)
    })
    .await;
    assert_eq!(lag_of(&o, "public-security", "permit-approved"), Some(0));
    let mut waiting = Vec::new();
    for n in [71, 72] {
        let (employer, id, _) = submitted_in_review(&stack, n, "B", &[]).await;
        let (status, _) = stack
            .post(&format!("/api/v1/work-permits/{id}/decision"), Some(&reviewer), &json!({"decision": "approve"}))
            .await;
        assert_eq!(status, 200);
        waiting.push((employer, id));
    }
    let o = overview_until(&stack, &ops, |o| lag_of(o, "public-security", "permit-approved") == Some(2)).await;
    // The others kept up.
    assert_eq!(lag_of(&o, "hrss", "permit-approved"), Some(0), "{:#}", o["consumer_lag"]);

    // It resumes: the lag falls back to 0 and both residence cases open.
    stack.restart_public_security().await;
    overview_until(&stack, &ops, |o| {
        lag_of(o, "public-security", "permit-approved") == Some(0)
            && o["outbox"].as_array().unwrap().iter().all(|s| s["reachable"] == true)
    })
    .await;
    for (employer, id) in &waiting {
        stack.wait_case(employer, id, CONVERGE, |c| item_status(c, "residence_permit") == "pending").await;
    }
    stack.shutdown().await;
}
