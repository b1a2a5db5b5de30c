//! gRPC server plumbing: every service gets `grpc.health.v1` and server reflection, and
//! answers only calls the gateway signed ([`crate::identity`]); every call is counted and
//! timed ([`crate::metrics::GrpcMetricsLayer`]).

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tonic::service::Routes;
use tonic_health::server::HealthReporter;

use crate::shutdown::Shutdown;

/// A channel to another service at `url`, connected at its first call (so a process starts
/// before the services it calls): 2 s to connect, `timeout` per call.
pub fn lazy_channel(url: &str, timeout: std::time::Duration) -> anyhow::Result<tonic::transport::Channel> {
    Ok(tonic::transport::Endpoint::from_shared(url.to_string())?
        .connect_timeout(std::time::Duration::from_secs(2))
        .timeout(timeout)
        .connect_lazy())
}

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

/// Serves `routes` on `listener` until `shutdown` triggers; only callers presenting a token
/// signed by a key in `keys` are answered (health checks excepted).
pub async fn serve(
    routes: Routes,
    listener: TcpListener,
    shutdown: Shutdown,
    keys: std::sync::Arc<crate::keys::Keyring>,
) -> anyhow::Result<()> {
    // Without TCP_NODELAY every small reply waits ~40 ms for Nagle's algorithm (the
    // benchmark showed it); the builder's own setting does not apply to a given listener.
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tonic::transport::Server::builder()
        // Outermost, so that the calls the guard refuses are counted too.
        .layer(crate::metrics::GrpcMetricsLayer)
        .layer(crate::identity::GuardLayer::new(keys))
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming, shutdown.triggered())
        .await?;
    Ok(())
}
