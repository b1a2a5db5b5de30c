//! Reading a JSON object field by field, so that every wrong type is reported at once
//! (serde stops at the first). Missing fields read as empty and are left to the rules to
//! report as `required`. The gateway reads every request body with it.

use serde_json::Value;

use crate::{Violation, Violations};

/// Parses a body as a JSON object, or explains why it is not one.
pub fn object(body: &[u8]) -> Result<Value, Violations> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Violations(vec![Violation::new("", "malformed_json", format!("the body is not valid JSON: {e}"))])
    })?;
    if !value.is_object() {
        return Err(Violations(vec![Violation::new("", "not_an_object", "the body must be a JSON object")]));
    }
    Ok(value)
}

/// The value at a dotted `path`, unless absent or null.
pub fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |cur, key| cur.get(key)).filter(|v| !v.is_null())
}

/// Whether `path` (dotted) is present and not null.
pub fn present(v: &Value, path: &str) -> bool {
    at(v, path).is_some()
}

/// Collects type errors while reading fields.
#[derive(Default)]
pub struct Reader {
    pub errors: Violations,
}

impl Reader {
    /// Every type error found, or nothing.
    pub fn finish(self) -> Result<(), Violations> {
        if self.errors.is_empty() { Ok(()) } else { Err(self.errors) }
    }

    pub fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.errors.push(field, code, message);
    }

    fn wrong(&mut self, path: &str, expected: &str) {
        self.errors.push(path, "invalid_type", format!("{path} must be {expected}"));
    }

    pub fn string(&mut self, root: &Value, path: &str) -> String {
        self.string_at(root, path, path)
    }

    /// Like [`Reader::string`] but reports errors under `report_as` (for array elements).
    pub fn string_at(&mut self, root: &Value, path: &str, report_as: &str) -> String {
        match at(root, path) {
            None => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.wrong(report_as, "a string");
                String::new()
            }
        }
    }

    pub fn opt_string(&mut self, root: &Value, path: &str) -> Option<String> {
        Some(self.string(root, path)).filter(|s| !s.is_empty())
    }

    pub fn integer(&mut self, root: &Value, path: &str) -> i64 {
        match at(root, path) {
            None => 0,
            Some(Value::Number(n)) if n.is_i64() => n.as_i64().unwrap_or_default(),
            Some(_) => {
                self.wrong(path, "a whole number");
                0
            }
        }
    }

    /// A whole number that must fit an `i32`; out-of-range values stay out of range (the
    /// rules report them).
    pub fn int32(&mut self, root: &Value, path: &str) -> i32 {
        let n = self.integer(root, path);
        n.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
    }

    pub fn number(&mut self, root: &Value, path: &str) -> f64 {
        match at(root, path) {
            None => 0.0,
            Some(Value::Number(n)) => n.as_f64().unwrap_or_default(),
            Some(_) => {
                self.wrong(path, "a number");
                0.0
            }
        }
    }

    /// A JSON boolean; absent or null reads as false.
    pub fn boolean(&mut self, root: &Value, path: &str) -> bool {
        match at(root, path) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.errors.push(path, "invalid_type", format!("{path} must be true or false"));
                false
            }
        }
    }

    /// Checks that `path` is an object when given.
    pub fn nested(&mut self, root: &Value, path: &str) {
        if at(root, path).is_some_and(|x| !x.is_object()) {
            self.wrong(path, "an object");
        }
    }

    /// Reports `path` as required when it is absent.
    pub fn required(&mut self, root: &Value, path: &str, message: &str) {
        if !present(root, path) {
            self.errors.push(path, "required", message);
        }
    }

    pub fn strings(&mut self, root: &Value, path: &str) -> Vec<String> {
        match at(root, path) {
            None => vec![],
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v {
                    Value::String(s) => Some(s.clone()),
                    _ => {
                        self.wrong(&format!("{path}[{i}]"), "a string");
                        None
                    }
                })
                .collect(),
            Some(_) => {
                self.wrong(path, "an array of strings");
                vec![]
            }
        }
    }

    pub fn objects<'v>(&mut self, root: &'v Value, path: &str) -> Vec<(usize, &'v Value)> {
        match at(root, path) {
            None => vec![],
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter(|(i, v)| {
                    if v.is_object() {
                        true
                    } else {
                        self.wrong(&format!("{path}[{i}]"), "an object");
                        false
                    }
                })
                .collect(),
            Some(_) => {
                self.wrong(path, "an array of objects");
                vec![]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_error_is_collected() {
        let v: Value =
            serde_json::json!({"a": {"b": 5}, "n": "x", "l": ["ok", 3], "m": [1], "t": "yes", "o": 3, "c": null});
        let mut r = Reader::default();
        assert_eq!(r.string(&v, "a.b"), "");
        assert_eq!(r.integer(&v, "n"), 0);
        assert_eq!(r.strings(&v, "l"), vec!["ok".to_string()]);
        assert!(r.objects(&v, "m").is_empty());
        assert!(!r.boolean(&v, "t") && !r.boolean(&v, "c"));
        r.nested(&v, "o");
        assert_eq!(r.string(&v, "missing.path"), "");
        let fields: Vec<&str> = r.errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a.b", "n", "l[1]", "m[0]", "t", "o"]);
    }

    #[test]
    fn malformed_bodies_are_refused_with_a_code() {
        assert_eq!(object(b"{not json").unwrap_err().0[0].code, "malformed_json");
        assert_eq!(object(b"[1,2]").unwrap_err().0[0].code, "not_an_object");
    }
}
