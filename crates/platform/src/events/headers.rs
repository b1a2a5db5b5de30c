//! CloudEvents 1.0 binary-mode Kafka headers (`ce_id`, `ce_type`, `ce_source`,
//! `ce_specversion`, `ce_time`, `content-type`), the publisher's signature as two extension
//! attributes (`ce_signature`, `ce_keyid`; see [`super::signature`]) and the plain W3C
//! `traceparent`.

use rdkafka::message::{Header, Headers, OwnedHeaders};

pub const CONTENT_TYPE: &str = "application/protobuf";

/// Metadata of one event, as carried in Kafka headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMeta {
    pub id: String,
    pub ce_type: String,
    pub source: String,
    pub time: String,
    pub traceparent: Option<String>,
    pub signature: Option<Signed>,
}

/// The publisher's Ed25519 signature (base64) and the id of the key that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub key_id: String,
    pub signature: String,
}

impl EventMeta {
    pub fn to_headers(&self) -> OwnedHeaders {
        let mut h = OwnedHeaders::new()
            .insert(Header { key: "ce_id", value: Some(self.id.as_str()) })
            .insert(Header { key: "ce_type", value: Some(self.ce_type.as_str()) })
            .insert(Header { key: "ce_source", value: Some(self.source.as_str()) })
            .insert(Header { key: "ce_specversion", value: Some("1.0") })
            .insert(Header { key: "ce_time", value: Some(self.time.as_str()) })
            .insert(Header { key: "content-type", value: Some(CONTENT_TYPE) });
        if let Some(tp) = &self.traceparent {
            h = h.insert(Header { key: "traceparent", value: Some(tp.as_str()) });
        }
        if let Some(s) = &self.signature {
            h = h
                .insert(Header { key: "ce_keyid", value: Some(s.key_id.as_str()) })
                .insert(Header { key: "ce_signature", value: Some(s.signature.as_str()) });
        }
        h
    }

    /// Reads the metadata back; `None` when `ce_id` or `ce_type` is missing.
    pub fn from_headers(headers: Option<&impl Headers>) -> Option<EventMeta> {
        let headers = headers?;
        let get = |name: &str| {
            headers
                .iter()
                .find(|h| h.key == name)
                .and_then(|h| h.value)
                .and_then(|v| std::str::from_utf8(v).ok())
                .map(str::to_string)
        };
        Some(EventMeta {
            id: get("ce_id")?,
            ce_type: get("ce_type")?,
            source: get("ce_source").unwrap_or_default(),
            time: get("ce_time").unwrap_or_default(),
            traceparent: get("traceparent"),
            signature: get("ce_keyid").zip(get("ce_signature")).map(|(key_id, signature)| Signed { key_id, signature }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_with_plain_traceparent() {
        let meta = EventMeta {
            id: "0193".into(),
            ce_type: "onething.events.v1.PermitApproved".into(),
            source: "/onething/science-tech".into(),
            time: "2026-11-29T10:00:00.000Z".into(),
            traceparent: Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into()),
            signature: Some(Signed { key_id: "0123456789abcdef".into(), signature: "c2ln".into() }),
        };
        let headers = meta.to_headers();
        let keys: Vec<&str> = headers.iter().map(|h| h.key).collect();
        assert!(keys.contains(&"traceparent") && keys.contains(&"ce_specversion"), "{keys:?}");
        assert_eq!(EventMeta::from_headers(Some(&headers)), Some(meta));
    }
}
