//! Intake: turns a submitted application (plain strings and numbers, as they arrive from
//! the wire) into a [`NewCase`] that can only hold valid values, or into every
//! [`Violation`](crate::Violation) of the submission at once.
//!
//! Intake checks fields only. The category is decided by the points table
//! ([`crate::notice::one_time_notice`] classifies the profile); the client's `category` is
//! kept as a fallback for submissions without a profile. Acceptance conditions live in
//! [`crate::conditions`], material completeness in [`crate::materials`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{Category, EmployerKind, Item, Sex, normalise_items};
use crate::ids::{CreditCode, Nationality, PassportNumber};
use crate::materials::{MaterialFacts, MaterialKind};
use crate::violation::Violations;

/// A submission as received: every field optional so that all problems can be reported.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SubmissionInput {
    pub employer: EmployerInput,
    pub applicant: ApplicantInput,
    pub position: PositionInput,
    pub profile: ProfileInput,
    pub items: Vec<String>,
    pub materials: Vec<MaterialRefInput>,
    /// Client-chosen category: only a fallback when the profile is absent (all its fields
    /// empty); otherwise the points table decides.
    pub category: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EmployerInput {
    pub credit_code: Option<String>,
    pub name: Option<String>,
    pub region_code: Option<String>,
    pub kind: Option<String>,
    pub sector_preapproval: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplicantInput {
    pub surname: Option<String>,
    pub given_names: Option<String>,
    pub sex: Option<String>,
    pub nationality: Option<String>,
    pub birth_date: Option<String>,
    pub passport_number: Option<String>,
    pub passport_expiry: Option<String>,
    /// The previous passport was lost: a loss certificate is handed over at the counter.
    pub passport_lost: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PositionInput {
    pub title: Option<String>,
    pub annual_salary_cny: Option<i64>,
    pub start_date: Option<String>,
    pub contract_months: Option<i64>,
    /// Sector of the post, for the sector pre-approval condition.
    pub sector: Option<String>,
}

/// Points-table inputs, kept raw here; classification parses them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub education: Option<String>,
    pub vocational: Option<String>,
    pub work_experience_years: Option<f64>,
    pub months_in_china_per_year: Option<i64>,
    pub chinese: Option<String>,
    pub extras: Vec<String>,
    pub local_bonus: Option<i64>,
    pub direct_qualification: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MaterialRefInput {
    pub kind: Option<String>,
    pub id: Option<String>,
    /// What the service knows about the stored upload (content type, readability, dates).
    /// Filled by the service from its upload store, never read from the client's JSON.
    #[serde(skip_deserializing)]
    pub facts: Option<MaterialFacts>,
}

#[derive(Debug, Clone)]
pub struct Employer {
    pub credit_code: CreditCode,
    pub name: String,
    pub region_code: String,
    pub kind: EmployerKind,
    pub sector_preapproval: Option<String>,
}

/// Personal data of the foreigner. Its `Debug` shows no name, birth date or passport number.
#[derive(Clone)]
pub struct Applicant {
    pub surname: String,
    pub given_names: String,
    pub sex: Sex,
    pub nationality: Nationality,
    pub birth_date: NaiveDate,
    pub passport_number: PassportNumber,
    pub passport_expiry: NaiveDate,
    pub passport_lost: bool,
}

impl std::fmt::Debug for Applicant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applicant")
            .field("nationality", &self.nationality)
            .field("passport_number", &self.passport_number)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct Position {
    pub title: String,
    pub annual_salary_cny: u64,
    pub start_date: NaiveDate,
    pub contract_months: u32,
    pub sector: Option<String>,
}

impl Position {
    /// The day the contract period ends (start + months; the day of month is clamped).
    pub fn contract_end(&self) -> Option<NaiveDate> {
        self.start_date.checked_add_months(chrono::Months::new(self.contract_months))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialRef {
    pub kind: MaterialKind,
    pub id: String,
}

/// A submission that passed intake.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub employer: Employer,
    pub applicant: Applicant,
    pub position: Position,
    pub profile: ProfileInput,
    pub items: Vec<Item>,
    pub materials: Vec<MaterialRef>,
    /// The client's category, a fallback only; route by the classification's answer
    /// ([`crate::notice::Accepted::category`]).
    pub category: Option<Category>,
}

impl ProfileInput {
    /// Whether no field is set: the profile counts as absent.
    pub fn is_empty(&self) -> bool {
        self.education.is_none()
            && self.vocational.is_none()
            && self.work_experience_years.is_none()
            && self.months_in_china_per_year.is_none()
            && self.chinese.is_none()
            && self.extras.is_empty()
            && self.local_bonus.is_none()
            && self.direct_qualification.is_none()
    }
}

fn required<'a>(v: &mut Violations, field: &str, value: &'a Option<String>) -> Option<&'a str> {
    match value.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Some(s),
        _ => {
            v.push(field, "required", format!("{field} is required"));
            None
        }
    }
}

