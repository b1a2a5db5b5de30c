//! The applicant's identity, read back from the accepted submission for the reviewer who
//! decides the case's work permit (the permit desks hold no applicant data). Every read and
//! every refusal is audited with the case and the purpose.

use domain::case::Department;
use domain::{Actor, Role};
use platform::ServiceError;
use platform::app::Base;
use platform::audit::{Access, Audit, Purpose};
use serde::Deserialize;

use crate::store::cases as store;

/// The applicant as the employer submitted it (the fields of API.md's `applicant`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Applicant {
    #[serde(default)]
    pub surname: Option<String>,
    #[serde(default)]
    pub given_names: Option<String>,
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub passport_number: Option<String>,
    #[serde(default)]
    pub passport_expiry: Option<String>,
}

#[derive(Deserialize)]
struct Submission {
    #[serde(default)]
    applicant: Applicant,
}

/// The applicant of `case_id`, to a reviewer of the department that owns its work permit;
/// NOT_FOUND to anyone else, as for a case that does not exist.
pub async fn get(base: &Base, actor: &Actor, case_id: &str) -> Result<Applicant, ServiceError> {
    let row = store::submission(&base.db.pool, case_id).await?;
    let resource = format!("case/{case_id}/applicant");
    let mut access =
        Access { action: "applicant.read", resource: &resource, case_id: None, purpose: None, outcome: "not_found" };
    let Some(store::SubmissionRow { submission, department }) = row else {
        actor.audit_access(&base.db, access).await?;
        return Err(ServiceError::not_found("case", case_id));
    };
    let owner = department.parse::<Department>().ok();
    let allowed = actor.is(Role::Reviewer) && owner.is_some_and(|d| actor.is_staff_of(d));
    access.case_id = Some(case_id);
    if !allowed {
        access.outcome = "denied";
        actor.audit_access(&base.db, access).await?;
        return Err(ServiceError::not_found("case", case_id));
    }
    access.purpose = Some(Purpose::PermitReview);
    access.outcome = "allowed";
    let parsed: Submission = serde_json::from_str(&submission)
        .map_err(|e| ServiceError::Internal(anyhow::Error::new(e).context("stored submission")))?;
    actor.audit_access(&base.db, access).await?;
    Ok(parsed.applicant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_applicant_is_read_from_the_stored_submission() {
        let s: Submission = serde_json::from_str(
            r#"{"employer": {}, "applicant": {"surname": "SMITH", "given_names": "JOHN", "sex": "M",
                "nationality": "GBR", "birth_date": "1988-04-02", "passport_number": "E12345678",
                "passport_expiry": "2033-05-01"}, "items": []}"#,
        )
        .unwrap();
        assert_eq!(s.applicant.surname.as_deref(), Some("SMITH"));
        assert_eq!(s.applicant.passport_expiry.as_deref(), Some("2033-05-01"));
        let empty: Submission = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.applicant, Applicant::default());
    }
}
