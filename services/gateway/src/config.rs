//! Settings of the gateway.

pub use platform::config::ServiceUrls;
use platform::config::{ConfigError, ServiceConfig, Settings};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Only `telemetry` is used: the gateway has no database and no broker.
    pub platform: Settings,
    pub http_addr: String,
    pub services: ServiceUrls,
    pub auth: AuthSettings,
    pub web: WebSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct WebSettings {
    /// The folder holding `shell.html`, `src/`, `catalog/` and `node_modules/`.
    pub root: String,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self { root: crate::web::default_root() }
    }
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// HS256 signing key of bearer tokens. Set it from a secret store in production.
    pub jwt_secret: String,
    /// `POST /api/v1/dev/tokens` exists only when true.
    pub dev_mode: bool,
    pub token_ttl_secs: u64,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings").field("jwt_secret", &"<redacted>").field("dev_mode", &self.dev_mode).finish()
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self { jwt_secret: String::new(), dev_mode: false, token_ttl_secs: 8 * 3600 }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            platform: Settings::default(),
            http_addr: "127.0.0.1:8080".into(),
            services: ServiceUrls::default(),
            auth: AuthSettings::default(),
            web: WebSettings::default(),
        }
    }
}

impl ServiceConfig for Config {
    fn platform(&self) -> &Settings {
        &self.platform
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.http_addr.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError::Invalid(format!("http_addr {:?} is not a socket address", self.http_addr)));
        }
        if self.auth.jwt_secret.len() < 32 {
            return Err(ConfigError::Invalid(
                "auth.jwt_secret must have at least 32 characters (ONETHING__AUTH__JWT_SECRET)".into(),
            ));
        }
        Ok(())
    }
}
