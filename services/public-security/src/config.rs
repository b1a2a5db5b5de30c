//! Settings of public-security.

use platform::config::{ServiceConfig, Settings};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub platform: Settings,
}

impl Default for Config {
    fn default() -> Self {
        Self { platform: Settings { grpc_addr: "127.0.0.1:50054".into(), ..Settings::default() } }
    }
}

impl ServiceConfig for Config {
    fn platform(&self) -> &Settings {
        &self.platform
    }
}
