//! The service's audit log: who read or decided what, and with which outcome. Reads of
//! personal data also name the case they concern and why they were made ([`Purpose`]).

use domain::Actor;

use crate::db::{Db, Tx};
use crate::error::ServiceError;

domain::wire_enum!(
    /// Why staff read personal data, kept with the read in the audit log.
    Purpose {
        /// A reviewer examines a case's materials.
        Review => "review",
        /// A public-security officer checks a case at the counter.
        Counter => "counter",
        /// The reviewer deciding a work permit reads the applicant's identity.
        PermitReview => "permit_review",
    }
);

/// One read of personal data, or a refused attempt at one.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    /// The case the data belongs to; `None` when the attempt named nothing the caller may see.
    pub case_id: Option<&'a str>,
    pub purpose: Option<Purpose>,
    pub outcome: &'a str,
}

/// Writes audit entries for an [`Actor`].
#[allow(async_fn_in_trait)]
pub trait Audit {
    /// Records an access (or a refused attempt) on its own.
    async fn audit(&self, db: &Db, action: &str, resource: &str, outcome: &str) -> Result<(), ServiceError>;
    /// Records a decision in the transaction that makes it, so both commit together.
    async fn audit_in(&self, tx: &mut Tx<'_>, action: &str, resource: &str, outcome: &str) -> Result<(), sqlx::Error>;
    /// Records a read of personal data (or a refused attempt) with its case and purpose.
    async fn audit_access(&self, db: &Db, access: Access<'_>) -> Result<(), ServiceError>;
}

/// The case of a `case/<id>` resource, so every entry about a case can be found by it.
fn case_of(resource: &str) -> Option<&str> {
    resource.strip_prefix("case/").map(|rest| rest.split('/').next().unwrap_or(rest))
}

impl Audit for Actor {
    async fn audit(&self, db: &Db, action: &str, resource: &str, outcome: &str) -> Result<(), ServiceError> {
        let access = Access { action, resource, case_id: case_of(resource), purpose: None, outcome };
        self.audit_access(db, access).await
    }

    async fn audit_in(&self, tx: &mut Tx<'_>, action: &str, resource: &str, outcome: &str) -> Result<(), sqlx::Error> {
        insert(tx, self, Access { action, resource, case_id: case_of(resource), purpose: None, outcome }).await
    }

    async fn audit_access(&self, db: &Db, access: Access<'_>) -> Result<(), ServiceError> {
        let mut conn = db.pool.acquire().await?;
        insert(&mut conn, self, access).await?;
        Ok(())
    }
}

async fn insert(conn: &mut sqlx::AnyConnection, actor: &Actor, a: Access<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_role, actor_subject, actor_department, action, resource, outcome, case_id, purpose) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(crate::time::now_ms())
    .bind(actor.role.as_str())
    .bind(&actor.subject)
    .bind(actor.department_str())
    .bind(a.action)
    .bind(a.resource)
    .bind(a.outcome)
    .bind(a.case_id.unwrap_or_default())
    .bind(a.purpose.map_or("", Purpose::as_str))
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_case_of_a_resource_is_its_first_segment_after_case() {
        assert_eq!(case_of("case/0193-ab"), Some("0193-ab"));
        assert_eq!(case_of("case/0193-ab/applicant"), Some("0193-ab"));
        assert_eq!(case_of("material/x"), None);
        assert_eq!(case_of("status/pending"), None);
    }
}
