//! `POST /api/v1/dev/tokens`: signed tokens for development and tests (dev mode only).

use axum::Json;
use axum::extract::State;
use domain::json::Reader;
use serde_json::Value;

use crate::auth::check_claims;
use crate::extract::{FromJson, JsonBody};
use crate::problem::Problem;
use crate::startup::AppState;
use crate::views::Token;

pub struct TokenRequest {
    role: String,
    subject: String,
    department: String,
}

impl FromJson for TokenRequest {
    fn read(r: &mut Reader, v: &Value) -> Self {
        TokenRequest {
            role: r.string(v, "role"),
            subject: r.string(v, "subject"),
            department: r.string(v, "department"),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/dev/tokens", tag = "development", security(()),
    request_body(content = Object, description = r#"{"role": "reviewer", "subject": "alice", "department": "science-tech"}"#),
    responses(
        (status = 200, body = Token),
        (status = 404, description = "dev mode is off", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn issue(State(state): State<AppState>, JsonBody(t): JsonBody<TokenRequest>) -> Result<Json<Token>, Problem> {
    if !state.dev_mode {
        return Err(Problem::not_found("dev tokens are off"));
    }
    let actor = check_claims(&t.role, &t.subject, &t.department).map_err(Problem::invalid)?;
    let token = state.keys.issue(&actor).map_err(|e| Problem::from(tonic::Status::internal(e.to_string())))?;
    Ok(Json(Token { token }))
}
