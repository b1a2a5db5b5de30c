//! The real-person check (实人核验) of a foreigner activating or signing in with the
//! electronic social security card.
//!
//! The check sits behind [`IdentityVerifier`]. The built-in [`PermitIdentityVerifier`]
//! compares what the foreigner types with the identity on the approved work permit, which
//! hrss keeps only as a salted digest ([`IdentityOnRecord`]); a deployment with a national
//! real-person service (face match, liveness) injects its own verifier
//! ([`crate::startup::build_with`]).

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::Violations;
use sha2::{Digest, Sha256};

/// The identity a foreigner states, validated and normalised. Personal data: its `Debug`
/// shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityClaim {
    /// Surname then given names, upper case, words separated by one space.
    pub name: String,
    pub birth_date: NaiveDate,
    /// ISO 3166-1 alpha-3, upper case.
    pub nationality: String,
}

impl std::fmt::Debug for IdentityClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityClaim(<redacted>)")
    }
}

/// Upper case, punctuation as spaces, one space between words: "Smith,  John" and
/// "SMITH JOHN" are the same name, as are "JEAN-PIERRE" and "JEAN PIERRE".
pub fn normalise_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .to_uppercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl IdentityClaim {
    /// Reads the three fields under `prefix` (e.g. `identity`), reporting every problem.
    pub fn parse(prefix: &str, name: &str, birth_date: &str, nationality: &str) -> Result<IdentityClaim, Violations> {
        let mut v = Violations::new();
        let field = |f: &str| format!("{prefix}.{f}");
        let name = normalise_name(name);
        if name.is_empty() {
            v.push(field("name"), "required", "the name as on the passport (surname, then given names) is required");
        } else if name.chars().count() > 200 {
            v.push(field("name"), "too_long", "the name has more than 200 characters");
        }
        let birth = match birth_date.trim() {
            "" => {
                v.push(field("birth_date"), "required", "the birth date is required");
                None
            }
            s => match s.parse::<NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    v.push(field("birth_date"), "invalid_date", "the birth date must be a date YYYY-MM-DD");
                    None
                }
            },
        };
        let nationality = nationality.trim().to_ascii_uppercase();
        if nationality.is_empty() {
            v.push(field("nationality"), "required", "the nationality (ISO 3166-1 alpha-3) is required");
        } else if !(nationality.len() == 3 && nationality.bytes().all(|b| b.is_ascii_uppercase())) {
            v.push(
                field("nationality"),
                "invalid_format",
                "the nationality must be three letters (ISO 3166-1 alpha-3)",
            );
        }
        match birth {
            Some(birth_date) if v.is_empty() => Ok(IdentityClaim { name, birth_date, nationality }),
            _ => Err(v),
        }
    }

    fn canonical(&self) -> String {
        format!("v1|{}|{}|{}", self.name, self.birth_date, self.nationality)
    }
}

/// The permit holder's identity as hrss stores it: a salted SHA-256 digest of
/// `v1|NAME|birth date|nationality`, so the name is never kept in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityOnRecord {
    pub salt: String,
    pub digest: String,
}

impl std::fmt::Debug for IdentityOnRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityOnRecord(<digest>)")
    }
}

fn digest(salt: &str, canonical: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}\n{canonical}")))
}

impl IdentityOnRecord {
    /// Seals the identity of the permit's applicant with a fresh random salt.
    pub fn seal(applicant: &onething_proto::common::Applicant) -> IdentityOnRecord {
        let salt = uuid::Uuid::new_v4().simple().to_string();
        // An applicant without a birth date cannot be matched by any claim (claims need one).
        let canonical = format!(
            "v1|{}|{}|{}",
            normalise_name(&format!("{} {}", applicant.surname, applicant.given_names)),
            applicant.birth_date.trim(),
            applicant.nationality.trim().to_ascii_uppercase()
        );
        let digest = digest(&salt, &canonical);
        IdentityOnRecord { salt, digest }
    }

