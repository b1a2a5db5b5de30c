//! Feedback on a case: ratings (好差评), consultations and complaints, the foreigner's own
//! view, and efficiency statistics that add up for a known set of cases.

use e2e::stack::{Stack, StackOptions, item, item_status};
use serde_json::{Value, json};

use crate::{CONVERGE, approve_at, submitted_in_review};

#[tokio::test]
async fn ratings_messages_and_the_foreigners_own_view() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id, _) = submitted_in_review(&stack, 40, "B", &["social_insurance"]).await;

    // Nothing is finished yet: no rating.
    let rate = |item: &str, body: Value| {
        let (stack, employer, path) = (&stack, employer.clone(), format!("/api/v1/cases/{id}/items/{item}/evaluation"));
        async move { stack.post(&path, Some(&employer), &body).await }
    };
    assert_eq!(rate("work_permit", json!({"rating": 5})).await.0, 409);

    let permit = approve_at(&stack, &id, "science-tech").await;
    let number = permit["permit_number"].as_str().unwrap().to_string();
    stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "social_insurance") == "completed").await;

    let (status, p) = rate("work_permit", json!({"rating": 7, "comment": 3})).await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"].as_array().unwrap().len(), 1, "the type error of comment: {p}");
    let (status, p) = rate("work_permit", json!({"rating": 7})).await;
    assert_eq!((status, p["errors"][0]["field"].as_str()), (422, Some("rating")));
    let (status, e) = rate("work_permit", json!({"rating": 5, "comment": "fast and clear"})).await;
    assert_eq!((status, e["rating"].as_i64()), (201, Some(5)), "{e}");
    assert_eq!(rate("work_permit", json!({"rating": 1})).await.0, 409, "one rating per item");
    assert_eq!(rate("residence_permit", json!({"rating": 4})).await.0, 409, "still pending");
    assert_eq!(rate("social_insurance", json!({"rating": 4})).await.0, 201);
    let stranger = stack.token("employer", &e2e::stack::credit_code(41), "").await;
    let (status, _) = stack
        .post(&format!("/api/v1/cases/{id}/items/social_insurance/evaluation"), Some(&stranger), &json!({"rating": 1}))
        .await;
    assert_eq!(status, 404, "another employer's case is not found");

    // A consultation online, a complaint by the 12345 hotline, answers.
    // A retried POST with the same Idempotency-Key answers as the first time (API.md).
    let msg_path = format!("/api/v1/cases/{id}/messages");
    let body =
        serde_json::to_vec(&json!({"kind": "consultation", "text": "Is the health certificate accepted in English?"}))
            .unwrap();
    let first = stack.post_raw(&msg_path, Some(&employer), body.clone(), &[("idempotency-key", "msg-1")]).await;
    let again = stack.post_raw(&msg_path, Some(&employer), body, &[("idempotency-key", "msg-1")]).await;
    assert_eq!((first.0, again.0), (201, 201));
    assert_eq!(first.1["id"], again.1["id"]);
    let other = serde_json::to_vec(&json!({"kind": "consultation", "text": "another question"})).unwrap();
    assert_eq!(stack.post_raw(&msg_path, Some(&employer), other, &[("idempotency-key", "msg-1")]).await.0, 422);

    let (status, consultation) = stack
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            Some(&employer),
            &json!({"kind": "consultation", "text": "When can the applicant visit the counter?"}),
        )
        .await;
    assert_eq!(status, 201, "{consultation}");
    let (status, p) = stack
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            Some(&employer),
            &json!({"kind": "praise", "channel": "hotline_12345", "text": ""}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"].as_array().unwrap().len(), 3, "kind, channel and text: {p}");
    let ops = stack.token("ops", "operator-1", "").await;
    let (status, complaint) = stack
        .post(
            &format!("/api/v1/cases/{id}/messages"),
            Some(&ops),
            &json!({"kind": "complaint", "channel": "hotline_12345", "text": "caller says the counter was closed"}),
        )
        .await;
    assert_eq!(status, 201);
    let officer = stack.token("officer", "li", "public-security").await;
    let answer_path = format!("/api/v1/cases/{id}/messages/{}/answer", consultation["id"].as_str().unwrap());
    let (status, answered) =
        stack.post(&answer_path, Some(&officer), &json!({"answer": "Any working day, 9:00-17:00."})).await;
    assert_eq!((status, answered["answered_by"].as_str()), (200, Some("officer:li@public-security")), "{answered}");
    assert_eq!(stack.post(&answer_path, Some(&ops), &json!({"answer": "again"})).await.0, 409);
    assert_eq!(
        stack
            .post(
                &answer_path.replace(consultation["id"].as_str().unwrap(), complaint["id"].as_str().unwrap()),
                Some(&employer),
                &json!({"answer": "x"})
            )
            .await
            .0,
        403
    );

    let (_, case) = stack.get(&format!("/api/v1/cases/{id}"), Some(&employer)).await;
    assert_eq!(case["evaluations"].as_array().unwrap().len(), 2);
    assert_eq!(case["messages"].as_array().unwrap().len(), 3, "the retried consultation is stored once");
    assert_eq!(case["messages"][1]["answer"], "Any working day, 9:00-17:00.");

    // The foreigner (subject = permit number) sees their own case and no other.
    let foreigner = stack.token("foreigner", &number, "").await;
    let (status, list) = stack.get("/api/v1/cases", Some(&foreigner)).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str()]);
    assert_eq!(stack.get(&format!("/api/v1/cases/{id}"), Some(&foreigner)).await.0, 200);
    let other = stack.token("foreigner", "62B202600099999", "").await;
    assert_eq!(
        stack.get(&format!("/api/v1/cases/{id}"), Some(&other)).await.0,
        404,
        "another foreigner's case is not found"
    );
    assert_eq!(stack.get("/api/v1/cases", Some(&other)).await.1["items"].as_array().unwrap().len(), 0);
    stack.shutdown().await;
}

