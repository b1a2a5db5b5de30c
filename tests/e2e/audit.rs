//! The access log: every read of personal data and both ends of every data-sharing call
//! leave one entry per person in the reading service's hash chain; the auditor sees
//! exactly those, the foreigner sees who read theirs, and an edited row is named by verify.

use std::collections::BTreeMap;
use std::time::Duration;

use e2e::stack::{Stack, StackOptions, application, credit_code, item, item_status};
use onething_proto::events as ev;
use prost::Message;
use serde_json::Value;

use crate::{CONVERGE, approve_at_science_tech, submit_in_review};

const ALL_ITEMS: [&str; 4] = ["work_permit", "social_insurance", "title_review", "residence_permit"];

/// Every entry of `query` (an `/api/v1/audit` query string), page after page of `limit`.
async fn entries(stack: &Stack, token: &str, path: &str, query: &str, limit: u32) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = stack.get(&format!("{path}?{query}&limit={limit}&cursor={cursor}"), Some(token)).await;
        assert_eq!(status, 200, "{page:#}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit as usize);
        all.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => return all,
        }
    }
}

/// `(subject, action) → count` of `entries`.
fn by_actor(entries: &[Value]) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    for e in entries {
        let key = (e["actor"]["subject"].as_str().unwrap().to_string(), e["action"].as_str().unwrap().to_string());
        *counts.entry(key).or_default() += 1;
    }
    counts
}

