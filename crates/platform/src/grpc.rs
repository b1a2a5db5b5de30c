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

/// Serves `routes` on `listener` until `shutdown` triggers.
pub async fn serve(routes: Routes, listener: TcpListener, shutdown: Shutdown) -> anyhow::Result<()> {
    // Without TCP_NODELAY every small reply waits ~40 ms for Nagle's algorithm (the
    // benchmark showed it); the builder's own setting does not apply to a given listener.
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tonic::transport::Server::builder()
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming, shutdown.triggered())
        .await?;
    Ok(())
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

    /// Records an access or decision in the service's audit log (inside the caller's
    /// transaction when given one, so the record and the change commit together).
    pub async fn audit(&self, db: &Db, action: &str, resource: &str, outcome: &str) -> Result<(), ServiceError> {
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
        .execute(&db.pool)
        .await?;
        Ok(())
    }
}
