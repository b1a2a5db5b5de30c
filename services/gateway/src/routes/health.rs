//! `/healthz` (the process lives) and `/readyz` (every service it calls is ready).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;

use crate::clients::Clients;
use crate::startup::AppState;

#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, description = "the process lives", body = crate::views::Status)))]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Each service reports SERVING only while its own database and the broker answer.
#[utoipa::path(get, path = "/readyz", tag = "health", security(()),
    responses(
        (status = 200, description = "every service is ready", body = crate::views::Status),
        (status = 503, description = "not ready: names what is down", body = crate::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(State(state): State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let checks = state.clients.all().map(|(name, channel)| async move {
        let mut client = Clients::health(channel);
        let ask = client.check(HealthCheckRequest { service: String::new() });
        let ok = matches!(
            tokio::time::timeout(Duration::from_secs(2), ask).await,
            Ok(Ok(r)) if r.get_ref().status == ServingStatus::Serving as i32
        );
        (name, ok)
    });
    let results = futures_join(checks).await;
    let down: Vec<&str> = results.iter().filter(|(_, ok)| !ok).map(|(n, _)| *n).collect();
    if down.is_empty() {
        (StatusCode::OK, Json(json!({"status": "ready"}))).into_response()
    } else {
        // problem+json like every other error, with the services that are down named.
        let problem = json!({
            "type": "https://onething.gansu.gov.cn/problems/not-ready",
            "title": "Not ready",
            "status": 503,
            "detail": format!("not ready: {}", down.join(", ")),
            "down": down,
        });
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
            problem.to_string(),
        )
            .into_response()
    }
}

async fn futures_join<F: std::future::Future<Output = (&'static str, bool)>>(
    futs: [F; 4],
) -> Vec<(&'static str, bool)> {
    let [a, b, c, d] = futs;
    let (a, b, c, d) = tokio::join!(a, b, c, d);
    vec![a, b, c, d]
}
