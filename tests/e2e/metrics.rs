//! Prometheus metrics through the real stack: the gateway's `/metrics` and each service's
//! metrics port answer Prometheus text, and one case submitted and approved through the
//! public API moves each counter by exactly what it did.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use e2e::stack::{Stack, StackOptions, item, item_status};
use openmetrics_parser::PrometheusValue;
use openmetrics_parser::prometheus::parse_prometheus;
use rdkafka::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};

use crate::{CONVERGE, submitted_in_review};

const ENDPOINTS: [&str; 5] = ["gateway", "service-center", "science-tech", "hrss", "public-security"];

/// One scrape: (family, sorted labels) → value (a histogram's value is its count).
#[derive(Debug, Default)]
struct Scrape(HashMap<(String, Vec<(String, String)>), f64>);

impl Scrape {
    /// The sample of `family` with exactly `labels`; 0 when it does not exist (yet).
    fn get(&self, family: &str, labels: &[(&str, &str)]) -> f64 {
        let mut labels: Vec<(String, String)> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        labels.sort();
        self.0.get(&(family.to_string(), labels)).copied().unwrap_or(0.0)
    }
}

async fn scrape(stack: &Stack, endpoint: &str) -> Scrape {
    let resp = stack.http.get(stack.metrics_url(endpoint)).send().await.expect("metrics endpoint reachable");
    assert_eq!(resp.status(), 200, "{endpoint}");
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(content_type, "text/plain; version=0.0.4", "{endpoint}");
    let text = resp.text().await.expect("metrics text");
    let exposition =
        parse_prometheus(&text).unwrap_or_else(|e| panic!("{endpoint}: not Prometheus text: {e:?}\n{text}"));
    let mut samples = HashMap::new();
    for (name, family) in exposition.families {
        for sample in family.iter_samples() {
            let set = sample.get_labelset().expect("labels of a parsed sample");
            let mut labels: Vec<(String, String)> = set.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            labels.sort();
            let value = match &sample.value {
                PrometheusValue::Counter(c) => c.value.as_f64(),
                PrometheusValue::Gauge(n) | PrometheusValue::Unknown(n) => n.as_f64(),
                PrometheusValue::Histogram(h) => h.count.map_or(f64::NAN, |c| c as f64),
                PrometheusValue::Summary(s) => s.count.map_or(f64::NAN, |c| c as f64),
            };
            samples.insert((name.clone(), labels), value);
        }
    }
    Scrape(samples)
}

async fn scrape_all(stack: &Stack) -> HashMap<&'static str, Scrape> {
    let mut all = HashMap::new();
    for endpoint in ENDPOINTS {
        all.insert(endpoint, scrape(stack, endpoint).await);
    }
    all
}

/// A counter that must move: on which endpoint, which series, by how much.
struct Expected {
    endpoint: &'static str,
    family: &'static str,
    labels: Vec<(&'static str, &'static str)>,
    delta: f64,
}

fn expect(
    endpoint: &'static str,
    family: &'static str,
    labels: &[(&'static str, &'static str)],
    delta: f64,
) -> Expected {
    Expected { endpoint, family, labels: labels.to_vec(), delta }
}

/// nextest runs each test in a process of its own, whose one recorder sees this test's
/// stack only; `cargo test` runs the other tests beside it in the same process, where a
/// counter can only be checked for having moved at least as far.
fn alone() -> bool {
    std::env::var("NEXTEST_EXECUTION_MODE").as_deref() == Ok("process-per-test")
}