#[tokio::test]
async fn statistics_add_up_for_a_known_set_of_cases() {
    let stack = Stack::start(StackOptions::default()).await;
    let ops = stack.token("ops", "operator-1", "").await;
    let employer_only = stack.token("employer", &e2e::stack::credit_code(50), "").await;
    assert_eq!(stack.get("/api/v1/stats", Some(&employer_only)).await.0, 403);

    // Three cases: B approved (with social insurance), C approved, B refused.
    let (e1, c1, _) = submitted_in_review(&stack, 51, "B", &["social_insurance"]).await;
    let (_, c2, _) = submitted_in_review(&stack, 52, "C", &[]).await;
    let (e3, c3, _) = submitted_in_review(&stack, 53, "B", &[]).await;
    approve_at(&stack, &c1, "science-tech").await;
    approve_at(&stack, &c2, "hrss").await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let (status, _) = stack
        .post(
            &format!("/api/v1/work-permits/{c3}/decision"),
            Some(&reviewer),
            &json!({"decision": "refuse", "reasons": ["no"]}),
        )
        .await;
    assert_eq!(status, 200);
    stack.wait_case(&e1, &c1, CONVERGE, |c| item_status(c, "social_insurance") == "completed").await;
    stack.wait_case(&e3, &c3, CONVERGE, |c| item_status(c, "work_permit") == "refused").await;
    let ops_view = |id: String| {
        let (stack, ops) = (&stack, ops.clone());
        async move { stack.wait_case(&ops, &id, CONVERGE, |c| item(c, "work_permit")["status"] == "approved").await }
    };
    ops_view(c2.clone()).await;
    assert_eq!(
        stack
            .post(&format!("/api/v1/cases/{c1}/items/work_permit/evaluation"), Some(&e1), &json!({"rating": 4}))
            .await
            .0,
        201
    );
    assert_eq!(
        stack
            .post(&format!("/api/v1/cases/{c3}/items/work_permit/evaluation"), Some(&e3), &json!({"rating": 2}))
            .await
            .0,
        201
    );

    let (status, s) = stack.get("/api/v1/stats", Some(&ops)).await;
    assert_eq!(status, 200, "{s:#}");
    assert_eq!(s["cases"]["total"], 3);
    assert_eq!(s["items"]["work_permit"]["approved"], 2);
    assert_eq!(s["items"]["work_permit"]["refused"], 1);
    assert_eq!(s["items"]["social_insurance"]["completed"], 1);
    assert_eq!(s["items"]["residence_permit"]["pending"], 2);
    // The refused case's residence permit will never start: not applicable, not open.
    assert_eq!(s["items"]["residence_permit"]["not_applicable"], 1);
    assert!(s["items"]["residence_permit"].get("not_started").is_none(), "{:#}", s["items"]);
    // Decided on the day of acceptance: 0 working days, all within the committed deadline.
    assert_eq!(s["working_days_to_decision"]["work_permit"]["count"], 3);
    assert_eq!(s["working_days_to_decision"]["work_permit"]["median"], 0.0);
    assert_eq!(s["work_permit_within_committed_deadline"]["share"], 1.0);
    assert_eq!(s["ratings"]["count"], 2);
    assert_eq!(s["ratings"]["average"], 3.0);
    assert_eq!(s["seed_figures"]["single_item"]["working_days"], 90);
    assert_eq!(s["seed_figures"]["joint_target"]["documents"], 15);
    stack.shutdown().await;
}

