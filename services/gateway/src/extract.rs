//! The extractors every route opens with: the caller with a role the route allows, a JSON
//! body read with every error collected, a query string whose errors are problem+json, the
//! `Idempotency-Key` header.

use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use domain::json::{Reader, object};
use domain::{Actor, Role};
use serde_json::Value;

use crate::auth::Caller;
use crate::problem::{FieldError, Problem};
use crate::startup::AppState;

/// The roles a route admits.
pub trait Roles {
    const ROLES: &'static [Role];
}

macro_rules! role_sets {
    ($($(#[$m:meta])* $name:ident = [$($role:ident),+];)+) => {$(
        $(#[$m])*
        pub struct $name;
        impl Roles for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    )+};
}

role_sets! {
    /// Employers only.
    Employers = [Employer];
    /// Work-permit and title reviewers.
    Reviewers = [Reviewer];
    /// Public-security counter officers.
    Officers = [Officer];
    /// Foreigners signed in with their card.
    Foreigners = [Foreigner];
    /// Reviewers and operators (queues and permits).
    ReviewersAndOperators = [Reviewer, Ops, Admin];
    /// Operators of the Big Data Center and administrators.
    Operators = [Ops, Admin];
    /// Administrators only.
    Admins = [Admin];
    /// Auditors of the access log.
    Auditors = [Auditor];
    /// The employer at the counter's door or the officer behind it.
    EmployersAndOfficers = [Employer, Officer];
    /// The two who may download an electronic work permit.
    EmployersAndForeigners = [Employer, Foreigner];
    /// Everyone who may follow a residence case.
    ResidenceReaders = [Employer, Foreigner, Officer, Reviewer, Ops, Admin];
}

/// The authenticated caller, refused with 403 unless their role is one of `R`.
pub struct Auth<R>(pub Actor, pub PhantomData<R>);

impl<R: Roles> FromRequestParts<AppState> for Auth<R> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require(R::ROLES)?;
        Ok(Auth(caller.0, PhantomData))
    }
}

/// A request body read field by field (see [`domain::json::Reader`]).
pub trait FromJson: Sized {
    fn read(r: &mut Reader, v: &Value) -> Self;
}

/// The raw body; too large or cut off is problem+json.
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        axum::body::Bytes::from_request(req, state).await.map(RawBody).map_err(|e| {
            Problem::new(e.status(), "unreadable-body", "The request body could not be read", e.body_text())
        })
    }
}

/// A command's request message that names its case: the `case_id` of the path.
pub trait ForCase {
    fn for_case(self, case_id: String) -> Self;
}

/// Implements [`ForCase`] for messages with a `case_id` field.
macro_rules! for_case {
    ($($t:ty),+ $(,)?) => {$(
        impl $crate::extract::ForCase for $t {
            fn for_case(mut self, case_id: String) -> Self {
                self.case_id = case_id;
                self
            }
        }
    )+};
}
pub(crate) use for_case;

/// A JSON object body: 413 when too large, 422 listing every type error at once.
pub struct JsonBody<T>(pub T);

impl<T: FromJson, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        let value = object(&bytes)?;
        let mut r = Reader::default();
        let body = T::read(&mut r, &value);
        r.finish()?;
        Ok(JsonBody(body))
    }
}

/// `axum::extract::Query` whose rejection is a problem+json 422 rather than plain text.
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e| Problem::invalid(vec![FieldError::new("", "invalid_query", e.body_text())]))
    }
}

/// The query of every list: filters are checked by the owning service (422 for an
/// unknown value), paging by [`platform::paging`].
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only items with this status.
    #[serde(default)]
    pub status: String,
    /// Only items of this department (operators).
    #[serde(default)]
    pub department: String,
    /// Page size: 1 to 200, 50 when absent.
    #[serde(default)]
    pub limit: Option<i32>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: String,
}

impl ListQuery {
    pub fn limit(&self) -> i32 {
        // 0 asks for the default; out-of-range values reach the service, which refuses them.
        self.limit.map(|l| if l == 0 { -1 } else { l }).unwrap_or(0)
    }
}

/// The `Idempotency-Key` header of a creating POST (API.md).
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        Ok(IdempotencyKey(
            parts
                .headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .filter(|k| !k.is_empty()),
        ))
    }
}

impl IdempotencyKey {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// The longest path segment any resource of the API is named by (uuids, case and permit
/// numbers, dead-letter ids `<topic>.dlq:<partition>:<offset>`).
const MAX_PATH_SEGMENT: usize = 128;

/// A segment no id of this system can be: too long, or with a character no id holds.
fn impossible_segment(segment: &str) -> bool {
    segment.len() > MAX_PATH_SEGMENT
        || !segment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Every id in an `/api/` path is checked before any call: one no resource can have is
/// 404, like any unknown id (a 3,000-character case id once reached PostgreSQL's index
/// limit and came back as a 500).
pub async fn ids_in_path(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path();
    if path.starts_with("/api/") && path.split('/').any(impossible_segment) {
        return Problem::not_found("no resource has this id").into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod path_tests {
    use super::impossible_segment;

    #[test]
    fn ids_of_every_kind_pass_and_nothing_else_does() {
        for ok in
            ["0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "62B202600000001", "permit-approved.dlq:2:41", "work_permit", ""]
        {
            assert!(!impossible_segment(ok), "{ok}");
        }
        for bad in ["a".repeat(129).as_str(), "x%20y", "名字", "a b", "<script>"] {
            assert!(impossible_segment(bad), "{bad}");
        }
    }
}
