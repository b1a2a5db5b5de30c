//! Identifiers that cannot hold a bad value.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::violation::HasCode;

/// The GB 32100-2015 alphabet: digits and capitals without I, O, S, V, Z.
const CREDIT_CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights 3^i mod 31 for positions 0..17.
const CREDIT_CODE_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// The value of a character in the credit-code alphabet (chars, so that a non-ASCII
/// character is reported as itself).
fn alphabet_value(c: char) -> Option<u32> {
    let b = u8::try_from(c).ok()?;
    CREDIT_CODE_ALPHABET.iter().position(|&a| a == b).map(|p| p as u32)
}

/// A unified social credit code (统一社会信用代码), GB 32100-2015, with a valid check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CreditCodeError {
    #[error("a unified social credit code has 18 characters, got {0}")]
    Length(usize),
    #[error("character {0:?} at position {1} is not allowed in a unified social credit code")]
    Character(char, usize),
    #[error("the check character is {found:?} but should be {expected:?}")]
    CheckCharacter { expected: char, found: char },
}

impl HasCode for CreditCodeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Length(_) => "credit_code_length",
            Self::Character(..) => "credit_code_character",
            Self::CheckCharacter { .. } => "credit_code_check",
        }
    }
}

impl CreditCode {
    pub fn parse(s: &str) -> Result<Self, CreditCodeError> {
        let s = s.trim().to_ascii_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(CreditCodeError::Length(n));
        }
        let mut values = [0u32; 18];
        for ((i, c), slot) in s.chars().enumerate().zip(values.iter_mut()) {
            *slot = alphabet_value(c).ok_or(CreditCodeError::Character(c, i + 1))?;
        }
        let expected = Self::check_char_for(&values[..17]);
        let found = s.as_bytes()[17] as char;
        if expected != found {
            return Err(CreditCodeError::CheckCharacter { expected, found });
        }
        Ok(Self(s))
    }

    fn check_char_for(values: &[u32]) -> char {
        let sum: u32 = values.iter().zip(CREDIT_CODE_WEIGHTS).map(|(v, w)| v * w).sum();
        let check = (31 - sum % 31) % 31;
        CREDIT_CODE_ALPHABET[check as usize] as char
    }

    /// Completes a 17-character body with its check character (for fixtures and demo data).
    pub fn with_check_char(body17: &str) -> Result<Self, CreditCodeError> {
        let mut values = Vec::with_capacity(17);
        for (i, c) in body17.chars().enumerate() {
            values.push(alphabet_value(c).ok_or(CreditCodeError::Character(c, i + 1))?);
        }
        if values.len() != 17 {
            return Err(CreditCodeError::Length(values.len() + 1));
        }
        Self::parse(&format!("{body17}{}", Self::check_char_for(&values)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CreditCode {
    type Error = CreditCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A passport or international travel document number: 5 to 20 capital letters or digits.
///
/// Its `Debug` and `Display` mask all but the last 3 characters, so it cannot leak into logs
/// by accident; [`PassportNumber::expose`] gives the full value where it is needed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PassportNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PassportNumberError {
    #[error("a passport number has 5 to 20 characters, got {0}")]
    Length(usize),
    #[error("a passport number holds only letters A-Z and digits")]
    Character,
}

impl HasCode for PassportNumberError {
    fn code(&self) -> &'static str {
        match self {
            Self::Length(_) => "passport_number_length",
            Self::Character => "passport_number_character",
        }
    }
}

impl PassportNumber {
    pub fn parse(s: &str) -> Result<Self, PassportNumberError> {
        let s: String = s.trim().to_ascii_uppercase();
        if !(5..=20).contains(&s.len()) {
            return Err(PassportNumberError::Length(s.chars().count()));
        }
        if !s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            return Err(PassportNumberError::Character);
        }
        Ok(Self(s))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PassportNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PassportNumber({self})")
    }
}

impl fmt::Display for PassportNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = &self.0[self.0.len() - 3..];
        write!(f, "***{tail}")
    }
}

/// An ISO 3166-1 alpha-3 nationality, checked against the maintained `celes` table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nationality(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NationalityError {
    #[error("{0:?} is not an ISO 3166-1 alpha-3 country code")]
    Unknown(String),
    /// The applicant of a foreigner's work permit holds Chinese nationality.
    #[error("{0} is Chinese nationality: a Chinese citizen is not a foreigner and needs no foreigner's work permit")]
    Citizen(String),
}

impl HasCode for NationalityError {
    fn code(&self) -> &'static str {
        match self {
            Self::Unknown(_) => "nationality_unknown",
            // The literal is what the catalog scan reads; `intake::codes` names it too.
            Self::Citizen(_) => "nationality_chinese",
        }
    }
}

impl Nationality {
    pub fn parse(s: &str) -> Result<Self, NationalityError> {
        let up = s.trim().to_ascii_uppercase();
        if up.len() == 3 && celes::Country::from_alpha3(&up).is_ok() {
            Ok(Self(up))
        } else {
            Err(NationalityError::Unknown(s.to_string()))
        }
    }

