//! The foreigner's electronic social security card, the way a foreigner gets a token
//! (no token needed here: the real-person check is the authentication).
//!
//! - `POST /api/v1/social-security-cards/activation`: first use; the card becomes active.
//! - `POST /api/v1/foreigners/sign-in`: the same check for an active card.
//!
//! Body: `{"name": "SMITH JOHN", "permit_number": "..."}` (or `"social_security_number"`)
//! with `"identity": {"birth_date": "YYYY-MM-DD", "nationality": "GBR"}`. On success a
//! signed token with role `foreigner` and subject = the work permit number.
//!
//! Refusals (problem+json with a stable `type` and `code`): 403 `identity-mismatch` (with
//! `attempts_left`, and `locked_until` when that failure locked the card); 423
//! `card-locked` while locked (with `locked_until` and `Retry-After`). 403 because the
//! request is well-formed but the person is not who the card says; 423 (RFC 4918 Locked)
//! because the resource itself, the card, is locked for everyone until the given time.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::json::Reader;
use domain::states::card::CheckOutcome;
use domain::{Actor, Role};
use onething_proto::onething::hrss::v1 as pb;
use serde_json::{Value, json};

use crate::extract::{FromJson, JsonBody};
use crate::problem::{CardCheckErrors, Problem};
use crate::startup::AppState;
use crate::views::{Card, CardSession};

/// A problem+json with extension members (`code`, `attempts_left`, `locked_until`).
fn refusal(status: StatusCode, slug: &str, title: &str, detail: &str, extra: Value) -> Response {
    let mut body = json!({
        "type": format!("https://onething.gansu.gov.cn/problems/{slug}"),
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
        "code": slug.replace('-', "_"),
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let mut resp = (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response();
    if status == StatusCode::LOCKED
        && let Some(until) = extra["locked_until"].as_str()
        && let Ok(t) = chrono::DateTime::parse_from_rfc3339(until)
    {
        let secs = (t.timestamp() - chrono::Utc::now().timestamp()).max(1);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

/// The body of both endpoints, with every type error collected.
/// Reads the body both endpoints share into either request, with every type error collected.
macro_rules! card_check_body {
    ($($t:ty),+) => {$(
        impl FromJson for $t {
            fn read(r: &mut Reader, v: &Value) -> Self {
                Self {
                    permit_number: r.string(v, "permit_number"),
                    social_security_number: r.string(v, "social_security_number"),
                    identity: Some(pb::CardHolderIdentity {
                        name: r.string(v, "name"),
                        birth_date: r.string(v, "identity.birth_date"),
                        nationality: r.string(v, "identity.nationality"),
                    }),
                }
            }
        }
    )+};
}

card_check_body!(pb::ActivateCardRequest, pb::SignInWithCardRequest);

/// hrss checks the name as `identity.name`; the public body has it at the top.
fn public_fields(mut p: Problem) -> Problem {
    for e in &mut p.errors {
        if e.field == "identity.name" {
            e.field = "name".into();
        }
    }
    p
}

/// The answer to a check: a token, or the refusal (with the public body's field names).
fn answer(state: &AppState, check: Result<Option<pb::CardCheck>, tonic::Status>) -> Result<Response, Problem> {
    let check = check.map_err(|s| public_fields(s.into()))?.unwrap_or_default();
    let outcome: CheckOutcome = check.outcome.parse().map_err(|e: domain::case::UnknownName| {
        Problem::from(tonic::Status::internal(format!("card check outcome: {e}")))
    })?;
    match outcome {
        CheckOutcome::IdentityMismatch => {
            let mut extra = json!({"attempts_left": check.attempts_left});
            if !check.locked_until.is_empty() {
                extra["locked_until"] = json!(check.locked_until);
            }
            Ok(refusal(StatusCode::FORBIDDEN, "identity-mismatch", "Identity does not match", &check.reason, extra))
        }
        CheckOutcome::Locked => Ok(refusal(
            StatusCode::LOCKED,
            "card-locked",
            "The card is locked",
            &check.reason,
            json!({"locked_until": check.locked_until}),
        )),
        CheckOutcome::Activated | CheckOutcome::AlreadyActive | CheckOutcome::SignedIn => {
            let card = check.card.unwrap_or_default();
            if card.permit_number.is_empty() {
                return Err(Problem::from(tonic::Status::internal("a passed check without its card")));
            }
            let token = state
                .keys
                .issue(&Actor { role: Role::Foreigner, subject: card.permit_number.clone(), department: None })
                .map_err(|e| Problem::from(tonic::Status::internal(e.to_string())))?;
            let expires_at = state
                .keys
                .verify(&token)
                .ok()
                .and_then(|c| chrono::DateTime::from_timestamp(c.exp as i64, 0))
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            Ok(Json(CardSession {
                outcome: outcome.as_str().into(),
                token,
                token_type: "Bearer".into(),
                role: Role::Foreigner.as_str().into(),
                subject: card.permit_number.clone(),
                expires_at,
                card: Card::from(&card),
            })
            .into_response())
        }
    }
}

/// The two real-person checks of a card's holder, each `POST` without a token, answered
/// with the foreigner's token or the refusal ([`answer`]).
macro_rules! card_checks {
    ($($(#[doc = $doc:tt])* $name:ident: $path:tt, $req:ty, $rpc:ident, $ok:tt;)+) => {$(
        $(#[doc = $doc])*
        #[utoipa::path(post, path = $path, tag = "social security cards", security(()),
            request_body(content = Object, description = r#"{"name": "SMITH JOHN", "permit_number" | "social_security_number": "...", "identity": {"birth_date", "nationality"}}"#),
            responses((status = 200, description = $ok, body = CardSession), CardCheckErrors))]
        pub async fn $name(State(state): State<AppState>, JsonBody(req): JsonBody<$req>) -> Result<Response, Problem> {
            let resp = state.clients.hrss().$rpc(state.clients.request(&Actor::anonymous(), req, None)).await;
            answer(&state, resp.map(|r| r.into_inner().check))
        }
    )+};
}

card_checks! {
    /// `POST /api/v1/social-security-cards/activation`: first use of the card.
    activate: "/api/v1/social-security-cards/activation", pb::ActivateCardRequest, activate_card,
        "activated: the foreigner's token";
    /// `POST /api/v1/foreigners/sign-in`: the same check for an active card.
    sign_in: "/api/v1/foreigners/sign-in", pb::SignInWithCardRequest, sign_in_with_card,
        "signed in: the foreigner's token";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_are_all_reported_and_the_name_is_a_top_level_field() {
        let mut r = Reader::default();
        pb::ActivateCardRequest::read(
            &mut r,
            &json!({"name": 5, "identity": {"birth_date": 19880402, "nationality": ["GBR"]}}),
        );
        let fields: Vec<&str> = r.errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "identity.birth_date", "identity.nationality"]);
        let mut v = domain::Violations::new();
        v.push("identity.name", "required", "the name is required");
        let p = public_fields(Problem::from(tonic::Status::from(platform::ServiceError::InvalidArgument(v))));
        assert_eq!(p.errors[0].field, "name");
    }

    #[test]
    fn a_lock_is_a_423_with_retry_after() {
        let until = (chrono::Utc::now() + chrono::Duration::minutes(30)).to_rfc3339();
        let r = refusal(StatusCode::LOCKED, "card-locked", "t", "d", json!({"locked_until": until}));
        assert_eq!(r.status(), 423);
        let secs: i64 = r.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((1..=1800).contains(&secs));
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/problem+json");
    }
}
