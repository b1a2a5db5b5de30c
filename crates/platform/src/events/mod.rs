//! Events over Kafka, written once for every service.
//!
//! - [`Event`]: which topic and CloudEvents type each protobuf payload has.
//! - [`kafka`]: librdkafka client settings, topic creation, the idempotent producer.
//! - [`outbox`]: events written in the same transaction as the state change, and the
//!   relay that publishes them (woken after each commit, plus a periodic sweep).
//! - [`consumer`]: consumers with an inbox (exactly-once effects), retries with backoff,
//!   and `<topic>.dlq` for messages that keep failing.
//! - [`headers`]: CloudEvents binary-mode headers and the W3C `traceparent`.
//! - [`signature`]: every record signed by its publisher, checked against the topic's
//!   allowed publishers before it is applied.

pub mod consumer;
pub mod headers;
pub mod kafka;
pub mod outbox;
pub mod signature;

use onething_proto::events as pb;

/// A protobuf event payload with its topic.
pub trait Event: prost::Message + Default + Send + Sync + 'static {
    const TOPIC: &'static str;
    /// CloudEvents `type`: the full protobuf message name.
    const TYPE: &'static str;
}

macro_rules! events {
    ($($ty:ident => $topic:literal),+ $(,)?) => {
        $(impl Event for pb::$ty {
            const TOPIC: &'static str = $topic;
            const TYPE: &'static str = concat!("onething.events.v1.", stringify!($ty));
        })+
        /// Every event topic of the system.
        pub const ALL_TOPICS: &[&str] = &[$($topic),+];
    };
}

events! {
    CaseAccepted => "case-accepted",
    PermitApplicationOpened => "permit-application-opened",
    PermitApproved => "permit-approved",
    PermitRefused => "permit-refused",
    SocialInsuranceRegistered => "social-insurance-registered",
    TitleReviewQueued => "title-review-queued",
    ResidenceCaseOpened => "residence-case-opened",
    ItemProgressed => "item-progressed",
    PermitSupplementRequested => "permit-supplement-requested",
    CaseSupplemented => "case-supplemented",
    PermitChanged => "permit-changed",
    PermitExtended => "permit-extended",
    PermitCancelled => "permit-cancelled",
    TitleReviewDecided => "title-review-decided",
    ResidencePermitIssued => "residence-permit-issued",
    AuditCheckpoint => "audit-checkpoint",
}

/// The dead-letter topic of `topic`.
pub fn dlq_topic(topic: &str) -> String {
    format!("{topic}.dlq")
}
