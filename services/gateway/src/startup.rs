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
    platform::metrics::install();
    // The gateway signs every call with its own key: only it may name a person.
    let keys = platform::keys::Keyring::load(platform::keys::GATEWAY, &config.platform.identity)?;
    let state = AppState {
        clients: Clients::new(&config.services, platform::identity::Signer::new(keys))?,
        keys: Arc::new(Keys::new(&config.auth.jwt_secret, config.auth.token_ttl_secs)),
        dev_mode: config.auth.dev_mode,
    };
    let web = crate::web::router(std::path::Path::new(&config.web.root))?;
    let app = crate::routes::router(state, web)
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(axum::middleware::from_fn(crate::extract::ids_in_path))
        // Inside the router, so the matched route template is known.
        .layer(axum::middleware::from_fn(platform::metrics::track_http))
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

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// One HTTP/1.1 request without a token; the whole answer as text.
    async fn get(addr: SocketAddr, path: &str) -> String {
        let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
        tcp.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn metrics_are_served_without_a_token_and_count_requests_by_route_template() {
        let keys = std::env::temp_dir().join(format!("gateway-keys-{}", std::process::id()));
        let identity = platform::config::IdentitySettings {
            key_file: Some(keys.join("gateway.key")),
            trust_dir: Some(keys.join("trusted")),
            generate: true,
        };
        let config = Config {
            http_addr: "127.0.0.1:0".into(),
            auth: crate::config::AuthSettings { jwt_secret: "x".repeat(32), ..Default::default() },
            platform: platform::config::Settings { identity, ..Default::default() },
            ..Default::default()
        };
        let gateway = build(config).await.unwrap();
        let _ = std::fs::remove_dir_all(&keys);
        let unauthorized = get(gateway.addr(), "/api/v1/cases/c-metrics-1").await;
        assert!(unauthorized.starts_with("HTTP/1.1 401"), "{unauthorized}");
        get(gateway.addr(), "/api/v1/cases/c-metrics-2").await;
        let answer = get(gateway.addr(), "/metrics").await;
        gateway.stop().await;

        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.to_ascii_lowercase().contains("content-type: text/plain; version=0.0.4"), "{head}");
        let line = r#"onething_http_requests_total{method="GET",route="/api/v1/cases/{id}",status="401"} 2"#;
        assert!(body.lines().any(|l| l == line), "{body}");
        assert!(!body.contains("c-metrics-1"), "ids are no label values: {body}");
    }
}