    /// Whether `claim` is the sealed identity (compared in constant time).
    pub fn matches(&self, claim: &IdentityClaim) -> bool {
        let a = digest(&self.salt, &claim.canonical());
        a.len() == self.digest.len() && a.bytes().zip(self.digest.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// The answer of a real-person check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Match,
    /// Deliberately without saying which field differs, so that the check cannot be used to
    /// guess one field at a time.
    Mismatch,
}

/// A real-person check. An `Err` means the check could not be made (a remote service is
/// down): it is not counted as a failed attempt.
#[async_trait]
pub trait IdentityVerifier: Send + Sync + 'static {
    async fn verify(&self, claim: &IdentityClaim, on_record: &IdentityOnRecord) -> anyhow::Result<Verdict>;
}

/// Compares the claim with the identity of the approved permit (built in).
#[derive(Debug, Clone, Copy, Default)]
pub struct PermitIdentityVerifier;

#[async_trait]
impl IdentityVerifier for PermitIdentityVerifier {
    async fn verify(&self, claim: &IdentityClaim, on_record: &IdentityOnRecord) -> anyhow::Result<Verdict> {
        Ok(if on_record.matches(claim) { Verdict::Match } else { Verdict::Mismatch })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applicant() -> onething_proto::common::Applicant {
        onething_proto::common::Applicant {
            surname: "SMITH".into(),
            given_names: "JOHN".into(),
            nationality: "GBR".into(),
            birth_date: "1988-04-02".into(),
            passport_number: "E12345678".into(),
            ..Default::default()
        }
    }

    fn claim(name: &str, birth: &str, nat: &str) -> IdentityClaim {
        IdentityClaim::parse("identity", name, birth, nat).expect("valid claim")
    }

    #[tokio::test]
    async fn the_permit_holder_matches_however_the_name_is_spaced_or_cased() {
        let record = IdentityOnRecord::seal(&applicant());
        let v = PermitIdentityVerifier;
        for name in ["SMITH JOHN", "smith john", " Smith,  John "] {
            assert_eq!(v.verify(&claim(name, "1988-04-02", "gbr"), &record).await.unwrap(), Verdict::Match, "{name}");
        }
    }

    #[tokio::test]
    async fn any_differing_field_is_a_mismatch() {
        let record = IdentityOnRecord::seal(&applicant());
        let v = PermitIdentityVerifier;
        for c in [
            claim("SMITH JANE", "1988-04-02", "GBR"),
            claim("SMITH JOHN", "1988-04-03", "GBR"),
            claim("SMITH JOHN", "1988-04-02", "USA"),
            claim("JOHN SMITH", "1988-04-02", "GBR"),
        ] {
            assert_eq!(v.verify(&c, &record).await.unwrap(), Verdict::Mismatch);
        }
    }

    #[test]
    fn the_record_keeps_no_personal_data_in_clear_and_salts_each_card() {
        let a = IdentityOnRecord::seal(&applicant());
        let b = IdentityOnRecord::seal(&applicant());
        assert_ne!(a.digest, b.digest, "a fresh salt per card");
        for secret in ["SMITH", "JOHN", "1988", "GBR"] {
            assert!(!a.digest.contains(secret) && !format!("{a:?}").contains(secret));
        }
        assert!(!format!("{:?}", claim("SMITH JOHN", "1988-04-02", "GBR")).contains("SMITH"));
    }

    #[test]
    fn every_problem_of_a_claim_is_reported() {
        let v = IdentityClaim::parse("identity", " ,, ", "02/04/1988", "GB").unwrap_err();
        let fields: Vec<(&str, &str)> = v.0.iter().map(|x| (x.field.as_str(), x.code.as_str())).collect();
        assert_eq!(
            fields,
            [
                ("identity.name", "required"),
                ("identity.birth_date", "invalid_date"),
                ("identity.nationality", "invalid_format")
            ]
        );
        assert_eq!(IdentityClaim::parse("identity", "", "", "").unwrap_err().0.len(), 3);
    }
}