#[tokio::test]
async fn services_answer_only_the_gateway() {
    use onething_proto::onething::servicecenter::v1 as pb;
    use onething_proto::onething::servicecenter::v1::service_center_service_client::ServiceCenterServiceClient;

    let stack = Stack::start(StackOptions { db: e2e::stack::DbKind::Sqlite, ..Default::default() }).await;
    let mut client = ServiceCenterServiceClient::connect(stack.grpc_url("service-center")).await.expect("connect");
    // A caller inside the network without the gateway's token.
    let status = client.list_cases(pb::ListCasesRequest::default()).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    // A token naming an administrator, claiming to be the gateway's, signed by a key
    // nobody trusts, is refused too.
    let admin = domain::Actor::parse("admin", "intruder", "").unwrap();
    let other = platform::identity::Signer::new(platform::keys::Keyring::ephemeral(platform::keys::GATEWAY));
    let req = other.request(&admin, pb::ListCasesRequest::default(), None);
    assert_eq!(client.list_cases(req).await.unwrap_err().code(), tonic::Code::Unauthenticated);
    // hrss's own key is trusted, but only to speak for hrss: naming a person is refused.
    let hrss = platform::keys::Keyring::load("hrss", &stack.identity("hrss")).unwrap();
    let req = platform::identity::Signer::new(hrss).request(&admin, pb::ListCasesRequest::default(), None);
    assert_eq!(client.list_cases(req).await.unwrap_err().code(), tonic::Code::Unauthenticated);
    // With the gateway's key the call goes through as the caller the token names.
    let gateway = platform::keys::Keyring::load(platform::keys::GATEWAY, &stack.identity("gateway")).unwrap();
    let ours = platform::identity::Signer::new(gateway);
    assert!(client.list_cases(ours.request(&admin, pb::ListCasesRequest::default(), None)).await.is_ok());
    let employer = domain::Actor::parse("employer", "91620100MA00000000", "").unwrap();
    let status = client.get_stats(ours.request(&employer, pb::GetStatsRequest::default(), None)).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::PermissionDenied);
    // Health needs no token (probes).
    let channel =
        tonic::transport::Endpoint::from_shared(stack.grpc_url("service-center")).unwrap().connect().await.unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    assert!(health.check(tonic_health::pb::HealthCheckRequest { service: String::new() }).await.is_ok());
    stack.shutdown().await;
}
