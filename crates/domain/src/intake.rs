//! Intake: turns a submitted application (plain strings and numbers, as they arrive from
//! the wire) into a [`NewCase`] that can only hold valid values, or into every
//! [`Violation`](crate::Violation) of the submission at once.
//!
//! Intake checks fields only, with the bounds and facts of `data/intake_rules.json`
//! ([`IntakeRules`]): a Chinese citizen is no foreigner, a birth date before 1900 or a
//! salary above 100 million CNY is a typing error, a name holds no invisible or control
//! character. The category is decided by the points table
//! ([`crate::notice::one_time_notice`] classifies the profile); the client's `category` is
//! kept as a fallback for submissions without a profile. Acceptance conditions live in
//! [`crate::conditions`], material completeness in [`crate::materials`].

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{Category, EmployerKind, Item, Sex, normalise_items};
use crate::data::{DataError, Sourced};
use crate::ids::{CreditCode, Nationality, PassportNumber};
use crate::materials::{MaterialFacts, MaterialKind};
use crate::sectors::Sector;
use crate::violation::Violations;

const INTAKE_RULES_JSON: &str = include_str!("../data/intake_rules.json");

/// Stable violation codes of intake's bounds (format codes such as `required` are plain literals).
pub mod codes {
    /// The nationality is a Chinese one: a Chinese citizen is not a foreigner.
    pub const NATIONALITY_CHINESE: &str = "nationality_chinese";
    pub const BIRTH_DATE_TOO_EARLY: &str = "birth_date_too_early";
    pub const SALARY_ABOVE_BOUND: &str = "salary_above_bound";
    /// A control, zero-width or bidirectional-formatting character in a text.
    pub const INVALID_CHARACTERS: &str = "invalid_characters";
}

/// The facts and sanity bounds intake applies, each with its source (`data/intake_rules.json`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IntakeRules {
    /// ISO 3166-1 alpha-3 codes of the nationality whose holders are not foreigners.
    pub citizen_nationalities: Sourced<Vec<String>>,
    pub earliest_birth_date: Sourced<NaiveDate>,
    pub max_annual_salary_cny: Sourced<u64>,
}

impl IntakeRules {
    /// The embedded rules.
    pub fn embedded() -> &'static IntakeRules {
        static RULES: OnceLock<IntakeRules> = OnceLock::new();
        // The embedded file is checked by the tests of this module.
        RULES.get_or_init(|| {
            IntakeRules::from_json(INTAKE_RULES_JSON).expect("embedded data/intake_rules.json is valid")
        })
    }

    pub fn from_json(json: &str) -> Result<IntakeRules, DataError> {
        const FILE: &str = "intake rules";
        let r: IntakeRules = serde_json::from_str(json).map_err(|e| DataError::json(FILE, e))?;
        if let Some(c) = r.citizen_nationalities.value.iter().find(|c| Nationality::parse(c).is_err()) {
            return Err(DataError::invalid(
                FILE,
                format!("citizen nationality {c:?} is not an ISO 3166-1 alpha-3 code"),
            ));
        }
        // The bound must leave room for real salaries and stay exact as a JSON number (2^53).
        if !(1_000_000..=(1 << 53)).contains(&r.max_annual_salary_cny.value) {
            return Err(DataError::invalid(FILE, "max_annual_salary_cny must be between 1,000,000 and 2^53"));
        }
        Ok(r)
    }
}

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
    /// The post's sector when it is one that needs a sector pre-approval.
    pub sector: Option<Sector>,
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

/// A `YYYY-MM-DD` date with a four-digit year. chrono alone would also read `-0001-01-01`
/// or `20260-01-01`, which are no dates of the contract.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    shaped.then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).flatten()
}

fn date(v: &mut Violations, field: &str, value: &Option<String>) -> Option<NaiveDate> {
    let s = required(v, field, value)?;
    match parse_date(s) {
        Some(d) => Some(d),
        None => {
            v.push(field, "invalid_date", format!("{field} must be a date YYYY-MM-DD, got {s:?}"));
            None
        }
    }
}

