//! RFC 9457 problem details, and the one mapping from gRPC status to HTTP.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tonic::Code;
use tonic_types::StatusExt;

/// One violated rule of a request: its field (dotted path), a stable code, the message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
    /// The Chinese message, where the rule has one (the one-time notice always does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
}

/// The problem answers of routes, documented once (`responses(..., CommandErrors)`).
macro_rules! problem_sets {
    ($($(#[$m:meta])* $name:ident { $($variant:ident = $status:literal: $what:literal),+ $(,)? })+) => {$(
        $(#[$m])*
        #[derive(utoipa::IntoResponses)]
        #[allow(dead_code)]
        pub enum $name {
            $(#[response(status = $status, description = $what, content_type = "application/problem+json")]
            $variant(#[to_schema] Problem),)+
        }
    )+};
}

problem_sets! {
    /// A read of one resource.
    ReadErrors {
        Unauthorized = 401: "no token, or an invalid or expired one",
        Forbidden = 403: "the caller's role may not do this",
        NotFound = 404: "no such resource, or not the caller's",
    }
    /// A list.
    ListErrors {
        Unauthorized = 401: "no token, or an invalid or expired one",
        Forbidden = 403: "the caller's role may not do this",
        Invalid = 422: "an unknown filter value, a bad limit or cursor: every problem at once",
    }
    /// A command on a resource.
    CommandErrors {
        Unauthorized = 401: "no token, or an invalid or expired one",
        Forbidden = 403: "the caller's role or department may not do this",
        NotFound = 404: "no such resource, or not the caller's",
        Conflict = 409: "the resource's state does not allow it (the type names the rule)",
        Invalid = 422: "every problem of the request at once",
    }
    /// A real-person check of a card's holder (activation, sign-in).
    CardCheckErrors {
        Mismatch = 403: "identity-mismatch with attempts_left, or the card is not active",
        NotFound = 404: "no card with that number",
        Conflict = 409: "the card's state does not allow it",
        Invalid = 422: "every problem of the request at once",
        Locked = 423: "card-locked, with locked_until and Retry-After",
    }
}

impl From<domain::Violations> for Problem {
    fn from(v: domain::Violations) -> Problem {
        Problem::invalid(v.0.into_iter().map(FieldError::from).collect())
    }
}

impl From<domain::Violation> for FieldError {
    fn from(v: domain::Violation) -> FieldError {
        FieldError { field: v.field, code: v.code, message: v.message, message_zh: v.message_zh }
    }
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), code: code.into(), message: message.into(), message_zh: None }
    }
}

/// RFC 9457 problem details; a 422 lists every violation of the request in `errors`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("https://onething.gansu.gov.cn/problems/{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: vec![],
        }
    }

    pub fn invalid(errors: Vec<FieldError>) -> Problem {
        let n = errors.len();
        Problem {
            errors,
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-request",
                "The request is invalid",
                format!("{n} problem(s) found; all are listed in `errors`"),
            )
        }
    }

    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (status, [(axum::http::header::CONTENT_TYPE, "application/problem+json")], body).into_response()
    }
}

/// Field violations carried by an `INVALID_ARGUMENT` status.
pub fn field_errors(status: &tonic::Status) -> Vec<FieldError> {
    status
        .get_error_details()
        .bad_request()
        .map(|br| {
            br.field_violations
                .iter()
                .map(|v| FieldError {
                    field: v.field.clone(),
                    code: if v.reason.is_empty() { "invalid".into() } else { v.reason.clone() },
                    message: v.description.clone(),
                    message_zh: v.localized_message.as_ref().map(|m| m.message.clone()),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl From<tonic::Status> for Problem {
    fn from(s: tonic::Status) -> Problem {
        match s.code() {
            Code::InvalidArgument => {
                let errors = field_errors(&s);
                if errors.is_empty() {
                    Problem::invalid(vec![FieldError::new("", "invalid", s.message())])
                } else {
                    Problem::invalid(errors)
                }
            }
            Code::NotFound => Problem::not_found(s.message()),
            Code::PermissionDenied => Problem::forbidden(s.message()),
            Code::Unauthenticated => Problem::unauthorized(s.message()),
            Code::FailedPrecondition => {
                // The rule's stable code (e.g. `not_in_review`) names the problem type.
                let details = s.get_error_details();
                let kind = details
                    .precondition_failure()
                    .and_then(|p| p.violations.first())
                    .map(|v| v.r#type.replace('_', "-"))
                    .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
                    .unwrap_or_else(|| "conflict".into());
                Problem::new(StatusCode::CONFLICT, &kind, "Conflict with the current state", s.message())
            }
            Code::AlreadyExists => {
                Problem::new(StatusCode::CONFLICT, "conflict", "Conflict with the current state", s.message())
            }
            Code::Aborted => Problem::new(
                StatusCode::CONFLICT,
                "concurrent-change",
                "Changed by someone else at the same time",
                format!("{}; reload and try again", s.message()),
            ),
            Code::Unavailable | Code::DeadlineExceeded => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "A service is unavailable",
                "please retry shortly",
            ),
            _ => {
                tracing::error!(code = ?s.code(), message = s.message(), "upstream error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "an unexpected error occurred",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_codes_map_to_http_statuses() {
        assert_eq!(Problem::from(tonic::Status::not_found("case x")).status, 404);
        assert_eq!(Problem::from(tonic::Status::permission_denied("no")).status, 403);
        assert_eq!(Problem::from(tonic::Status::failed_precondition("decided")).status, 409);
        assert_eq!(Problem::from(tonic::Status::aborted("lost the race")).status, 409);
        let decided: tonic::Status = platform::ServiceError::conflict("not_in_review", "permit/x", "decided").into();
        let p = Problem::from(decided);
        assert_eq!((p.status, p.kind.as_str()), (409, "https://onething.gansu.gov.cn/problems/not-in-review"));
        assert_eq!(Problem::from(tonic::Status::unavailable("down")).status, 503);
        let p = Problem::from(tonic::Status::internal("db password=x"));
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("password"));
    }

    #[test]
    fn violations_become_the_errors_list() {
        let mut v = domain::Violations::new();
        v.push("items[0]", "unknown_value", "\"visa\" is not an item");
        v.push("applicant.birth_date", "required", "applicant.birth_date is required");
        let status: tonic::Status = platform::ServiceError::InvalidArgument(v).into();
        let p = Problem::from(status);
        assert_eq!(p.status, 422);
        assert_eq!(p.errors.len(), 2);
        assert_eq!(p.errors[0], FieldError::new("items[0]", "unknown_value", "\"visa\" is not an item"));
    }
}
