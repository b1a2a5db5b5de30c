//! Inter-department data sharing: events name no one, every record is signed by a
//! publisher its topic allows (anything else is dead-lettered and changes nothing), and a
//! department obtains a person's fields from service-center only within its policy.

use std::time::Duration;

use domain::sharing::{PersonField, Purpose};
use e2e::stack::{DbKind, Stack, StackOptions, application, credit_code, item_status};
use onething_proto::common::Item;
use onething_proto::events as ev;
use onething_proto::onething::servicecenter::v1 as pb;
use onething_proto::onething::servicecenter::v1::service_center_service_client::ServiceCenterServiceClient;
use platform::events::headers::EventMeta;
use platform::keys::Keyring;
use prost::Message;
use rdkafka::message::{Headers, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde_json::{Value, json};

use crate::{CONVERGE, approve_at_science_tech, submit_in_review};

const ALL_ITEMS: [&str; 4] = ["work_permit", "social_insurance", "title_review", "residence_permit"];

/// An applicant whose every identifying value is distinctive, to be searched for.
const SURNAME: &str = "QUETZALCOATL";
const GIVEN: &str = "XIOMARA";
const PASSPORT: &str = "K98765432";
const BIRTH: &str = "1979-11-23";

fn distinctive(code: &str) -> Value {
    let mut body = application(code, "B", &ALL_ITEMS);
    body["applicant"] = json!({"surname": SURNAME, "given_names": GIVEN, "sex": "F", "nationality": "MEX",
        "birth_date": BIRTH, "passport_number": PASSPORT, "passport_expiry": "2034-06-07"});
    body
}

async fn submit(stack: &Stack, n: u32, body: Value) -> (String, String) {
    let (employer, id, _) = submit_in_review(stack, n, body).await;
    (employer, id)
}

async fn approve(stack: &Stack, employer: &str, id: &str) -> Value {
    approve_at_science_tech(stack, id).await;
    stack
        .wait_case(employer, id, CONVERGE, |c| {
            item_status(c, "social_insurance") == "completed" && item_status(c, "residence_permit") == "pending"
        })
        .await
}

/// A record as `source` would publish it, signed with `keys` (or not at all).
async fn produce(
    stack: &Stack,
    (topic, key, payload): (&str, &str, &[u8]),
    (id, ce_type): (&str, &str),
    source: &str,
    keys: Option<&Keyring>,
) {
    let mut meta = EventMeta {
        id: id.into(),
        ce_type: ce_type.into(),
        source: format!("/onething/{source}"),
        time: platform::time::now_rfc3339(),
        traceparent: None,
        signature: None,
    };
    if let Some(k) = keys {
        meta.signature = Some(platform::events::signature::sign(k, topic, &meta, key, payload));
    }
    let mut settings = platform::config::Settings::default().kafka;
    settings.brokers = stack.broker.addr();
    let producer: FutureProducer = platform::events::kafka::producer(&settings, "e2e-forger").expect("producer");
    producer
        .send(FutureRecord::to(topic).key(key).payload(payload).headers(meta.to_headers()), Duration::from_secs(10))
        .await
        .expect("the broker takes it: it is the consumers that must refuse it");
}

fn header(h: &OwnedHeaders, name: &str) -> String {
    h.iter()
        .find(|x| x.key == name)
        .and_then(|x| x.value)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .unwrap_or_default()
}

/// The dead letters of `topic` with `ce_id`, as (consumer group, reason), once `n` are there.
async fn dead_letters(stack: &Stack, topic: &str, id: &str, n: usize) -> Vec<(String, String)> {
    let deadline = std::time::Instant::now() + CONVERGE;
    loop {
        let found: Vec<(String, String)> = stack
            .broker
            .read_all(&format!("{topic}.dlq"))
            .into_iter()
            .filter(|(_, _, h)| header(h, "ce_id") == id)
            .map(|(_, _, h)| (header(&h, "dlq_consumer"), header(&h, "dlq_error")))
            .collect();
        if found.len() >= n || std::time::Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn records_not_signed_by_an_allowed_publisher_are_dead_lettered_and_change_nothing() {
    let stack = Stack::start(StackOptions { db: DbKind::Sqlite, ..Default::default() }).await;
    let (employer, id) = submit(&stack, 71, application(&credit_code(71), "B", &ALL_ITEMS)).await;
    let case = approve(&stack, &employer, &id).await;
    assert_ne!(item_status(&case, "title_review"), "completed");

    // A forged step that would complete the title review with no HRSS decision.
    let forged = ev::ItemProgressed {
        case_id: id.clone(),
        item: onething_proto::common::Item::TitleReview as i32,
        department: onething_proto::common::Department::Hrss as i32,
        status: onething_proto::common::ItemStatus::Completed as i32,
        event: "title_review_decided".into(),
        detail: "forged".into(),
        at: platform::time::now_rfc3339(),
        ..Default::default()
    };
    let payload = forged.encode_to_vec();
    let step = "onething.events.v1.ItemProgressed";
    // Unsigned, naming hrss as its source.
    produce(&stack, ("item-progressed", &id, &payload), ("forged-unsigned", step), "hrss", None).await;
    // Signed, but by a key that is not hrss's.
    let impostor = Keyring::ephemeral("hrss");
    produce(&stack, ("item-progressed", &id, &payload), ("forged-key", step), "hrss", Some(&impostor)).await;
    // A second case's approval, properly signed by public security, which may not publish it.
    let (_, other) = submit(&stack, 72, application(&credit_code(72), "B", &ALL_ITEMS)).await;
    let approval = ev::PermitApproved {
        case_id: other.clone(),
        permit_number: "62B202600009999".into(),
        items: [Item::WorkPermit, Item::SocialInsurance, Item::ResidencePermit].map(|i| i as i32).to_vec(),
        ..Default::default()
    };
    let public_security = Keyring::load("public-security", &stack.identity("public-security")).unwrap();
    let (approved_type, approved_payload) = ("onething.events.v1.PermitApproved", approval.encode_to_vec());
    let record = ("permit-approved", other.as_str(), approved_payload.as_slice());
    produce(&stack, record, ("forged-publisher", approved_type), "public-security", Some(&public_security)).await;

    let unsigned = dead_letters(&stack, "item-progressed", "forged-unsigned", 1).await;
    assert_eq!(unsigned.len(), 1, "{unsigned:?}");
    assert_eq!(unsigned[0].0, "service-center");
    assert!(unsigned[0].1.contains("no signature"), "{unsigned:?}");
    let wrong_key = dead_letters(&stack, "item-progressed", "forged-key", 1).await;
    assert!(wrong_key.len() == 1 && wrong_key[0].1.contains("of hrss is trusted"), "{wrong_key:?}");
    let mut not_allowed = dead_letters(&stack, "permit-approved", "forged-publisher", 3).await;
    not_allowed.sort();
    let groups: Vec<&str> = not_allowed.iter().map(|(g, _)| g.as_str()).collect();
    assert_eq!(groups, ["hrss", "public-security", "service-center"], "{not_allowed:?}");
    assert!(not_allowed.iter().all(|(_, r)| r.contains("public-security may not publish on permit-approved")));

    // Nothing changed: the title review is not completed, the other case has no
    // registration and no residence file.
    let case = stack.wait_case(&employer, &id, CONVERGE, |_| true).await;
    assert_ne!(item_status(&case, "title_review"), "completed", "{case:#}");
    assert!(!case["timeline"].as_array().unwrap().iter().any(|t| t["detail"] == "forged"));
    let registrations = format!("SELECT COUNT(*) FROM si_registrations WHERE case_id = '{other}'");
    assert_eq!(stack.count("hrss", &registrations).await, 0);
    let files = format!("SELECT COUNT(*) FROM residence_cases WHERE case_id = '{other}'");
    assert_eq!(stack.count("public-security", &files).await, 0);
    stack.shutdown().await;
}

#[tokio::test]
async fn events_name_no_one_and_a_department_obtains_only_what_its_policy_allows() {
    let stack = Stack::start(StackOptions::default()).await;
    let (employer, id) = submit(&stack, 73, distinctive(&credit_code(73))).await;
    approve(&stack, &employer, &id).await;
    // The residence file holds the identity, obtained from service-center.
    let officer = stack.token("officer", "wang", "public-security").await;
    let (status, file) = stack.get(&format!("/api/v1/residence-permits/{id}"), Some(&officer)).await;
    assert_eq!(status, 200, "{file:#}");
    assert_eq!(file["applicant"]["surname"], SURNAME);

    // A consumer of a new group reads every topic from the start: no name, passport number
    // or birth date in any payload or header.
    let mut records = 0;
    for topic in platform::events::ALL_TOPICS {
        for (key, payload, headers) in stack.broker.read_all(topic) {
            records += 1;
            let mut bytes = payload.clone();
            bytes.extend(key.unwrap_or_default());
            for h in headers.iter() {
                bytes.extend(h.value.unwrap_or_default());
            }
            let text = String::from_utf8_lossy(&bytes);
            for secret in [SURNAME, GIVEN, PASSPORT, BIRTH] {
                assert!(!text.contains(secret), "{topic} carries {secret}");
            }
        }
    }
    assert!(records >= 7, "the case's events were read: {records}");

    // The policy, called as the services call it.
    let mut client = ServiceCenterServiceClient::connect(stack.grpc_url("service-center")).await.unwrap();
    let ask = |purpose: Purpose, fields: &[PersonField]| pb::ShareRecordRequest {
        case_id: id.clone(),
        purpose: purpose.as_str().into(),
        fields: fields.iter().map(|f| f.as_str().to_string()).collect(),
    };
    let as_service = |name: &str| {
        let signer = platform::identity::Signer::new(Keyring::load(name, &stack.identity(name)).unwrap());
        move |req: pb::ShareRecordRequest| signer.request(&signer.itself(), req, None)
    };
    let hrss = as_service("hrss");
    let shared = client
        .share_record(hrss(ask(Purpose::SocialInsuranceRegistration, &[PersonField::Surname])))
        .await
        .expect("inside the policy")
        .into_inner();
    let applicant = shared.applicant.unwrap();
    assert_eq!(applicant.surname, SURNAME);
    assert!(applicant.passport_number.is_empty() && applicant.birth_date.is_empty(), "only what was asked");
    assert!(shared.legal_basis.contains("MOHRSS Order No. 16"), "{}", shared.legal_basis);
    // A field outside the row, and a purpose the department has none for.
    let outside =
        client.share_record(hrss(ask(Purpose::SocialInsuranceRegistration, &[PersonField::PassportExpiry]))).await;
    assert_eq!(outside.unwrap_err().code(), tonic::Code::PermissionDenied);
    let science_tech = as_service("science-tech");
    let other_purpose = client.share_record(science_tech(ask(Purpose::ResidencePermit, &[PersonField::Surname]))).await;
    assert_eq!(other_purpose.unwrap_err().code(), tonic::Code::PermissionDenied);
    // A person (even an administrator, through the gateway's key) is no department's service.
    let gateway = platform::identity::Signer::new(Keyring::load("gateway", &stack.identity("gateway")).unwrap());
    let admin = domain::Actor::parse("admin", "root", "").unwrap();
    let person = client
        .share_record(gateway.request(&admin, ask(Purpose::ResidencePermit, &[PersonField::Surname]), None))
        .await;
    assert_eq!(person.unwrap_err().code(), tonic::Code::PermissionDenied);
    // A key nobody trusts is not even heard.
    let stranger = platform::identity::Signer::new(Keyring::ephemeral("hrss"));
    let req =
        stranger.request(&stranger.itself(), ask(Purpose::SocialInsuranceRegistration, &[PersonField::Surname]), None);
    assert_eq!(client.share_record(req).await.unwrap_err().code(), tonic::Code::Unauthenticated);

    // Every answer and every refusal is in service-center's log: the three departments'
    // own requests during the flow and the one above allowed, the three refusals denied.
    let count = |outcome: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'share_record' AND case_id = '{id}' AND outcome = '{outcome}'"
        )
    };
    assert_eq!(stack.count("service-center", &count("denied")).await, 3);
    assert_eq!(stack.count("service-center", &count("allowed")).await, 4);
    stack.shutdown().await;
}
