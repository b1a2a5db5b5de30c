//! Settings of public-security.

use platform::config::{ConfigError, ServiceConfig, Settings};
use serde::{Deserialize, Serialize};

use crate::rules::{DayCount, DecisionPeriod};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub platform: Settings,
    /// `ONETHING__RESIDENCE__DECISION_DAYS`, `ONETHING__RESIDENCE__DECISION_COUNTED_IN`,
    /// `ONETHING__RESIDENCE__NO_SHOW_GRACE_MINUTES`.
    pub residence: ResidenceSettings,
}

/// The decision period of a residence application, counted from the day the counter
/// receives the materials (that day not counted).
///
/// The Exit and Entry Administration Law (Art. 30) says 15 days; the regulation (外国人入境
/// 出境管理条例) is reported to count its periods in working days, but only from garbled
/// copies (FACTS §5.2, low confidence). The default follows the regulation (15 working
/// days); `decision_counted_in: days` follows the statute's wording.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default)]
pub struct ResidenceSettings {
    pub decision_days: u32,
    pub decision_counted_in: DayCount,
    /// How long after a verification's scheduled time a no-show may be recorded (an
    /// applicant held up in traffic is not a no-show). Attendance is recordable from the
    /// scheduled time itself.
    pub no_show_grace_minutes: u32,
}

impl Default for ResidenceSettings {
    fn default() -> Self {
        Self { decision_days: 15, decision_counted_in: DayCount::WorkingDays, no_show_grace_minutes: 30 }
    }
}

impl ResidenceSettings {
    pub fn period(&self) -> DecisionPeriod {
        DecisionPeriod { days: self.decision_days, counted_in: self.decision_counted_in }
    }

    pub fn no_show_grace(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.no_show_grace_minutes))
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            platform: Settings { grpc_addr: "127.0.0.1:50054".into(), ..Settings::default() },
            residence: ResidenceSettings::default(),
        }
    }
}

impl ServiceConfig for Config {
    fn platform(&self) -> &Settings {
        &self.platform
    }

    fn validate(&self) -> Result<(), ConfigError> {
        // The statute's 15 days is the ceiling; a province may promise less (Beijing: 10).
        if !(1..=15).contains(&self.residence.decision_days) {
            return Err(ConfigError::Invalid("residence.decision_days must be between 1 and 15".into()));
        }
        // A day's grace would let a no-show wait past the next appointment slot.
        if self.residence.no_show_grace_minutes > 24 * 60 {
            return Err(ConfigError::Invalid("residence.no_show_grace_minutes must be at most 1440 (a day)".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_15_working_days_and_the_ceiling_is_15() {
        let c = Config::default();
        assert_eq!((c.residence.decision_days, c.residence.decision_counted_in), (15, DayCount::WorkingDays));
        assert!(c.validate().is_ok());
        let mut long = Config::default();
        long.residence.decision_days = 20;
        assert!(long.validate().is_err());
        long.residence.decision_days = 0;
        assert!(long.validate().is_err());
        let mut lax = Config::default();
        lax.residence.no_show_grace_minutes = 24 * 60 + 1;
        assert!(lax.validate().is_err());
        assert_eq!(Config::default().residence.no_show_grace(), chrono::Duration::minutes(30));
    }

    #[test]
    fn the_count_reads_from_its_wire_name() {
        let s: ResidenceSettings =
            serde_json::from_str(r#"{"decision_days": 10, "decision_counted_in": "days"}"#).unwrap();
        assert_eq!((s.decision_days, s.decision_counted_in), (10, DayCount::Days));
        assert!(serde_json::from_str::<ResidenceSettings>(r#"{"decision_counted_in": "weeks"}"#).is_err());
    }
}
