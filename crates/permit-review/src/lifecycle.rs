//! What may happen to an issued permit, as pure checks: a change of employer details or
//! position, an extension, a cancellation. Each returns every problem of its request at
//! once; the desk applies the result in one transaction with its event.

use chrono::NaiveDate;
use domain::Violations;
use domain::case::Category;
use domain::conditions::codes;
use domain::province::ProvinceProfile;
use onething_proto::events as ev;

use crate::rules::{self, ValidityLimit};

/// Longest free text kept (names, titles, reasons, notes).
const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 1000;

/// Requested changes; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermitChange {
    pub employer_name: Option<String>,
    pub employer_region_code: Option<String>,
    pub position_title: Option<String>,
    pub annual_salary_cny: Option<i64>,
}

fn text(v: &mut Violations, field: &str, value: &str, max: usize) -> Option<String> {
    let t = value.trim();
    if t.is_empty() {
        v.push(field, "required", format!("{field} must not be empty"));
        None
    } else if let Some(c) = t.chars().find(|c| domain::intake::is_hidden_character(*c)) {
        v.push(
            field,
            domain::intake::codes::INVALID_CHARACTERS,
            format!("{field} holds the invisible or control character U+{:04X}", u32::from(c)),
        );
        None
    } else if t.chars().count() > max {
        v.push(field, "too_long", format!("{field} has at most {max} characters"));
        None
    } else {
        Some(t.to_string())
    }
}

/// Applies `change` to the stored application and returns the fields whose value changed
/// (empty when every given value equals the current one). The new values meet the same
/// rules as at intake: a 6-digit region code inside the province, a salary above 0 and at
/// least the local minimum wage on `today`.
pub fn apply_change(
    application: &mut ev::CaseAccepted,
    change: &PermitChange,
    province: &ProvinceProfile,
    today: NaiveDate,
) -> Result<Vec<String>, Violations> {
    let mut v = Violations::new();
    if change == &PermitChange::default() {
        v.push(
            "",
            "nothing_to_change",
            "give at least one of employer.name, employer.region_code, position.title, position.annual_salary_cny",
        );
        return Err(v);
    }
    let name = change.employer_name.as_deref().and_then(|n| text(&mut v, "employer.name", n, MAX_NAME));
    let region = change.employer_region_code.as_deref().and_then(|r| {
        let r = r.trim();
        if !(r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit())) {
            v.push("employer.region_code", "invalid_region_code", "employer.region_code is a 6-digit GB/T 2260 code");
            None
        } else if !province.contains_region(r) {
            v.push(
                "employer.region_code",
                codes::REGION_OUTSIDE_PROVINCE,
                format!("employer.region_code {r} is not in {} ({})", province.name_en, province.code),
            );
            None
        } else if !province.is_division(r) {
            v.push(
                "employer.region_code",
                codes::REGION_UNKNOWN,
                format!("employer.region_code {r} is no prefecture or county of {} (GB/T 2260)", province.name_en),
            );
            None
        } else {
            Some(r.to_string())
        }
    });
    let title = change.position_title.as_deref().and_then(|t| text(&mut v, "position.title", t, MAX_NAME));
    let max_salary = domain::intake::IntakeRules::embedded().max_annual_salary_cny.value;
    let salary = change.annual_salary_cny.and_then(|s| {
        if u64::try_from(s).is_ok_and(|s| s > max_salary) {
            v.push(
                "position.annual_salary_cny",
                domain::intake::codes::SALARY_ABOVE_BOUND,
                format!("position.annual_salary_cny {s} is above the plausible bound of {max_salary} CNY a year"),
            );
            None
        } else if s > 0 {
            Some(s)
        } else {
            v.push("position.annual_salary_cny", "not_positive", "position.annual_salary_cny must be above 0");
            None
        }
    });
    let mut employer = application.employer.clone().unwrap_or_default();
    let mut position = application.position.clone().unwrap_or_default();
    // The minimum wage is checked whenever the salary or the place of work changes.
    let wage_region = region.clone().unwrap_or_else(|| employer.region_code.clone());
    let wage_salary = salary.unwrap_or(position.annual_salary_cny);
    if (salary.is_some() || region.is_some())
        && let Some(min) = province.minimum_wage_on(today, &wage_region)
        && (wage_salary.max(0) as u64) / 12 < u64::from(min.monthly_cny)
    {
        v.push(
            "position.annual_salary_cny",
            codes::SALARY_BELOW_MINIMUM_WAGE,
            format!(
                "monthly salary {} CNY (annual / 12, rounded down) is below the minimum wage of {} CNY in {wage_region} on {today}",
                wage_salary.max(0) / 12,
                min.monthly_cny
            ),
        );
    }
    if !v.is_empty() {
        return Err(v);
    }
    let mut changed = Vec::new();
    if let Some(n) = name.filter(|n| *n != employer.name) {
        employer.name = n;
        changed.push("employer.name".to_string());
    }
    if let Some(r) = region.filter(|r| *r != employer.region_code) {
        employer.region_code = r;
        changed.push("employer.region_code".to_string());
    }
    if let Some(t) = title.filter(|t| *t != position.title) {
        position.title = t;
        changed.push("position.title".to_string());
    }
    if let Some(s) = salary.filter(|s| *s != position.annual_salary_cny) {
        position.annual_salary_cny = s;
        changed.push("position.annual_salary_cny".to_string());
    }
    application.employer = Some(employer);
    application.position = Some(position);
    Ok(changed)
}

