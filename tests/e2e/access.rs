//! Who sees the personal data a reviewer needs: uploaded materials and the applicant's
//! identity go to the employer and to staff of the departments the case is in, 404 to
//! everyone else (as for what does not exist), and every read by staff is in the audit log
//! with its case and purpose. The service guide is public.

use e2e::stack::{SAMPLE_PDF, Stack, StackOptions, application, credit_code, item_status};
use serde_json::Value;

use crate::CONVERGE;

/// A PDF of its own, so a download is known to be this file and no other.
fn passport_pdf() -> Vec<u8> {
    let mut pdf = b"%PDF-1.7\n% passport scan of the e2e access test\n".to_vec();
    pdf.extend((0..40_000u32).map(|i| b'a' + (i % 26) as u8));
    pdf.extend_from_slice(b"\n%%EOF\n");
    pdf
}

async fn audit_count(stack: &Stack, filter: &str) -> i64 {
    stack.count("service-center", &format!("SELECT COUNT(*) FROM audit_log WHERE {filter}")).await
}

#[tokio::test]
async fn materials_and_the_applicant_are_shown_only_to_those_allowed_and_every_staff_read_is_audited() {
    let stack = Stack::start(StackOptions::default()).await;
    let code = credit_code(80);
    let employer = stack.token("employer", &code, "").await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let other_reviewer = stack.token("reviewer", "bob", "hrss").await;
    let officer = stack.token("officer", "carol", "public-security").await;
    let other_employer = stack.token("employer", &credit_code(81), "").await;
    let ops = stack.token("ops", "olga", "").await;

    // The employer's upload comes back byte for byte, with its type.
    let pdf = passport_pdf();
    let (status, up) = stack.upload(&employer, "passport", "application/pdf", pdf.clone()).await;
    assert_eq!(status, 201, "{up}");
    let passport_id = up["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/materials/{passport_id}");
    let (status, headers, body) = stack.get_bytes(&path, Some(&employer)).await;
    assert_eq!(status, 200);
    assert_eq!(body, pdf, "the download is the upload");
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("content-disposition"), "inline; filename=\"passport.pdf\"");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cache-control"), "private, no-store");
    // Before any case uses it, the file is the employer's alone.
    assert_eq!(stack.get_bytes(&path, Some(&reviewer)).await.0, 404);

    // The application uses it; the work permit (category B) is science-tech's.
    let mut body = application(&code, "B", &[]);
    for m in body["materials"].as_array_mut().unwrap() {
        if m["kind"] == "passport" {
            m["id"] = Value::from(passport_id.clone());
        } else {
            let kind = m["kind"].as_str().unwrap().to_string();
            let (status, up) = stack.upload(&employer, &kind, "application/pdf", SAMPLE_PDF.to_vec()).await;
            assert_eq!(status, 201, "{up}");
            m["id"] = up["id"].clone();
        }
    }
    let (status, case) = stack.post("/api/v1/cases", Some(&employer), &body).await;
    assert_eq!(status, 201, "{case:#}");
    let id = case["id"].as_str().unwrap().to_string();
    stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "work_permit") == "in_review").await;

    // Staff of the departments the case is in read it; hrss (no item), another employer
    // and ops get the 404 of an id that does not exist.
    let (status, _, seen) = stack.get_bytes(&path, Some(&reviewer)).await;
    assert_eq!((status, seen == pdf), (200, true));
    assert_eq!(stack.get_bytes(&path, Some(&officer)).await.0, 200, "the residence item is public security's");
    let (status, hidden) = stack.get(&path, Some(&other_reviewer)).await;
    let (missing_status, missing) = stack.get("/api/v1/materials/no-such-material", Some(&reviewer)).await;
    assert_eq!((status, missing_status), (404, 404));
    assert_eq!((&hidden["type"], &hidden["title"]), (&missing["type"], &missing["title"]), "{hidden} / {missing}");
    assert_eq!(stack.get_bytes(&path, Some(&other_employer)).await.0, 404);
    assert_eq!(stack.get_bytes(&path, Some(&ops)).await.0, 404);
    assert_eq!(stack.get_bytes(&path, None).await.0, 401);
    let (status, problem) = stack.get("/api/v1/materials/no-such-material", None).await;
    assert_eq!((status, problem["status"].as_i64()), (401, Some(401)));

    // The audit log: who, which case, why; every refusal too; the employer's own download
    // (before the case existed) as a read of its own file.
    let read = |subject: &str, purpose: &str| {
        format!(
            "action = 'material.read' AND actor_subject = '{subject}' AND case_id = '{id}' AND purpose = '{purpose}' \
             AND outcome = 'allowed' AND resource = 'material/{passport_id}'"
        )
    };
    assert_eq!(audit_count(&stack, &read("alice", "review")).await, 1);
    assert_eq!(audit_count(&stack, &read("carol", "counter")).await, 1);
    let denied = format!("action = 'material.read' AND outcome = 'denied' AND resource = 'material/{passport_id}'");
    assert_eq!(audit_count(&stack, &denied).await, 4, "alice before the case, bob, the other employer, ops");
    assert_eq!(audit_count(&stack, "action = 'material.read' AND outcome = 'not_found'").await, 1);
    let own = format!(
        "action = 'material.read' AND actor_subject = '{code}' AND purpose = 'own_case' AND outcome = 'allowed'"
    );
    assert_eq!(audit_count(&stack, &own).await, 1);

    // The case lists its files to those who may read them: the reviewer finds the passport,
    // the employer the application form the system generated (a JSON document); ops sees none.
    let (_, seen) = stack.get(&format!("/api/v1/cases/{id}"), Some(&reviewer)).await;
    let files = seen["materials"].as_array().expect("the case lists its materials");
    assert!(files.iter().any(|m| m["id"] == passport_id.as_str() && m["kind"] == "passport"), "{files:#?}");
    let form = files.iter().find(|m| m["kind"] == "work_permit_application_form").expect("the generated form");
    let form_path = format!("/api/v1/materials/{}", form["id"].as_str().unwrap());
    let (status, headers, bytes) = stack.get_bytes(&form_path, Some(&employer)).await;
    assert_eq!((status, headers.get("content-type").and_then(|v| v.to_str().ok())), (200, Some("application/json")));
    let form: Value = serde_json::from_slice(&bytes).expect("a JSON form");
    assert_eq!(form["applicant"]["surname"], "SMITH");
    assert_eq!(stack.get_bytes(&form_path, Some(&other_employer)).await.0, 404);
    let (_, seen) = stack.get(&format!("/api/v1/cases/{id}"), Some(&ops)).await;
    assert_eq!(seen["materials"], serde_json::json!([]), "{seen:#}");

    // The permit shows the applicant to the reviewer who decides it, audited, and to no one else.
    let permit_path = format!("/api/v1/work-permits/{id}");
    let (status, permit) = stack.get(&permit_path, Some(&reviewer)).await;
    assert_eq!(status, 200, "{permit:#}");
    let a = &permit["applicant"];
    assert_eq!((a["surname"].as_str(), a["given_names"].as_str()), (Some("SMITH"), Some("JOHN")), "{permit:#}");
    assert_eq!((a["sex"].as_str(), a["nationality"].as_str()), (Some("M"), Some("GBR")));
    let passport = e2e::stack::passport_of(&code);
    assert_eq!(
        (a["birth_date"].as_str(), a["passport_number"].as_str()),
        (Some("1988-04-02"), Some(passport.as_str()))
    );
    assert_eq!(a["passport_expiry"], "2033-05-01");
    let (status, permit) = stack.get(&permit_path, Some(&ops)).await;
    assert_eq!(status, 200, "{permit:#}");
    assert!(permit.get("applicant").is_none(), "{permit:#}");
    assert_eq!(stack.get(&permit_path, Some(&other_reviewer)).await.0, 404, "not theirs: as if absent");
    let (_, list) = stack.get("/api/v1/work-permits", Some(&reviewer)).await;
    assert!(list["items"].as_array().unwrap().iter().all(|p| p.get("applicant").is_none()), "not in lists");
    let applicant_read = format!(
        "action = 'applicant.read' AND actor_subject = 'alice' AND case_id = '{id}' AND purpose = 'permit_review' \
         AND outcome = 'allowed'"
    );
    assert_eq!(audit_count(&stack, &applicant_read).await, 1);
    assert_eq!(audit_count(&stack, "action = 'applicant.read' AND actor_role <> 'reviewer'").await, 0);
    stack.shutdown().await;
}

