//! Social security numbers (社会保障号码) of foreigners.
//!
//! The national layout of the foreigner's number is not public (FACTS §4.2: assigned by the
//! social insurance agency under a national rule that was not found), so the number is made
//! by a [`SsnGenerator`]: the built-in [`ProjectSsn`] writes the project's own layout, and a
//! deployment connected to the real agency injects its own generator
//! ([`crate::startup::build_with`]). See services/hrss/README.md.

/// What a generator may use: the year of registration and hrss's serial of that year
/// (1, 2, … from the `si_counters` table, in the registration's transaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SsnSeed {
    pub year: i32,
    pub serial: i64,
}

/// Makes the social security number of a person registered for the first time. It must
/// give distinct numbers for distinct seeds (the database refuses a duplicate, and the
/// registration is then retried and dead-lettered).
pub trait SsnGenerator: Send + Sync + 'static {
    fn generate(&self, seed: SsnSeed) -> String;
}

/// The project's layout: `<prefix><year><8-digit serial>`, by default `F62` (F for
/// foreigner, 62 for Gansu) as in `F62202600000007`. The prefix is configurable
/// (`social_security_number.prefix`) so that another province keeps its numbers apart.
#[derive(Debug, Clone)]
pub struct ProjectSsn {
    pub prefix: String,
}

impl Default for ProjectSsn {
    fn default() -> Self {
        Self { prefix: "F62".into() }
    }
}

impl SsnGenerator for ProjectSsn {
    fn generate(&self, seed: SsnSeed) -> String {
        format!("{}{}{:08}", self.prefix, seed.year, seed.serial)
    }
}

/// Whether `s` looks like a number a foreigner may type to find their card: letters and
/// digits only, 6 to 32 characters (any generator's output fits).
pub fn plausible(s: &str) -> bool {
    (6..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_layout_is_fixed_width() {
        let g = ProjectSsn::default();
        assert_eq!(g.generate(SsnSeed { year: 2026, serial: 7 }), "F62202600000007");
        assert_eq!(g.generate(SsnSeed { year: 2027, serial: 12_345_678 }).len(), 15);
    }

    #[test]
    fn the_prefix_is_configurable() {
        let g = ProjectSsn { prefix: "F63".into() };
        assert_eq!(g.generate(SsnSeed { year: 2026, serial: 1 }), "F63202600000001");
    }

    #[test]
    fn typed_numbers_are_checked_loosely() {
        assert!(plausible("F62202600000007"));
        assert!(plausible("62B202600000042"));
        assert!(!plausible("F62 2026"));
        assert!(!plausible("x"));
        assert!(!plausible("'; DROP TABLE si_cards; --"));
    }
}