/// The validity of an extension asked on `today` for a new contract of `contract_months`:
/// from today, capped by the category, the contract and the passport, and ending after the
/// current `valid_until` (otherwise it extends nothing).
pub fn extension(
    category: Category,
    today: NaiveDate,
    contract_months: i64,
    passport_expiry: NaiveDate,
    valid_until: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), Violations> {
    let mut v = Violations::new();
    let Some(months) = u32::try_from(contract_months).ok().filter(|m| (1..=120).contains(m)) else {
        v.push("contract_months", "out_of_range", "contract_months must be between 1 and 120");
        return Err(v);
    };
    let (from, until) = rules::validity(category, today, today, months, passport_expiry);
    if until <= valid_until {
        let limit = match rules::validity_limit(category, today, today, months, passport_expiry) {
            ValidityLimit::Passport => format!("the passport expires on {passport_expiry}"),
            ValidityLimit::Contract => format!("the new contract of {months} months ends first"),
            ValidityLimit::CategoryCap => {
                format!("category {category} permits run at most {} months", rules::max_validity_months(category))
            }
        };
        v.push(
            "contract_months",
            "not_later",
            format!("the extension would end on {until}, not after the current {valid_until}: {limit}"),
        );
        return Err(v);
    }
    Ok((from, until))
}

