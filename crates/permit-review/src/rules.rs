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

/// The code printed on the electronic permit, by which anyone checks it
/// (`GET /api/v1/work-permits/verify/{code}`). 20 characters of Crockford's base32 (no I,
/// L, O, U: nothing to misread) carry 100 random bits: unguessable, and short enough to
/// type from paper. Parsing normalises case, spaces and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerificationCode(String);

impl VerificationCode {
    const ALPHABET: &'static [u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    pub const LEN: usize = 20;

    /// A fresh code from the operating system's random source.
    pub fn generate() -> VerificationCode {
        use rand::Rng as _;
        let mut rng = rand::rng();
        let code = (0..Self::LEN).map(|_| Self::ALPHABET[rng.random_range(0..32)] as char).collect();
        VerificationCode(code)
    }

    /// The code a person typed, or `None` when it cannot be one.
    pub fn parse(s: &str) -> Option<VerificationCode> {
        let code: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).map(|c| c.to_ascii_uppercase()).collect();
        (code.len() == Self::LEN && code.bytes().all(|b| Self::ALPHABET.contains(&b))).then_some(VerificationCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for VerificationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether an issued permit is valid on `today`: approved (not refused, not cancelled) and
/// not past its last day. A permit whose validity starts later is already valid: it was
/// issued, and its holder may enter on it.
pub fn is_valid(status: domain::states::permit::PermitStatus, valid_until: Option<&str>, today: NaiveDate) -> bool {
    status == domain::states::permit::PermitStatus::Approved
        && valid_until.and_then(|d| d.parse::<NaiveDate>().ok()).is_some_and(|until| today <= until)
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
    fn verification_codes_are_twenty_unambiguous_characters_and_parse_as_typed() {
        let a = VerificationCode::generate();
        assert_eq!(a.as_str().len(), VerificationCode::LEN);
        assert_ne!(a, VerificationCode::generate());
        assert_eq!(VerificationCode::parse(&a.as_str().to_lowercase()), Some(a.clone()));
        let spaced = format!("{}-{} {}", &a.as_str()[..5], &a.as_str()[5..10], &a.as_str()[10..]);
        assert_eq!(VerificationCode::parse(&spaced), Some(a));
        assert_eq!(VerificationCode::parse("7KQ2M9XW4HT6RB3CJP8"), None); // too short
        assert_eq!(VerificationCode::parse("7KQ2M9XW4HT6RB3CJP8I"), None); // I is not in the alphabet
        assert_eq!(VerificationCode::parse("../../etc/passwd"), None);
    }

    #[test]
    fn a_permit_is_valid_while_approved_up_to_its_last_day() {
        use domain::states::permit::PermitStatus::*;
        let until = Some("2027-01-31");
        assert!(is_valid(Approved, until, d("2027-01-31")));
        assert!(is_valid(Approved, until, d("2026-12-01")));
        assert!(!is_valid(Approved, until, d("2027-02-01")));
        assert!(!is_valid(Cancelled, until, d("2026-12-01")));
        assert!(!is_valid(Refused, None, d("2026-12-01")));
        assert!(!is_valid(Approved, None, d("2026-12-01")));
    }

    #[test]
    fn permit_numbers_carry_category_and_year() {
        assert_eq!(permit_number(Category::B, 2026, 42), "62B202600000042");
    }
}
