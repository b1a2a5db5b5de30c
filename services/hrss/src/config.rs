//! Settings of hrss.

use platform::config::{ConfigError, ServiceConfig, Settings};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub platform: Settings,
    /// The electronic work permits: `ONETHING__PERMIT_DOCUMENT__FONT_PATH`.
    pub permit_document: permit_review::document::DocumentSettings,
    /// The real-person check of the electronic social security card.
    pub card: CardSettings,
    pub social_security_number: SsnSettings,
}

/// `ONETHING__CARD__MAX_FAILED_ATTEMPTS`, `ONETHING__CARD__LOCK_MINUTES`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct CardSettings {
    /// Refused checks in a row that lock the card.
    pub max_failed_attempts: u32,
    /// How long a locked card refuses every check.
    pub lock_minutes: u64,
}

impl Default for CardSettings {
    fn default() -> Self {
        Self { max_failed_attempts: 5, lock_minutes: 30 }
    }
}

/// The built-in generator's layout `<prefix><year><8-digit serial>` (see `ssn.rs`);
/// `ONETHING__SOCIAL_SECURITY_NUMBER__PREFIX`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SsnSettings {
    pub prefix: String,
}

impl Default for SsnSettings {
    fn default() -> Self {
        Self { prefix: "F62".into() }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            platform: Settings { grpc_addr: "127.0.0.1:50053".into(), ..Settings::default() },
            permit_document: Default::default(),
            card: CardSettings::default(),
            social_security_number: SsnSettings::default(),
        }
    }
}

impl ServiceConfig for Config {
    fn platform(&self) -> &Settings {
        &self.platform
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if self.card.max_failed_attempts == 0 {
            problems.push("card.max_failed_attempts must be at least 1");
        }
        if self.card.lock_minutes == 0 || self.card.lock_minutes > 7 * 24 * 60 {
            problems.push("card.lock_minutes must be between 1 and 10080 (a week)");
        }
        let p = &self.social_security_number.prefix;
        if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
            problems.push("social_security_number.prefix must be 1 to 8 letters or digits");
        }
        if problems.is_empty() { Ok(()) } else { Err(ConfigError::Invalid(problems.join("; "))) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_five_failures_and_thirty_minutes() {
        let c = Config::default();
        assert_eq!((c.card.max_failed_attempts, c.card.lock_minutes), (5, 30));
        assert!(c.validate().is_ok());
    }

    #[test]
    fn bad_settings_are_all_named() {
        let mut c = Config::default();
        c.card.max_failed_attempts = 0;
        c.card.lock_minutes = 0;
        c.social_security_number.prefix = "F-62".into();
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("max_failed_attempts") && err.contains("lock_minutes") && err.contains("prefix"), "{err}");
    }
}
