//! The receiving end of data sharing: a department's service asks service-center (the
//! owner of the application) for the applicant fields it needs for a purpose, as itself,
//! with its own signed token. Events carry no personal data, so a consumer that needs the
//! person calls this inside its handler: an owner that is down makes the handler retry,
//! a refusal by the policy sends the event to the dead letters — nothing is lost.

use std::time::Duration;

use domain::sharing::{PersonField, Purpose};
use onething_proto::onething::servicecenter::v1 as pb;
use onething_proto::onething::servicecenter::v1::service_center_service_client::ServiceCenterServiceClient;
use tonic::Code;
use tonic::transport::Channel;

use crate::audit::{Access, Audit};
use crate::db::Tx;
use crate::error::ServiceError;
use crate::events::consumer::HandlerError;
use crate::identity::Signer;

/// What the owner shared: only the fields asked for.
pub type Shared = pb::ShareRecordResponse;

/// Where a handler obtains shared fields: service-center's `ShareRecord` ([`Sharing`]),
/// or what a unit test puts in its place.
#[async_trait::async_trait]
pub trait ShareSource: Send + Sync {
    /// The `fields` of `case_id`'s applicant, for `purpose`; the exchange is recorded in
    /// the asking service's access log in `tx`, the handler's transaction.
    async fn share(
        &self,
        tx: &mut Tx<'_>,
        case_id: &str,
        purpose: Purpose,
        fields: &[PersonField],
    ) -> Result<Shared, HandlerError>;

    /// What material `id` is as evidence in `case_id` (service-center's `GetEvidence`):
    /// `None` when it is neither an upload of the case's employer nor one of the case's.
    async fn evidence(&self, case_id: &str, id: &str) -> Result<Option<pb::Material>, ServiceError>;
}

/// A client of service-center's `ShareRecord`; cheap to clone.
#[derive(Clone)]
pub struct Sharing {
    client: ServiceCenterServiceClient<Channel>,
    signer: Signer,
}

impl Sharing {
    /// `url` is service-center's gRPC address (`platform.share_url`).
    pub fn new(url: &str, signer: Signer) -> anyhow::Result<Sharing> {
        let channel = crate::grpc::lazy_channel(url, Duration::from_secs(5))?;
        Ok(Sharing { client: ServiceCenterServiceClient::new(channel), signer })
    }
}

#[async_trait::async_trait]
impl ShareSource for Sharing {
    async fn share(
        &self,
        tx: &mut Tx<'_>,
        case_id: &str,
        purpose: Purpose,
        fields: &[PersonField],
    ) -> Result<Shared, HandlerError> {
        let req = pb::ShareRecordRequest {
            case_id: case_id.into(),
            purpose: purpose.as_str().into(),
            fields: fields.iter().map(|f| f.as_str().to_string()).collect(),
        };
        let me = self.signer.itself();
        let answer = self.client.clone().share_record(self.signer.request(&me, req, None)).await;
        let outcome = match &answer {
            Ok(_) => "allowed",
            Err(s) if s.code() == Code::PermissionDenied => "denied",
            // The owner down or the case not there yet: no data moved, the handler retries.
            Err(_) => return answer.map(tonic::Response::into_inner).map_err(refusal),
        };
        let person = answer.as_ref().ok().map(|r| r.get_ref().person_key.as_str()).filter(|k| !k.is_empty());
        let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
        let resource = format!("case/{case_id}/applicant");
        let access = Access {
            action: "share_record.request",
            resource: &resource,
            case_id: Some(case_id),
            person,
            fields: &names,
            purpose: Some(purpose.as_str()),
            outcome,
        };
        // The handler's transaction: a refusal rolls it back with the rest (the owner's end
        // keeps the refusal), an answer commits with what the handler makes of it.
        me.audit_access_in(tx, access).await.map_err(|e| HandlerError::Retry(e.into()))?;
        answer.map(tonic::Response::into_inner).map_err(refusal)
    }

    async fn evidence(&self, case_id: &str, id: &str) -> Result<Option<pb::Material>, ServiceError> {
        let req = pb::GetEvidenceRequest { case_id: case_id.into(), material_id: id.into() };
        let me = self.signer.itself();
        match self.client.clone().get_evidence(self.signer.request(&me, req, None)).await {
            Ok(r) => Ok(r.into_inner().material),
            Err(s) if s.code() == Code::NotFound => Ok(None),
            // Down or slow: the caller may try again; anything else is this system's fault.
            Err(s) if matches!(s.code(), Code::Unavailable | Code::DeadlineExceeded) => {
                Err(ServiceError::Unavailable(format!("service-center: {}", s.message())))
            }
            Err(s) => Err(ServiceError::Internal(anyhow::anyhow!("GetEvidence: {:?}: {}", s.code(), s.message()))),
        }
    }
}

/// An owner that answers one question with a fixed applicant and refuses any other: what
/// unit tests of a department's handlers put in service-center's place.
pub struct Canned {
    pub purpose: Purpose,
    pub fields: &'static [PersonField],
    pub applicant: onething_proto::common::Applicant,
}

#[async_trait::async_trait]
impl ShareSource for Canned {
    async fn share(
        &self,
        _: &mut Tx<'_>,
        _: &str,
        purpose: Purpose,
        fields: &[PersonField],
    ) -> Result<Shared, HandlerError> {
        if (purpose, fields) != (self.purpose, self.fields) {
            return Err(HandlerError::Reject(anyhow::anyhow!("asked {purpose} {fields:?}, expected {}", self.purpose)));
        }
        Ok(Shared { applicant: Some(self.applicant.clone()), ..Default::default() })
    }

    /// Knows no evidence.
    async fn evidence(&self, _: &str, _: &str) -> Result<Option<pb::Material>, ServiceError> {
        Ok(None)
    }
}

/// A refusal by the policy or a malformed request never succeeds; anything else (the owner
/// down, a timeout, a case it has not committed yet) may.
fn refusal(s: tonic::Status) -> HandlerError {
    let e = anyhow::anyhow!("ShareRecord: {:?}: {}", s.code(), s.message());
    match s.code() {
        Code::PermissionDenied | Code::InvalidArgument | Code::Unauthenticated => HandlerError::Reject(e),
        _ => HandlerError::Retry(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_refusal_is_final_and_an_owner_that_is_down_is_retried() {
        assert!(matches!(refusal(tonic::Status::permission_denied("no")), HandlerError::Reject(_)));
        assert!(matches!(refusal(tonic::Status::unavailable("down")), HandlerError::Retry(_)));
        assert!(matches!(refusal(tonic::Status::not_found("case")), HandlerError::Retry(_)));
    }
}
