//! Acceptance conditions (受理条件): named checks with stable codes, run on a parsed case (or,
//! best effort, on a submission that did not parse) so that every violated condition is
//! reported at once, never only the first.
//!
//! The conditions follow the basic eligibility of FACTS §1.6: an adult applicant, a lawful
//! employer without a serious-dishonesty record, pay of at least the local minimum wage,
//! plus the documents any work permit needs, a post that has not started before the
//! submission, and the sector pre-approval of `data/sectors.json`. Where data is unknown (the minimum-wage tier of
//! an area) the check makes the strict assumption and says so in a [`Note`].

use std::collections::BTreeSet;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::wire_enum;
use crate::classification::{PointsTable, age_on};
use crate::data::is_region_code;
use crate::ids::CreditCode;
use crate::intake::{NewCase, SubmissionInput, parse_date};
use crate::materials::MaterialKind;
use crate::province::ProvinceProfile;
use crate::sectors::Sector;
use crate::violation::{Note, Violation, Violations};

const DISHONESTY_JSON: &str = include_str!("../data/dishonesty_list.json");

wire_enum!(
    /// A named acceptance condition.
    Condition {
        /// The credit code is well-formed (guaranteed once the case parsed).
        EmployerCreditCode => "employer_credit_code",
        /// The employer is not on the serious-dishonesty list.
        EmployerNotDishonest => "employer_not_dishonest",
        /// The employer is registered in a real division (prefecture or county) of the
        /// province of the service.
        EmployerInProvince => "employer_in_province",
        /// Monthly pay reaches the minimum wage of the employer's tier on the submission date.
        MinimumWage => "minimum_wage",
        /// A sector pre-approval is present where the post's sector needs one.
        SectorPreapproval => "sector_preapproval",
        /// The post starts on the submission date or later: a permit is applied for before
        /// the work begins, never for work already under way.
        StartDateNotPast => "start_date_not_past",
        /// The applicant is at least 18 on the submission date.
        ApplicantAdult => "applicant_adult",
        /// The passport covers the contract period and the minimum validity.
        PassportValidity => "passport_validity",
        /// The nationality is an ISO 3166-1 alpha-3 code (guaranteed once the case parsed).
        Nationality => "nationality",
        /// Criminal record certificate, health certificate and highest degree are present.
        RequiredCertificates => "required_certificates",
    }
);

/// Stable violation codes of the conditions.
pub mod codes {
    pub const EMPLOYER_DISHONEST: &str = "employer_dishonest";
    pub const REGION_OUTSIDE_PROVINCE: &str = "region_outside_province";
    /// Under the province's prefix but no prefecture or county of it (`629999`).
    pub const REGION_UNKNOWN: &str = "unknown_region_code";
    pub const START_DATE_IN_PAST: &str = "start_date_in_past";
    pub const SALARY_BELOW_MINIMUM_WAGE: &str = "salary_below_minimum_wage";
    pub const SECTOR_PREAPPROVAL_MISSING: &str = "sector_preapproval_missing";
    pub const APPLICANT_UNDER_18: &str = "applicant_under_18";
    /// The passport has already expired (the code of API.md's example).
    pub const PASSPORT_EXPIRED: &str = "expired";
    pub const PASSPORT_VALIDITY_TOO_SHORT: &str = "passport_validity_too_short";
    pub const MATERIAL_MISSING: &str = "material_missing";
}

/// Certificates every work permit needs (FACTS §1.6: healthy, no criminal record).
pub const REQUIRED_CERTIFICATES: [MaterialKind; 3] = [
    MaterialKind::CriminalRecordCertificate,
    MaterialKind::HealthCertificate,
    MaterialKind::HighestDegreeOrQualification,
];

/// Employers on the serious-dishonesty list, by unified social credit code. Starts from
/// the embedded (empty) file; the service swaps it at runtime through an admin endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DishonestyList {
    credit_codes: BTreeSet<String>,
    pub updated_on: Option<NaiveDate>,
    pub source: Option<String>,
}

