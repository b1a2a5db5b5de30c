//! `POST /api/v1/materials?kind=<kind>`: an employer uploads one file (PDF, JPEG or PNG,
//! at most 10 MiB; its bytes must match its Content-Type). `GET /api/v1/materials/{id}`:
//! the file again, streamed from service-center, which decides who may see it and audits.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use domain::Role;
use futures::StreamExt;
use onething_proto::onething::servicecenter::v1 as pb;
use pb::get_material_response::Part;
use serde::Deserialize;

use crate::extract::{Auth, Employers, IdempotencyKey, Query, RawBody, Roles};
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
    let m = state
        .clients
        .service_center()
        .upload_material(state.clients.request(&actor, req, key.as_deref()))
        .await?
        .into_inner();
    Ok((StatusCode::CREATED, Json(Material::from(&m.material.unwrap_or_default()))))
}

/// Anyone signed in. service-center decides who may see a file and answers everyone else
/// 404, as for an id that does not exist; a 403 here for some roles would tell them less
/// consistently that the file is not theirs.
pub struct AnyPerson;

impl Roles for AnyPerson {
    const ROLES: &'static [Role] = Role::PEOPLE;
}

/// A file's bytes, for the document (`type: string, format: binary`).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileBytes(Vec<u8>);

/// A failure after the answer has begun: the connection is cut (Content-Length tells the
/// client the file is incomplete).
#[derive(Debug, thiserror::Error)]
#[error("the material stream broke off: {0}")]
struct StreamBroken(String);

/// A filename for `Content-Disposition`: the material's code and the type's extension.
fn filename(kind: &str, content_type: &str) -> String {
    let ext = match content_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "application/json" => "json",
        _ => "bin",
    };
    // Kinds are catalog codes (lowercase letters and `_`); anything else is not put in a header.
    let stem =
        if !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') { kind } else { "material" };
    format!("{stem}.{ext}")
}

#[utoipa::path(get, path = "/api/v1/materials/{id}", tag = "materials",
    params(("id" = String, Path, description = "the `id` the upload answered (or of a generated form)")),
    responses(
        (status = 200, description = "the file with its stored Content-Type, `Content-Disposition: inline`, `X-Content-Type-Options: nosniff`, `Cache-Control: private, no-store`; for its employer and for reviewers and officers of a department a case using it is in (every staff read is audited)",
            content(
                (FileBytes = "application/pdf"),
                (FileBytes = "image/jpeg"),
                (FileBytes = "image/png"),
                (Object = "application/json"),
            ),
            headers(
                ("Content-Disposition" = String, description = "inline; filename=\"<kind>.<ext>\""),
                ("X-Content-Type-Options" = String, description = "nosniff"),
                ("Cache-Control" = String, description = "private, no-store"),
            )),
        (status = 401, description = "no token, or an invalid or expired one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such material, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn download(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<AnyPerson>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let req = pb::GetMaterialRequest { id };
    let mut stream =
        state.clients.service_center().get_material(state.clients.request(&actor, req, None)).await?.into_inner();
    // The first message says what the file is; the content follows.
    let material = match stream.message().await? {
        Some(pb::GetMaterialResponse { part: Some(Part::Material(m)) }) => m,
        _ => return Err(tonic::Status::internal("the material stream did not begin with its description").into()),
    };
    let chunks = stream.map(|m| match m {
        Ok(pb::GetMaterialResponse { part: Some(Part::Chunk(bytes)) }) => Ok(bytes),
        Ok(_) => Err(StreamBroken("an unexpected message".into())),
        Err(status) => Err(StreamBroken(status.message().to_string())),
    });
    let content_type = HeaderValue::from_str(&material.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let disposition =
        HeaderValue::from_str(&format!("inline; filename=\"{}\"", filename(&material.kind, &material.content_type)))
            .unwrap_or_else(|_| HeaderValue::from_static("inline"));
    let mut resp = Response::new(Body::from_stream(chunks));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(material.size.max(0) as u64));
    h.insert(header::CONTENT_DISPOSITION, disposition);
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Personal documents: never kept by a shared cache or the browser's disk cache.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_come_from_the_kind_and_the_type() {
        assert_eq!(filename("passport", "application/pdf"), "passport.pdf");
        assert_eq!(filename("work_permit_application_form", "application/json"), "work_permit_application_form.json");
        assert_eq!(filename("photo", "image/jpeg"), "photo.jpg");
        assert_eq!(filename("a\"b", "image/png"), "material.png");
    }
}
