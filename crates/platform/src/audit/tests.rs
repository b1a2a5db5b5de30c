use domain::Actor;

use super::*;
use crate::config::DatabaseSettings;

async fn chain() -> (tempdir::Dir, Db) {
    let dir = tempdir::Dir::new();
    let settings =
        DatabaseSettings { url: Some(format!("sqlite://{}/a.db?mode=rwc", dir.0.display())), ..Default::default() };
    let db = Db::connect(&settings, "a", &[]).await.unwrap();
    open(&db, "hrss").await.unwrap();
    (dir, db)
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let p = std::env::temp_dir().join(format!("platform-audit-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn officer() -> Actor {
    Actor::parse("officer", "o-1", "public-security").unwrap()
}

async fn read(db: &Db, case: &str, person: &str) {
    let access = Access {
        action: "residence.read",
        resource: &format!("case/{case}"),
        case_id: Some(case),
        person: Some(person),
        fields: &["surname", "passport_number"],
        purpose: Some(Purpose::Counter.as_str()),
        outcome: "allowed",
    };
    officer().audit_access(db, access).await.unwrap();
}

#[test]
fn the_case_of_a_resource_is_its_first_segment_after_case() {
    assert_eq!(case_of("case/0193-ab"), Some("0193-ab"));
    assert_eq!(case_of("case/0193-ab/applicant"), Some("0193-ab"));
    assert_eq!(case_of("material/x"), None);
    assert_eq!(case_of("status/pending"), None);
}

#[tokio::test]
async fn entries_chain_each_to_the_one_before_and_verify_passes() {
    let (_d, db) = chain().await;
    for i in 0..5 {
        read(&db, &format!("c{i}"), "p1").await;
    }
    let mut tx = db.begin().await.unwrap();
    officer().audit_in(&mut tx, "residence.decide", "case/c0", "approved").await.unwrap();
    tx.commit().await.unwrap();
    let report = verify(&db).await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!((report.entries, report.head.seq, report.head.service.as_str()), (6, 6, "hrss"));
    let all = list(&db, &Filter::default(), None, 100).await.unwrap();
    assert_eq!(all.len(), 6);
    // Newest first; each entry's prev_hash is the hash of the one before it.
    for pair in all.windows(2) {
        assert_eq!(pair[0].0.prev_hash, pair[1].1);
        assert_eq!(pair[0].0.seq, pair[1].0.seq + 1);
    }
    assert_eq!(all.last().unwrap().0.prev_hash, GENESIS);
    assert_eq!(all[1].0.fields, "surname,passport_number");
    assert_eq!(all[1].0.purpose, "counter");
}

#[tokio::test]
async fn an_edited_entry_a_removed_entry_and_a_cut_tail_are_each_named() {
    let (_d, db) = chain().await;
    for i in 0..4 {
        read(&db, &format!("c{i}"), "p1").await;
    }
    let third: (String,) = sqlx::query_as("SELECT id FROM audit_log WHERE seq = 3").fetch_one(&db.pool).await.unwrap();
    sqlx::query("UPDATE audit_log SET actor_subject = 'someone-else' WHERE seq = 3").execute(&db.pool).await.unwrap();
    let broken = verify(&db).await.unwrap().broken.expect("the edit is caught");
    assert_eq!((broken.entry.as_str(), broken.seq), (third.0.as_str(), 3));
    assert!(broken.reason.contains("changed"), "{}", broken.reason);

    let (_d, db) = chain().await;
    for i in 0..4 {
        read(&db, &format!("c{i}"), "p1").await;
    }
    sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(&db.pool).await.unwrap();
    let broken = verify(&db).await.unwrap().broken.expect("the gap is caught");
    assert_eq!(broken.seq, 3);
    assert!(broken.reason.contains("entries 2 to 2 are missing"), "{}", broken.reason);

    sqlx::query("DELETE FROM audit_log WHERE seq >= 2").execute(&db.pool).await.unwrap();
    let broken = verify(&db).await.unwrap().broken.expect("the cut tail is caught");
    assert_eq!((broken.entry.as_str(), broken.seq), ("head", 4));
}

#[tokio::test]
async fn a_rewritten_chain_with_fresh_hashes_still_breaks_at_the_head() {
    let (_d, db) = chain().await;
    for i in 0..3 {
        read(&db, &format!("c{i}"), "p1").await;
    }
    // Whoever edits the last entry and recomputes its hash leaves the head behind.
    let mut last: Entry = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM audit_log WHERE seq = 3")))
        .fetch_one(&db.pool)
        .await
        .unwrap();
    last.outcome = "denied".into();
    sqlx::query("UPDATE audit_log SET outcome = $1, hash = $2 WHERE seq = 3")
        .bind(&last.outcome)
        .bind(last.digest())
        .execute(&db.pool)
        .await
        .unwrap();
    let broken = verify(&db).await.unwrap().broken.expect("the rewrite is caught");
    assert_eq!(broken.entry, "head");
}

#[tokio::test]
async fn entries_written_before_the_chain_are_sealed_at_start_in_their_order() {
    let (_d, db) = chain().await;
    legacy(&db, "old-2", 2_000).await;
    legacy(&db, "old-1", 1_000).await;
    assert!(verify(&db).await.unwrap().broken.is_some(), "unsealed rows are outside the chain");
    assert_eq!(open(&db, "hrss").await.unwrap(), 2);
    assert_eq!(open(&db, "hrss").await.unwrap(), 0, "once");
    read(&db, "c", "p").await;
    let report = verify(&db).await.unwrap();
    assert_eq!((report.broken, report.entries), (None, 3));
    let all = list(&db, &Filter::default(), None, 10).await.unwrap();
    let order: Vec<&str> = all.iter().rev().map(|(e, _)| e.id.as_str()).take(2).collect();
    assert_eq!(order, ["old-1", "old-2"]);
}

async fn legacy(db: &Db, id: &str, at: i64) {
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_role, actor_subject, actor_department, action, resource, outcome) \
         VALUES ($1, $2, 'reviewer', 'r', 'hrss', 'case.read', 'case/x', 'allowed')",
    )
    .bind(id)
    .bind(at)
    .execute(&db.pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn pruning_takes_only_entries_past_the_period_and_the_rest_still_verifies() {
    let (_d, db) = chain().await;
    // Two entries a year old (sealed from before the chain), two of today.
    let year_ago = crate::time::now_ms() - 365 * 86_400_000;
    legacy(&db, "old-1", year_ago).await;
    legacy(&db, "old-2", year_ago + 1).await;
    open(&db, "hrss").await.unwrap();
    read(&db, "c1", "p1").await;
    read(&db, "c2", "p1").await;
    assert_eq!(verify(&db).await.unwrap().broken, None);
    assert_eq!(prune(&db, 183).await.unwrap(), 2);
    assert_eq!(prune(&db, 183).await.unwrap(), 0);
    let report = verify(&db).await.unwrap();
    assert_eq!((report.broken, report.entries, report.head.anchor_seq), (None, 2, 2));
    // Removing the first kept entry now breaks the chain at the anchor.
    sqlx::query("DELETE FROM audit_log WHERE seq = 3").execute(&db.pool).await.unwrap();
    assert!(verify(&db).await.unwrap().broken.unwrap().reason.contains("entries 3 to 3 are missing"));
}

#[tokio::test]
async fn queries_filter_by_person_case_actor_time_and_own_cases_and_page_across_services() {
    let (_d, db) = chain().await;
    read(&db, "c1", "p1").await;
    read(&db, "c2", "p2").await;
    read(&db, "c2", "p2").await;
    Actor::parse("reviewer", "r-9", "hrss").unwrap().audit(&db, "case.read", "case/c1", "allowed").await.unwrap();
    let count = |f: Filter| {
        let db = db.clone();
        async move { list(&db, &f, None, 100).await.unwrap().len() }
    };
    assert_eq!(count(Filter { person: "p2".into(), ..Default::default() }).await, 2);
    assert_eq!(count(Filter { case_id: "c1".into(), ..Default::default() }).await, 2);
    assert_eq!(count(Filter { actor: "r-9".into(), ..Default::default() }).await, 1);
    assert_eq!(count(Filter { cases: Some(vec!["c1".into()]), ..Default::default() }).await, 2);
    assert_eq!(count(Filter { cases: Some(vec![]), ..Default::default() }).await, 0);
    assert_eq!(count(Filter { from_ms: Some(crate::time::now_ms() + 60_000), ..Default::default() }).await, 0);
    // A page after the second-newest entry of this service holds the two older ones.
    let all = list(&db, &Filter::default(), None, 100).await.unwrap();
    let after = (all[1].0.at, "hrss".to_string(), all[1].0.seq);
    let rest = list(&db, &Filter::default(), Some(&after), 100).await.unwrap();
    assert_eq!(rest.iter().map(|r| r.0.seq).collect::<Vec<_>>(), [2, 1]);
    // After an entry of a service that sorts after this one, this service's entries of the
    // same millisecond still follow; after one that sorts before, they came already.
    let later = (all[0].0.at, "zzz".to_string(), 1);
    assert!(list(&db, &Filter::default(), Some(&later), 100).await.unwrap().iter().any(|r| r.0.seq == all[0].0.seq));
    let earlier = (all[0].0.at, "aaa".to_string(), 1);
    assert!(!list(&db, &Filter::default(), Some(&earlier), 100).await.unwrap().iter().any(|r| r.0.at == all[0].0.at));
}

#[tokio::test]
async fn a_checkpoint_is_due_only_when_the_head_moved() {
    let (_d, db) = chain().await;
    let mut tx = db.begin().await.unwrap();
    assert_eq!(checkpoint(&mut tx).await.unwrap(), None, "an empty chain has nothing to publish");
    tx.commit().await.unwrap();
    read(&db, "c", "p").await;
    let mut tx = db.begin().await.unwrap();
    let head = checkpoint(&mut tx).await.unwrap().expect("the head moved");
    tx.commit().await.unwrap();
    assert_eq!(head.seq, 1);
    let mut tx = db.begin().await.unwrap();
    assert_eq!(checkpoint(&mut tx).await.unwrap(), None);
}

#[tokio::test]
async fn the_verify_command_answers_ok_then_broken_and_leaves_other_arguments_to_the_service() {
    let dir = tempdir::Dir::new();
    let mut settings = crate::config::Settings::default();
    settings.database.url = Some(format!("sqlite://{}/a.db?mode=rwc", dir.0.display()));
    let db = Db::connect(&settings.database, "a", &[]).await.unwrap();
    open(&db, "hrss").await.unwrap();
    read(&db, "c1", "p1").await;
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    assert_eq!(command(&args(&["audit", "verify"]), "hrss", &settings).await.unwrap(), Some(true));
    sqlx::query("UPDATE audit_log SET person = 'p2' WHERE seq = 1").execute(&db.pool).await.unwrap();
    assert_eq!(command(&args(&["audit", "verify"]), "hrss", &settings).await.unwrap(), Some(false));

    assert_eq!(command(&args(&[]), "hrss", &settings).await.unwrap(), None);
    assert_eq!(command(&args(&["--help"]), "hrss", &settings).await.unwrap(), None);
    let usage = command(&args(&["audit", "verfy"]), "hrss", &settings).await.unwrap_err();
    assert_eq!(usage.to_string(), "usage: hrss audit verify");
}