#[derive(Deserialize)]
struct DishonestyFile {
    #[serde(default)]
    updated_on: Option<NaiveDate>,
    #[serde(default)]
    source: Option<String>,
    credit_codes: Vec<String>,
}

impl DishonestyList {
    /// The embedded list (empty).
    pub fn embedded() -> DishonestyList {
        // Checked by the tests of this module; an unreadable file would mean an empty list.
        Self::from_json(DISHONESTY_JSON).unwrap_or_default()
    }

    /// Parses `{"credit_codes": [...], "updated_on": "YYYY-MM-DD"?, "source": "..."?}`,
    /// reporting every malformed code (`credit_codes[i]`).
    pub fn from_json(json: &str) -> Result<DishonestyList, Violations> {
        let mut v = Violations::new();
        let file: DishonestyFile = match serde_json::from_str(json) {
            Ok(f) => f,
            Err(e) => {
                v.push("", "invalid_json", format!("the list must be {{\"credit_codes\": [...]}}: {e}"));
                return Err(v);
            }
        };
        let mut credit_codes = BTreeSet::new();
        for (i, code) in file.credit_codes.iter().enumerate() {
            if let Some(c) = v.take(&format!("credit_codes[{i}]"), CreditCode::parse(code)) {
                credit_codes.insert(c.as_str().to_string());
            }
        }
        v.into_result(|| DishonestyList { credit_codes, updated_on: file.updated_on, source: file.source })
    }

    /// Builds a list from parsed codes.
    pub fn from_codes(codes: impl IntoIterator<Item = CreditCode>) -> DishonestyList {
        DishonestyList {
            credit_codes: codes.into_iter().map(|c| c.as_str().to_string()).collect(),
            ..Default::default()
        }
    }

    /// Swaps the whole list (the admin endpoint's update).
    pub fn replace(&mut self, other: DishonestyList) {
        *self = other;
    }

    pub fn contains(&self, code: &CreditCode) -> bool {
        self.credit_codes.contains(code.as_str())
    }

    pub fn len(&self) -> usize {
        self.credit_codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.credit_codes.is_empty()
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.credit_codes.iter().map(String::as_str)
    }
}

/// Everything the conditions, the classification and the deadlines depend on.
#[derive(Debug, Clone)]
pub struct Rules {
    pub province: ProvinceProfile,
    pub points: PointsTable,
    pub calendar: Calendar,
    pub dishonesty: DishonestyList,
    /// The passport must be valid at least this many months from the submission date.
    pub min_passport_validity_months: u32,
    /// Accept category A with missing online materials (容缺受理, FACTS §1.4), listing
    /// them as to be supplied. Off by default.
    pub accept_a_with_missing_materials: bool,
}

impl Rules {
    /// Gansu's embedded profile, the default points table, the embedded calendar and list.
    pub fn gansu() -> Rules {
        Rules::for_province(ProvinceProfile::gansu())
    }

    /// Rules with the settings of a province profile.
    pub fn for_province(province: ProvinceProfile) -> Rules {
        Rules {
            min_passport_validity_months: province.min_passport_validity_months.value,
            province,
            points: PointsTable::default_variant(),
            calendar: Calendar::embedded(),
            dishonesty: DishonestyList::embedded(),
            accept_a_with_missing_materials: false,
        }
    }
}

/// The outcome of the conditions: every violation, and the notes on assumptions made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessment {
    pub violations: Violations,
    pub notes: Vec<Note>,
}

impl Assessment {
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }
}

/// The values the conditions look at; `None` where the submission did not carry a valid one
/// (that field's own violation is reported by intake).
#[derive(Debug, Default)]
struct Facts<'a> {
    credit_code: Option<CreditCode>,
    region_code: Option<&'a str>,
    sector_preapproval: Option<&'a str>,
    annual_salary_cny: Option<u64>,
    sector: Option<Sector>,
    start_date: Option<NaiveDate>,
    contract_months: Option<u32>,
    birth_date: Option<NaiveDate>,
    passport_expiry: Option<NaiveDate>,
    materials: BTreeSet<MaterialKind>,
}

