//! `POST /api/v1/materials?kind=<kind>`: an employer uploads one file (PDF, JPEG or PNG,
//! at most 10 MiB; its bytes must match its Content-Type).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;

use crate::json::Query;
use axum::http::{HeaderMap, StatusCode, header};
use onething_proto::onething::servicecenter::v1 as pb;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::clients::request;
use crate::problem::Problem;
use crate::startup::AppState;
use domain::Role;

/// The route's body limit (API.md's 10 MiB plus room for nothing else: the body is the file).
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

#[derive(Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    kind: String,
}

pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Employer])?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let req = pb::UploadMaterialRequest { kind: q.kind, content_type, content: body.to_vec() };
    let m = state
        .clients
        .service_center()
        .upload_material(request(actor, req, crate::routes::cases::idempotency_key(&headers).as_deref()))
        .await?
        .into_inner()
        .material
        .unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": m.id, "kind": m.kind, "sha256": m.sha256, "size": m.size, "content_type": m.content_type, "uploaded_at": m.uploaded_at}),
        ),
    ))
}
