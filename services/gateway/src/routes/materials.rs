//! `POST /api/v1/materials?kind=<kind>`: an employer uploads one file (PDF, JPEG or PNG,
//! at most 10 MiB; its bytes must match its Content-Type).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use onething_proto::onething::servicecenter::v1 as pb;
use serde::Deserialize;

use crate::clients::request;
use crate::extract::{Auth, Employers, IdempotencyKey, Query, RawBody};
use crate::problem::Problem;
use crate::startup::AppState;
use crate::views::Material;

/// The route's body limit (API.md's 10 MiB plus room for nothing else: the body is the file).
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// A material code of the catalog (API.md), e.g. `passport`.
    #[serde(default)]
    kind: String,
}

#[utoipa::path(post, path = "/api/v1/materials", tag = "materials",
    params(UploadQuery, ("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key and body answers the first response")),
    request_body(content = Vec<u8>, description = "the file: application/pdf, image/jpeg or image/png", content_type = "application/octet-stream"),
    responses(
        (status = 201, body = Material),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "unknown kind, unsupported type, content not matching its type", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Employers>,
    Query(q): Query<UploadQuery>,
    key: IdempotencyKey,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<Material>), Problem> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let req = pb::UploadMaterialRequest { kind: q.kind, content_type, content: body.to_vec() };
    let m = state.clients.service_center().upload_material(request(&actor, req, key.as_deref())).await?.into_inner();
    Ok((StatusCode::CREATED, Json(Material::from(&m.material.unwrap_or_default()))))
}