/// Scrapes until every counter of `expected` has moved by its delta (or 30 s have
/// passed), then checks that each moved by exactly that; returns the last scrape.
async fn moved(
    stack: &Stack,
    before: &HashMap<&'static str, Scrape>,
    expected: &[Expected],
) -> HashMap<&'static str, Scrape> {
    let delta = |after: &HashMap<&'static str, Scrape>, e: &Expected| {
        after[e.endpoint].get(e.family, &e.labels) - before[e.endpoint].get(e.family, &e.labels)
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let after = loop {
        let after = scrape_all(stack).await;
        if expected.iter().all(|e| delta(&after, e) >= e.delta) || Instant::now() > deadline {
            break after;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for e in expected {
        let moved = delta(&after, e);
        let what = format!("{} {}{:?}: moved by {moved}, expected {}", e.endpoint, e.family, e.labels, e.delta);
        if alone() {
            assert_eq!(moved, e.delta, "{what}");
        } else {
            assert!(moved >= e.delta, "{what}");
        }
    }
    after
}

#[tokio::test]
async fn one_case_submitted_and_approved_moves_every_counter_by_what_it_did() {
    let stack = Stack::start(StackOptions::default()).await;
    let before = scrape_all(&stack).await;
    // Each service's outbox gauges hold a value from its start.
    for service in e2e::stack::SERVICES {
        let scrape = &before[service];
        let key = |family: &str| (family.to_string(), vec![("service".to_string(), service.to_string())]);
        assert!(scrape.0.contains_key(&key("onething_outbox_backlog")), "{service}: {:?}", scrape.0.keys());
        assert!(scrape.0.contains_key(&key("onething_outbox_oldest_age_seconds")), "{service}");
    }

    let items = ["work_permit", "social_insurance", "title_review", "residence_permit"];
    let (employer, id, _) = submitted_in_review(&stack, 61, "B", &items).await;
    crate::approve_at_science_tech(&stack, &id).await;
    stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item_status(c, "social_insurance") == "completed"
                && item(c, "residence_permit")["result"]["residence_case_id"].is_string()
        })
        .await;

    let submit_case = [("method", "POST"), ("route", "/api/v1/cases"), ("status", "201")];
    let decision = [("method", "POST"), ("route", "/api/v1/work-permits/{case_id}/decision"), ("status", "200")];
    let sc = "onething.servicecenter.v1.ServiceCenterService";
    let consumed = |group| [("topic", "permit-approved"), ("group", group), ("outcome", "applied")];
    let expected = [
        expect("gateway", "onething_http_requests_total", &submit_case, 1.0),
        expect("gateway", "onething_http_request_duration_seconds", &submit_case, 1.0),
        expect("gateway", "onething_http_requests_total", &decision, 1.0),
        expect("service-center", "onething_events_published_total", &[("topic", "case-accepted")], 1.0),
        expect("science-tech", "onething_events_published_total", &[("topic", "permit-approved")], 1.0),
        expect("hrss", "onething_events_consumed_total", &consumed("hrss"), 1.0),
        expect("public-security", "onething_events_consumed_total", &consumed("public-security"), 1.0),
        expect(
            "service-center",
            "onething_grpc_requests_total",
            &[("service", sc), ("method", "SubmitCase"), ("code", "OK")],
            1.0,
        ),
        expect(
            "service-center",
            "onething_grpc_request_duration_seconds",
            &[("service", sc), ("method", "SubmitCase"), ("code", "OK")],
            1.0,
        ),
    ];
    // A consumer counts its message just after its commit, which the case view may show
    // first: wait (bounded) until every counter has moved, then check by how much.
    let after = moved(&stack, &before, &expected).await;
    // Nothing failed on the way.
    for endpoint in ["hrss", "public-security"].into_iter().filter(|_| alone()) {
        for outcome in ["retried", "dead_lettered"] {
            let labels = [("topic", "permit-approved"), ("group", endpoint), ("outcome", outcome)];
            assert_eq!(after[endpoint].get("onething_events_consumed_total", &labels), 0.0, "{endpoint} {outcome}");
        }
    }
    stack.shutdown().await;
}

#[tokio::test]
async fn a_redelivered_event_counts_as_duplicate_and_an_unreadable_one_as_dead_lettered() {
    let stack = Stack::start(StackOptions::default()).await;
    submitted_in_review(&stack, 62, "B", &["social_insurance"]).await;
    // Both groups reading case-accepted (science-tech's desk, hrss's) have applied it.
    let applied = |group| {
        expect(
            group,
            "onething_events_consumed_total",
            &[("topic", "case-accepted"), ("group", group), ("outcome", "applied")],
            1.0,
        )
    };
    let start = ENDPOINTS.into_iter().map(|e| (e, Scrape::default())).collect();
    let before = moved(&stack, &start, &[applied("science-tech"), applied("hrss")]).await;

    assert_eq!(stack.broker.republish("case-accepted").await, 1);
    let producer: FutureProducer =
        ClientConfig::new().set("bootstrap.servers", stack.broker.addr()).create().expect("producer");
    // No CloudEvents headers: it can never be handled.
    let record = FutureRecord::to("case-accepted").key("not-a-case").payload("not an event");
    producer.send(record, Duration::from_secs(5)).await.expect("produced");

    let outcome = |group, outcome| {
        expect(
            group,
            "onething_events_consumed_total",
            &[("topic", "case-accepted"), ("group", group), ("outcome", outcome)],
            1.0,
        )
    };
    let mut expected = Vec::new();
    for group in ["science-tech", "hrss"] {
        expected.push(outcome(group, "duplicate"));
        expected.push(outcome(group, "dead_lettered"));
        expected.push(Expected { delta: 0.0, ..outcome(group, "applied") });
    }
    // Once per group that read it, under the original topic.
    expected.push(expect("hrss", "onething_dead_letters_total", &[("topic", "case-accepted")], 2.0));
    moved(&stack, &before, &expected).await;
    stack.shutdown().await;
}
