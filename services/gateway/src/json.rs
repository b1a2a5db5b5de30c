//! Reading a JSON body field by field, so that every wrong type is reported at once
//! (serde would stop at the first).

use serde_json::Value;

use crate::problem::{FieldError, Problem};

/// The body, or a problem saying why it could not be read (too large, cut off).
pub fn body(
    b: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::body::Bytes, Problem> {
    b.map_err(|e| {
        let status = e.status();
        Problem::new(status, "unreadable-body", "The request body could not be read", e.body_text())
    })
}

/// `axum::extract::Query` whose rejection is a problem+json 422 rather than plain text.
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e| Problem::invalid(vec![FieldError::new("", "invalid_query", e.body_text())]))
    }
}

/// Parses a body as a JSON object, or explains why it is not one.
pub fn object(body: &[u8]) -> Result<Value, Problem> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Problem::invalid(vec![FieldError::new("", "malformed_json", format!("the body is not valid JSON: {e}"))])
    })?;
    if !value.is_object() {
        return Err(Problem::invalid(vec![FieldError::new("", "not_an_object", "the body must be a JSON object")]));
    }
    Ok(value)
}

/// Collects type errors while reading fields; missing fields read as empty and are left
/// to the domain rules to report as `required`.
#[derive(Default)]
pub struct Reader {
    pub errors: Vec<FieldError>,
}

fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |cur, key| cur.get(key)).filter(|v| !v.is_null())
}

impl Reader {
    /// Ends the reading: every type error found, as one 422, or nothing.
    pub fn finish(self) -> Result<(), Problem> {
        if self.errors.is_empty() { Ok(()) } else { Err(Problem::invalid(self.errors)) }
    }

    fn wrong(&mut self, path: &str, expected: &str) {
        self.errors.push(FieldError::new(path, "invalid_type", format!("{path} must be {expected}")));
    }

    pub fn string(&mut self, root: &Value, path: &str) -> String {
        match at(root, path) {
            None => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.wrong(path, "a string");
                String::new()
            }
        }
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
        let v: Value = serde_json::json!({"a": {"b": 5}, "n": "x", "l": ["ok", 3], "m": [1]});
        let mut r = Reader::default();
        assert_eq!(r.string(&v, "a.b"), "");
        assert_eq!(r.integer(&v, "n"), 0);
        assert_eq!(r.strings(&v, "l"), vec!["ok".to_string()]);
        assert!(r.objects(&v, "m").is_empty());
        assert_eq!(r.string(&v, "missing.path"), "");
        let fields: Vec<&str> = r.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a.b", "n", "l[1]", "m[0]"]);
    }

    #[test]
    fn malformed_bodies_are_422_problems() {
        assert_eq!(object(b"{not json").unwrap_err().errors[0].code, "malformed_json");
        assert_eq!(object(b"[1,2]").unwrap_err().errors[0].code, "not_an_object");
    }
}
