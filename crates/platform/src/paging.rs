//! Keyset paging shared by every list: `limit` (default 50, at most 200), an opaque
//! `cursor` holding the sort key of the last item returned, and the list's filters. The gateway passes both
//! through; the owning service reads them with [`Page::parse`] and answers `next_cursor`.
//! A cursor is base64url of its key fields, so one made by one replica (or by the gateway
//! when it merges two desks' lists) is read by any other.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::Violations;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
/// Separates the key fields inside a cursor (never part of an id or a timestamp).
const SEPARATOR: char = '\u{1f}';

/// A cursor for the item whose sort key is `key`.
pub fn encode(key: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(key.join(&SEPARATOR.to_string()))
}

/// The key fields of a cursor, if it is one with `fields` fields.
pub fn decode(cursor: &str, fields: usize) -> Option<Vec<String>> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let parts: Vec<String> = text.split(SEPARATOR).map(str::to_string).collect();
    (parts.len() == fields).then_some(parts)
}

/// A filter `value` as one of `all` (`None` when empty), or an `unknown_value` violation of
/// `field` that lists them.
pub fn known<T: Copy + std::fmt::Display + std::str::FromStr>(
    v: &mut Violations,
    field: &str,
    value: &str,
    all: &[T],
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = value.parse::<T>().ok();
    if parsed.is_none() {
        let allowed: Vec<String> = all.iter().map(ToString::to_string).collect();
        v.push(field, "unknown_value", format!("{value:?} is not one of {}", allowed.join(", ")));
    }
    parsed
}

/// A sort key of epoch milliseconds and an id, the key of most lists.
pub fn ms_and_id(key: &[String]) -> Option<(i64, String)> {
    Some((key.first()?.parse().ok()?, key.get(1)?.clone()))
}

/// A requested page: how many items, and after which sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    /// The sort key of the last item already seen (`None` on the first page).
    pub after: Option<Vec<String>>,
}

impl Page {
    /// Reads `limit` (0 = default) and `cursor` ("" = first page) for a list sorted by
    /// `fields` key fields; reports every problem under the public field names.
    pub fn parse(limit: i32, cursor: &str, fields: usize) -> Result<Page, Violations> {
        let mut v = Violations::new();
        let limit = match limit {
            0 => DEFAULT_LIMIT,
            n if (1..=MAX_LIMIT as i32).contains(&n) => n as u32,
            _ => {
                v.push("limit", "out_of_range", format!("limit must be between 1 and {MAX_LIMIT}"));
                DEFAULT_LIMIT
            }
        };
        let after = if cursor.is_empty() {
            None
        } else {
            let key = decode(cursor, fields);
            if key.is_none() {
                v.push("cursor", "invalid_cursor", "cursor must be a next_cursor this list returned");
            }
            key
        };
        if v.is_empty() { Ok(Page { limit, after }) } else { Err(v) }
    }

    /// Like [`Page::parse`], with the cursor's key fields decoded by `decode` (a key that
    /// does not decode is an `invalid_cursor` too). Problems go into `v`, with the list's
    /// other problems; `None` when there is one.
    pub fn read<K>(
        v: &mut Violations,
        limit: i32,
        cursor: &str,
        fields: usize,
        decode: impl FnOnce(&[String]) -> Option<K>,
    ) -> Option<(Page, Option<K>)> {
        let page = Page::parse(limit, cursor, fields).map_err(|e| v.extend(e)).ok()?;
        let after = match &page.after {
            None => None,
            Some(key) => match decode(key) {
                Some(k) => Some(k),
                None => {
                    v.push("cursor", "invalid_cursor", "cursor must be a next_cursor this list returned");
                    return None;
                }
            },
        };
        Some((page, after))
    }

    /// How many rows to fetch: one more than the page, to know whether another follows.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Cuts `rows` (fetched with [`Page::fetch`]) to the page and gives the cursor of the
    /// next page, made from the last row's sort key.
    pub fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> Vec<String>) -> (Vec<T>, Option<String>) {
        if rows.len() <= self.limit as usize {
            return (rows, None);
        }
        rows.truncate(self.limit as usize);
        let next = rows.last().map(|r| {
            let k = key(r);
            encode(&k.iter().map(String::as_str).collect::<Vec<_>>())
        });
        (rows, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let c = encode(&["1764547200000", "0190-abc"]);
        assert_eq!(decode(&c, 2).unwrap(), ["1764547200000", "0190-abc"]);
        assert!(decode(&c, 3).is_none());
        assert!(decode("%%%", 2).is_none());
    }

    #[test]
    fn limits_default_to_50_and_stop_at_200() {
        assert_eq!(Page::parse(0, "", 2).unwrap().limit, 50);
        assert_eq!(Page::parse(200, "", 2).unwrap().limit, 200);
        let err = Page::parse(201, "nope", 2).unwrap_err();
        let codes: Vec<&str> = err.0.iter().map(|v| v.code.as_str()).collect();
        assert_eq!(codes, ["out_of_range", "invalid_cursor"]);
        assert!(Page::parse(-1, "", 2).is_err());
    }

    #[test]
    fn a_filter_and_a_cursor_that_does_not_decode_are_reported_together() {
        let mut v = Violations::new();
        let category: Option<domain::case::Category> = known(&mut v, "category", "Z", domain::case::Category::ALL);
        let read = Page::read(&mut v, 10, &encode(&["not-a-number", "x"]), 2, ms_and_id);
        assert!(category.is_none() && read.is_none());
        let codes: Vec<&str> = v.0.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(codes, ["unknown_value", "invalid_cursor"]);
        assert_eq!(v.0[0].message, "\"Z\" is not one of A, B, C");
        let mut v = Violations::new();
        let (page, after) = Page::read(&mut v, 0, &encode(&["17", "id"]), 2, ms_and_id).unwrap();
        assert_eq!((page.limit, after), (50, Some((17, "id".to_string()))));
        assert_eq!(known(&mut v, "category", " ", domain::case::Category::ALL), None);
        assert!(v.is_empty());
    }

    #[test]
    fn a_page_keeps_its_limit_and_points_past_its_last_row() {
        let page = Page::parse(2, "", 1).unwrap();
        let (rows, next) = page.finish(vec![1, 2, 3], |n| vec![n.to_string()]);
        assert_eq!(rows, [1, 2]);
        assert_eq!(decode(&next.unwrap(), 1).unwrap(), ["2"]);
        let (rows, next) = page.finish(vec![1, 2], |n| vec![n.to_string()]);
        assert_eq!((rows.len(), next), (2, None));
    }
}
