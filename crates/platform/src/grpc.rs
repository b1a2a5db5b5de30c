//! gRPC server plumbing: every service gets `grpc.health.v1` and server reflection, the
//! caller identity forwarded by the gateway, and an audit trail of who touched what.

use std::net::SocketAddr;

use onething_proto::common::Actor as PbActor;
use tokio::net::TcpListener;
use tonic::service::Routes;
use tonic_health::server::HealthReporter;

use crate::db::Db;
use crate::error::ServiceError;
use crate::shutdown::Shutdown;

/// Health + reflection, ready for the service's own `add_service` calls.
pub fn base_routes() -> anyhow::Result<(Routes, HealthReporter)> {
    let (reporter, health) = tonic_health::server::health_reporter();
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(onething_proto::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let routes = Routes::new(health).add_service(reflection);
    Ok((routes, reporter))
}

pub async fn bind(addr: &str) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

/// Serves `routes` on `listener` until `shutdown` triggers; with `internal_secret`, only
/// callers presenting a token signed with it are answered (health checks excepted).
pub async fn serve(
    routes: Routes,
    listener: TcpListener,
    shutdown: Shutdown,
    internal_secret: Option<&crate::config::Secret>,
) -> anyhow::Result<()> {
    // Without TCP_NODELAY every small reply waits ~40 ms for Nagle's algorithm (the
    // benchmark showed it); the builder's own setting does not apply to a given listener.
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tonic::transport::Server::builder()
        .layer(internal::GuardLayer::new(internal_secret))
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming, shutdown.triggered())
        .await?;
    Ok(())
}

/// Service-to-service tokens: the gateway signs a short-lived token with the shared
/// `internal_secret`; services check it before anything else.
pub mod internal {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
    use serde::{Deserialize, Serialize};

    use crate::config::Secret;

    const ISSUER: &str = "onething-gateway";

    #[derive(Serialize, Deserialize)]
    struct Claims {
        iss: String,
        exp: u64,
    }

    /// Signs tokens for calls to the services (the gateway holds one).
    #[derive(Clone)]
    pub struct Signer(Arc<EncodingKey>);

    impl Signer {
        pub fn new(secret: &Secret) -> Signer {
            Signer(Arc::new(EncodingKey::from_secret(secret.0.as_bytes())))
        }

        /// A token valid for one minute, for the `authorization` metadata of a call.
        pub fn token(&self) -> Option<String> {
            let exp = chrono::Utc::now().timestamp() as u64 + 60;
            jsonwebtoken::encode(&Header::default(), &Claims { iss: ISSUER.into(), exp }, &self.0).ok()
        }
    }

    fn valid(key: &DecodingKey, req: &http::Request<tonic::body::Body>) -> bool {
        let Some(token) = req
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let mut validation = Validation::default();
        validation.set_issuer(&[ISSUER]);
        jsonwebtoken::decode::<Claims>(token, key, &validation).is_ok()
    }

    #[derive(Clone)]
    pub struct GuardLayer(Option<Arc<DecodingKey>>);

    impl GuardLayer {
        pub fn new(secret: Option<&Secret>) -> GuardLayer {
            GuardLayer(secret.map(|s| Arc::new(DecodingKey::from_secret(s.0.as_bytes()))))
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
        key: Option<Arc<DecodingKey>>,
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

        fn call(&mut self, req: http::Request<tonic::body::Body>) -> Self::Future {
            if let Some(key) = &self.key
                // Kubernetes probes and load balancers check health without a token.
                && !req.uri().path().starts_with("/grpc.health.v1.Health/")
                && !valid(key, &req)
            {
                let status = tonic::Status::unauthenticated("calls to this service must come through the gateway");
                return Box::pin(async move { Ok(status.into_http()) });
            }
            Box::pin(self.inner.call(req))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn request(token: Option<&str>, path: &str) -> http::Request<tonic::body::Body> {
            let mut b = http::Request::builder().uri(path);
            if let Some(t) = token {
                b = b.header(http::header::AUTHORIZATION, format!("Bearer {t}"));
            }
            b.body(tonic::body::Body::empty()).unwrap()
        }

        #[test]
        fn only_tokens_signed_with_the_shared_secret_pass() {
            let secret = Secret("0123456789abcdef0123456789abcdef".into());
            let key = DecodingKey::from_secret(secret.0.as_bytes());
            let token = Signer::new(&secret).token().unwrap();
            assert!(valid(&key, &request(Some(&token), "/x/Y")));
            assert!(!valid(&key, &request(None, "/x/Y")));
            let forged = Signer::new(&Secret("another-secret-another-secret-xx".into())).token().unwrap();
            assert!(!valid(&key, &request(Some(&forged), "/x/Y")));
        }
    }
}

/// Continues the caller's trace (the gateway sends `traceparent` as gRPC metadata) in the
/// current span.
pub fn continue_trace<T>(request: &tonic::Request<T>) {
    if let Some(tp) = request.metadata().get("traceparent").and_then(|v| v.to_str().ok()) {
        crate::telemetry::set_parent(&tracing::Span::current(), tp);
    }
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

/// Who is calling, as authenticated by the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub role: String,
    pub subject: String,
    pub department: String,
}

impl Actor {
    pub fn from_pb(actor: Option<&PbActor>) -> Result<Actor, ServiceError> {
        let a = actor.ok_or_else(|| ServiceError::PermissionDenied("the request carries no caller identity".into()))?;
        if a.role.is_empty() {
            return Err(ServiceError::PermissionDenied("the caller has no role".into()));
        }
        Ok(Actor { role: a.role.clone(), subject: a.subject.clone(), department: a.department.clone() })
    }

    pub fn system(service: &str) -> Actor {
        Actor { role: "system".into(), subject: service.into(), department: String::new() }
    }

    pub fn is(&self, role: &str) -> bool {
        self.role == role
    }

    pub fn is_staff_of(&self, department: &str) -> bool {
        matches!(self.role.as_str(), "reviewer" | "officer") && self.department == department
    }

    /// Records an access (or a refused attempt) in the service's audit log, on its own.
    pub async fn audit(&self, db: &Db, action: &str, resource: &str, outcome: &str) -> Result<(), ServiceError> {
        let mut conn = db.pool.acquire().await?;
        self.audit_with(&mut conn, action, resource, outcome).await?;
        Ok(())
    }

    /// Records a decision in the transaction that makes it, so both commit together.
    pub async fn audit_in(
        &self,
        tx: &mut crate::db::Tx<'_>,
        action: &str,
        resource: &str,
        outcome: &str,
    ) -> Result<(), sqlx::Error> {
        self.audit_with(tx, action, resource, outcome).await
    }

    async fn audit_with(
        &self,
        conn: &mut sqlx::AnyConnection,
        action: &str,
        resource: &str,
        outcome: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor_role, actor_subject, actor_department, action, resource, outcome) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(crate::time::now_ms())
        .bind(&self.role)
        .bind(&self.subject)
        .bind(&self.department)
        .bind(action)
        .bind(resource)
        .bind(outcome)
        .execute(conn)
        .await?;
        Ok(())
    }
}
