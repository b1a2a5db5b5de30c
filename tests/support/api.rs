//! A client of the gateway's public HTTP API: dev tokens, JSON calls, uploads, and waiting
//! for a case to reach a state. Used by the end-to-end tests, the benchmark and the demo
//! seeder.

use std::time::Duration;

use serde_json::{Value, json};

/// The smallest file that is recognisably a PDF.
pub const SAMPLE_PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

#[derive(Clone)]
pub struct Api {
    pub base_url: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(base_url: String) -> Api {
        Api { base_url, http: reqwest::Client::new() }
    }

    pub async fn token(&self, role: &str, subject: &str, department: &str) -> String {
        let r = self
            .post("/api/v1/dev/tokens", None, &json!({"role": role, "subject": subject, "department": department}))
            .await;
        assert_eq!(r.0, 200, "token: {}", r.1);
        r.1["token"].as_str().expect("token").to_string()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        self.post_raw(path, token, serde_json::to_vec(body).expect("json"), &[]).await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req =
            self.http.post(format!("{}{path}", self.base_url)).header("content-type", "application/json").body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("gateway reachable");
        let status = resp.status().as_u16();
        let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if status >= 400 {
            assert_eq!(ct, "application/problem+json", "errors are problem+json: {status} {body}");
        }
        (status, body)
    }

    /// Uploads one file as employer `token`; returns (status, body).
    pub async fn upload(&self, token: &str, kind: &str, content_type: &str, bytes: Vec<u8>) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}/api/v1/materials?kind={kind}", self.base_url))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("gateway reachable");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Uploads a small PDF for every material the application lists, puts the real ids
    /// in, and submits the case: what an employer's browser does.
    pub async fn submit_case(&self, token: &str, mut body: Value) -> (u16, Value) {
        if let Some(materials) = body["materials"].as_array_mut() {
            for m in materials {
                let kind = m["kind"].as_str().unwrap_or_default().to_string();
                let (status, uploaded) = self.upload(token, &kind, "application/pdf", SAMPLE_PDF.to_vec()).await;
                assert_eq!(status, 201, "upload {kind}: {uploaded}");
                m["id"] = uploaded["id"].clone();
            }
        }
        self.post("/api/v1/cases", Some(token), &body).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(format!("{}{path}", self.base_url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("gateway reachable");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// A GET whose answer is not JSON (a file): status, headers and the raw bytes.
    pub async fn get_bytes(&self, path: &str, token: Option<&str>) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let mut req = self.http.get(format!("{}{path}", self.base_url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("gateway reachable");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        (status, headers, resp.bytes().await.expect("the whole body").to_vec())
    }

    /// Polls the case until `pred` holds; panics with the last view after `timeout`.
    pub async fn wait_case(&self, token: &str, id: &str, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let (status, case) = self.get(&format!("/api/v1/cases/{id}"), Some(token)).await;
            if status == 200 && pred(&case) {
                return case;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "case {id} did not reach the expected state: {status} {case:#}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = self.http.put(format!("{}{path}", self.base_url)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("gateway reachable");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}
