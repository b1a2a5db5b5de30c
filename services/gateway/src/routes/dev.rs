//! `POST /api/v1/dev/tokens`: signed tokens for development and tests (dev mode only).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Value, json};

use crate::auth::check_claims;
use crate::json::{Reader, object};
use crate::problem::Problem;
use crate::startup::AppState;

pub async fn issue(
    State(state): State<AppState>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    if !state.dev_mode {
        return Err(Problem::not_found("dev tokens are off"));
    }
    let v = object(&body)?;
    let mut r = Reader::default();
    let role = r.string(&v, "role");
    let subject = r.string(&v, "subject");
    let department = r.string(&v, "department");
    let mut errors = r.errors;
    let actor = check_claims(&role, &subject, &department).map_err(|e| errors.extend(e));
    let actor = match actor {
        Ok(actor) if errors.is_empty() => actor,
        _ => return Err(Problem::invalid(errors)),
    };
    let token = state.keys.issue(&actor).map_err(|e| Problem::from(tonic::Status::internal(e.to_string())))?;
    Ok(Json(json!({"token": token})))
}
