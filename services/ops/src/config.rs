//! Settings of the ops service.

use platform::config::{ServiceConfig, ServiceUrls, Settings};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub platform: Settings,
    /// The services whose outbox and consumers the overview reports.
    pub services: ServiceUrls,
    pub ops: OpsSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct OpsSettings {
    /// Days of per-event history kept (the overview shows at most a day).
    pub retention_days: u32,
}

impl Default for OpsSettings {
    fn default() -> Self {
        Self { retention_days: 30 }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            platform: Settings { grpc_addr: "127.0.0.1:50055".into(), ..Settings::default() },
            services: ServiceUrls::default(),
            ops: OpsSettings::default(),
        }
    }
}

impl ServiceConfig for Config {
    fn platform(&self) -> &Settings {
        &self.platform
    }
}