/// The written reason of a cancellation.
pub fn cancellation_reason(reason: &str) -> Result<String, Violations> {
    let mut v = Violations::new();
    match text(&mut v, "reason", reason, MAX_TEXT) {
        Some(r) => Ok(r),
        None => Err(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onething_proto::common as pbc;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn application() -> ev::CaseAccepted {
        ev::CaseAccepted {
            employer: Some(pbc::Employer {
                name: "Old Co.".into(),
                region_code: "620100".into(),
                ..Default::default()
            }),
            position: Some(pbc::Position {
                title: "Engineer".into(),
                annual_salary_cny: 300_000,
                start_date: "2027-01-04".into(),
                contract_months: 24,
                sector: None,
            }),
            ..Default::default()
        }
    }

    #[test]
    fn a_change_lists_the_fields_whose_value_changed() {
        let mut a = application();
        let change = PermitChange {
            employer_name: Some(" New Co. ".into()),
            position_title: Some("Engineer".into()),
            annual_salary_cny: Some(360_000),
            ..Default::default()
        };
        let changed = apply_change(&mut a, &change, &ProvinceProfile::gansu(), d("2026-12-01")).unwrap();
        assert_eq!(changed, ["employer.name", "position.annual_salary_cny"]);
        assert_eq!(a.employer.as_ref().unwrap().name, "New Co.");
        assert_eq!(a.position.as_ref().unwrap().annual_salary_cny, 360_000);
        // The same request again changes nothing.
        assert!(apply_change(&mut a, &change, &ProvinceProfile::gansu(), d("2026-12-01")).unwrap().is_empty());
    }

    #[test]
    fn a_change_reports_every_problem_at_once() {
        let mut a = application();
        let bad = PermitChange {
            employer_name: Some("  ".into()),
            employer_region_code: Some("62010".into()),
            position_title: Some("x".repeat(201)),
            annual_salary_cny: Some(0),
        };
        let v = apply_change(&mut a, &bad, &ProvinceProfile::gansu(), d("2026-12-01")).unwrap_err();
        let got: Vec<(&str, &str)> = v.0.iter().map(|x| (x.field.as_str(), x.code.as_str())).collect();
        assert_eq!(
            got,
            [
                ("employer.name", "required"),
                ("employer.region_code", "invalid_region_code"),
                ("position.title", "too_long"),
                ("position.annual_salary_cny", "not_positive"),
            ]
        );
        assert_eq!(a, application(), "nothing applied");
        let outside = PermitChange { employer_region_code: Some("110105".into()), ..Default::default() };
        let v = apply_change(&mut a, &outside, &ProvinceProfile::gansu(), d("2026-12-01")).unwrap_err();
        assert!(v.contains("employer.region_code", codes::REGION_OUTSIDE_PROVINCE));
        // The same bounds as at intake: a real division, a plausible salary, visible text.
        let bad = PermitChange {
            employer_name: Some("New\u{202E}Co.".into()),
            employer_region_code: Some("629999".into()),
            annual_salary_cny: Some(i64::MAX),
            ..Default::default()
        };
        let v = apply_change(&mut a, &bad, &ProvinceProfile::gansu(), d("2026-12-01")).unwrap_err();
        let got: Vec<(&str, &str)> = v.0.iter().map(|x| (x.field.as_str(), x.code.as_str())).collect();
        assert_eq!(
            got,
            [
                ("employer.name", "invalid_characters"),
                ("employer.region_code", codes::REGION_UNKNOWN),
                ("position.annual_salary_cny", "salary_above_bound"),
            ]
        );
        let low = PermitChange { annual_salary_cny: Some(12_000), ..Default::default() };
        let v = apply_change(&mut a, &low, &ProvinceProfile::gansu(), d("2026-12-01")).unwrap_err();
        assert!(v.contains("position.annual_salary_cny", codes::SALARY_BELOW_MINIMUM_WAGE));
        let none = apply_change(&mut a, &PermitChange::default(), &ProvinceProfile::gansu(), d("2026-12-01"));
        assert_eq!(none.unwrap_err().0[0].code, "nothing_to_change");
    }

    #[test]
    fn an_extension_runs_from_today_within_every_cap_and_must_end_later() {
        // B: a 36-month contract is capped at 2 years from today.
        assert_eq!(
            extension(Category::B, d("2027-06-01"), 36, d("2035-01-01"), d("2028-01-03")).unwrap(),
            (d("2027-06-01"), d("2029-05-31"))
        );
        // C: 12 months; the contract of 6 months ends first.
        assert_eq!(
            extension(Category::C, d("2027-06-01"), 6, d("2035-01-01"), d("2027-06-30")).unwrap().1,
            d("2027-11-30")
        );
        // The passport ends before the current validity: nothing to extend.
        let v = extension(Category::A, d("2027-06-01"), 60, d("2028-01-01"), d("2028-06-01")).unwrap_err();
        assert_eq!(v.0[0].code, "not_later");
        assert!(v.0[0].message.contains("passport"), "{}", v.0[0].message);
        assert_eq!(
            extension(Category::A, d("2027-06-01"), 0, d("2035-01-01"), d("2028-06-01")).unwrap_err().0[0].code,
            "out_of_range"
        );
        assert_eq!(
            extension(Category::A, d("2027-06-01"), 121, d("2035-01-01"), d("2028-06-01")).unwrap_err().0[0].code,
            "out_of_range"
        );
    }

    #[test]
    fn a_cancellation_states_its_reason() {
        assert_eq!(cancellation_reason(" contract ended ").unwrap(), "contract ended");
        assert_eq!(cancellation_reason("").unwrap_err().0[0].field, "reason");
        assert_eq!(cancellation_reason(&"x".repeat(1001)).unwrap_err().0[0].code, "too_long");
    }
}
