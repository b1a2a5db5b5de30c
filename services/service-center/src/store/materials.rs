//! `materials` (uploads and generated forms; the bytes live in the document store under
//! their SHA-256) and `case_materials` (which case uses which material).

use platform::db::{Pool, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MaterialRow {
    pub id: String,
    pub owner: String,
    pub kind: String,
    pub content_type: String,
    pub sha256: String,
    pub size: i64,
    pub uploaded_at: i64,
}

const COLUMNS: &str = "id, owner, kind, content_type, sha256, size, uploaded_at";

pub async fn insert(tx: &mut Tx<'_>, m: &MaterialRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO materials (id, owner, kind, content_type, sha256, size, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&m.id)
    .bind(&m.owner)
    .bind(&m.kind)
    .bind(&m.content_type)
    .bind(&m.sha256)
    .bind(m.size)
    .bind(m.uploaded_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn get(pool: &Pool, id: &str) -> Result<Option<MaterialRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM materials WHERE id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Material `id` if `owner` uploaded it.
pub async fn owned(pool: &Pool, owner: &str, id: &str) -> Result<Option<MaterialRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM materials WHERE id = $1 AND owner = $2")))
        .bind(id)
        .bind(owner)
        .fetch_optional(pool)
        .await
}

/// The case uses material `id` as its `kind` (once).
pub async fn insert_material(tx: &mut Tx<'_>, case_id: &str, kind: &str, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO case_materials (case_id, kind, material_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(case_id)
        .bind(kind)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The materials a case uses, oldest upload first.
pub async fn of_case(pool: &Pool, case_id: &str) -> Result<Vec<MaterialRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id, m.owner, m.kind, m.content_type, m.sha256, m.size, m.uploaded_at \
         FROM case_materials cm JOIN materials m ON m.id = cm.material_id WHERE cm.case_id = $1 ORDER BY m.uploaded_at, m.id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await
}

/// A case of `employer` that uses material `id`, if there is one.
pub async fn employer_case(pool: &Pool, id: &str, employer: &str) -> Result<Option<String>, sqlx::Error> {
    let case: Option<(String,)> = sqlx::query_as(
        "SELECT cm.case_id FROM case_materials cm JOIN cases c ON c.id = cm.case_id \
         WHERE cm.material_id = $1 AND c.employer_credit_code = $2 LIMIT 1",
    )
    .bind(id)
    .bind(employer)
    .fetch_optional(pool)
    .await?;
    Ok(case.map(|(c,)| c))
}

/// The first (by id) case that uses material `id` and has an item of `department`.
pub async fn department_case(pool: &Pool, id: &str, department: &str) -> Result<Option<String>, sqlx::Error> {
    let case: Option<(String,)> = sqlx::query_as(
        "SELECT cm.case_id FROM case_materials cm JOIN case_items ci ON ci.case_id = cm.case_id \
         WHERE cm.material_id = $1 AND ci.department = $2 ORDER BY cm.case_id LIMIT 1",
    )
    .bind(id)
    .bind(department)
    .fetch_optional(pool)
    .await?;
    Ok(case.map(|(c,)| c))
}

/// Material `id` if the employer of `case_id` uploaded it or the case uses it.
pub async fn evidence(pool: &Pool, case_id: &str, id: &str) -> Result<Option<MaterialRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id, m.owner, m.kind, m.content_type, m.sha256, m.size, m.uploaded_at FROM materials m \
         WHERE m.id = $2 AND (m.owner = (SELECT employer_credit_code FROM cases WHERE id = $1) \
         OR EXISTS (SELECT 1 FROM case_materials cm WHERE cm.case_id = $1 AND cm.material_id = m.id))",
    )
    .bind(case_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Whether `case_id` has an item of `department`.
pub async fn case_in_department(pool: &Pool, case_id: &str, department: &str) -> Result<bool, sqlx::Error> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM case_items WHERE case_id = $1 AND department = $2 LIMIT 1")
            .bind(case_id)
            .bind(department)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}
