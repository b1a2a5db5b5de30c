//! The browser session over the real gateway: the dev sign-in form sets an HttpOnly,
//! SameSite=Strict cookie the API accepts; a command with the cookie needs the session's
//! CSRF token and this origin; a page for another role sends the caller to sign in; a
//! failed sign-in and sign-out end the session.

use e2e::stack::{Stack, StackOptions, application, credit_code};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("onething_session="))
        .map(str::to_string)
}

/// The CSRF token the page's shell carries for this session.
async fn csrf_of(http: &reqwest::Client, base: &str, cookie: &str, page: &str) -> String {
    let html = http.get(format!("{base}{page}")).header(COOKIE, cookie).send().await.unwrap().text().await.unwrap();
    let at = html.find("\"csrf\":\"").expect("the shell carries the CSRF token") + 8;
    html[at..at + 48].to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_session_cookie_works_only_with_its_csrf_token_from_this_site() {
    let stack = Stack::start(StackOptions::default()).await;
    let base = stack.base_url.clone();
    let http = no_redirects();
    let code = credit_code(81);

    // A page for employers sends a stranger to sign in, keeping where they were going.
    let r = http.get(format!("{base}/employer/apply")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/sign-in?next=/employer/apply");

    // The dev form, form-encoded, as a browser posts it.
    let r = http
        .post(format!("{base}/sign-in/dev"))
        .form(&[("role", "employer"), ("subject", code.as_str()), ("department", ""), ("next", "/employer/apply")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/employer/apply");
    let set = session_cookie(r.headers()).expect("a session cookie");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{set} has {attr}");
    }
    let cookie = set.split(';').next().unwrap().to_string();
    assert_eq!(http.get(format!("{base}/employer/apply")).header(COOKIE, &cookie).send().await.unwrap().status(), 200);

    // Reads need only the cookie.
    let r = http.get(format!("{base}/api/v1/cases")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(r.status(), 200);

    // A command without the CSRF token, with another session's, or from another site: refused.
    let body = serde_json::to_vec(&application(&code, "B", &["work_permit"])).unwrap();
    let submit = |csrf: Option<&str>, origin: Option<&str>| {
        let mut req = http
            .post(format!("{base}/api/v1/cases"))
            .header(COOKIE, &cookie)
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(c) = csrf {
            req = req.header("x-csrf-token", c);
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let r = submit(None, None).await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("/problems/csrf"));
    let other = stack.token("employer", &credit_code(82), "").await;
    let other_csrf = csrf_of(&http, &base, &format!("onething_session={other}"), "/employer").await;
    assert_eq!(submit(Some(&other_csrf), None).await.unwrap().status(), 403);
    let csrf = csrf_of(&http, &base, &cookie, "/employer").await;
    let r = submit(Some(&csrf), Some("http://evil.example")).await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("/problems/cross-site"));
    // With its token, from this site: it passes the edge and reaches intake (which then
    // judges the application itself).
    let r = submit(Some(&csrf), Some(&base)).await.unwrap();
    assert!(r.status() != 401 && r.status() != 403, "{}", r.status());

    // A failed sign-in answers every problem and ends the session it replaced.
    let r = http
        .post(format!("{base}/sign-in/dev"))
        .header(COOKIE, &cookie)
        .header("accept", "application/json")
        .form(&[("role", "wizard"), ("subject", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(session_cookie(r.headers()).unwrap().contains("Max-Age=0"));
    let problem: serde_json::Value = r.json().await.unwrap();
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");

    // Signing in from another site is refused outright.
    let r = http
        .post(format!("{base}/sign-in/dev"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("role", "employer"), ("subject", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(session_cookie(r.headers()).is_none());

    // Sign-out clears the cookie and what the browser keeps.
    let r = http.post(format!("{base}/sign-out")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(session_cookie(r.headers()).unwrap().contains("Max-Age=0"));
    assert!(r.headers()["clear-site-data"].to_str().unwrap().contains("storage"));

    // A forged cookie is no session: the page sends the caller to sign in and drops it.
    let r = http.get(format!("{base}/employer")).header(COOKIE, "onething_session=forged").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    stack.shutdown().await;
}
