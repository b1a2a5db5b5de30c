//! The caller of a service call, carried once: the calling process signs a short-lived
//! internal token whose claims ARE the caller (role, subject, department); one tower layer
//! on every service checks it, puts the [`Actor`] into the request's extensions and
//! continues the W3C trace from the `traceparent` metadata. Handlers read the caller with
//! [`caller`]; no message carries it.
//!
//! Each process signs with its own Ed25519 key ([`crate::keys`]): the token names its
//! issuer and key id, and the guard verifies it with that issuer's public key. Only the
//! gateway, which authenticates people, may name a person; any other service's token names
//! that service itself (role `system`), so no process can mint another's identity. The
//! token format lives in this module only.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use domain::{Actor, Role};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::keys::{GATEWAY, Keyring};

/// Internal tokens are made per call; a minute covers clock skew and retries.
const TTL_SECS: u64 = 60;

#[derive(Serialize, Deserialize)]
struct Claims {
    /// The signing process (a service name, or `gateway`).
    iss: String,
    exp: u64,
    role: Role,
    sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dept: Option<domain::case::Department>,
}

/// Signs the token of every call this process makes.
#[derive(Clone)]
pub struct Signer {
    keys: Arc<Keyring>,
    key: Arc<EncodingKey>,
}

impl Signer {
    pub fn new(keys: Arc<Keyring>) -> Signer {
        let key = Arc::new(EncodingKey::from_ed_der(&keys.pkcs8_der()));
        Signer { keys, key }
    }

    /// The caller of this process's own calls (a service acting on an event).
    pub fn itself(&self) -> Actor {
        Actor::system(self.keys.service())
    }

    /// A token naming `actor`, valid for one minute.
    pub fn token(&self, actor: &Actor) -> Option<String> {
        let claims = Claims {
            iss: self.keys.service().to_string(),
            exp: chrono::Utc::now().timestamp() as u64 + TTL_SECS,
            role: actor.role,
            sub: actor.subject.clone(),
            dept: actor.department,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.keys.kid().to_string());
        jsonwebtoken::encode(&header, &claims, &self.key).ok()
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

/// The caller a token names, if its issuer's key signed it and the issuer may name them.
fn verify(keys: &Keyring, req: &http::Request<tonic::body::Body>) -> Option<Actor> {
    let token = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))?;
    let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
    let issuer = unverified_issuer(token)?;
    let public = keys.public_key(&issuer, &kid).ok()?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[&issuer]);
    validation.leeway = 5;
    let claims =
        jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_ed_der(public.as_bytes()), &validation).ok()?.claims;
    let actor = Actor { role: claims.role, subject: claims.sub, department: claims.dept };
    // A service speaks only for itself; people are named by the gateway alone.
    let allowed = issuer == GATEWAY || (actor.role == Role::System && actor.subject == issuer);
    allowed.then_some(actor)
}

/// The `iss` claim before the signature is checked: it only chooses the key to check with.
fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine as _;
    #[derive(Deserialize)]
    struct Iss {
        iss: String,
    }
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<Iss>(&bytes).ok().map(|c| c.iss)
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
pub struct GuardLayer(Arc<Keyring>);

impl GuardLayer {
    pub fn new(keys: Arc<Keyring>) -> GuardLayer {
        GuardLayer(keys)
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
    key: Arc<Keyring>,
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
                    let status = tonic::Status::unauthenticated("the call carries no token signed by a trusted key");
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
    fn only_a_trusted_key_signs_and_only_the_gateway_names_people() {
        let dir = crate::keys::tests::temp_dir();
        let load = |name: &str| Keyring::load(name, &crate::keys::tests::settings(&dir, name)).unwrap();
        let (gateway, hrss, service_center) = (load(GATEWAY), load("hrss"), load("service-center"));
        let alice = Actor::parse("reviewer", "alice", "hrss").unwrap();
        let token = Signer::new(gateway.clone()).token(&alice).unwrap();
        assert_eq!(verify(&service_center, &request(Some(&token))), Some(alice.clone()));
        assert_eq!(verify(&service_center, &request(None)), None);
        // hrss may call as itself, not as a person nor as another service.
        let hrss_signer = Signer::new(hrss.clone());
        let itself = hrss_signer.token(&hrss_signer.itself()).unwrap();
        assert_eq!(verify(&service_center, &request(Some(&itself))), Some(Actor::system("hrss")));
        assert_eq!(verify(&service_center, &request(Some(&hrss_signer.token(&alice).unwrap()))), None);
        let as_other = hrss_signer.token(&Actor::system("public-security")).unwrap();
        assert_eq!(verify(&service_center, &request(Some(&as_other))), None);
        // A key nobody trusts, claiming to be the gateway.
        let stranger_dir = crate::keys::tests::temp_dir();
        let stranger = Keyring::load(GATEWAY, &crate::keys::tests::settings(&stranger_dir, GATEWAY)).unwrap();
        let forged = Signer::new(stranger).token(&Actor::parse("admin", "attacker", "").unwrap()).unwrap();
        assert_eq!(verify(&service_center, &request(Some(&forged))), None);
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::remove_dir_all(stranger_dir);
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
