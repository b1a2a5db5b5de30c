//! The broker connection is authenticated: against a broker that asks who the client is
//! (Tansu's `--authentication`), a process without credentials, or with credentials the
//! broker does not know, gets nothing from it: it is not ready and cannot publish.
//!
//! Tansu 0.6 (the build `make tools` installs, memory storage only) holds its SCRAM users in
//! its storage and creates them over the Kafka protocol, which `--authentication` refuses
//! to an unauthenticated caller; with nothing persistent to seed them in, it can never hold
//! a user, so the accepted path (SCRAM-SHA-512 with the right password) is tested against
//! Kafka in production only (docs/security.md). The last assertion notices the day Tansu
//! lets a first user be made.

use std::time::Duration;

use e2e::broker::{Broker, tansu_bin};
use platform::config::{BrokerAuth, KafkaSettings, SecurityProtocol};
use platform::events::kafka;

#[tokio::test]
async fn a_broker_that_asks_for_credentials_refuses_clients_without_them_or_with_unknown_ones() {
    let open = Broker::start().await;
    let guarded = Broker::start_authenticated().await;
    let wait = Duration::from_secs(3);

    // The same client settings reach an open broker: the refusal below is the broker's.
    let on = |b: &Broker| KafkaSettings { brokers: b.addr(), ..KafkaSettings::default() };
    assert!(kafka::broker_reachable(&on(&open), wait).await, "control: an open broker answers");
    assert!(!kafka::broker_reachable(&on(&guarded), wait).await, "no credentials: no answer");

    let dir = std::env::temp_dir().join(format!("broker-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("password"), "not-a-user-here\n").unwrap();
    let mut scram = on(&guarded);
    scram.auth = BrokerAuth {
        protocol: SecurityProtocol::SaslPlaintext,
        username: "hrss".into(),
        password_file: Some(dir.join("password")),
        ..BrokerAuth::default()
    };
    assert!(!kafka::broker_reachable(&scram, wait).await, "an unknown SCRAM user: no answer");

    // Nor can anything be published there: the delivery fails instead of being taken.
    let producer = kafka::producer(&on(&guarded), "intruder").unwrap();
    let record = rdkafka::producer::FutureRecord::to("permit-approved").key("k").payload("forged");
    let sent = producer.send(record, Duration::from_secs(3)).await;
    assert!(sent.is_err(), "the broker took a record from an unauthenticated client");

    // Why the accepted path is not tested here: a first user cannot be made.
    let made = tokio::process::Command::new(tansu_bin())
        .args(["user", "create", "--broker", &format!("tcp://{}", guarded.addr()), "hrss", "s3cret"])
        .output()
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&made.stderr);
    assert!(
        said.contains("Error") || !made.status.success(),
        "Tansu now creates users under --authentication: test the accepted SCRAM path ({said})"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
