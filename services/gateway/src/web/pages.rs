//! The pages at their fixed URLs (API.md, "Web pages"). Each is the same small HTML shell
//! naming its page module; the module renders from the public JSON API in the browser. The
//! shell carries the language, the signed-in caller and the session's CSRF token, and the
//! server turns away a caller whose role the page is not for before anything renders.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use domain::Role;
use serde::Deserialize;
use serde_json::json;

use super::session;
use crate::startup::AppState;

/// One page: its URL pattern (axum syntax), its script under `web/src/pages/`, who may open it.
pub struct Page {
    pub path: &'static str,
    pub module: &'static str,
    /// Empty: everyone.
    pub roles: &'static [Role],
    /// The language when the person has chosen none (the foreigner's page is English first).
    pub default_lang: Lang,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

const fn page(path: &'static str, module: &'static str, roles: &'static [Role]) -> Page {
    Page { path, module, roles, default_lang: Lang::Zh }
}

pub const PAGES: &[Page] = &[
    page("/", "home", &[]),
    page("/guide", "guide", &[]),
    page("/sign-in", "sign-in", &[]),
    page("/employer", "employer", &[Role::Employer]),
    page("/employer/apply", "apply", &[Role::Employer]),
    page("/employer/cases/{id}", "employer-case", &[Role::Employer]),
    page("/review", "review", &[Role::Reviewer]),
    page("/review/cases/{id}", "review-case", &[Role::Reviewer]),
    page("/counter", "counter", &[Role::Officer]),
    Page { path: "/me", module: "me", roles: &[], default_lang: Lang::En },
    page("/ops", "ops", &[Role::Ops, Role::Admin]),
];

/// The shell, read once at start from `web/shell.html`.
pub struct Shell(pub String);

#[derive(Deserialize)]
pub struct LangQuery {
    #[serde(default)]
    lang: String,
}

/// The language: `?lang=` (then remembered), the remembered choice, the browser's first
/// preference, the page's default.
fn language(q: &LangQuery, headers: &HeaderMap, default: Lang) -> (Lang, bool) {
    if let Some(l) = Lang::parse(&q.lang) {
        return (l, true);
    }
    if let Some(l) = session::cookie(headers, session::LANG_COOKIE).and_then(|c| Lang::parse(&c)) {
        return (l, false);
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let first = accept.split(',').next().unwrap_or_default().trim().to_ascii_lowercase();
    let l = if first.starts_with("en") {
        Lang::En
    } else if first.starts_with("zh") {
        Lang::Zh
    } else {
        default
    };
    (l, false)
}

/// JSON for a `<script type="application/json">` block: `<` escaped so no `</script>` can end it.
fn script_json(v: &serde_json::Value) -> String {
    v.to_string().replace('<', "\\u003c")
}

pub async fn serve(
    page: &'static Page,
    State(state): State<AppState>,
    shell: Arc<Shell>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let token = session::token(&headers);
    let actor = token.as_deref().and_then(|t| state.keys.actor(t));
    if !page.roles.is_empty() && !actor.as_ref().is_some_and(|a| page.roles.contains(&a.role)) {
        let next = uri.path_and_query().map(|p| p.as_str()).unwrap_or(page.path);
        let to = format!("/sign-in?next={}", urlencode(next));
        let mut r = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(&to) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    let (lang, chosen) = language(&q, &headers, page.default_lang);
    let session = match (&actor, &token) {
        (Some(a), Some(t)) => json!({
            "role": a.role.as_str(),
            "subject": a.subject,
            "department": a.department_str(),
            "csrf": state.keys.csrf(t),
            "home": session::home(a.role),
        }),
        _ => serde_json::Value::Null,
    };
    let html = shell
        .0
        .replace("{{lang}}", lang.html())
        .replace("{{page}}", page.module)
        .replace("{{dev}}", if state.dev_mode { "true" } else { "false" })
        .replace("{{session}}", &script_json(&session));
    let mut resp = axum::response::Html(html).into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language"));
    if chosen
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            session::LANG_COOKIE,
            lang.code()
        ))
    {
        h.append(header::SET_COOKIE, v);
    }
    if token.is_some() && actor.is_none() {
        // An expired or forged session cookie is dropped rather than sent again.
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("onething_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
        );
    }
    resp
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(accept: &str, cookie: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(accept).unwrap());
        if !cookie.is_empty() {
            m.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        m
    }

    #[test]
    fn the_language_is_the_query_then_the_choice_then_the_browser() {
        let q = |l: &str| LangQuery { lang: l.into() };
        assert_eq!(language(&q("en"), &h("zh-CN", "onething_lang=zh"), Lang::Zh), (Lang::En, true));
        assert_eq!(language(&q(""), &h("en-US", "onething_lang=zh"), Lang::En), (Lang::Zh, false));
        assert_eq!(language(&q(""), &h("en-US,en;q=0.9", ""), Lang::Zh), (Lang::En, false));
        assert_eq!(language(&q(""), &h("zh-CN,zh;q=0.9", ""), Lang::En), (Lang::Zh, false));
        assert_eq!(language(&q("xx"), &h("", ""), Lang::En), (Lang::En, false));
    }

    #[test]
    fn session_json_cannot_close_its_script() {
        assert!(!script_json(&json!({"subject": "</script><script>alert(1)"})).contains("</"));
    }

    #[test]
    fn every_page_has_a_script() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/src/pages");
        for p in PAGES {
            assert!(dir.join(format!("{}.js", p.module)).exists(), "web/src/pages/{}.js", p.module);
        }
    }
}