/// Checks every acceptance condition of a parsed case on the submission date `today`.
pub fn assess(case: &NewCase, today: NaiveDate, rules: &Rules) -> Assessment {
    let facts = Facts {
        credit_code: Some(case.employer.credit_code.clone()),
        region_code: Some(&case.employer.region_code),
        sector_preapproval: case.employer.sector_preapproval.as_deref(),
        annual_salary_cny: Some(case.position.annual_salary_cny),
        sector: case.position.sector,
        start_date: Some(case.position.start_date),
        contract_months: Some(case.position.contract_months),
        birth_date: Some(case.applicant.birth_date),
        passport_expiry: Some(case.applicant.passport_expiry),
        materials: case.materials.iter().map(|m| m.kind).collect(),
    };
    run(&facts, today, rules)
}

/// Checks the conditions on whatever a submission carries validly, so that a submission
/// with field errors still gets its violated conditions in the same notice.
pub fn assess_submission(input: &SubmissionInput, today: NaiveDate, rules: &Rules) -> Assessment {
    let date = |s: &Option<String>| s.as_deref().and_then(|s| parse_date(s.trim()));
    fn text(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let facts = Facts {
        credit_code: input.employer.credit_code.as_deref().and_then(|s| CreditCode::parse(s).ok()),
        region_code: text(&input.employer.region_code).filter(|s| is_region_code(s)),
        sector_preapproval: text(&input.employer.sector_preapproval),
        annual_salary_cny: input.position.annual_salary_cny.and_then(|s| u64::try_from(s).ok()).filter(|s| *s > 0),
        sector: text(&input.position.sector).and_then(|s| s.parse().ok()),
        start_date: date(&input.position.start_date),
        contract_months: input
            .position
            .contract_months
            .and_then(|m| u32::try_from(m).ok())
            .filter(|m| (1..=120).contains(m)),
        birth_date: date(&input.applicant.birth_date),
        passport_expiry: date(&input.applicant.passport_expiry),
        materials: input.materials.iter().filter_map(|m| m.kind.as_deref()?.trim().parse().ok()).collect(),
    };
    run(&facts, today, rules)
}

fn run(f: &Facts<'_>, today: NaiveDate, rules: &Rules) -> Assessment {
    let mut a = Assessment::default();
    let v = &mut a.violations;
    let notes = &mut a.notes;

    // Employer: credit code well-formed is guaranteed by its type; the list is checked here.
    if let Some(code) = &f.credit_code
        && rules.dishonesty.contains(code)
    {
        v.push(
            "employer.credit_code",
            codes::EMPLOYER_DISHONEST,
            format!("employer {code} is on the serious-dishonesty list"),
        );
    }

    if let Some(region) = f.region_code {
        let p = &rules.province;
        if !p.contains_region(region) {
            v.push(
                "employer.region_code",
                codes::REGION_OUTSIDE_PROVINCE,
                format!("employer.region_code {region} is not in {} ({})", p.name_en, p.code),
            );
        } else if !p.is_division(region) {
            v.push(
                "employer.region_code",
                codes::REGION_UNKNOWN,
                format!("employer.region_code {region} is no prefecture or county of {} (GB/T 2260)", p.name_en),
            );
        }
    }

    if let (Some(salary), Some(region)) = (f.annual_salary_cny, f.region_code) {
        match rules.province.minimum_wage_on(today, region) {
            Some(min) => {
                // Rounding down loses nothing: with a whole-CNY minimum, annual / 12 (floor)
                // ≥ minimum exactly when annual ≥ 12 × minimum.
                let monthly = salary / 12;
                if monthly < u64::from(min.monthly_cny) {
                    v.push(
                        "position.annual_salary_cny",
                        codes::SALARY_BELOW_MINIMUM_WAGE,
                        format!(
                            "monthly salary {monthly} CNY (annual / 12, rounded down) is below the minimum wage of {} CNY \
                             (tier {}, set {}) on {today}",
                            min.monthly_cny, min.tier, min.set_id
                        ),
                    );
                }
                notes.extend(min.notes);
            }
            None => notes.push(Note::new(
                "minimum_wage_unknown",
                format!("no minimum wage is known for {today}; the minimum-wage condition was not checked"),
            )),
        }
    }

    // Every listed sector needs its authority's approval: that is what puts it on the list.
    if let Some(sector) = f.sector
        && f.sector_preapproval.is_none()
    {
        let info = sector.info();
        v.0.push(
            Violation::new(
                "employer.sector_preapproval",
                codes::SECTOR_PREAPPROVAL_MISSING,
                format!("posts in {} need the prior approval of {}", info.name_en, info.authority_en.to_lowercase()),
            )
            .with_zh(format!("{}岗位须先取得{}的前置审批，请填写批准文号", info.name_zh, info.authority_zh)),
        );
    }

    if let Some(start) = f.start_date
        && start < today
    {
        v.push(
            "position.start_date",
            codes::START_DATE_IN_PAST,
            format!("position.start_date {start} is before the submission date {today}"),
        );
    }

    // Applicant.
    if let Some(birth) = f.birth_date {
        let age = age_on(birth, today);
        if age < 18 {
            v.push(
                "applicant.birth_date",
                codes::APPLICANT_UNDER_18,
                format!("the applicant is {age} on {today}; at least 18 is required"),
            );
        }
    }

    if let Some(expiry) = f.passport_expiry {
        let minimum = today.checked_add_months(Months::new(rules.min_passport_validity_months));
        // The contract ends on start + months; the passport must still be valid that day.
        let contract_end = f
            .start_date
            .zip(f.contract_months)
            .and_then(|(start, months)| start.checked_add_months(Months::new(months)));
        let required = minimum.max(contract_end);
        if expiry < today {
            v.push("applicant.passport_expiry", codes::PASSPORT_EXPIRED, format!("the passport expired on {expiry}"));
        } else if let Some(required) = required
            && expiry < required
        {
            let why = if contract_end == Some(required) {
                "the end of the contract period".to_string()
            } else {
                format!("{} months from the submission date", rules.min_passport_validity_months)
            };
            v.push(
                "applicant.passport_expiry",
                codes::PASSPORT_VALIDITY_TOO_SHORT,
                format!("the passport expires on {expiry}; it must be valid until {required} ({why})"),
            );
        }
    }

    for kind in REQUIRED_CERTIFICATES {
        if !f.materials.contains(&kind) {
            v.push(format!("materials.{kind}"), codes::MATERIAL_MISSING, format!("the material {kind} is required"));
        }
    }

    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::{MaterialRefInput, parse_submission};
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const TODAY: &str = "2026-03-02";

    /// A submission meeting every condition on 2026-03-02.
    fn good() -> SubmissionInput {
        let mut input: SubmissionInput = serde_json::from_value(json!({
            "employer": {"credit_code": "91350100M000100Y43", "name": "Lanzhou Example Co.", "region_code": "620100", "kind": "enterprise"},
            "applicant": {"surname": "SMITH", "given_names": "JOHN", "sex": "M", "nationality": "GBR",
                          "birth_date": "1988-04-02", "passport_number": "E12345678", "passport_expiry": "2031-05-01"},
            "position": {"title": "Engineer", "annual_salary_cny": 300000, "start_date": "2026-04-01", "contract_months": 24},
            "items": ["work_permit"]
        }))
        .unwrap();
        input.materials = REQUIRED_CERTIFICATES
            .iter()
            .enumerate()
            .map(|(i, k)| MaterialRefInput { kind: Some(k.as_str().into()), id: Some(format!("m{i}")), facts: None })
            .collect();
        input
    }

    fn check(input: &SubmissionInput, today: &str, rules: &Rules) -> Assessment {
        let case = parse_submission(input).unwrap();
        let a = assess(&case, d(today), rules);
        // The best-effort variant agrees on a submission that parses.
        assert_eq!(assess_submission(input, d(today), rules), a);
        a
    }

    fn codes_of(a: &Assessment) -> Vec<(String, String)> {
        a.violations.0.iter().map(|v| (v.field.clone(), v.code.clone())).collect()
    }

    fn one(field: &str, code: &str) -> Vec<(String, String)> {
        vec![(field.to_string(), code.to_string())]
    }

    #[test]
    fn a_good_case_meets_every_condition() {
        let a = check(&good(), TODAY, &Rules::gansu());
        assert!(a.is_ok(), "{:?}", a.violations);
        assert!(a.notes.iter().any(|n| n.code == "minimum_wage_tier_unknown"));
    }

    #[test]
    fn dishonest_employer_alone() {
        let mut rules = Rules::gansu();
        rules.dishonesty.replace(DishonestyList::from_codes([CreditCode::parse("91350100M000100Y43").unwrap()]));
        assert_eq!(codes_of(&check(&good(), TODAY, &rules)), one("employer.credit_code", codes::EMPLOYER_DISHONEST));
    }

    #[test]
    fn employer_outside_the_province_alone() {
        let mut input = good();
        input.employer.region_code = Some("110105".into());
        let a = check(&input, TODAY, &Rules::gansu());
        assert_eq!(codes_of(&a), one("employer.region_code", codes::REGION_OUTSIDE_PROVINCE));
    }

    #[test]
    fn minimum_wage_on_both_sides_of_2025_12_01() {
        let rules = Rules::gansu();
        let mut input = good();
        // 2,100 a month: above set 1's tier I (2,020), below set 2's tier I (2,200).
        input.position.annual_salary_cny = Some(25_200);
        assert!(check(&input, "2025-11-30", &rules).is_ok());
        let a = check(&input, "2025-12-01", &rules);
        assert_eq!(codes_of(&a), one("position.annual_salary_cny", codes::SALARY_BELOW_MINIMUM_WAGE));
        assert!(a.violations.0[0].message.contains("2200"));
        // Exactly 12 × 2,200 passes; one CNY less does not (floor of annual / 12).
        input.position.annual_salary_cny = Some(26_400);
        assert!(check(&input, "2025-12-01", &rules).is_ok());
        input.position.annual_salary_cny = Some(26_399);
        assert!(!check(&input, "2025-12-01", &rules).is_ok());
        // Before: 12 × 2,020 passes, one less fails.
        input.position.annual_salary_cny = Some(24_240);
        assert!(check(&input, "2025-06-01", &rules).is_ok());
        input.position.annual_salary_cny = Some(24_239);
        let a = check(&input, "2025-06-01", &rules);
        assert!(!a.is_ok());
        assert!(a.notes.iter().any(|n| n.code == "minimum_wage_start_unknown"));
    }

    #[test]
    fn unknown_tier_applies_tier_one_with_a_note_and_a_known_tier_is_used() {
        let mut rules = Rules::gansu();
        let mut input = good();
        input.employer.region_code = Some("621102".into());
        input.position.annual_salary_cny = Some(12 * 2_100);
        let a = check(&input, TODAY, &rules);
        assert_eq!(codes_of(&a), one("position.annual_salary_cny", codes::SALARY_BELOW_MINIMUM_WAGE));
        let note = a.notes.iter().find(|n| n.code == "minimum_wage_tier_unknown").expect("note");
        assert!(note.message.contains("tier I"));
        // Once Dingxi is known to be tier III (2,080), 2,100 a month is enough.
        rules.province.minimum_wage.sets[1].tier_by_area.insert("621100".into(), "III".into());
        let a = check(&input, TODAY, &rules);
        assert!(a.is_ok());
        assert!(!a.notes.iter().any(|n| n.code == "minimum_wage_tier_unknown"));
    }

    #[test]
    fn sector_preapproval_alone() {
        let rules = Rules::gansu();
        let mut input = good();
        assert!(check(&input, TODAY, &rules).is_ok(), "no sector: no pre-approval needed");
        for sector in Sector::ALL {
            input.position.sector = Some(sector.as_str().into());
            input.employer.sector_preapproval = None;
            let a = check(&input, TODAY, &rules);
            assert_eq!(codes_of(&a), one("employer.sector_preapproval", codes::SECTOR_PREAPPROVAL_MISSING));
            let zh = a.violations.0[0].message_zh.as_deref().unwrap_or_default();
            assert!(zh.contains(&sector.info().name_zh), "{zh}");
            input.employer.sector_preapproval = Some("教外办〔2026〕1号".into());
            assert!(check(&input, TODAY, &rules).is_ok());
        }
    }

    #[test]
    fn a_start_date_before_the_submission_alone() {
        let mut input = good();
        input.position.start_date = Some("2026-03-01".into());
        let a = check(&input, TODAY, &Rules::gansu());
        assert_eq!(codes_of(&a), one("position.start_date", codes::START_DATE_IN_PAST));
        input.position.start_date = Some(TODAY.into());
        assert!(check(&input, TODAY, &Rules::gansu()).is_ok(), "starting on the day is fine");
    }

    #[test]
    fn a_code_under_the_prefix_that_is_no_division_alone() {
        let mut input = good();
        for code in ["629999", "620000", "620101", "620171"] {
            input.employer.region_code = Some(code.into());
            let a = check(&input, TODAY, &Rules::gansu());
            assert_eq!(codes_of(&a), one("employer.region_code", codes::REGION_UNKNOWN), "{code}");
        }
        for code in ["620100", "623027", "620201"] {
            input.employer.region_code = Some(code.into());
            assert!(check(&input, TODAY, &Rules::gansu()).is_ok(), "{code}");
        }
    }

    #[test]
    fn applicant_under_18_alone() {
        let mut input = good();
        input.applicant.birth_date = Some("2008-03-03".into());
        assert_eq!(
            codes_of(&check(&input, TODAY, &Rules::gansu())),
            one("applicant.birth_date", codes::APPLICANT_UNDER_18)
        );
        input.applicant.birth_date = Some("2008-03-02".into());
        assert!(check(&input, TODAY, &Rules::gansu()).is_ok(), "18 on the day");
    }

    #[test]
    fn passport_must_cover_the_contract_or_six_months_whichever_is_later() {
        let rules = Rules::gansu();
        let mut input = good();
        // Contract 2026-04-01 + 24 months = 2028-04-01.
        input.applicant.passport_expiry = Some("2028-03-31".into());
        let a = check(&input, TODAY, &rules);
        assert_eq!(codes_of(&a), one("applicant.passport_expiry", codes::PASSPORT_VALIDITY_TOO_SHORT));
        assert!(a.violations.0[0].message.contains("2028-04-01"));
        input.applicant.passport_expiry = Some("2028-04-01".into());
        assert!(check(&input, TODAY, &rules).is_ok());
        // A short contract: six months from today (2026-09-02) is later.
        input.position.contract_months = Some(1);
        input.applicant.passport_expiry = Some("2026-09-01".into());
        let a = check(&input, TODAY, &rules);
        assert!(a.violations.0[0].message.contains("6 months"));
        input.applicant.passport_expiry = Some("2026-09-02".into());
        assert!(check(&input, TODAY, &rules).is_ok());
        // Configurable minimum.
        let mut strict = rules.clone();
        strict.min_passport_validity_months = 12;
        assert!(!check(&input, TODAY, &strict).is_ok());
        // Already expired.
        input.applicant.passport_expiry = Some("2026-03-01".into());
        assert_eq!(codes_of(&check(&input, TODAY, &rules)), one("applicant.passport_expiry", codes::PASSPORT_EXPIRED));
    }

    #[test]
    fn each_required_certificate_alone() {
        for kind in REQUIRED_CERTIFICATES {
            let mut input = good();
            input.materials.retain(|m| m.kind.as_deref() != Some(kind.as_str()));
            let a = check(&input, TODAY, &Rules::gansu());
            assert_eq!(codes_of(&a), one(&format!("materials.{kind}"), codes::MATERIAL_MISSING));
        }
    }

    #[test]
    fn all_violations_are_reported_together() {
        let mut rules = Rules::gansu();
        rules.dishonesty.replace(DishonestyList::from_codes([CreditCode::parse("91350100M000100Y43").unwrap()]));
        let mut input = good();
        input.position.sector = Some("education".into());
        input.position.annual_salary_cny = Some(12_000);
        input.applicant.birth_date = Some("2010-01-01".into());
        input.applicant.passport_expiry = Some("2026-01-01".into());
        input.materials.clear();
        input.position.start_date = Some("2026-03-01".into());
        let a = check(&input, TODAY, &rules);
        let got: Vec<String> = a.violations.0.iter().map(|v| v.code.clone()).collect();
        assert_eq!(
            got,
            [
                codes::EMPLOYER_DISHONEST,
                codes::SALARY_BELOW_MINIMUM_WAGE,
                codes::SECTOR_PREAPPROVAL_MISSING,
                codes::START_DATE_IN_PAST,
                codes::APPLICANT_UNDER_18,
                codes::PASSPORT_EXPIRED,
                codes::MATERIAL_MISSING,
                codes::MATERIAL_MISSING,
                codes::MATERIAL_MISSING,
            ]
        );
        // Outside the province too (then the minimum wage still applies to the code given).
        input.employer.region_code = Some("110105".into());
        assert_eq!(check(&input, TODAY, &rules).violations.len(), 10);
    }

    #[test]
    fn a_submission_with_field_errors_still_gets_its_conditions_checked() {
        let mut input = good();
        input.applicant.nationality = Some("XXX".into());
        input.applicant.birth_date = Some("2012-01-01".into());
        input.position.start_date = Some("soon".into());
        assert!(parse_submission(&input).is_err());
        let a = assess_submission(&input, d(TODAY), &Rules::gansu());
        assert_eq!(codes_of(&a), one("applicant.birth_date", codes::APPLICANT_UNDER_18));
    }

    #[test]
    fn the_dishonesty_list_loads_reports_bad_codes_and_is_replaceable() {
        let embedded = DishonestyList::from_json(DISHONESTY_JSON).unwrap();
        assert!(embedded.is_empty());
        assert_eq!(DishonestyList::embedded(), embedded);
        let err = DishonestyList::from_json(r#"{"credit_codes": ["91350100M000100Y43", "91350100M000100Y44", "x"]}"#)
            .unwrap_err();
        let got: Vec<(&str, &str)> = err.0.iter().map(|v| (v.field.as_str(), v.code.as_str())).collect();
        assert_eq!(got, [("credit_codes[1]", "credit_code_check"), ("credit_codes[2]", "credit_code_length")]);
        assert_eq!(DishonestyList::from_json("[]").unwrap_err().0[0].code, "invalid_json");
        let mut list = DishonestyList::embedded();
        let new = DishonestyList::from_json(
            r#"{"credit_codes": [" 91350100m000100y43 "], "updated_on": "2026-05-01", "source": "credit china"}"#,
        )
        .unwrap();
        list.replace(new);
        assert_eq!(list.len(), 1);
        assert!(list.contains(&CreditCode::parse("91350100M000100Y43").unwrap()));
        assert_eq!(list.codes().collect::<Vec<_>>(), ["91350100M000100Y43"]);
        assert_eq!(list.updated_on, Some(d("2026-05-01")));
    }

    #[test]
    fn condition_names_are_stable() {
        assert_eq!(Condition::ALL.len(), 10);
        assert_eq!(Condition::MinimumWage.as_str(), "minimum_wage");
        assert_eq!(serde_json::to_value(Condition::PassportValidity).unwrap(), "passport_validity");
    }
}
