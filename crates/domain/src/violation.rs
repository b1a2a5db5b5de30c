//! A violated rule, addressed by a dotted field path and a stable machine code, and the
//! non-blocking [`Note`] that explains how an answer was reached (assumptions, unknown data).

use serde::{Deserialize, Serialize};

/// One problem with a request. `code` is stable and documented; `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub field: String,
    pub code: String,
    /// English message.
    pub message: String,
    /// Chinese message, where one exists (the one-time notice always has one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
}

impl Violation {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into(), message_zh: None }
    }

    /// Adds the Chinese message.
    pub fn with_zh(mut self, message_zh: impl Into<String>) -> Self {
        self.message_zh = Some(message_zh.into());
        self
    }
}

/// Collects every violation of a request so that all of them are reported at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) {
        self.0.push(Violation::new(field, code, message));
    }

    /// Records the error of a parse under `field` and returns the parsed value, if any.
    pub fn take<T, E: std::fmt::Display + HasCode>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(field, e.code(), e.to_string());
                None
            }
        }
    }

    /// Appends all violations of `other`.
    pub fn extend(&mut self, other: Violations) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether some violation has this field and code.
    pub fn contains(&self, field: &str, code: &str) -> bool {
        self.0.iter().any(|v| v.field == field && v.code == code)
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, Violations> {
        if self.0.is_empty() { Ok(value()) } else { Err(self) }
    }
}

impl std::fmt::Display for Violations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {} ({})", v.field, v.message, v.code)?;
        }
        Ok(())
    }
}

/// Errors of parsers carry a stable machine code next to their message.
pub trait HasCode {
    fn code(&self) -> &'static str;
}

/// Something the answer rests on that is worth telling: an assumption made because data is
/// unknown, a route not applied, a rule's source quality. Never blocks a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub code: String,
    pub message: String,
}

impl Note {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into() }
    }
}
