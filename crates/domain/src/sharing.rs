//! Data sharing between departments: who may obtain which of an applicant's fields from
//! service-center, for what purpose, on which legal basis (`data/sharing_policy.json`).
//!
//! Events carry no personal data; a department that needs the person's identity asks the
//! owner (`ShareRecord`), which answers only within a row of this policy.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::case::{Department, wire_enum};

wire_enum!(
    /// Why a department asks for a person's data.
    Purpose {
        /// The permit desk caps the permit's validity at the passport's.
        WorkPermitReview => "work_permit_review",
        /// The permit desk prints the holder on the electronic work permit it issued.
        WorkPermitDocument => "work_permit_document",
        /// HRSS enrols the person in social insurance and issues the card.
        SocialInsuranceRegistration => "social_insurance_registration",
        /// Public security opens the residence file.
        ResidencePermit => "residence_permit",
    }
);

wire_enum!(
    /// A field of the applicant's identity (API.md's `applicant`).
    PersonField {
        Surname => "surname",
        GivenNames => "given_names",
        Sex => "sex",
        Nationality => "nationality",
        BirthDate => "birth_date",
        PassportNumber => "passport_number",
        PassportExpiry => "passport_expiry",
    }
);

/// One permitted flow: `department` may obtain `fields` for `purpose`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PolicyRow {
    pub department: Department,
    pub purpose: Purpose,
    pub fields: Vec<PersonField>,
    pub legal_basis: String,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PolicyFile {
    rows: Vec<PolicyRow>,
}

/// Why a request for shared data is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{department} has no sharing policy for the purpose {purpose}")]
    NoFlow { department: Department, purpose: Purpose },
    #[error("{department} may not obtain {} for {purpose}", names(.fields))]
    FieldsNotAllowed { department: Department, purpose: Purpose, fields: Vec<PersonField> },
}

fn names(fields: &[PersonField]) -> String {
    fields.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
}

/// The policy's rows (embedded at build time; a unit test checks the file).
pub fn policy() -> &'static [PolicyRow] {
    static ROWS: OnceLock<Vec<PolicyRow>> = OnceLock::new();
    ROWS.get_or_init(|| {
        serde_json::from_str::<PolicyFile>(include_str!("../data/sharing_policy.json"))
            .map(|f| f.rows)
            .unwrap_or_default()
    })
}

/// The row allowing `department` every field of `fields` for `purpose`, or the refusal.
pub fn check(department: Department, purpose: Purpose, fields: &[PersonField]) -> Result<&'static PolicyRow, Refusal> {
    let row = policy()
        .iter()
        .find(|r| r.department == department && r.purpose == purpose)
        .ok_or(Refusal::NoFlow { department, purpose })?;
    let outside: Vec<PersonField> = fields.iter().filter(|f| !row.fields.contains(f)).copied().collect();
    if outside.is_empty() { Ok(row) } else { Err(Refusal::FieldsNotAllowed { department, purpose, fields: outside }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_file_names_each_flow_once_with_its_legal_basis() {
        let rows = policy();
        assert_eq!(rows.len(), 6, "the seed's four flows and the e-permit's two (issue 9.9)");
        for r in rows {
            assert!(!r.fields.is_empty() && r.legal_basis.contains("PIPL") && !r.sources.is_empty(), "{r:?}");
            let same = rows.iter().filter(|o| o.department == r.department && o.purpose == r.purpose).count();
            assert_eq!(same, 1, "{r:?}");
        }
    }

    #[test]
    fn a_request_inside_a_row_is_allowed_and_anything_else_refused_with_what_was_outside() {
        use PersonField::*;
        assert!(check(Department::Hrss, Purpose::SocialInsuranceRegistration, &[Surname, BirthDate]).is_ok());
        // The e-permit prints the holder, not their birth date.
        assert!(check(Department::ScienceTech, Purpose::WorkPermitDocument, &[Surname, PassportNumber]).is_ok());
        assert!(check(Department::ScienceTech, Purpose::WorkPermitDocument, &[BirthDate]).is_err());
        assert!(check(Department::PublicSecurity, Purpose::WorkPermitDocument, &[Surname]).is_err());
        assert_eq!(
            check(Department::Hrss, Purpose::SocialInsuranceRegistration, &[Surname, PassportExpiry]),
            Err(Refusal::FieldsNotAllowed {
                department: Department::Hrss,
                purpose: Purpose::SocialInsuranceRegistration,
                fields: vec![PassportExpiry]
            })
        );
        assert_eq!(
            check(Department::ScienceTech, Purpose::ResidencePermit, &[Surname]),
            Err(Refusal::NoFlow { department: Department::ScienceTech, purpose: Purpose::ResidencePermit })
        );
        // The permit desks learn only the passport's expiry.
        assert!(check(Department::ScienceTech, Purpose::WorkPermitReview, &[PassportNumber]).is_err());
    }
}
