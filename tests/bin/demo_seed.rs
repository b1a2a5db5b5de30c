//! Demo data for a running system (`make run SEED=1`, or `make demo` beside `make run`):
//! realistic employers of Gansu and cases in every state, made only through the public
//! HTTP API with dev tokens, exactly as employers, reviewers and counter officers would.
//!
//! `cargo run -p e2e --bin demo-seed -- [--url http://127.0.0.1:8080]`

use std::time::Duration;

use e2e::Api;
use e2e::stack::{item, item_status};
use serde_json::{Value, json};

struct Employer {
    name: &'static str,
    region: &'static str,
    kind: &'static str,
}

const EMPLOYERS: [Employer; 6] = [
    Employer {
        name: "兰州新材料科技有限公司 Lanzhou New Materials Tech Co., Ltd.",
        region: "620100",
        kind: "enterprise",
    },
    Employer { name: "兰州大学 Lanzhou University", region: "620100", kind: "public_institution" },
    Employer { name: "甘肃省人民医院 Gansu Provincial Hospital", region: "620100", kind: "public_institution" },
    Employer { name: "天水华天电子集团 Tianshui Huatian Electronics", region: "620500", kind: "enterprise" },
    Employer {
        name: "酒泉风电装备有限公司 Jiuquan Wind Power Equipment", region: "620900", kind: "enterprise"
    },
    Employer {
        name: "敦煌文化交流协会 Dunhuang Cultural Exchange Association",
        region: "620900",
        kind: "social_organization",
    },
];

struct Person {
    surname: &'static str,
    given: &'static str,
    sex: &'static str,
    nationality: &'static str,
    birth: &'static str,
}

const PEOPLE: [Person; 14] = [
    Person { surname: "MÜLLER", given: "ANNA", sex: "F", nationality: "DEU", birth: "1986-03-14" },
    Person { surname: "SMITH", given: "JOHN", sex: "M", nationality: "GBR", birth: "1988-04-02" },
    Person { surname: "TANAKA", given: "YUKI", sex: "F", nationality: "JPN", birth: "1991-11-30" },
    Person { surname: "KIM", given: "MINJUN", sex: "M", nationality: "KOR", birth: "1984-07-21" },
    Person { surname: "DUBOIS", given: "CLAIRE", sex: "F", nationality: "FRA", birth: "1979-01-08" },
    Person { surname: "IVANOV", given: "SERGEI", sex: "M", nationality: "RUS", birth: "1975-05-19" },
    Person { surname: "SILVA", given: "MARIANA", sex: "F", nationality: "BRA", birth: "1993-09-02" },
    Person { surname: "KHAN", given: "AHMED", sex: "M", nationality: "PAK", birth: "1990-12-12" },
    Person { surname: "NGUYEN", given: "LINH", sex: "F", nationality: "VNM", birth: "1995-02-27" },
    Person { surname: "ROSSI", given: "MARCO", sex: "M", nationality: "ITA", birth: "1982-06-05" },
    Person { surname: "JOHANSSON", given: "ERIK", sex: "M", nationality: "SWE", birth: "1987-08-16" },
    Person { surname: "OKAFOR", given: "CHIOMA", sex: "F", nationality: "NGA", birth: "1992-04-09" },
    Person { surname: "NAZAROV", given: "TIMUR", sex: "M", nationality: "KAZ", birth: "1989-10-23" },
    Person { surname: "GARCIA", given: "LUCIA", sex: "F", nationality: "ESP", birth: "1985-03-31" },
];