/// Characters that change how a text shows without showing themselves: controls (C0, DEL,
/// C1), the soft hyphen, zero-width characters, bidirectional marks, embeddings, overrides
/// and isolates, word joiners and invisible operators, the byte-order mark, interlinear
/// annotation and tag characters. A name holding one can look like another person's name
/// (a second record that escapes a match) or reorder the text around it on a reviewer's screen.
pub fn is_hidden_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

fn text(v: &mut Violations, field: &str, value: &Option<String>, max: usize) -> Option<String> {
    let s = required(v, field, value)?;
    if let Some(c) = s.chars().find(|c| is_hidden_character(*c)) {
        v.push(
            field,
            codes::INVALID_CHARACTERS,
            format!("{field} holds the invisible or control character U+{:04X}", u32::from(c)),
        );
        return None;
    }
    if s.chars().count() > max {
        v.push(field, "too_long", format!("{field} has at most {max} characters"));
        return None;
    }
    Some(s.to_string())
}

/// Parses the fields of a submission. Reports every problem, never only the first.
pub fn parse_submission(input: &SubmissionInput) -> Result<NewCase, Violations> {
    let rules = IntakeRules::embedded();
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
        .and_then(|s| v.take("applicant.nationality", Nationality::foreign(s, &rules.citizen_nationalities.value)));
    let earliest = rules.earliest_birth_date.value;
    let birth_date = date(&mut v, "applicant.birth_date", &a.birth_date).filter(|d| {
        let plausible = *d >= earliest;
        if !plausible {
            v.push(
                "applicant.birth_date",
                codes::BIRTH_DATE_TOO_EARLY,
                format!("applicant.birth_date {d} is before {earliest}: nobody born then takes up work"),
            );
        }
        plausible
    });
    let passport_number = required(&mut v, "applicant.passport_number", &a.passport_number)
        .and_then(|s| v.take("applicant.passport_number", PassportNumber::parse(s)));
    let passport_expiry = date(&mut v, "applicant.passport_expiry", &a.passport_expiry);

    let p = &input.position;
    let title = text(&mut v, "position.title", &p.title, 200);
    let max_salary = rules.max_annual_salary_cny.value;
    let salary = match p.annual_salary_cny.map(u64::try_from) {
        Some(Ok(s)) if s > max_salary => {
            v.push(
                "position.annual_salary_cny",
                codes::SALARY_ABOVE_BOUND,
                format!("position.annual_salary_cny {s} is above the plausible bound of {max_salary} CNY a year"),
            );
            None
        }
        Some(Ok(s)) if s > 0 => Some(s),
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
    let sector = match p.sector.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => v.take("position.sector", s.parse::<Sector>()),
        None => None,
    };
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
            position: Position { title, annual_salary_cny, start_date, contract_months, sector },
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

    fn codes_of(err: &Violations) -> Vec<(&str, &str)> {
        err.0.iter().map(|v| (v.field.as_str(), v.code.as_str())).collect()
    }

    #[test]
    fn a_chinese_citizen_is_refused_and_a_former_chinese_national_is_not() {
        let mut input = valid_input();
        input.applicant.nationality = Some("chn".into());
        let err = parse_submission(&input).unwrap_err();
        assert_eq!(codes_of(&err), [("applicant.nationality", codes::NATIONALITY_CHINESE)]);
        // A former Chinese national applies with the present nationality and claims the row.
        input.applicant.nationality = Some("CAN".into());
        input.profile.chinese = Some("former_chinese_national".into());
        assert_eq!(parse_submission(&input).unwrap().applicant.nationality.as_str(), "CAN");
    }

    #[test]
    fn birth_dates_before_1900_and_years_that_are_not_four_digits_are_refused() {
        let mut input = valid_input();
        input.applicant.birth_date = Some("1899-12-31".into());
        assert_eq!(
            codes_of(&parse_submission(&input).unwrap_err()),
            [("applicant.birth_date", codes::BIRTH_DATE_TOO_EARLY)]
        );
        input.applicant.birth_date = Some("1900-01-01".into());
        assert!(parse_submission(&input).is_ok(), "the bound itself is allowed");
        for bad in ["-0001-05-01", "-1988-04-02", "+1988-04-02", "19880-04-02", "1988-4-2"] {
            input.applicant.birth_date = Some(bad.into());
            assert_eq!(
                codes_of(&parse_submission(&input).unwrap_err()),
                [("applicant.birth_date", "invalid_date")],
                "{bad}"
            );
        }
        assert_eq!(parse_date("2027-01-04"), NaiveDate::from_ymd_opt(2027, 1, 4));
        assert_eq!(parse_date("2027-02-30"), None);
    }

    #[test]
    fn a_salary_above_the_sanity_bound_is_refused_before_classification() {
        let mut input = valid_input();
        let max = IntakeRules::embedded().max_annual_salary_cny.value;
        assert_eq!(max, 100_000_000);
        input.position.annual_salary_cny = Some(max as i64);
        assert!(parse_submission(&input).is_ok());
        for bad in [max as i64 + 1, i64::MAX] {
            input.position.annual_salary_cny = Some(bad);
            let err = parse_submission(&input).unwrap_err();
            assert_eq!(codes_of(&err), [("position.annual_salary_cny", codes::SALARY_ABOVE_BOUND)]);
        }
        input.position.annual_salary_cny = Some(i64::MIN);
        assert_eq!(codes_of(&parse_submission(&input).unwrap_err()), [("position.annual_salary_cny", "not_positive")]);
    }

    #[test]
    fn names_with_control_zero_width_or_bidi_characters_are_refused() {
        for (name, hidden) in [
            ("SMI\u{0007}TH", 0x07),
            ("SMITH\u{200B}", 0x200B),
            ("SM\u{200D}ITH", 0x200D),
            ("\u{202E}HTIMS", 0x202E),
            ("SMITH\u{2066}X", 0x2066),
            ("\u{FEFF}SMITH", 0xFEFF),
            ("SMI\nTH", 0x0A),
            ("SMITH\u{E0041}", 0xE0041),
        ] {
            let mut input = valid_input();
            input.applicant.surname = Some(name.into());
            input.applicant.given_names = Some(format!("JOHN{name}"));
            let err = parse_submission(&input).unwrap_err();
            assert_eq!(
                codes_of(&err),
                [
                    ("applicant.surname", codes::INVALID_CHARACTERS),
                    ("applicant.given_names", codes::INVALID_CHARACTERS)
                ],
                "{name:?}"
            );
            assert!(err.0[0].message.contains(&format!("U+{hidden:04X}")), "{}", err.0[0].message);
        }
        // Letters of every script, apostrophes, hyphens and spaces stay.
        let mut input = valid_input();
        input.applicant.surname = Some("O'NEILL-MÜLLER ŁUKASZ Ñ Ωμέγα Иванов".into());
        assert!(parse_submission(&input).is_ok());
    }

    #[test]
    fn the_sector_is_a_listed_code_or_absent() {
        let mut input = valid_input();
        input.position.sector = Some(" medical_practice ".into());
        assert_eq!(parse_submission(&input).unwrap().position.sector, Some(Sector::MedicalPractice));
        input.position.sector = Some("".into());
        assert_eq!(parse_submission(&input).unwrap().position.sector, None);
        input.position.sector = Some("news".into());
        assert_eq!(codes_of(&parse_submission(&input).unwrap_err()), [("position.sector", "unknown_value")]);
    }

    #[test]
    fn the_embedded_intake_rules_parse_and_keep_their_sources() {
        let r = IntakeRules::from_json(INTAKE_RULES_JSON).unwrap();
        assert_eq!(r.citizen_nationalities.value, ["CHN"]);
        assert!(!r.citizen_nationalities.sources.is_empty());
        assert_eq!(r.earliest_birth_date.value, NaiveDate::from_ymd_opt(1900, 1, 1).unwrap());
        let bad = INTAKE_RULES_JSON.replace("100000000", "9223372036854775807");
        assert!(matches!(IntakeRules::from_json(&bad), Err(DataError::Invalid { .. })));
        let bad = INTAKE_RULES_JSON.replace("\"CHN\"", "\"ZZZ\"");
        assert!(matches!(IntakeRules::from_json(&bad), Err(DataError::Invalid { .. })));
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
