//! Uploads and the dishonesty list: what the one-time notice says about invalid files,
//! and an administrator's list taking effect at once.

use e2e::stack::{DbKind, SAMPLE_PDF, Stack, StackOptions, application, credit_code};
use serde_json::json;

#[tokio::test]
async fn uploads_are_checked_and_invalid_materials_are_in_the_notice() {
    let stack = Stack::start(StackOptions { db: DbKind::Sqlite, ..Default::default() }).await;
    let code = credit_code(30);
    let employer = stack.token("employer", &code, "").await;

    let (status, m) = stack.upload(&employer, "passport", "application/pdf", SAMPLE_PDF.to_vec()).await;
    assert_eq!(status, 201, "{m}");
    assert_eq!(m["size"], SAMPLE_PDF.len());
    assert_eq!(m["sha256"].as_str().map(str::len), Some(64));

    // A PNG declared as PDF, a kind the system generates, and a text file: all refused.
    let png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R'];
    let (status, p) = stack.upload(&employer, "passport", "application/pdf", png).await;
    assert_eq!((status, p["errors"][0]["code"].as_str()), (422, Some("content_type_mismatch")), "{p}");
    let (status, p) = stack.upload(&employer, "work_permit_application_form", "text/plain", b"hello".to_vec()).await;
    assert_eq!(status, 422);
    let codes: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["not_uploaded", "content_type_not_allowed"], "{p}");
    let too_big = vec![b'%'; 10 * 1024 * 1024 + 10];
    let (status, _) = stack.upload(&employer, "passport", "application/pdf", too_big).await;
    assert_eq!(status, 413);
    let stranger = stack.token("reviewer", "alice", "hrss").await;
    assert_eq!(stack.upload(&stranger, "passport", "application/pdf", SAMPLE_PDF.to_vec()).await.0, 403);

    // In a submission: an unknown id, another employer's upload, and a photo older than
    // six months are each reported.
    let other = credit_code(31);
    let other_token = stack.token("employer", &other, "").await;
    let (_, foreign) = stack.upload(&other_token, "health_certificate", "application/pdf", SAMPLE_PDF.to_vec()).await;
    let mut body = application(&code, "B", &[]);
    for m in body["materials"].as_array_mut().unwrap() {
        let kind = m["kind"].as_str().unwrap().to_string();
        match kind.as_str() {
            "work_experience_proof" => m["id"] = json!("no-such-upload"),
            "health_certificate" => m["id"] = foreign["id"].clone(),
            _ => {
                let (_, up) = stack.upload(&employer, &kind, "application/pdf", SAMPLE_PDF.to_vec()).await;
                m["id"] = up["id"].clone();
                if kind == "photo" {
                    m["dated_on"] = json!("2024-01-15");
                }
            }
        }
    }
    let (status, p) = stack.post("/api/v1/cases", Some(&employer), &body).await;
    assert_eq!(status, 422, "{p:#}");
    let found: Vec<(String, String)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_string(), e["code"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(found.iter().filter(|(_, c)| c == "material_not_found").count(), 2, "{found:?}");
    assert!(found.iter().any(|(_, c)| c == "photo_too_old"), "{found:?}");
    assert_eq!(stack.count("service-center", "SELECT COUNT(*) FROM cases").await, 0);
    stack.shutdown().await;
}

#[tokio::test]
async fn an_employer_on_the_dishonesty_list_is_refused_at_intake() {
    let stack = Stack::start(StackOptions::default()).await;
    let code = credit_code(32);
    let admin = stack.token("admin", "root", "").await;
    let employer = stack.token("employer", &code, "").await;

    let (status, p) = stack
        .post_raw("/api/v1/admin/dishonesty-list", Some(&admin), br#"{"credit_codes": ["bogus", 7]}"#.to_vec(), &[])
        .await;
    assert_eq!(status, 405, "PUT replaces the list: {p}");
    let put = |body: serde_json::Value, token: String| {
        let http = stack.http.clone();
        let url = format!("{}/api/v1/admin/dishonesty-list", stack.base_url);
        async move {
            let r = http.put(url).bearer_auth(token).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let (status, p) = put(json!({"credit_codes": ["bogus", code.clone(), "91350100M000100Y44"]}), admin.clone()).await;
    assert_eq!(status, 422, "{p}");
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["credit_codes[0]", "credit_codes[2]"]);
    assert_eq!(put(json!({"credit_codes": [code.clone()]}), employer.clone()).await.0, 403);
    let (status, r) = put(json!({"credit_codes": [code.clone()]}), admin.clone()).await;
    assert_eq!((status, r["count"].as_i64()), (200, Some(1)), "{r}");

    let (status, p) = stack.submit_case(&employer, application(&code, "B", &[])).await;
    assert_eq!(status, 422, "{p:#}");
    assert!(p["errors"].as_array().unwrap().iter().any(|e| e["code"] == "employer_dishonest"), "{p:#}");

    let (status, r) = put(json!({"credit_codes": []}), admin.clone()).await;
    assert_eq!((status, r["count"].as_i64()), (200, Some(0)));
    let (status, case) = stack.submit_case(&employer, application(&code, "B", &[])).await;
    assert_eq!(status, 201, "{case:#}");
    let (status, list) = stack.get("/api/v1/admin/dishonesty-list", Some(&admin)).await;
    assert_eq!((status, list["version"].as_i64()), (200, Some(3)), "{list}");
    stack.shutdown().await;
}
