//! Events are authenticated: the relay signs every record with its service's key, and a
//! consumer applies only records signed by a service allowed to publish on that topic
//! (`data/topic_publishers.json`); anything else goes to the dead letters with the reason.
//!
//! The signature is Ed25519 over a canonical text of the CloudEvents id, type, source and
//! time, the topic, the record key and the payload's SHA-256, so none of them can be
//! changed or the record moved to another topic or case without the signature failing.
//! The key id travels beside it (`ce_keyid`), so keys can rotate ([`crate::keys`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::headers::{EventMeta, Signed};
use crate::keys::{Keyring, VerifyError};

/// Why a record was not accepted as coming from its publisher.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum Unauthenticated {
    #[error("the record carries no signature (ce_signature, ce_keyid)")]
    Unsigned,
    #[error("the source {0:?} is not a service of this system")]
    UnknownSource(String),
    #[error("{service} may not publish on {topic}")]
    NotAPublisher { service: String, topic: String },
    #[error(transparent)]
    Key(#[from] VerifyError),
}

const PUBLISHERS: &str = include_str!("../../data/topic_publishers.json");

/// topic → the services that may publish on it.
fn publishers() -> &'static HashMap<String, Vec<String>> {
    static TABLE: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        #[derive(serde::Deserialize)]
        struct File {
            topics: HashMap<String, Vec<String>>,
        }
        // The file is compiled in and checked by a test: it cannot fail at run time.
        serde_json::from_str::<File>(PUBLISHERS).map(|f| f.topics).unwrap_or_default()
    })
}

/// The service of a CloudEvents source `/onething/<service>`.
fn service_of(source: &str) -> Option<&str> {
    source.strip_prefix("/onething/").filter(|s| !s.is_empty() && !s.contains('/'))
}

fn signed_text(topic: &str, meta: &EventMeta, key: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut text = Vec::with_capacity(256);
    for part in [b"onething-event-v1".as_slice(), meta.id.as_bytes(), meta.ce_type.as_bytes(), meta.source.as_bytes()]
        .into_iter()
        .chain([meta.time.as_bytes(), topic.as_bytes(), key])
    {
        // Length-prefixed, so no two different records share a text.
        text.extend_from_slice(&(part.len() as u32).to_be_bytes());
        text.extend_from_slice(part);
    }
    text.extend_from_slice(&Sha256::digest(payload));
    text
}

/// The signature of a record this process publishes.
pub fn sign(keys: &Keyring, topic: &str, meta: &EventMeta, key: &str, payload: &[u8]) -> Signed {
    let signature = keys.sign(&signed_text(topic, meta, key.as_bytes(), payload));
    Signed { key_id: keys.kid().to_string(), signature: B64.encode(signature) }
}

/// Checks that a consumed record was signed by a service allowed on its topic.
pub fn verify(
    keys: &Keyring,
    topic: &str,
    meta: &EventMeta,
    key: &[u8],
    payload: &[u8],
) -> Result<(), Unauthenticated> {
    let signed = meta.signature.as_ref().ok_or(Unauthenticated::Unsigned)?;
    let service = service_of(&meta.source).ok_or_else(|| Unauthenticated::UnknownSource(meta.source.clone()))?;
    if !publishers().get(topic).is_some_and(|p| p.iter().any(|s| s == service)) {
        return Err(Unauthenticated::NotAPublisher { service: service.into(), topic: topic.into() });
    }
    let signature = B64.decode(&signed.signature).map_err(|_| VerifyError::Malformed)?;
    keys.verify(service, &signed.key_id, &signed_text(topic, meta, key, payload), &signature)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::tests::{settings, temp_dir};

    fn meta(source: &str) -> EventMeta {
        EventMeta {
            id: "0193".into(),
            ce_type: "onething.events.v1.PermitApproved".into(),
            source: source.into(),
            time: "2026-12-02T10:00:00.000Z".into(),
            traceparent: None,
            signature: None,
        }
    }

    #[test]
    fn every_topic_has_its_publishers_and_every_publisher_is_a_service() {
        let table = publishers();
        let mut topics: Vec<&str> = table.keys().map(String::as_str).collect();
        topics.sort();
        let mut all = super::super::ALL_TOPICS.to_vec();
        all.sort();
        assert_eq!(topics, all);
        let services = ["service-center", "science-tech", "hrss", "public-security", "ops"];
        assert!(table.values().flatten().all(|s| services.contains(&s.as_str())), "{table:?}");
    }

    #[test]
    fn a_record_is_accepted_only_from_an_allowed_publisher_with_its_own_key_and_unchanged() {
        let dir = temp_dir();
        let load = |name: &str| Keyring::load(name, &settings(&dir, name)).unwrap();
        let (science_tech, public_security, hrss) = (load("science-tech"), load("public-security"), load("hrss"));
        let payload = b"permit".as_slice();
        let mut m = meta("/onething/science-tech");
        m.signature = Some(sign(&science_tech, "permit-approved", &m, "case-1", payload));
        assert_eq!(verify(&hrss, "permit-approved", &m, b"case-1", payload), Ok(()));
        // Changed payload, key or topic.
        assert!(matches!(verify(&hrss, "permit-approved", &m, b"case-1", b"permiT"), Err(Unauthenticated::Key(_))));
        assert!(matches!(verify(&hrss, "permit-approved", &m, b"case-2", payload), Err(Unauthenticated::Key(_))));
        assert!(matches!(verify(&hrss, "permit-refused", &m, b"case-1", payload), Err(Unauthenticated::Key(_))));
        // Unsigned; a service not allowed on the topic; another service's key under the source.
        assert_eq!(
            verify(&hrss, "permit-approved", &meta("/onething/science-tech"), b"case-1", payload),
            Err(Unauthenticated::Unsigned)
        );
        let mut ps = meta("/onething/public-security");
        ps.signature = Some(sign(&public_security, "permit-approved", &ps, "case-1", payload));
        assert!(matches!(
            verify(&hrss, "permit-approved", &ps, b"case-1", payload),
            Err(Unauthenticated::NotAPublisher { .. })
        ));
        let mut posing = meta("/onething/science-tech");
        posing.signature = Some(sign(&public_security, "permit-approved", &posing, "case-1", payload));
        assert!(matches!(
            verify(&hrss, "permit-approved", &posing, b"case-1", payload),
            Err(Unauthenticated::Key(VerifyError::UnknownKey { .. }))
        ));
        let _ = std::fs::remove_dir_all(dir);
    }
}