fn pairs(list: &[(&str, &str, usize)]) -> BTreeMap<(String, String), usize> {
    list.iter().map(|(s, a, n)| ((s.to_string(), a.to_string()), *n)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_shows_exactly_the_reads_made_the_foreigner_sees_theirs_and_an_edit_is_caught() {
    let stack = Stack::start(StackOptions { ops: true, ..StackOptions::default() }).await;
    let (employer, id, _) = submit_in_review(&stack, 71, application(&credit_code(71), "B", &ALL_ITEMS)).await;
    let permit = approve_at_science_tech(&stack, &id).await;
    let number = permit["permit_number"].as_str().unwrap().to_string();
    stack
        .wait_case(&employer, &id, CONVERGE, |c| {
            item_status(c, "social_insurance") == "completed"
                && item(c, "residence_permit")["result"]["residence_case_id"].is_string()
        })
        .await;
    let auditor = stack.token("auditor", "audit-1", "").await;

    // Both ends of every exchange: service-center answered the three departments' services,
    // and each asking service recorded its own request, with the purpose and the fields.
    let shares = entries(&stack, &auditor, "/api/v1/audit", &format!("case_id={id}&actor=service-center"), 50).await;
    assert!(shares.is_empty(), "service-center asks no one: {shares:#?}");
    let all = entries(&stack, &auditor, "/api/v1/audit", &format!("case_id={id}"), 50).await;
    let provided: Vec<&Value> = all.iter().filter(|e| e["action"] == "share_record").collect();
    let asked: Vec<&Value> = all.iter().filter(|e| e["action"] == "share_record.request").collect();
    let services = |list: &[&Value], key: &str| {
        let mut s: Vec<String> = list.iter().map(|e| e[key].as_str().unwrap_or("").to_string()).collect();
        s.sort();
        s
    };
    let departments = ["hrss", "public-security", "science-tech"];
    assert_eq!(services(&provided, "service"), ["service-center"; 3]);
    let askers: Vec<String> = provided.iter().map(|e| e["actor"]["subject"].as_str().unwrap().to_string()).collect();
    let mut askers = askers;
    askers.sort();
    assert_eq!(askers, departments);
    assert_eq!(services(&asked, "service"), departments);
    let person = provided[0]["person"].as_str().expect("the person's key").to_string();
    for e in provided.iter().chain(&asked) {
        assert_eq!((e["outcome"].as_str(), e["person"].as_str()), (Some("allowed"), Some(person.as_str())), "{e:#}");
        assert!(e["purpose"].is_string() && !e["fields"].as_array().unwrap().is_empty(), "{e:#}");
    }
    let passport_only: Vec<&Value> =
        provided.iter().copied().filter(|e| e["actor"]["subject"] == "science-tech").collect();
    assert_eq!(passport_only[0]["fields"], serde_json::json!(["passport_expiry"]));

    // A scripted set of reads by each role, after this moment.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let from = platform::time::now_rfc3339();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let officer = stack.token("officer", "bob", "public-security").await;
    let foreigner = stack.token("foreigner", &number, "").await;
    let ops = stack.token("ops", "carol", "").await;
    let case = format!("/api/v1/cases/{id}");
    let residence = format!("/api/v1/residence-permits/{id}");
    for (token, path) in [
        (&employer, &case),
        (&employer, &case),
        (&reviewer, &case),
        (&reviewer, &format!("/api/v1/work-permits/{id}")),
        (&officer, &residence),
        (&foreigner, &residence),
        (&ops, &case),
    ] {
        let (status, body) = stack.get(path, Some(token)).await;
        assert_eq!(status, 200, "{path}: {body:#}");
    }
    // The officer's queue: one entry per person it shows.
    let (status, queue) = stack.get("/api/v1/residence-permits?limit=200", Some(&officer)).await;
    assert_eq!(status, 200, "{queue:#}");
    let shown = queue["items"].as_array().unwrap().len();
    assert!(shown >= 1);

    let after = entries(&stack, &auditor, "/api/v1/audit", &format!("from={from}"), 3).await;
    let credit = credit_code(71);
    let expected = pairs(&[
        (&credit, "case.read", 2),
        // Her case read, and the work permit's: the gateway finds the owning desk by it.
        ("alice", "case.read", 2),
        ("alice", "permit.read", 1),
        ("alice", "applicant.read", 1),
        ("bob", "residence_case.read", 1 + shown),
        (&number, "residence_case.read", 1),
        ("carol", "case.read", 1),
    ]);
    // (The work permit shows its reviewer the applicant: service-center records that read.)
    assert_eq!(by_actor(&after), expected, "{after:#?}");
    for e in &after {
        assert_eq!(e["outcome"], "allowed", "{e:#}");
        assert!(e["hash"].as_str().unwrap().len() == 64 && e["prev_hash"].as_str().unwrap().len() == 64);
    }
    // The same reads by whose data they were: this person's reads all carry the key.
    let theirs = entries(&stack, &auditor, "/api/v1/audit", &format!("from={from}&person={person}"), 50).await;
    assert_eq!(theirs.len(), after.iter().filter(|e| e["case_id"] == id.as_str()).count());
    let purposes: Vec<(&str, &str)> =
        theirs.iter().map(|e| (e["actor"]["role"].as_str().unwrap(), e["purpose"].as_str().unwrap())).collect();
    assert!(purposes.contains(&("officer", "counter")) && purposes.contains(&("employer", "own_case")), "{purposes:?}");

    // The foreigner sees who read their data, not the staff's ids; another foreigner sees none.
    let mine = entries(&stack, &foreigner, "/api/v1/me/access-log", "", 50).await;
    assert!(mine.iter().all(|e| e["case_id"] == id.as_str() && e.get("actor").is_none()), "{mine:#?}");
    assert!(
        mine.iter()
            .any(|e| e["department"] == "public-security" && e["role"] == "officer" && e["purpose"] == "counter"),
        "{mine:#?}"
    );
    assert!(mine.iter().any(|e| e["action"] == "share_record" && e["role"] == "system"), "{mine:#?}");
    let stranger = stack.token("foreigner", "ZZ0000000000", "").await;
    assert!(entries(&stack, &stranger, "/api/v1/me/access-log", "", 50).await.is_empty());

    // Only the auditor reads the log; a bad filter is every problem at once.
    let (status, _) = stack.get("/api/v1/audit", Some(&ops)).await;
    assert_eq!(status, 403);
    let (status, problem) = stack.get("/api/v1/audit?from=yesterday&limit=0", Some(&auditor)).await;
    assert_eq!(status, 422, "{problem:#}");
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["from", "limit"]);

    // Each service published its chain's head, signed like every event.
    let deadline = std::time::Instant::now() + CONVERGE;
    loop {
        let heads: Vec<ev::AuditCheckpoint> = stack
            .broker
            .read_all("audit-checkpoint")
            .into_iter()
            .map(|(_, payload, _)| ev::AuditCheckpoint::decode(payload.as_slice()).unwrap())
            .collect();
        let mut services: Vec<String> = heads.iter().filter(|h| h.seq > 0).map(|h| h.service.clone()).collect();
        services.sort();
        services.dedup();
        if services == ["hrss", "public-security", "science-tech", "service-center"] {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "checkpoints from {services:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Writers racing for the same chain still make one unbroken chain.
    let reads = (0..20).map(|i| {
        let (token, path) = if i % 2 == 0 { (&reviewer, &case) } else { (&officer, &residence) };
        stack.get(path, Some(token))
    });
    assert!(futures::future::join_all(reads).await.iter().all(|(status, _)| *status == 200));

    // Every chain is whole; an edited row is named, and the others stay whole.
    let (status, verified) = stack.get("/api/v1/audit/verify", Some(&auditor)).await;
    assert_eq!(status, 200, "{verified:#}");
    assert_eq!(verified["ok"], true, "{verified:#}");
    assert_eq!(verified["chains"].as_array().unwrap().len(), 5);
    let edited = after.iter().find(|e| e["service"] == "service-center").expect("a service-center entry");
    let pool = stack.pool("service-center").await;
    sqlx::query("UPDATE audit_log SET actor_subject = 'nobody' WHERE id = $1")
        .bind(edited["id"].as_str().unwrap())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (status, verified) = stack.get("/api/v1/audit/verify", Some(&auditor)).await;
    assert_eq!(status, 200, "{verified:#}");
    assert_eq!(verified["ok"], false);
    let broken = verified["broken"].as_array().unwrap();
    assert_eq!(broken.len(), 1, "{verified:#}");
    assert_eq!(
        (broken[0]["service"].as_str(), broken[0]["entry"].as_str()),
        (Some("service-center"), edited["id"].as_str())
    );
    assert!(broken[0]["reason"].as_str().unwrap().contains("changed"), "{verified:#}");
    stack.shutdown().await;
}
