//! The applicant's identity, read back from the accepted submission: for the reviewer who
//! decides the case's work permit (the permit desks hold no applicant data), and for the
//! departments' services that the sharing policy allows a purpose ([`share`]; events carry
//! no personal data). Every read and every refusal is audited with the case and the purpose.

use domain::case::{Department, UnknownName};
use domain::sharing::{self, PersonField, Purpose};
use domain::{Actor, Role};
use platform::ServiceError;
use platform::app::Base;
use platform::audit::{Access, Audit};
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
        Access { action: "applicant.read", resource: &resource, outcome: "not_found", ..Access::default() };
    let Some(store::SubmissionRow { submission, department }) = row else {
        actor.audit_access(&base.db, access).await?;
        return Err(ServiceError::not_found("case", case_id));
    };
    let owner = department.parse::<Department>().ok();
    let allowed = actor.is(Role::Reviewer) && owner.is_some_and(|d| actor.is_staff_of(d));
    let parsed: Submission = serde_json::from_str(&submission)
        .map_err(|e| ServiceError::Internal(anyhow::Error::new(e).context("stored submission")))?;
    let person = person_key_of(&parsed.applicant);
    access.case_id = Some(case_id);
    access.person = Some(&person);
    if !allowed {
        access.outcome = "denied";
        actor.audit_access(&base.db, access).await?;
        return Err(ServiceError::not_found("case", case_id));
    }
    access.purpose = Some(platform::audit::Purpose::PermitReview.as_str());
    access.fields = PersonField::NAMES;
    access.outcome = "allowed";
    actor.audit_access(&base.db, access).await?;
    Ok(parsed.applicant)
}

/// The applicant's person key ("" when the submission lacks what it is made of).
fn person_key_of(a: &Applicant) -> String {
    domain::ids::person_key(
        a.nationality.as_deref().unwrap_or_default(),
        a.birth_date.as_deref().unwrap_or_default(),
        a.passport_number.as_deref().unwrap_or_default(),
    )
    .unwrap_or_default()
}

/// Gives cases accepted before the person key was kept beside them their key (at start).
pub async fn backfill_person_keys(base: &Base) -> Result<usize, ServiceError> {
    let rows = store::without_person_key(&base.db.pool).await?;
    let mut done = 0;
    for (id, submission) in rows {
        let Ok(parsed) = serde_json::from_str::<Submission>(&submission) else { continue };
        let key = person_key_of(&parsed.applicant);
        if !key.is_empty() {
            store::set_person_key(&base.db.pool, &id, &key).await?;
            done += 1;
        }
    }
    Ok(done)
}

/// What [`share`] answers: only the fields asked for, the person key, the legal basis.
#[derive(Debug)]
pub struct Shared {
    pub applicant: Applicant,
    pub person_key: String,
    pub legal_basis: &'static str,
}

/// The fields of `case_id`'s applicant that `fields` names, to the service of a department
/// whose sharing policy allows all of them for `purpose`; PERMISSION_DENIED otherwise.
/// Only services ask (a person's token never reaches here as a department's system).
pub async fn share(
    base: &Base,
    actor: &Actor,
    case_id: &str,
    purpose: &str,
    fields: &[String],
) -> Result<Shared, ServiceError> {
    let mut v = domain::Violations::new();
    let purpose = purpose.parse::<Purpose>().map_err(|e| v.push("purpose", "unknown_value", e.to_string())).ok();
    let wanted: Vec<PersonField> = fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            f.parse().map_err(|e: UnknownName| v.push(format!("fields[{i}]"), "unknown_value", e.to_string())).ok()
        })
        .collect();
    if wanted.is_empty() && v.is_empty() {
        v.push("fields", "required", "name the fields wanted");
    }
    let purpose =
        v.into_result(|| purpose)?.ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("purpose checked")))?;
    let resource = format!("case/{case_id}/applicant");
    let names: Vec<&str> = wanted.iter().map(|f| f.as_str()).collect();
    let person = store::person_key(&base.db.pool, case_id).await?;
    // The provider's end of the exchange: who asked, for whom, which fields, why.
    let audit = |outcome: &'static str| Access {
        action: "share_record",
        resource: &resource,
        case_id: Some(case_id),
        person: person.as_deref(),
        fields: &names,
        purpose: Some(purpose.as_str()),
        outcome,
    };
    let department = (actor.role == Role::System).then(|| actor.subject.parse::<Department>().ok()).flatten();
    let row = match department.map(|d| sharing::check(d, purpose, &wanted)) {
        Some(Ok(row)) => row,
        refused => {
            actor.audit_access(&base.db, audit("denied")).await?;
            let why = match refused {
                Some(Err(e)) => e.to_string(),
                _ => format!("{} is not a department's service", actor.subject),
            };
            return Err(ServiceError::PermissionDenied(why));
        }
    };
    let Some(store::SubmissionRow { submission, .. }) = store::submission(&base.db.pool, case_id).await? else {
        actor.audit_access(&base.db, audit("not_found")).await?;
        return Err(ServiceError::not_found("case", case_id));
    };
    let parsed: Submission = serde_json::from_str(&submission)
        .map_err(|e| ServiceError::Internal(anyhow::Error::new(e).context("stored submission")))?;
    let a = parsed.applicant;
    let person_key = person_key_of(&a);
    actor.audit_access(&base.db, audit("allowed")).await?;
    Ok(Shared { applicant: only(a, &wanted), person_key, legal_basis: &row.legal_basis })
}

/// `a` with every field not in `fields` cleared.
fn only(a: Applicant, fields: &[PersonField]) -> Applicant {
    let keep = |f: PersonField, v: Option<String>| if fields.contains(&f) { v } else { None };
    Applicant {
        surname: keep(PersonField::Surname, a.surname),
        given_names: keep(PersonField::GivenNames, a.given_names),
        sex: keep(PersonField::Sex, a.sex),
        nationality: keep(PersonField::Nationality, a.nationality),
        birth_date: keep(PersonField::BirthDate, a.birth_date),
        passport_number: keep(PersonField::PassportNumber, a.passport_number),
        passport_expiry: keep(PersonField::PassportExpiry, a.passport_expiry),
    }
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

    #[test]
    fn only_the_fields_asked_for_are_shared() {
        let a = Applicant {
            surname: Some("SMITH".into()),
            birth_date: Some("1988-04-02".into()),
            passport_number: Some("E12345678".into()),
            passport_expiry: Some("2033-05-01".into()),
            ..Default::default()
        };
        let shared = only(a, &[PersonField::PassportExpiry]);
        assert_eq!(shared, Applicant { passport_expiry: Some("2033-05-01".into()), ..Default::default() });
    }
}
