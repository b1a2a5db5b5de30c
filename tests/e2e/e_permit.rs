//! The issuer and the electronic work permit (issue 9.9): the case and the permit name the
//! issuing office as the classification does; the employer and the holder download the
//! e-permit (a PDF with the permit's data and its verification code), each download is in
//! the access log; anyone checks a code at `GET /api/v1/work-permits/verify/{code}`, which
//! answers valid with the permit's public facts, or `{"valid": false}` and nothing else.

use e2e::stack::{Stack, StackOptions, application, credit_code, item, item_status};
use serde_json::{Value, json};

use crate::{CONVERGE, approve_at, submit_in_review, submitted_in_review};

const LANZHOU_BUREAU: &str = "Lanzhou Municipal Bureau of Science and Technology";
const PROVINCIAL_ST: &str = "Gansu Provincial Department of Science and Technology";
const PROVINCIAL_HRSS: &str = "Gansu Provincial Department of Human Resources and Social Security";

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// The verification code printed in the PDF (its metadata names it beside the number).
fn code_in(pdf: &[u8]) -> String {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("verification code ").expect("the code in the document's metadata") + "verification code ".len();
    text[at..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_and_the_permit_name_the_issuer_the_classification_names() {
    let stack = Stack::start(StackOptions::default()).await;
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;

    // A Lanzhou employer (620100), category B: the municipal bureau, before and after approval.
    let (employer, lanzhou, case) = submitted_in_review(&stack, 91, "B", &[]).await;
    assert!(text(&case["issuer"]).starts_with(LANZHOU_BUREAU), "{case:#}");
    let (status, permit) = stack.get(&format!("/api/v1/work-permits/{lanzhou}"), Some(&reviewer)).await;
    assert_eq!(status, 200, "{permit:#}");
    assert!(text(&permit["issuer"]).starts_with(LANZHOU_BUREAU), "{permit:#}");
    let approved = approve_at(&stack, &lanzhou, "science-tech").await;
    assert!(text(&approved["issuer"]).starts_with(LANZHOU_BUREAU));
    let case = stack.wait_case(&employer, &lanzhou, CONVERGE, |c| item_status(c, "work_permit") == "approved").await;
    assert!(text(&item(&case, "work_permit")["result"]["issuer"]).starts_with(LANZHOU_BUREAU), "{case:#}");
    assert!(text(&case["issuer"]).starts_with(LANZHOU_BUREAU));

    // An employer in Jiayuguan (620200), category B: the provincial department.
    let mut body = application(&credit_code(92), "B", &[]);
    body["employer"]["region_code"] = json!("620200");
    let (employer, elsewhere, case) = submit_in_review(&stack, 92, body).await;
    assert_eq!(case["issuer"], PROVINCIAL_ST, "{case:#}");
    assert_eq!(approve_at(&stack, &elsewhere, "science-tech").await["issuer"], PROVINCIAL_ST);
    let case = stack.wait_case(&employer, &elsewhere, CONVERGE, |c| item_status(c, "work_permit") == "approved").await;
    assert_eq!(item(&case, "work_permit")["result"]["issuer"], PROVINCIAL_ST);

    // Category C in Lanzhou: HRSS, the delegation covers A and B only.
    let (employer, c_case, case) = submitted_in_review(&stack, 93, "C", &[]).await;
    assert_eq!(case["issuer"], PROVINCIAL_HRSS, "{case:#}");
    assert_eq!(approve_at(&stack, &c_case, "hrss").await["issuer"], PROVINCIAL_HRSS);
    let case = stack.wait_case(&employer, &c_case, CONVERGE, |c| item_status(c, "work_permit") == "approved").await;
    assert_eq!(item(&case, "work_permit")["result"]["issuer"], PROVINCIAL_HRSS);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_employer_and_the_holder_download_the_e_permit_and_anyone_verifies_its_code_until_cancelled() {
    // The access log is read from every service, ops included.
    let stack = Stack::start(StackOptions { ops: true, ..StackOptions::default() }).await;
    let (employer, id, _) = submitted_in_review(&stack, 94, "B", &[]).await;
    let document = format!("/api/v1/work-permits/{id}/document");

    // Nothing to download before the approval.
    let (status, _, _) = stack.get_bytes(&document, Some(&employer)).await;
    assert_eq!(status, 409);

    let permit = approve_at(&stack, &id, "science-tech").await;
    let number = text(&permit["permit_number"]).to_string();
    stack.wait_case(&employer, &id, CONVERGE, |c| item_status(c, "work_permit") == "approved").await;

    // The employer downloads it.
    let (status, headers, pdf) = stack.get_bytes(&document, Some(&employer)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(headers["cache-control"], "private, no-store");
    assert!(pdf.starts_with(b"%PDF-"));
    let body = String::from_utf8_lossy(&pdf).to_string();
    assert!(body.contains(&number), "the permit number in the document");
    let code = code_in(&pdf);
    assert_eq!(code.len(), 20, "{code}");
    assert!(body.contains("/FontFile2"), "the CJK font is embedded");

    // The holder downloads the same permit with the same code.
    let holder = stack.token("foreigner", &number, "").await;
    let (status, _, theirs) = stack.get_bytes(&document, Some(&holder)).await;
    assert_eq!(status, 200);
    assert_eq!(code_in(&theirs), code);

    // Another employer, another foreigner, nobody: not theirs.
    let other = stack.token("employer", &credit_code(95), "").await;
    assert_eq!(stack.get_bytes(&document, Some(&other)).await.0, 404);
    let stranger = stack.token("foreigner", "62B202600999999", "").await;
    assert_eq!(stack.get_bytes(&document, Some(&stranger)).await.0, 404);
    assert_eq!(stack.get_bytes(&document, None).await.0, 401);

    // Both downloads are reads of the holder's data in the access log, with the fields.
    let auditor = stack.token("auditor", "audit-1", "").await;
    let (status, log) = stack.get(&format!("/api/v1/audit?case_id={id}&limit=200"), Some(&auditor)).await;
    assert_eq!(status, 200, "{log:#}");
    let downloads: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "permit.document" && e["outcome"] == "allowed")
        .collect();
    let mut who: Vec<&str> = downloads.iter().map(|e| text(&e["actor"]["role"])).collect();
    who.sort();
    assert_eq!(who, ["employer", "foreigner"], "{log:#}");
    for d in &downloads {
        assert_eq!(d["service"], "science-tech");
        assert!(!text(&d["person"]).is_empty(), "{d:#}");
        assert!(d["fields"].as_array().unwrap().iter().any(|f| f == "passport_number"), "{d:#}");
    }

    // Anyone verifies the code: valid, with the public facts and nothing personal.
    let verify = format!("/api/v1/work-permits/verify/{code}");
    let (status, v) = stack.get(&verify, None).await;
    assert_eq!(status, 200, "{v:#}");
    assert_eq!(v["valid"], true);
    assert_eq!(v["permit_number"], number.as_str());
    assert_eq!(v["valid_until"], permit["valid_until"]);
    assert!(text(&v["issuer"]).starts_with(LANZHOU_BUREAU));
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["issuer", "permit_number", "valid", "valid_until"], "no personal data: {v:#}");
    let raw = v.to_string();
    assert!(!raw.contains("SMITH") && !raw.contains("E12345678"));
    // As typed from paper: lower case with hyphens.
    let typed = format!("{}-{}", &code[..10].to_lowercase(), &code[10..]);
    assert_eq!(stack.get(&format!("/api/v1/work-permits/verify/{typed}"), None).await.1["valid"], true);

    // An unknown code: 200 and valid false, nothing else.
    let (status, unknown) = stack.get("/api/v1/work-permits/verify/0000000000AAAAAAAAAA", None).await;
    assert_eq!((status, unknown), (200, json!({"valid": false})));
    let (status, junk) = stack.get("/api/v1/work-permits/verify/not-a-code", None).await;
    assert_eq!((status, junk), (200, json!({"valid": false})));

    // Cancelled: the same code is no longer valid, and says nothing more; no download.
    let reviewer = stack.token("reviewer", "alice", "science-tech").await;
    let (status, cancelled) = stack
        .post(&format!("/api/v1/work-permits/{id}/cancellation"), Some(&reviewer), &json!({"reason": "contract ended"}))
        .await;
    assert_eq!(status, 200, "{cancelled:#}");
    let (status, v) = stack.get(&verify, None).await;
    assert_eq!((status, v), (200, json!({"valid": false})));
    assert_eq!(stack.get_bytes(&document, Some(&employer)).await.0, 409);

    // Both routes are in the OpenAPI document.
    let (_, doc) = stack.get("/openapi.json", None).await;
    assert!(doc["paths"]["/api/v1/work-permits/{case_id}/document"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/work-permits/verify/{code}"]["get"].is_object());
    stack.shutdown().await;
}
