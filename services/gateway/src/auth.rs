//! Bearer tokens (HS256 JWT) and the roles of the public contract. A browser carries the
//! same token in the HttpOnly session cookie (see [`crate::web::session`]); a request that
//! changes something with the cookie must also carry the session's CSRF token and come from
//! this origin.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::{Actor, Role};
use hmac::{Hmac, Mac};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::problem::{FieldError, Problem};
use crate::startup::AppState;
use crate::web::session;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub role: String,
    pub sub: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub department: String,
    pub exp: u64,
    pub iat: u64,
}

#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Keys the CSRF tokens; derived from the signing secret so there is one secret to keep.
    csrf: Hmac<Sha256>,
    pub ttl_secs: u64,
}

impl Keys {
    pub fn new(secret: &str, ttl_secs: u64) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            csrf: Hmac::new_from_slice(format!("csrf:{secret}").as_bytes()).expect("HMAC takes any key length"),
            ttl_secs,
        }
    }

    pub fn issue(&self, actor: &Actor) -> Result<String, jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp() as u64;
        let claims = Claims {
            role: actor.role.as_str().into(),
            sub: actor.subject.clone(),
            department: actor.department_str().into(),
            iat: now,
            exp: now + self.ttl_secs,
        };
        encode(&Header::default(), &claims, &self.encoding)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        Ok(decode::<Claims>(token, &self.decoding, &Validation::default())?.claims)
    }

    /// The CSRF token of a session: bound to the session token, so it dies with it and a
    /// page of another session cannot use it.
    pub fn csrf(&self, session_token: &str) -> String {
        let mut mac = self.csrf.clone();
        mac.update(session_token.as_bytes());
        mac.finalize().into_bytes().iter().take(24).map(|b| format!("{b:02x}")).collect()
    }

    /// The caller a token names, if it is valid and unexpired.
    pub fn actor(&self, token: &str) -> Option<Actor> {
        let claims = self.verify(token.trim()).ok()?;
        // A token whose claims no longer name a valid caller is no token.
        Actor::parse(&claims.role, &claims.sub, &claims.department).ok()
    }
}

/// Checks a token request completely (see [`Actor::parse`]).
pub fn check_claims(role: &str, subject: &str, department: &str) -> Result<Actor, Vec<FieldError>> {
    Actor::parse(role, subject, department).map_err(|v| v.0.into_iter().map(FieldError::from).collect())
}

/// The authenticated caller of a request.
pub struct Caller(pub Actor);

impl Caller {
    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<&Actor, Problem> {
        if roles.contains(&self.0.role) {
            Ok(&self.0)
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(Problem::forbidden(format!("this operation needs the role {}", names.join(" or "))))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let invalid = || Problem::unauthorized("the token is invalid or expired");
        if let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .ok_or_else(|| Problem::unauthorized("the Authorization scheme must be Bearer"))?;
            return state.keys.actor(token).map(Caller).ok_or_else(invalid);
        }
        let Some(token) = session::token(&parts.headers) else {
            return Err(Problem::unauthorized("send `Authorization: Bearer <token>` or sign in"));
        };
        let actor = state.keys.actor(&token).ok_or_else(invalid)?;
        if !parts.method.is_safe() {
            session::check_same_origin(&parts.headers)?;
            let sent = parts.headers.get(session::CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !same_secret(sent.as_bytes(), state.keys.csrf(&token).as_bytes()) {
                return Err(Problem::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "csrf",
                    "Missing or wrong CSRF token",
                    format!("a signed-in page sends its session's token in {}", session::CSRF_HEADER),
                ));
            }
        }
        Ok(Caller(actor))
    }
}

/// Equality that takes as long for every wrong token, so timing tells nothing about the right one.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_forgeries_fail() {
        let keys = Keys::new("0123456789abcdef0123456789abcdef", 60);
        let t = keys.issue(&Actor::parse("reviewer", "alice", "science-tech").unwrap()).unwrap();
        let c = keys.verify(&t).unwrap();
        assert_eq!((c.role.as_str(), c.sub.as_str(), c.department.as_str()), ("reviewer", "alice", "science-tech"));
        let other = Keys::new("another-secret-another-secret-xx", 60);
        assert!(other.verify(&t).is_err());
        // CSRF tokens are per session and per key.
        let t2 = keys.issue(&Actor::parse("employer", "91620100MA00000001", "").unwrap()).unwrap();
        assert_eq!(keys.csrf(&t), keys.csrf(&t));
        assert_ne!(keys.csrf(&t), keys.csrf(&t2));
        assert_ne!(keys.csrf(&t), other.csrf(&t));
    }

    #[test]
    fn token_requests_are_checked_completely() {
        assert!(check_claims("reviewer", "alice", "hrss").is_ok());
        assert_eq!(check_claims("wizard", "", "").unwrap_err().len(), 2);
        assert_eq!(check_claims("reviewer", "bob", "").unwrap_err()[0].field, "department");
        assert_eq!(check_claims("employer", "x", "hrss").unwrap_err()[0].code, "not_allowed");
    }
}
