//! Builds the gateway: HTTP server, gRPC clients, token keys.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use platform::shutdown::{self, ShutdownTrigger};
use tower_http::trace::TraceLayer;
use tracing::{Span, info, info_span};

use crate::auth::Keys;
use crate::clients::Clients;
use crate::config::Config;

pub const NAME: &str = "gateway";

#[derive(Clone)]
pub struct AppState {
    pub clients: Clients,
    pub keys: Arc<Keys>,
    pub dev_mode: bool,
}

pub struct Gateway {
    addr: SocketAddr,
    trigger: ShutdownTrigger,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

fn http_span(req: &Request<axum::body::Body>) -> Span {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let span = info_span!("HTTP", otel.name = format!("{} {route}", req.method()), otel.kind = "server",
        http.request.method = %req.method(), http.route = %route);
    if let Some(tp) = req.headers().get("traceparent").and_then(|v| v.to_str().ok()) {
        platform::telemetry::set_parent(&span, tp);
    }
    span
}

pub async fn build(config: Config) -> anyhow::Result<Gateway> {
    crate::clients::set_internal_secret(config.platform.internal_secret.as_ref());
    let state = AppState {
        clients: Clients::new(&config.services)?,
        keys: Arc::new(Keys::new(&config.auth.jwt_secret, config.auth.token_ttl_secs)),
        dev_mode: config.auth.dev_mode,
    };
    let web = crate::web::router(std::path::Path::new(&config.web.root))?;
    let app = crate::routes::router(state, web)
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(TraceLayer::new_for_http().make_span_with(http_span));
    let listener = tokio::net::TcpListener::bind(&config.http_addr).await?;
    let addr = listener.local_addr()?;
    let (trigger, stop) = shutdown::channel();
    // Small JSON replies must not wait for Nagle's algorithm.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let server = tokio::spawn(async move { axum::serve(listener, app).with_graceful_shutdown(stop.triggered()).await });
    info!(%addr, "gateway listening");
    Ok(Gateway { addr, trigger, server })
}

impl Gateway {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn trigger(&self) -> ShutdownTrigger {
        self.trigger.clone()
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let stop = self.trigger.subscribe();
        tokio::select! {
            _ = shutdown::os_signal() => {},
            _ = stop.triggered() => {},
        }
        self.stop().await;
        Ok(())
    }

    pub async fn stop(self) {
        self.trigger.trigger();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), self.server).await;
        info!("gateway stopped");
    }
}
