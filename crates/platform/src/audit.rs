//! The service's audit log: who read or decided what, and with which outcome.

use domain::Actor;

use crate::db::{Db, Tx};
use crate::error::ServiceError;

/// Writes audit entries for an [`Actor`].
#[allow(async_fn_in_trait)]
pub trait Audit {
    /// Records an access (or a refused attempt) on its own.
    async fn audit(&self, db: &Db, action: &str, resource: &str, outcome: &str) -> Result<(), ServiceError>;
    /// Records a decision in the transaction that makes it, so both commit together.
    async fn audit_in(&self, tx: &mut Tx<'_>, action: &str, resource: &str, outcome: &str) -> Result<(), sqlx::Error>;
}

impl Audit for Actor {
    async fn audit(&self, db: &Db, action: &str, resource: &str, outcome: &str) -> Result<(), ServiceError> {
        let mut conn = db.pool.acquire().await?;
        insert(&mut conn, self, action, resource, outcome).await?;
        Ok(())
    }

    async fn audit_in(&self, tx: &mut Tx<'_>, action: &str, resource: &str, outcome: &str) -> Result<(), sqlx::Error> {
        insert(tx, self, action, resource, outcome).await
    }
}

async fn insert(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    action: &str,
    resource: &str,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_role, actor_subject, actor_department, action, resource, outcome) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(crate::time::now_ms())
    .bind(actor.role.as_str())
    .bind(&actor.subject)
    .bind(actor.department_str())
    .bind(action)
    .bind(resource)
    .bind(outcome)
    .execute(conn)
    .await?;
    Ok(())
}
