//! Settings of hrss.

use platform::config::{ServiceConfig, Settings};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub platform: Settings,
    /// Test setting: delays the `permit-approved` handler, to show that the fan-out does
    /// not wait for hrss. Zero in production.
    pub permit_approved_delay_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            platform: Settings { grpc_addr: "127.0.0.1:50053".into(), ..Settings::default() },
            permit_approved_delay_ms: 0,
        }
    }
}

impl ServiceConfig for Config {
    fn platform(&self) -> &Settings {
        &self.platform
    }
}
