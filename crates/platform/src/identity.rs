//! The caller of a service call, carried once: the gateway signs a short-lived internal
//! token whose claims ARE the caller (role, subject, department); one tower layer on every
//! service checks it, puts the [`Actor`] into the request's extensions and continues the
//! W3C trace from the `traceparent` metadata. Handlers read the caller with [`caller`];
//! no message carries it.
//!
//! The token format lives in this module only (the data-sharing work replaces the shared
//! secret with per-service keys here).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use domain::{Actor, Role};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::config::Secret;

const ISSUER: &str = "onething-gateway";
/// Internal tokens are made per call; a minute covers clock skew and retries.
const TTL_SECS: u64 = 60;

#[derive(Serialize, Deserialize)]
struct Claims {
    iss: String,
    exp: u64,
    role: Role,
    sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dept: Option<domain::case::Department>,
}

/// Signs the token of every call to a service (the gateway holds one).
#[derive(Clone)]
pub struct Signer(Arc<EncodingKey>);

impl Signer {
    pub fn new(secret: &Secret) -> Signer {
        Signer(Arc::new(EncodingKey::from_secret(secret.0.as_bytes())))
    }

    /// A token naming `actor`, valid for one minute.
    pub fn token(&self, actor: &Actor) -> Option<String> {
        let claims = Claims {
            iss: ISSUER.into(),
            exp: chrono::Utc::now().timestamp() as u64 + TTL_SECS,
            role: actor.role,
            sub: actor.subject.clone(),
            dept: actor.department,
        };
        jsonwebtoken::encode(&Header::default(), &claims, &self.0).ok()
    }

    /// `request` with the token, the current trace context and an idempotency key as metadata.
    pub fn request<T>(&self, actor: &Actor, message: T, idempotency_key: Option<&str>) -> tonic::Request<T> {
        let mut req = tonic::Request::new(message);
        if let Some(v) = self.token(actor).and_then(|t| format!("Bearer {t}").parse().ok()) {
            req.metadata_mut().insert("authorization", v);
        }
        if let Some(v) = crate::telemetry::current_traceparent().and_then(|tp| tp.parse().ok()) {
            req.metadata_mut().insert("traceparent", v);
        }
        if let Some(v) = idempotency_key.and_then(|k| k.parse().ok()) {
            req.metadata_mut().insert("idempotency-key", v);
        }
        req
    }
}

fn verify(key: &DecodingKey, req: &http::Request<tonic::body::Body>) -> Option<Actor> {
    let token = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))?;
    let mut validation = Validation::default();
    validation.set_issuer(&[ISSUER]);
    let claims = jsonwebtoken::decode::<Claims>(token, key, &validation).ok()?.claims;
    Some(Actor { role: claims.role, subject: claims.sub, department: claims.dept })
}

/// The caller the guard put into the request; a request that reached a handler without
/// one is refused.
pub fn caller<T>(request: &tonic::Request<T>) -> Result<Actor, tonic::Status> {
    request
        .extensions()
        .get::<Actor>()
        .cloned()
        .ok_or_else(|| tonic::Status::unauthenticated("the call carries no caller identity"))
}

/// The `idempotency-key` metadata of a command, if any.
pub fn idempotency_key<T>(request: &tonic::Request<T>) -> Option<String> {
    request
        .metadata()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .filter(|k| !k.is_empty())
}

/// Checks the internal token of every call (health checks excepted), carries the caller
/// into the request's extensions and runs the call in a span continuing the caller's trace.
#[derive(Clone)]
pub struct GuardLayer(Arc<DecodingKey>);

impl GuardLayer {
    pub fn new(secret: &Secret) -> GuardLayer {
        GuardLayer(Arc::new(DecodingKey::from_secret(secret.0.as_bytes())))
    }
}

impl<S> tower::Layer<S> for GuardLayer {
    type Service = Guard<S>;
    fn layer(&self, inner: S) -> Guard<S> {
        Guard { inner, key: self.0.clone() }
    }
}

#[derive(Clone)]
pub struct Guard<S> {
    inner: S,
    key: Arc<DecodingKey>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S> tower::Service<http::Request<tonic::body::Body>> for Guard<S>
where
    S: tower::Service<http::Request<tonic::body::Body>, Response = http::Response<tonic::body::Body>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: http::Request<tonic::body::Body>) -> Self::Future {
        let path = req.uri().path().to_string();
        // Kubernetes probes and load balancers check health without a token.
        if !path.starts_with("/grpc.health.v1.Health/") {
            match verify(&self.key, &req) {
                Some(actor) => {
                    req.extensions_mut().insert(actor);
                }
                None => {
                    let status = tonic::Status::unauthenticated("calls to this service must come through the gateway");
                    return Box::pin(async move { Ok(status.into_http()) });
                }
            }
        }
        let span = tracing::info_span!("gRPC", otel.name = %path.trim_start_matches('/'), otel.kind = "server",
            rpc.system = "grpc");
        if let Some(tp) = req.headers().get("traceparent").and_then(|v| v.to_str().ok()) {
            crate::telemetry::set_parent(&span, tp);
        }
        Box::pin(self.inner.call(req).instrument(span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(token: Option<&str>) -> http::Request<tonic::body::Body> {
        let mut b = http::Request::builder().uri("/x/Y");
        if let Some(t) = token {
            b = b.header(http::header::AUTHORIZATION, format!("Bearer {t}"));
        }
        b.body(tonic::body::Body::empty()).unwrap()
    }

    #[test]
    fn the_token_carries_the_caller_and_only_the_shared_secret_signs_it() {
        let secret = Secret("0123456789abcdef0123456789abcdef".into());
        let key = DecodingKey::from_secret(secret.0.as_bytes());
        let alice = Actor::parse("reviewer", "alice", "hrss").unwrap();
        let token = Signer::new(&secret).token(&alice).unwrap();
        assert_eq!(verify(&key, &request(Some(&token))), Some(alice.clone()));
        assert_eq!(verify(&key, &request(None)), None);
        let forged = Signer::new(&Secret("another-secret-another-secret-xx".into())).token(&alice).unwrap();
        assert_eq!(verify(&key, &request(Some(&forged))), None);
    }

    #[test]
    fn a_request_without_a_caller_is_unauthenticated() {
        let req = tonic::Request::new(());
        assert_eq!(caller(&req).unwrap_err().code(), tonic::Code::Unauthenticated);
        let mut req = tonic::Request::new(());
        req.extensions_mut().insert(Actor::system("x"));
        assert_eq!(caller(&req).unwrap().role, Role::System);
    }
}
