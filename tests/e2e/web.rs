//! The browser journeys (web/tests/*.test.mjs: playwright-core driving Debian Chromium)
//! over a real stack on the embedded default (SQLite), one stack per journey file. The
//! journeys assert what a person sees; this test fails when any of them fails, with
//! node's report in the output. Screenshots land in target/ui/.

use std::path::PathBuf;

use e2e::stack::{DbKind, Stack, StackOptions};

fn web_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web")
}

async fn journeys(file: &str) {
    // The operators' journey watches the ops read model; the others do without it.
    let ops = file == "ops";
    let web = web_dir();
    assert!(
        web.join("node_modules/playwright-core").exists(),
        "web/node_modules is missing: run scripts/tools.sh (npm ci in web/)"
    );
    let stack = Stack::start(StackOptions { db: DbKind::Sqlite, ops, ..StackOptions::default() }).await;
    let out = tokio::process::Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec", &format!("tests/{file}.test.mjs")])
        .current_dir(&web)
        .env("BASE_URL", &stack.base_url)
        .output()
        .await
        .expect("node runs");
    let report = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    stack.shutdown().await;
    assert!(out.status.success(), "browser journeys in web/tests/{file}.test.mjs failed:\n{report}");
    println!("{report}");
}

macro_rules! journeys {
    ($($name:ident => $file:literal),+ $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread")]
        async fn $name() {
            journeys($file).await;
        }
    )+};
}

journeys! {
    public_pages => "smoke",
    employer_applies_and_follows_the_case => "employer",
    reviewers_decide_permits_and_title_reviews => "review",
    counter_officer_takes_a_residence_permit_to_pickup => "counter",
    foreigner_activates_the_card_and_sees_their_status => "me",
    operators_read_the_figures => "ops",
}
