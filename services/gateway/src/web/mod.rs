//! The web workspaces: the pages (one shell per fixed URL, see [`pages`]), the browser
//! session (see [`session`]) and the static files under `web/` (the page scripts, the
//! message catalog, the pinned npm packages they import).
//!
//! The pages are plain ES modules rendering from the public JSON API with lit-html, so the
//! gateway stays an edge: it has no second read model for the pages. See
//! docs/adr/0004-web-workspaces-as-modules-over-the-public-api.md.

pub mod pages;
pub mod session;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::startup::AppState;

/// The folder of the web files: `web.root` in the settings, the checkout's `web/` by default.
pub fn default_root() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../web").to_string()
}

/// Same-origin scripts, styles, images and frames only; no inline script can run.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
    frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn router(root: &Path) -> anyhow::Result<Router<AppState>> {
    let shell = std::fs::read_to_string(root.join("shell.html")).map_err(|e| {
        anyhow::anyhow!("web shell {}: {e} (set ONETHING__WEB__ROOT)", root.join("shell.html").display())
    })?;
    let shell = Arc::new(pages::Shell(shell));
    let mut pages = Router::new();
    for page in pages::PAGES {
        let shell = shell.clone();
        pages = pages.route(
            page.path,
            get(move |state, uri, headers, query| pages::serve(page, state, shell.clone(), uri, headers, query)),
        );
    }
    let pages = pages
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
    let assets = |dir: PathBuf| ServeDir::new(dir).append_index_html_on_directories(false);
    let static_files = Router::new()
        .nest_service("/assets/vendor/lit-html", assets(root.join("node_modules/lit-html")))
        .nest_service("/assets/vendor/echarts", assets(root.join("node_modules/echarts/dist")))
        .nest_service("/assets/catalog", assets(root.join("catalog")))
        .nest_service("/assets", assets(root.join("src")))
        // Revalidated on every load (Last-Modified), so a new release is seen at once.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")));
    Ok(pages
        .merge(static_files)
        .route("/sign-in/dev", post(session::sign_in_dev))
        .route("/session", post(session::from_token))
        .route("/sign-out", post(session::sign_out))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"))))
}