fn date(v: &mut Violations, field: &str, value: &Option<String>) -> Option<NaiveDate> {
    let s = required(v, field, value)?;
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            v.push(field, "invalid_date", format!("{field} must be a date YYYY-MM-DD, got {s:?}"));
            None
        }
    }
}

fn text(v: &mut Violations, field: &str, value: &Option<String>, max: usize) -> Option<String> {
    let s = required(v, field, value)?;
    if s.chars().count() > max {
        v.push(field, "too_long", format!("{field} has at most {max} characters"));
        return None;
    }
    Some(s.to_string())
}

/// Parses the fields of a submission. Reports every problem, never only the first.
pub fn parse_submission(input: &SubmissionInput) -> Result<NewCase, Violations> {
    let mut v = Violations::new();

    let e = &input.employer;
    let credit_code = required(&mut v, "employer.credit_code", &e.credit_code)
        .and_then(|s| v.take("employer.credit_code", CreditCode::parse(s)));
    let employer_name = text(&mut v, "employer.name", &e.name, 200);
    let region_code = required(&mut v, "employer.region_code", &e.region_code).and_then(|s| {
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Some(s.to_string())
        } else {
            v.push("employer.region_code", "invalid_region_code", "employer.region_code is a 6-digit GB/T 2260 code");
            None
        }
    });
    let kind =
        required(&mut v, "employer.kind", &e.kind).and_then(|s| v.take("employer.kind", s.parse::<EmployerKind>()));

    let a = &input.applicant;
    let surname = text(&mut v, "applicant.surname", &a.surname, 100);
    let given_names = text(&mut v, "applicant.given_names", &a.given_names, 100);
    let sex = required(&mut v, "applicant.sex", &a.sex).and_then(|s| v.take("applicant.sex", s.parse::<Sex>()));
    let nationality = required(&mut v, "applicant.nationality", &a.nationality)
        .and_then(|s| v.take("applicant.nationality", Nationality::parse(s)));
    let birth_date = date(&mut v, "applicant.birth_date", &a.birth_date);
    let passport_number = required(&mut v, "applicant.passport_number", &a.passport_number)
        .and_then(|s| v.take("applicant.passport_number", PassportNumber::parse(s)));
    let passport_expiry = date(&mut v, "applicant.passport_expiry", &a.passport_expiry);

    let p = &input.position;
    let title = text(&mut v, "position.title", &p.title, 200);
    let salary = match p.annual_salary_cny {
        Some(s) if s > 0 => Some(s as u64),
        Some(_) => {
            v.push("position.annual_salary_cny", "not_positive", "position.annual_salary_cny must be above 0");
            None
        }
        None => {
            v.push("position.annual_salary_cny", "required", "position.annual_salary_cny is required");
            None
        }
    };
    let start_date = date(&mut v, "position.start_date", &p.start_date);
    let contract_months = match p.contract_months {
        Some(m) if (1..=120).contains(&m) => Some(m as u32),
        Some(_) => {
            v.push("position.contract_months", "out_of_range", "position.contract_months must be between 1 and 120");
            None
        }
        None => {
            v.push("position.contract_months", "required", "position.contract_months is required");
            None
        }
    };

    let mut items = Vec::new();
    for (i, name) in input.items.iter().enumerate() {
        if let Some(item) = v.take(&format!("items[{i}]"), name.parse::<Item>()) {
            items.push(item);
        }
    }
    let items = normalise_items(items);

    let mut materials = Vec::new();
    for (i, m) in input.materials.iter().enumerate() {
        let kind = required(&mut v, &format!("materials[{i}].kind"), &m.kind)
            .and_then(|s| v.take(&format!("materials[{i}].kind"), s.parse::<MaterialKind>()));
        let id = required(&mut v, &format!("materials[{i}].id"), &m.id).map(str::to_string);
        if let (Some(kind), Some(id)) = (kind, id) {
            materials.push(MaterialRef { kind, id });
        }
    }

    let category = match input.category.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => v.take("category", s.parse::<Category>()),
        None => None,
    };

    // Every required field above is Some exactly when no violation was recorded; the
    // pattern states it without unwrapping.
    match (
        (credit_code, employer_name, region_code, kind),
        (surname, given_names, sex, nationality, birth_date, passport_number, passport_expiry),
        (title, salary, start_date, contract_months),
    ) {
        (
            (Some(credit_code), Some(name), Some(region_code), Some(kind)),
            (
                Some(surname),
                Some(given_names),
                Some(sex),
                Some(nationality),
                Some(birth_date),
                Some(passport_number),
                Some(passport_expiry),
            ),
            (Some(title), Some(annual_salary_cny), Some(start_date), Some(contract_months)),
        ) if v.is_empty() => Ok(NewCase {
            employer: Employer {
                credit_code,
                name,
                region_code,
                kind,
                sector_preapproval: e.sector_preapproval.clone().filter(|s| !s.trim().is_empty()),
            },
            applicant: Applicant {
                surname,
                given_names,
                sex,
                nationality,
                birth_date,
                passport_number,
                passport_expiry,
                passport_lost: a.passport_lost.unwrap_or(false),
            },
            position: Position {
                title,
                annual_salary_cny,
                start_date,
                contract_months,
                sector: p.sector.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
            },
            profile: input.profile.clone(),
            items,
            materials,
            category,
        }),
        _ => Err(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn valid_input() -> SubmissionInput {
        SubmissionInput {
            employer: EmployerInput {
                credit_code: Some("91350100M000100Y43".into()),
                name: Some("Lanzhou Example Co.".into()),
                region_code: Some("620100".into()),
                kind: Some("enterprise".into()),
                sector_preapproval: None,
            },
            applicant: ApplicantInput {
                surname: Some("SMITH".into()),
                given_names: Some("JOHN".into()),
                sex: Some("M".into()),
                nationality: Some("GBR".into()),
                birth_date: Some("1988-04-02".into()),
                passport_number: Some("E12345678".into()),
                passport_expiry: Some("2031-05-01".into()),
                passport_lost: None,
            },
            position: PositionInput {
                title: Some("Engineer".into()),
                annual_salary_cny: Some(300_000),
                start_date: Some("2027-01-04".into()),
                contract_months: Some(24),
                sector: None,
            },
            profile: ProfileInput::default(),
            items: vec!["work_permit".into(), "social_insurance".into()],
            materials: vec![],
            category: Some("B".into()),
        }
    }

    #[test]
    fn a_valid_submission_parses_with_mandatory_items_added() {
        let case = parse_submission(&valid_input()).unwrap();
        assert_eq!(case.items, vec![Item::WorkPermit, Item::SocialInsurance, Item::ResidencePermit]);
        assert_eq!(case.category, Some(Category::B));
        assert_eq!(case.position.contract_end(), NaiveDate::from_ymd_opt(2029, 1, 4));
    }

    #[test]
    fn the_category_is_optional_but_must_be_valid_when_given() {
        let mut input = valid_input();
        input.category = None;
        assert_eq!(parse_submission(&input).unwrap().category, None);
        input.category = Some("D".into());
        let err = parse_submission(&input).unwrap_err();
        assert!(err.contains("category", "unknown_value"));
    }

    #[test]
    fn missing_sections_deserialise_as_empty_and_are_all_reported() {
        let input: SubmissionInput = serde_json::from_str(r#"{"items": ["work_permit"], "materials": [{"kind": "passport", "id": "m1", "facts": {"readable": true}}]}"#).unwrap();
        assert!(input.materials[0].facts.is_none(), "facts never come from the client");
        let err = parse_submission(&input).unwrap_err();
        assert_eq!(err.len(), 15);
        assert!(err.0.iter().all(|v| v.code == "required"));
        assert!(ProfileInput::default().is_empty());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut input = valid_input();
        input.employer.credit_code = Some("91350100M000100Y44".into());
        input.applicant.birth_date = None;
        input.applicant.nationality = Some("XXX".into());
        input.items.push("visa".into());
        input.position.annual_salary_cny = Some(0);
        let err = parse_submission(&input).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "employer.credit_code",
                "applicant.nationality",
                "applicant.birth_date",
                "position.annual_salary_cny",
                "items[2]"
            ]
        );
    }
}