/// Where a demo case should end up.
#[derive(Clone, Copy, Debug)]
enum Target {
    InReview,
    SupplementRequested,
    SupplementedThenApproved,
    Refused,
    WaitingForApplicant,
    CounterApplication,
    InterviewScheduled,
    ResidenceIssued,
    PickedUp(&'static str),
    NoShowRefused,
    PermitCancelled,
}

const PLAN: [(usize, &str, Target); 14] = [
    (0, "A", Target::InReview),
    (3, "C", Target::InReview),
    (1, "B", Target::SupplementRequested),
    (4, "B", Target::SupplementedThenApproved),
    (5, "C", Target::Refused),
    (2, "A", Target::WaitingForApplicant),
    (0, "B", Target::CounterApplication),
    (1, "A", Target::InterviewScheduled),
    (3, "B", Target::ResidenceIssued),
    (1, "A", Target::PickedUp("in_person")),
    (2, "B", Target::PickedUp("proxy")),
    (4, "C", Target::PickedUp("mail")),
    (5, "C", Target::NoShowRefused),
    (0, "B", Target::PermitCancelled),
];

fn credit_code(run: u32, n: usize) -> String {
    domain::ids::CreditCode::with_check_char(&format!("91620100MA{:03}{n:04}", run % 1000))
        .expect("valid body")
        .to_string()
}

fn application(code: &str, e: &Employer, p: &Person, passport: &str, category: &str) -> Value {
    let (salary, profile) = match category {
        "A" => (
            520_000,
            json!({"education": "doctorate", "work_experience_years": 10.0, "months_in_china_per_year": 12, "chinese": "hsk5", "extras": ["top_university"]}),
        ),
        "B" => (
            280_000,
            json!({"education": "master", "work_experience_years": 5.0, "months_in_china_per_year": 10, "chinese": "hsk2"}),
        ),
        _ => (96_000, json!({"education": "none", "work_experience_years": 1.0, "months_in_china_per_year": 12})),
    };
    let mut materials = vec![
        "passport",
        "photo",
        "work_experience_proof",
        "highest_degree_or_qualification",
        "criminal_record_certificate",
        "health_certificate",
        "employment_contract",
        "employer_recommendation_report",
    ];
    if e.kind == "public_institution" {
        materials.push("public_institution_enrollment_form");
    }
    json!({
        "employer": {"credit_code": code, "name": e.name, "region_code": e.region, "kind": e.kind},
        "applicant": {"surname": p.surname, "given_names": p.given, "sex": p.sex, "nationality": p.nationality, "birth_date": p.birth,
                      "passport_number": passport, "passport_expiry": "2034-06-30"},
        "position": {"title": "Senior specialist", "annual_salary_cny": salary, "start_date": e2e::stack::start_date(), "contract_months": 24},
        "profile": profile,
        "items": ["work_permit", "social_insurance", "title_review", "residence_permit"],
        "materials": materials.iter().map(|k| json!({"kind": k, "id": ""})).collect::<Vec<_>>(),
    })
}

/// The answer of a step that must succeed; the seeding stops with the problem otherwise.
async fn expect(what: &str, call: impl std::future::Future<Output = (u16, Value)>) -> anyhow::Result<Value> {
    let (status, body) = call.await;
    anyhow::ensure!(status < 300, "{what} failed: {status} {body}");
    Ok(body)
}

async fn seed_case(
    api: &Api,
    run: u32,
    n: usize,
    employer_no: usize,
    category: &str,
    target: Target,
) -> anyhow::Result<String> {
    let e = &EMPLOYERS[employer_no];
    let p = &PEOPLE[n];
    let code = credit_code(run, employer_no);
    let employer = api.token("employer", &code, "").await;
    let passport = format!("P{run:04}{n:04}");
    let (status, case) = api.submit_case(&employer, application(&code, e, p, &passport, category)).await;
    anyhow::ensure!(status == 201, "submission {n}: {status} {case}");
    let id = case["id"].as_str().unwrap_or_default().to_string();
    let dept = item(&case, "work_permit")["department"].as_str().unwrap_or("science-tech").to_string();
    let wait = Duration::from_secs(60);
    api.wait_case(&employer, &id, wait, |c| item_status(c, "work_permit") == "in_review").await;
    let reviewer = api.token("reviewer", &format!("{dept}-reviewer-1"), &dept).await;
    let officer = api.token("officer", "counter-1", "public-security").await;
    let decide = |body: Value| {
        let (api, reviewer, path) = (api.clone(), reviewer.clone(), format!("/api/v1/work-permits/{id}/decision"));
        async move { api.post(&path, Some(&reviewer), &body).await }
    };
    let counter = |step: &'static str, body: Value| {
        let (api, officer, path) = (api.clone(), officer.clone(), format!("/api/v1/residence-permits/{id}/{step}"));
        async move { api.post(&path, Some(&officer), &body).await }
    };
    match target {
        Target::InReview => return Ok(id),
        Target::SupplementRequested | Target::SupplementedThenApproved => {
            expect("supplement request", decide(json!({"decision": "supplement", "materials": ["criminal_record_certificate"], "note": "The certificate must be legalised."}))).await?;
            if matches!(target, Target::SupplementRequested) {
                return Ok(id);
            }
            api.wait_case(&employer, &id, wait, |c| item_status(c, "work_permit") == "supplement_requested").await;
            let (_, up) =
                api.upload(&employer, "criminal_record_certificate", "application/pdf", e2e::SAMPLE_PDF.to_vec()).await;
            expect(
                "supplement",
                api.post(
                    &format!("/api/v1/cases/{id}/supplements"),
                    Some(&employer),
                    &json!({"materials": [{"kind": "criminal_record_certificate", "id": up["id"]}]}),
                ),
            )
            .await?;
            api.wait_case(&employer, &id, wait, |c| item_status(c, "work_permit") == "in_review").await;
        }
        Target::Refused => {
            expect("refusal", decide(json!({"decision": "refuse", "reasons": ["The position does not require foreign expertise (岗位无需外籍专业人员)."]}))).await?;
            return Ok(id);
        }
        _ => {}
    }
    let permit = expect("approval", decide(json!({"decision": "approve"}))).await?;
    api.wait_case(&employer, &id, wait, |c| item(c, "residence_permit")["result"]["residence_case_id"].is_string())
        .await;
    if matches!(target, Target::SupplementedThenApproved | Target::WaitingForApplicant) {
        return Ok(id);
    }
    if matches!(target, Target::PermitCancelled) {
        let path = format!("/api/v1/work-permits/{id}/cancellation");
        expect(
            "cancellation",
            api.post(&path, Some(&reviewer), &json!({"reason": "The employment contract was terminated early."})),
        )
        .await?;
        return Ok(id);
    }
    // The foreigner arrives, activates the electronic social security card, visits the counter.
    expect("entry", counter("entry", json!({"entry_date": "2026-11-20"}))).await?;
    let number = permit["permit_number"].as_str().unwrap_or_default();
    let _ = api
        .post("/api/v1/social-security-cards/activation", None, &json!({"name": format!("{} {}", p.surname, p.given), "permit_number": number, "identity": {"birth_date": p.birth, "nationality": p.nationality}}))
        .await;
    expect("counter application", counter("application", json!({"paper_materials": ["visa_application_form", "entry_exit_photo", "employer_certification_letter"], "passport_lost": false}))).await?;
    if matches!(target, Target::CounterApplication) {
        return Ok(id);
    }
    expect("verification", counter("verification", json!({"method": "interview", "scheduled_at": "2026-12-03T02:00:00Z", "place": "兰州市公安局出入境管理支队 Lanzhou Exit-Entry Office, counter 3"}))).await?;
    if matches!(target, Target::InterviewScheduled) {
        return Ok(id);
    }
    if matches!(target, Target::NoShowRefused) {
        expect(
            "no-show",
            counter(
                "verification/outcome",
                json!({"outcome": "no_show", "justified": false, "note": "did not come, no reason given"}),
            ),
        )
        .await?;
        expect(
            "no-show refusal",
            counter("decision", json!({"decision": "refuse", "reasons": ["verification_no_show"]})),
        )
        .await?;
        return Ok(id);
    }
    expect("interview", counter("verification/outcome", json!({"outcome": "attended"}))).await?;
    expect("residence approval", counter("decision", json!({"decision": "approve"}))).await?;
    let Target::PickedUp(way) = target else { return Ok(id) };
    let pickup = match way {
        "proxy" => json!({"method": "proxy", "proxy": {"name": "王芳", "id_number": "620102199001011234"}}),
        "mail" => {
            json!({"method": "mail", "mail": {"address": "甘肃省酒泉市肃州区 Jiuquan", "tracking_number": "SF1234567890"}})
        }
        _ => json!({"method": "in_person"}),
    };
    expect("pickup", counter("pickup", pickup)).await?;
    // hrss verified earlier work in Gansu, so the title review is due and decided.
    let hrss = api.token("reviewer", "hrss-reviewer-1", "hrss").await;
    let title = format!("/api/v1/title-reviews/{id}");
    expect(
        "service record",
        api.post(&format!("{title}/service-record"), Some(&hrss), &json!({"gansu_service_since": "2025-01-06"})),
    )
    .await?;
    let (_, report) =
        api.upload(&employer, "employer_recommendation_report", "application/pdf", e2e::SAMPLE_PDF.to_vec()).await;
    let decision = json!({"decision": "eligible", "reasons": [], "recommendation_report": report["id"]});
    expect("title decision", api.post(&format!("{title}/decision"), Some(&hrss), &decision)).await?;
    api.wait_case(&employer, &id, wait, |c| c["status"] == "completed").await;
    for (item_name, rating, comment) in [
        ("work_permit", 5, "一次都没跑，很快 Fast, no trip needed"),
        ("residence_permit", 4, "面谈安排清楚 The interview was well organised"),
    ] {
        let _ = api
            .post(
                &format!("/api/v1/cases/{id}/items/{item_name}/evaluation"),
                Some(&employer),
                &json!({"rating": rating, "comment": comment}),
            )
            .await;
    }
    Ok(id)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let url = std::env::args().skip_while(|a| a != "--url").nth(1).unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let api = Api::new(url.trim_end_matches('/').to_string());
    let run = (chrono::Utc::now().timestamp() % 100_000) as u32;
    println!("demo-seed: seeding {} cases through {url}", PLAN.len());
    let mut ids = Vec::new();
    for (n, (employer_no, category, target)) in PLAN.iter().enumerate() {
        let id = seed_case(&api, run, n, *employer_no, category, *target).await?;
        println!("  {:<28} {category}  {id}", format!("{target:?}"));
        ids.push(id);
    }
    // A consultation answered by the counter, a hotline complaint answered by operators.
    let ops = api.token("ops", "hotline-operator", "").await;
    let employer = api.token("employer", &credit_code(run, PLAN[5].0), "").await;
    let (_, q) = api.post(&format!("/api/v1/cases/{}/messages", ids[5]), Some(&employer), &json!({"kind": "consultation", "text": "申请人何时可到窗口办理？ When may the applicant visit the counter?"})).await;
    let officer = api.token("officer", "counter-1", "public-security").await;
    let _ = api
        .post(
            &format!("/api/v1/cases/{}/messages/{}/answer", ids[5], q["id"].as_str().unwrap_or_default()),
            Some(&officer),
            &json!({"answer": "工作日 9:00-17:00，请携带护照原件。Working days 9:00-17:00, bring the passport."}),
        )
        .await;
    let _ = api.post(&format!("/api/v1/cases/{}/messages", ids[4]), Some(&ops), &json!({"kind": "complaint", "channel": "hotline_12345", "text": "来电反映不予许可理由不清楚 Caller says the refusal reasons are unclear"})).await;
    let (_, stats) = api.get("/api/v1/stats", Some(&ops)).await;
    println!(
        "demo-seed: done. Figures (GET /api/v1/stats as ops):\n{}",
        serde_json::to_string_pretty(&stats["per_completed_case"]).unwrap_or_default()
    );
    Ok(())
}
