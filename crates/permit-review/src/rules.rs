//! Rules of an issued permit: validity and number format.

use chrono::{Months, NaiveDate};
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
    fn permit_numbers_carry_category_and_year() {
        assert_eq!(permit_number(Category::B, 2026, 42), "62B202600000042");
    }
}