    /// A foreigner's nationality: any but those of `citizens` (the codes of the service's own
    /// country, `data/intake_rules.json`).
    pub fn foreign(s: &str, citizens: &[String]) -> Result<Self, NationalityError> {
        let n = Self::parse(s)?;
        if citizens.iter().any(|c| c.eq_ignore_ascii_case(&n.0)) {
            return Err(NationalityError::Citizen(n.0));
        }
        Ok(n)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The key that says two cases are the same person: a hex SHA-256 of nationality, birth
/// date and passport number (upper case), so the person's data itself is never the key.
/// Permit numbers and social security numbers are lifelong per person through it.
/// `None` when a part is missing: an incomplete identity never shares a number.
pub fn person_key(nationality: &str, birth_date: &str, passport_number: &str) -> Option<String> {
    use sha2::Digest;
    if [nationality, birth_date, passport_number].iter().any(|s| s.trim().is_empty()) {
        return None;
    }
    let digest = sha2::Sha256::digest(format!("{nationality}|{birth_date}|{}", passport_number.to_uppercase()));
    Some(hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_valid_credit_code_parses() {
        // The GB 32100-2015 example and two registered companies' codes (Huawei Technologies,
        // Alibaba (China)), whose check characters are correct.
        for code in ["91350100M000100Y43", "914403001922038216", "91330100799655058B", " 91330100799655058b "] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
        // A code copied from test data whose check character is wrong (it should be A).
        assert_eq!(
            CreditCode::parse("91110000100000589B"),
            Err(CreditCodeError::CheckCharacter { expected: 'A', found: 'B' })
        );
    }

    #[test]
    fn more_corrupted_credit_codes_are_refused() {
        // Every single-character substitution of a valid code is caught by the check.
        let good = "914403001922038216";
        for pos in 0..18 {
            for &c in CREDIT_CODE_ALPHABET {
                let mut bytes = good.as_bytes().to_vec();
                if bytes[pos] == c {
                    continue;
                }
                bytes[pos] = c;
                let bad = String::from_utf8(bytes).unwrap();
                assert!(CreditCode::parse(&bad).is_err(), "{bad}");
            }
        }
        // Adjacent transpositions of distinct characters are caught too.
        for pos in 0..17 {
            let mut bytes = good.as_bytes().to_vec();
            if bytes[pos] == bytes[pos + 1] {
                continue;
            }
            bytes.swap(pos, pos + 1);
            let bad = String::from_utf8(bytes).unwrap();
            assert!(CreditCode::parse(&bad).is_err(), "{bad}");
        }
        assert!(matches!(CreditCode::parse("91350100M000100Y4O"), Err(CreditCodeError::Character('O', 18))));
        assert!(matches!(CreditCode::parse("91350100M000100Y4é"), Err(CreditCodeError::Character('é', 18))));
        assert!(matches!(CreditCode::parse("9135010-M000100Y43"), Err(CreditCodeError::Character('-', 8))));
        assert_eq!(CreditCode::parse(""), Err(CreditCodeError::Length(0)));
        assert_eq!(CreditCode::parse("91350100M000100Y433"), Err(CreditCodeError::Length(19)));
        assert!(CreditCode::with_check_char("9135").is_err());
        assert!(CreditCode::with_check_char("91350100M000100Yé").is_err());
    }

    #[test]
    fn a_corrupted_credit_code_is_refused_with_the_expected_check_char() {
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(err, CreditCodeError::CheckCharacter { expected: '3', found: '4' });
        assert_eq!(CreditCode::parse("9135").unwrap_err(), CreditCodeError::Length(4));
        assert!(matches!(CreditCode::parse("91350100M000100I43"), Err(CreditCodeError::Character('I', 16))));
    }

    #[test]
    fn with_check_char_completes_a_body() {
        let c = CreditCode::with_check_char("91620100MA7XQ0000").unwrap();
        assert_eq!(c.as_str().len(), 18);
        assert!(CreditCode::parse(c.as_str()).is_ok());
    }

    #[test]
    fn passport_numbers_are_masked_in_logs() {
        let p = PassportNumber::parse("e12345678").unwrap();
        assert_eq!(p.expose(), "E12345678");
        assert_eq!(format!("{p}"), "***678");
        assert_eq!(format!("{p:?}"), "PassportNumber(***678)");
        assert!(PassportNumber::parse("AB-123").is_err());
    }

    #[test]
    fn nationality_must_be_a_real_alpha3_code() {
        assert!(Nationality::parse("GBR").is_ok());
        assert!(Nationality::parse("deu").is_ok());
        assert!(Nationality::parse("XXX").is_err());
        assert!(Nationality::parse("GB").is_err());
        let citizens = ["CHN".to_string()];
        assert_eq!(Nationality::foreign(" chn ", &citizens), Err(NationalityError::Citizen("CHN".into())));
        assert_eq!(Nationality::foreign("CHN", &citizens).unwrap_err().code(), "nationality_chinese");
        assert_eq!(Nationality::foreign("XXX", &citizens).unwrap_err().code(), "nationality_unknown");
        assert_eq!(Nationality::foreign("gbr", &citizens).map(|n| n.as_str().to_string()), Ok("GBR".into()));
    }

    proptest::proptest! {
        #[test]
        fn every_generated_body_yields_a_parseable_code(body in "[0-9A-HJ-NP-RTUWXY]{17}") {
            let c = CreditCode::with_check_char(&body).unwrap();
            proptest::prop_assert!(CreditCode::parse(c.as_str()).is_ok());
        }
    }
}
