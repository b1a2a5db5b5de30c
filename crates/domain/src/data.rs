//! Shared shapes of the embedded data files: values with their source quality, and the error
//! of loading a data file.
//!
//! FACTS.md labels every fact (confirmed, single source, conflicting, derived, not found);
//! the data files keep that label next to the value so that an operator can see which rules
//! rest on weak ground, and the code can say so in its notes.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How well a value is sourced (the labels of FACTS.md, plus the project's own settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Confidence {
    #[serde(rename = "confirmed")]
    Confirmed,
    #[serde(rename = "single source")]
    SingleSource,
    #[serde(rename = "conflicting")]
    Conflicting,
    #[serde(rename = "derived")]
    Derived,
    #[serde(rename = "not found")]
    NotFound,
    /// Chosen by the project (brief or configuration), not a sourced fact.
    #[serde(rename = "project setting")]
    ProjectSetting,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::SingleSource => "single source",
            Self::Conflicting => "conflicting",
            Self::Derived => "derived",
            Self::NotFound => "not found",
            Self::ProjectSetting => "project setting",
        }
    }

    /// Whether a rule resting on this value should be verified before it is relied on.
    pub fn needs_verification(self) -> bool {
        matches!(self, Self::SingleSource | Self::Conflicting | Self::NotFound)
    }
}

/// A value with its confidence label, sources and a free note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sourced<T> {
    pub value: T,
    pub confidence: Confidence,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A data file that does not parse or holds an impossible value.
#[derive(Debug, Error)]
pub enum DataError {
    #[error("{file}: not valid JSON of the expected shape: {source}")]
    Json {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
}

impl DataError {
    pub(crate) fn json(file: &str, source: serde_json::Error) -> Self {
        Self::Json { file: file.to_string(), source }
    }

    pub(crate) fn invalid(file: &str, reason: impl Into<String>) -> Self {
        Self::Invalid { file: file.to_string(), reason: reason.into() }
    }
}

/// Whether `s` is a 6-digit GB/T 2260 region code.
pub(crate) fn is_region_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The prefecture-level code of a region code: `620102` → `620100`.
pub(crate) fn prefecture_of(code: &str) -> Option<String> {
    is_region_code(code).then(|| format!("{}00", &code[..4]))
}
