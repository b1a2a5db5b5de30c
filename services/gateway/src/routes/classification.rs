//! `POST /api/v1/classification`: the category of the national points table (no auth).
//! Pure rules from the `domain` crate, answered at the edge without a service call.

use std::sync::LazyLock;

use axum::Json;
use domain::classification::{ClassificationInput, PointsTable, classify};
use domain::province::ProvinceProfile;
use serde_json::Value;

use crate::extract::RawBody;
use crate::problem::{FieldError, Problem};

static PROVINCE: LazyLock<ProvinceProfile> = LazyLock::new(ProvinceProfile::gansu);

#[utoipa::path(post, path = "/api/v1/classification", tag = "classification", security(()),
    request_body(content = Object, description = "as_of, birth_date, annual_salary_cny, education, vocational, work_experience_years, months_in_china_per_year, chinese, extras, local_bonus, direct_qualification, employer_region_code (API.md)"),
    responses(
        (status = 200, description = "category, points, breakdown, department, issuer", body = Object),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn classification(RawBody(body): RawBody) -> Result<Json<Value>, Problem> {
    let value = domain::json::object(&body)?;
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
        errors.extend(v.0.iter().cloned().map(FieldError::from));
    }
    match (input, table) {
        (Ok(input), Some(table)) if errors.is_empty() => {
            let result = classify(&input, &table, &PROVINCE);
            Ok(Json(serde_json::to_value(result).map_err(|e| Problem::from(tonic::Status::internal(e.to_string())))?))
        }
        _ => Err(Problem::invalid(errors)),
    }
}