#[tokio::test]
async fn the_guide_is_public_and_lists_the_sixteen_materials_in_both_languages() {
    let stack = Stack::start(StackOptions { db: e2e::stack::DbKind::Sqlite, ..Default::default() }).await;
    let (status, guide) = stack.get("/api/v1/guide", None).await;
    assert_eq!(status, 200, "{guide:#}");
    let materials = guide["materials"].as_array().unwrap();
    assert_eq!(materials.len(), 16);
    for m in materials {
        assert!(!m["name"]["zh"].as_str().unwrap().is_empty() && !m["name"]["en"].as_str().unwrap().is_empty(), "{m}");
        assert!(m["items"].as_array().is_some_and(|i| !i.is_empty()), "{m}");
    }
    let kinds: Vec<&str> = materials.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"passport") && kinds.contains(&"passport_loss_certificate"));
    assert_eq!(guide["hotline"]["number"], "0931-12345");
    assert_eq!(
        (
            guide["time_limits"]["committed_working_days"].as_i64(),
            guide["time_limits"]["statutory_working_days"].as_i64()
        ),
        (Some(15), Some(90))
    );
    assert_eq!((guide["trips"]["count"].as_i64(), guide["steps"].as_array().map(Vec::len)), (Some(1), Some(2)));
    assert_eq!(guide["efficiency"]["joint"]["documents"], 15);
    assert_eq!(guide["items"].as_array().map(Vec::len), Some(4));
    assert!(
        guide["conditions"].as_array().unwrap().iter().any(|c| c["checks"] == serde_json::json!(["applicant_adult"]))
    );
    assert_eq!(guide["legal_bases"].as_array().map(Vec::len), Some(4));
    assert!(
        guide["faq"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["question"]["zh"].is_string() && f["answer"]["en"].is_string())
    );
    let (_, doc) = stack.get("/openapi.json", None).await;
    for path in ["/api/v1/guide", "/api/v1/materials/{id}"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
    }
    stack.shutdown().await;
}
