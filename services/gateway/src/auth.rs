//! Bearer tokens (HS256 JWT) and the roles of the public contract.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::{Actor, Role};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::problem::{FieldError, Problem};
use crate::startup::AppState;

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
    ttl_secs: u64,
}

impl Keys {
    pub fn new(secret: &str, ttl_secs: u64) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
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
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Problem::unauthorized("send `Authorization: Bearer <token>`"))?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| Problem::unauthorized("the Authorization scheme must be Bearer"))?;
        let claims =
            state.keys.verify(token.trim()).map_err(|_| Problem::unauthorized("the token is invalid or expired"))?;
        // A token whose claims no longer name a valid caller is no token.
        let actor = Actor::parse(&claims.role, &claims.sub, &claims.department)
            .map_err(|_| Problem::unauthorized("the token is invalid or expired"))?;
        Ok(Caller(actor))
    }
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
    }

    #[test]
    fn token_requests_are_checked_completely() {
        assert!(check_claims("reviewer", "alice", "hrss").is_ok());
        assert_eq!(check_claims("wizard", "", "").unwrap_err().len(), 2);
        assert_eq!(check_claims("reviewer", "bob", "").unwrap_err()[0].field, "department");
        assert_eq!(check_claims("employer", "x", "hrss").unwrap_err()[0].code, "not_allowed");
    }
}
