//! The browser session: the caller's token in an HttpOnly, SameSite=Strict cookie, a CSRF
//! token derived from it (sent back by pages in `X-CSRF-Token`), and the sign-in and
//! sign-out endpoints of the pages.
//!
//! - `POST /sign-in/dev` (dev mode only): the form `role`, `subject`, `department`.
//! - `POST /session`: `{"token": "..."}` turns a token from the API (the foreigner's card
//!   sign-in) into the session.
//! - `POST /sign-out`: clears the cookie and what the browser keeps of the site.
//!
//! Each answers JSON `{"next": "/employer"}` to a page's script (`Accept: application/json`)
//! and a 303 to a plain form post. A failed sign-in clears the session too, so nothing of
//! the previous user stays.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::json::Reader;
use domain::{Actor, Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::check_claims;
use crate::extract::{FromJson, JsonBody};
use crate::problem::Problem;
use crate::startup::AppState;

pub const COOKIE: &str = "onething_session";
pub const LANG_COOKIE: &str = "onething_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name`, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub fn token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE)
}

/// Refuses a request that a browser says comes from another site (`Sec-Fetch-Site`) or
/// whose `Origin` is not this host: the second line of CSRF defence after SameSite=Strict,
/// and the only one for sign-in, which has no session yet.
pub fn check_same_origin(headers: &HeaderMap) -> Result<(), Problem> {
    let refused = || {
        Problem::new(
            StatusCode::FORBIDDEN,
            "cross-site",
            "Cross-site request refused",
            "this request must come from a page of this site",
        )
    };
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(refused());
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get("x-forwarded-host")
            .or_else(|| headers.get(header::HOST))
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let authority = origin.split_once("://").map(|(_, a)| a).unwrap_or(origin);
        if host.is_empty() || authority != host {
            return Err(refused());
        }
    }
    Ok(())
}

/// Where each role starts.
pub fn home(role: Role) -> &'static str {
    match role {
        Role::Employer => "/employer",
        Role::Reviewer => "/review",
        Role::Officer => "/counter",
        Role::Foreigner => "/me",
        Role::Ops | Role::Admin => "/ops",
        _ => "/",
    }
}

/// A local path to go on to after signing in (never another site: browsers drop tabs and
/// newlines and read `\\` as `/`, so `/\t/x` or `/\\x` would leave this origin).
fn next_or_home(next: Option<&str>, role: Role) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !matches!(n.as_bytes().get(1), Some(b'/' | b'\\'))
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_string()
        }
        _ => home(role).to_string(),
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

fn set_cookie(state: &AppState, value: &str, max_age: u64) -> HeaderValue {
    // Secure outside dev mode; dev mode serves plain http on localhost.
    let secure = if state.dev_mode { "" } else { "; Secure" };
    HeaderValue::from_str(&format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static("onething_session=; Path=/; Max-Age=0"))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Next {
    /// The page to open now.
    pub next: String,
}

/// The answer of a sign-in or sign-out: JSON to a script, a 303 to a form post.
fn go(headers: &HeaderMap, cookie: HeaderValue, next: String) -> Response {
    let mut resp = if wants_json(headers) {
        Json(Next { next }).into_response()
    } else {
        let mut r = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(&next) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        r
    };
    resp.headers_mut().append(header::SET_COOKIE, cookie);
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn start(state: &AppState, headers: &HeaderMap, actor: &Actor, next: Option<&str>) -> Result<Response, Problem> {
    let token = state.keys.issue(actor).map_err(|e| Problem::from(tonic::Status::internal(e.to_string())))?;
    Ok(go(headers, set_cookie(state, &token, state.keys.ttl_secs), next_or_home(next, actor.role)))
}

/// A refusal that also ends whatever session the browser had.
fn refuse(state: &AppState, problem: Problem) -> Response {
    let mut resp = problem.into_response();
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(state, "", 0));
    resp
}

#[derive(Deserialize)]
pub struct DevSignIn {
    #[serde(default)]
    role: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /sign-in/dev`, form-encoded.
pub async fn sign_in_dev(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<DevSignIn>,
) -> Response {
    if !state.dev_mode {
        return Problem::not_found("dev sign-in is off").into_response();
    }
    if let Err(p) = check_same_origin(&headers) {
        return p.into_response();
    }
    match check_claims(form.role.trim(), form.subject.trim(), form.department.trim()) {
        Ok(actor) => start(&state, &headers, &actor, form.next.as_deref()).unwrap_or_else(|p| p.into_response()),
        Err(errors) if wants_json(&headers) => refuse(&state, Problem::invalid(errors)),
        Err(_) => go(&headers, set_cookie(&state, "", 0), "/sign-in?failed=1".into()),
    }
}

pub struct FromToken {
    token: String,
    next: Option<String>,
}

impl FromJson for FromToken {
    fn read(r: &mut Reader, v: &Value) -> Self {
        let next = r.string(v, "next");
        FromToken { token: r.string(v, "token"), next: (!next.is_empty()).then_some(next) }
    }
}

/// `POST /session` `{"token": "..."}`.
pub async fn from_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<JsonBody<FromToken>, Problem>,
) -> Response {
    let result = check_same_origin(&headers).and(body).and_then(|JsonBody(b)| {
        let actor =
            state.keys.actor(&b.token).ok_or_else(|| Problem::unauthorized("the token is invalid or expired"))?;
        start(&state, &headers, &actor, b.next.as_deref())
    });
    result.unwrap_or_else(|p| refuse(&state, p))
}

/// `POST /sign-out`.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(p) = check_same_origin(&headers) {
        return p.into_response();
    }
    let mut resp = go(&headers, set_cookie(&state, "", 0), "/".into());
    // Drafts kept by the pages go with the session; the language choice is a cookie and stays.
    resp.headers_mut().insert("clear-site-data", HeaderValue::from_static("\"cache\", \"storage\""));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cookies_are_found_among_others() {
        let h = headers(&[("cookie", "a=1; onething_session=tok; onething_lang=en")]);
        assert_eq!(cookie(&h, COOKIE).as_deref(), Some("tok"));
        assert_eq!(cookie(&h, LANG_COOKIE).as_deref(), Some("en"));
        assert_eq!(cookie(&h, "missing"), None);
        assert_eq!(cookie(&headers(&[("cookie", "onething_session=")]), COOKIE), None);
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(
            check_same_origin(&headers(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")])).is_ok()
        );
        assert!(check_same_origin(&headers(&[("host", "127.0.0.1:8080")])).is_ok());
        assert!(check_same_origin(&headers(&[("host", "127.0.0.1:8080"), ("origin", "http://evil.example")])).is_err());
        assert!(check_same_origin(&headers(&[("sec-fetch-site", "cross-site")])).is_err());
        assert!(check_same_origin(&headers(&[("sec-fetch-site", "same-origin")])).is_ok());
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(next_or_home(Some("/employer/apply"), Role::Employer), "/employer/apply");
        assert_eq!(next_or_home(Some("//evil.example"), Role::Employer), "/employer");
        assert_eq!(next_or_home(Some("https://evil.example"), Role::Reviewer), "/review");
        assert_eq!(next_or_home(None, Role::Officer), "/counter");
        assert_eq!(next_or_home(Some("/\t/evil.example"), Role::Employer), "/employer");
        assert_eq!(next_or_home(Some("/\\evil.example"), Role::Employer), "/employer");
        assert_eq!(next_or_home(Some("/employer\n"), Role::Employer), "/employer");
        assert_eq!(next_or_home(Some("/review?status=in_review"), Role::Reviewer), "/review?status=in_review");
    }
}
