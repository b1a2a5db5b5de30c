//! Settings of service-center.

use platform::config::{ConfigError, ServiceConfig, Settings};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub platform: Settings,
    /// Working days the joint service promises for the whole bundle.
    pub committed_working_days: u32,
    /// Statutory limit in working days.
    pub statutory_working_days: u32,
    /// Folder of uploaded documents; default `<data_dir>/documents`.
    pub documents_dir: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            platform: Settings { grpc_addr: "127.0.0.1:50051".into(), ..Settings::default() },
            committed_working_days: 15,
            statutory_working_days: 90,
            documents_dir: None,
        }
    }
}

impl ServiceConfig for Config {
    fn platform(&self) -> &Settings {
        &self.platform
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.committed_working_days == 0 || self.committed_working_days > self.statutory_working_days {
            return Err(ConfigError::Invalid(
                "committed_working_days must be between 1 and statutory_working_days".into(),
            ));
        }
        Ok(())
    }
}
