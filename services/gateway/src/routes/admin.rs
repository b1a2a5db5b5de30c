//! `/api/v1/admin/dishonesty-list`: the serious-dishonesty list that intake checks
//! (GET: admin or ops; PUT replaces it whole: admin).

use axum::Json;
use axum::extract::State;
use domain::json::Reader;
use onething_proto::onething::servicecenter::v1 as pb;
use serde_json::Value;

use crate::extract::{Admins, Auth, FromJson, JsonBody, Operators};
use crate::problem::{ListErrors, Problem};
use crate::startup::AppState;
use crate::views::{DishonestyList, DishonestyListReplaced};

#[utoipa::path(get, path = "/api/v1/admin/dishonesty-list", tag = "administration",
    responses(
        (status = 200, body = DishonestyList),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_dishonesty_list(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Operators>,
) -> Result<Json<DishonestyList>, Problem> {
    let req = state.clients.request(&actor, pb::GetDishonestyListRequest {}, None);
    let r = state.clients.service_center().get_dishonesty_list(req).await?.into_inner();
    Ok(Json(DishonestyList { credit_codes: r.credit_codes, version: r.version, replaced_at: r.replaced_at }))
}

pub struct ReplaceBody(Vec<String>);

impl FromJson for ReplaceBody {
    fn read(r: &mut Reader, v: &Value) -> Self {
        r.required(v, "credit_codes", "credit_codes is required (an array, possibly empty)");
        ReplaceBody(r.strings(v, "credit_codes"))
    }
}

#[utoipa::path(put, path = "/api/v1/admin/dishonesty-list", tag = "administration",
    request_body(content = Object, description = r#"{"credit_codes": ["..."]}"#),
    responses((status = 200, body = DishonestyListReplaced), ListErrors))]
pub async fn replace_dishonesty_list(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Admins>,
    JsonBody(ReplaceBody(credit_codes)): JsonBody<ReplaceBody>,
) -> Result<Json<DishonestyListReplaced>, Problem> {
    let req = pb::ReplaceDishonestyListRequest { credit_codes };
    let resp = state
        .clients
        .service_center()
        .replace_dishonesty_list(state.clients.request(&actor, req, None))
        .await?
        .into_inner();
    Ok(Json(DishonestyListReplaced { count: resp.count, version: resp.version }))
}
