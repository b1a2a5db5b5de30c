//! The one error type a service handler returns, mapped once to a gRPC status with
//! machine-readable details (google.rpc `BadRequest`, `ResourceInfo`, `PreconditionFailure`).
//! The gateway maps those details once more to problem+json.

use domain::Violations;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, LocalizedMessage, StatusExt};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request breaks rules of the domain; every violation is listed.
    #[error("the request has {} problem(s)", .0.0.len())]
    InvalidArgument(Violations),
    #[error("{resource} {id} was not found")]
    NotFound { resource: &'static str, id: String },
    #[error("{0}")]
    PermissionDenied(String),
    /// The request is valid but the resource is not in a state that allows it (e.g. a
    /// decision on a decided permit).
    #[error("{description}")]
    FailedPrecondition { kind: &'static str, subject: String, description: String },
    /// A concurrent change won the race (optimistic locking); the caller may retry.
    #[error("{0}")]
    Aborted(String),
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[cfg(feature = "db")]
impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Internal(e.into())
    }
}

impl From<Violations> for ServiceError {
    fn from(v: Violations) -> Self {
        ServiceError::InvalidArgument(v)
    }
}

impl ServiceError {
    pub fn not_found(resource: &'static str, id: impl Into<String>) -> Self {
        ServiceError::NotFound { resource, id: id.into() }
    }

    pub fn conflict(kind: &'static str, subject: impl Into<String>, description: impl Into<String>) -> Self {
        ServiceError::FailedPrecondition { kind, subject: subject.into(), description: description.into() }
    }
}

impl From<ServiceError> for Status {
    fn from(e: ServiceError) -> Status {
        match e {
            ServiceError::InvalidArgument(v) => {
                // The stable code travels as `reason`, the English message as `description`
                // and the Chinese one as the zh-CN `localized_message`.
                let violations: Vec<FieldViolation> =
                    v.0.iter()
                        .map(|x| FieldViolation {
                            field: x.field.clone(),
                            description: x.message.clone(),
                            reason: x.code.clone(),
                            localized_message: x
                                .message_zh
                                .clone()
                                .map(|m| LocalizedMessage { locale: "zh-CN".into(), message: m }),
                        })
                        .collect();
                Status::with_error_details(
                    Code::InvalidArgument,
                    "the request is invalid",
                    ErrorDetails::with_bad_request(violations),
                )
            }
            ServiceError::NotFound { resource, id } => {
                let details = ErrorDetails::with_resource_info(
                    resource,
                    id.clone(),
                    "",
                    format!("{resource} {id} was not found"),
                );
                Status::with_error_details(Code::NotFound, format!("{resource} {id} was not found"), details)
            }
            ServiceError::PermissionDenied(msg) => Status::permission_denied(msg),
            ServiceError::FailedPrecondition { kind, subject, description } => {
                let details = ErrorDetails::with_precondition_failure_violation(kind, subject, description.clone());
                Status::with_error_details(Code::FailedPrecondition, description, details)
            }
            ServiceError::Aborted(msg) => Status::aborted(msg),
            ServiceError::Unavailable(msg) => Status::unavailable(msg),
            ServiceError::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                Status::internal("internal error")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_travel_as_bad_request_details() {
        let mut v = Violations::new();
        v.0.push(
            domain::Violation::new("applicant.passport_expiry", "expired", "the passport has expired")
                .with_zh("护照已过期"),
        );
        v.push("items[0]", "unknown_value", "\"visa\" is not an item");
        let status: Status = ServiceError::InvalidArgument(v).into();
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        let br = details.bad_request().expect("bad request details");
        assert_eq!(br.field_violations.len(), 2);
        assert_eq!(br.field_violations[0].field, "applicant.passport_expiry");
        let first = &br.field_violations[0];
        assert_eq!((first.reason.as_str(), first.description.as_str()), ("expired", "the passport has expired"));
        assert_eq!(first.localized_message.as_ref().map(|m| m.message.as_str()), Some("护照已过期"));
    }

    #[test]
    fn internal_errors_are_opaque() {
        let status: Status = ServiceError::Internal(anyhow::anyhow!("password=secret")).into();
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("secret"));
    }
}
