//! `/api/v1/admin/dishonesty-list`: the serious-dishonesty list that intake checks
//! (GET: admin or ops; PUT replaces it whole: admin).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use onething_proto::onething::servicecenter::v1 as pb;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::clients::request;
use crate::json::{Reader, object};
use crate::problem::{FieldError, Problem};
use crate::startup::AppState;
use domain::Role;

pub async fn get_dishonesty_list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    let actor = caller.require(&[Role::Admin, Role::Ops])?;
    let r = state
        .clients
        .service_center()
        .get_dishonesty_list(request(actor, pb::GetDishonestyListRequest {}, None))
        .await?
        .into_inner();
    Ok(Json(json!({"credit_codes": r.credit_codes, "version": r.version, "replaced_at": r.replaced_at})))
}

pub async fn replace_dishonesty_list(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let actor = caller.require(&[Role::Admin])?;
    let v = object(&body)?;
    let mut r = Reader::default();
    if v.get("credit_codes").is_none() {
        return Err(Problem::invalid(vec![FieldError::new(
            "credit_codes",
            "required",
            "credit_codes is required (an array, possibly empty)",
        )]));
    }
    let credit_codes = r.strings(&v, "credit_codes");
    r.finish()?;
    let req = pb::ReplaceDishonestyListRequest { credit_codes };
    let resp = state.clients.service_center().replace_dishonesty_list(request(actor, req, None)).await?.into_inner();
    Ok(Json(json!({"count": resp.count, "version": resp.version})))
}
