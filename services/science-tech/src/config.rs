//! Settings of science-tech.

use platform::config::{ServiceConfig, Settings};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub platform: Settings,
    /// The electronic work permits: `ONETHING__PERMIT_DOCUMENT__FONT_PATH`.
    pub permit_document: permit_review::document::DocumentSettings,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            platform: Settings { grpc_addr: "127.0.0.1:50052".into(), ..Settings::default() },
            permit_document: Default::default(),
        }
    }
}

impl ServiceConfig for Config {
    fn platform(&self) -> &Settings {
        &self.platform
    }
}
