//! Rules of an issued permit: validity, number format, the person behind a number, and
//! the working days a permit waits for its department.

use chrono::{Months, NaiveDate};
use domain::calendar::{Calendar, Counted};
use domain::case::Category;

/// Longest validity per category in months (FACTS §5.1: A 5 years, B 2 years — confirmed
/// by two sources; C 1 year — single source).
pub fn max_validity_months(category: Category) -> u32 {
    match category {
        Category::A => 60,
        Category::B => 24,
        Category::C => 12,
    }
}

/// Validity runs from the later of the contract start and the decision date, and ends at
/// the earliest of the category cap, the contract end and the passport's expiry.
pub fn validity(
    category: Category,
    decided_on: NaiveDate,
    start: NaiveDate,
    contract_months: u32,
    passport_expiry: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let from = start.max(decided_on);
    let cap = from.checked_add_months(Months::new(max_validity_months(category))).unwrap_or(from);
    let contract_end = start.checked_add_months(Months::new(contract_months)).unwrap_or(start);
    let until = cap.min(contract_end).min(passport_expiry).pred_opt().unwrap_or(from).max(from);
    (from, until)
}

/// What ends a validity period first (for the message of a refused extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidityLimit {
    CategoryCap,
    Contract,
    Passport,
}

/// The bound that [`validity`] applied (the earliest of the three ends).
pub fn validity_limit(
    category: Category,
    decided_on: NaiveDate,
    start: NaiveDate,
    contract_months: u32,
    passport_expiry: NaiveDate,
) -> ValidityLimit {
    let from = start.max(decided_on);
    let cap = from.checked_add_months(Months::new(max_validity_months(category))).unwrap_or(from);
    let contract_end = start.checked_add_months(Months::new(contract_months)).unwrap_or(start);
    if passport_expiry <= cap.min(contract_end) {
        ValidityLimit::Passport
    } else if contract_end <= cap {
        ValidityLimit::Contract
    } else {
        ValidityLimit::CategoryCap
    }
}

/// The same person across cases (shared with hrss through the domain crate).
pub use domain::ids::person_key;

/// Working days a permit waited for its department: after the day it was opened up to
/// `until` (its decision, the supplement request, or today), less the working days it
/// waited for the employer's supplement.
pub fn waiting_working_days(calendar: &Calendar, opened_on: NaiveDate, until: NaiveDate, paused: u32) -> Counted {
    let c = calendar.working_days_between(opened_on, until);
    Counted { days: c.days.saturating_sub(paused), estimated: c.estimated }
}

/// The project's permit number: `62` (Gansu) + category + year + 8-digit serial, e.g.
/// `62B202600000042`. The national layout is not public (FACTS §4.3); this stays
/// replaceable behind this function.
pub fn permit_number(category: Category, year: i32, serial: i64) -> String {
    format!("62{category}{year}{serial:08}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn validity_is_capped_by_category_contract_and_passport() {
        // B: 2 years cap beats a 36-month contract.
        assert_eq!(
            validity(Category::B, d("2026-12-01"), d("2027-01-04"), 36, d("2035-01-01")),
            (d("2027-01-04"), d("2029-01-03"))
        );
        // A 12-month contract is shorter than A's 5 years.
        assert_eq!(validity(Category::A, d("2026-12-01"), d("2027-01-04"), 12, d("2035-01-01")).1, d("2028-01-03"));
        // The passport expires first.
        assert_eq!(validity(Category::A, d("2026-12-01"), d("2027-01-04"), 60, d("2028-06-30")).1, d("2028-06-29"));
        // C: one year.
        assert_eq!(
            validity(Category::C, d("2026-12-01"), d("2026-11-01"), 24, d("2035-01-01")),
            (d("2026-12-01"), d("2027-11-30"))
        );
    }

    #[test]
    fn the_limit_of_a_validity_is_named() {
        let (cap, contract, passport) = (ValidityLimit::CategoryCap, ValidityLimit::Contract, ValidityLimit::Passport);
        assert_eq!(validity_limit(Category::B, d("2026-12-01"), d("2027-01-04"), 36, d("2035-01-01")), cap);
        assert_eq!(validity_limit(Category::A, d("2026-12-01"), d("2027-01-04"), 12, d("2035-01-01")), contract);
        assert_eq!(validity_limit(Category::A, d("2026-12-01"), d("2027-01-04"), 60, d("2028-06-30")), passport);
    }

    #[test]
    fn a_person_is_nationality_birth_date_and_passport_in_any_case() {
        let k = person_key("GBR", "1988-04-02", "e12345678").unwrap();
        assert_eq!(Some(k.clone()), person_key("GBR", "1988-04-02", "E12345678"));
        assert_eq!(k.len(), 64);
        assert_ne!(Some(k.clone()), person_key("GBR", "1988-04-03", "E12345678"));
        assert_ne!(Some(k), person_key("IRL", "1988-04-02", "E12345678"));
        assert_eq!(person_key("GBR", "1988-04-02", " "), None);
        // The same digest as hrss's rule (sha256 of "GBR|1988-04-02|E12345678").
        assert_eq!(
            person_key("GBR", "1988-04-02", "E12345678").unwrap(),
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest("GBR|1988-04-02|E12345678"))
        );
    }

    #[test]
    fn waiting_days_leave_out_weekends_and_the_supplement_pause() {
        let cal = Calendar::embedded();
        // Monday 2026-03-02 to Friday 2026-03-13: 9 working days after the opening day.
        assert_eq!(waiting_working_days(&cal, d("2026-03-02"), d("2026-03-13"), 0).days, 9);
        assert_eq!(waiting_working_days(&cal, d("2026-03-02"), d("2026-03-13"), 4).days, 5);
        assert_eq!(waiting_working_days(&cal, d("2026-03-02"), d("2026-03-02"), 3).days, 0);
    }

    #[test]
    fn permit_numbers_carry_category_and_year() {
        assert_eq!(permit_number(Category::B, 2026, 42), "62B202600000042");
    }
}
