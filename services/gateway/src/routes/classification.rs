//! `POST /api/v1/classification`: the category of the national points table (no auth).
//! Pure rules from the `domain` crate, answered at the edge without a service call.

use std::sync::LazyLock;

use axum::Json;
use axum::body::Bytes;
use domain::classification::{ClassificationInput, PointsTable, classify};
use domain::province::ProvinceProfile;
use serde_json::Value;

use crate::json::object;
use crate::problem::{FieldError, Problem};

static PROVINCE: LazyLock<ProvinceProfile> = LazyLock::new(ProvinceProfile::gansu);

pub async fn classification(
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<Value>, Problem> {
    let body = crate::json::body(body)?;
    let value = object(&body)?;
    let mut errors = Vec::new();
    // `variant` (an addition to API.md): "standard" (20/5, default) or "trial" (15/10).
    let table = match value.get("variant").and_then(Value::as_str) {
        None => Some(PointsTable::default_variant()),
        Some(name) => match PointsTable::by_name(name) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(FieldError::new("variant", "unknown_value", e.to_string()));
                None
            }
        },
    };
    let input = ClassificationInput::from_json(&value);
    if let Err(v) = &input {
        errors.extend(v.0.iter().map(|x| FieldError {
            field: x.field.clone(),
            code: x.code.clone(),
            message: x.message.clone(),
            message_zh: x.message_zh.clone(),
        }));
    }
    match (input, table) {
        (Ok(input), Some(table)) if errors.is_empty() => {
            let result = classify(&input, &table, &PROVINCE);
            Ok(Json(serde_json::to_value(result).map_err(|e| Problem::from(tonic::Status::internal(e.to_string())))?))
        }
        _ => Err(Problem::invalid(errors)),
    }
}
