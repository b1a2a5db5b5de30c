//! `cases` and `case_counters`: the case, its deadline clock and the counters of the
//! efficiency figures; [`get_case`], [`get_summary`] and [`list_cases`] read a case with
//! its items (and, on a single read, its timeline, ratings, messages and materials).

use domain::case::{CaseStatus, Item, ItemStatus};
use platform::db::{Pool, Tx};

use super::{ItemRow, evaluations, items, materials, messages, timeline};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: String,
    pub case_no: String,
    pub employer_credit_code: String,
    pub employer_name: String,
    pub category: String,
    pub department: String,
    #[sqlx(try_from = "String")]
    pub status: CaseStatus,
    pub submitted_at: i64,
    pub accepted_on: String,
    pub due_committed: String,
    pub due_statutory: String,
    pub due_estimated: i64,
    pub clock_paused_on: Option<String>,
    /// [`ClassificationRecord`] as JSON; none for cases accepted before it was kept.
    pub classification: Option<String>,
    /// The applicant's person key (whose data the case holds, for the access log).
    pub person_key: String,
}

/// What the case keeps of its classification, for the reviewers: points only, no personal data.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClassificationRecord {
    pub points: u32,
    pub route: domain::classification::Route,
    pub points_category: domain::case::Category,
    pub breakdown: Vec<domain::classification::FactorScore>,
    /// The office the classification names for the permit (absent on older records).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub issuer: String,
}

/// A case with its items and timeline.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: CaseRow,
    pub items: Vec<ItemRow>,
    pub timeline: Vec<timeline::TimelineRow>,
    pub evaluations: Vec<evaluations::EvaluationRow>,
    pub messages: Vec<messages::MessageRow>,
    /// Uploads and generated forms the case uses (only on a single read).
    pub materials: Vec<materials::MaterialRow>,
}

const CASE_COLUMNS: &str = "id, case_no, employer_credit_code, employer_name, category, department, status, submitted_at, \
     accepted_on, due_committed, due_statutory, due_estimated, clock_paused_on, classification, person_key";

/// Next human case number of `day` (YYYYMMDD): `GS-YYYYMMDD-000001`.
pub async fn next_case_no(tx: &mut Tx<'_>, day: &str) -> Result<String, sqlx::Error> {
    let (value,): (i64,) = sqlx::query_as(
        "INSERT INTO case_counters (day, value) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET value = case_counters.value + 1 RETURNING value",
    )
    .bind(day)
    .fetch_one(&mut **tx)
    .await?;
    Ok(format!("GS-{day}-{value:06}"))
}

pub async fn insert_case(tx: &mut Tx<'_>, row: &CaseRow, submission_json: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cases (id, case_no, employer_credit_code, employer_name, category, department, status, submitted_at, \
         accepted_on, due_committed, due_statutory, due_estimated, submission, updated_at, classification, person_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&row.id)
    .bind(&row.case_no)
    .bind(&row.employer_credit_code)
    .bind(&row.employer_name)
    .bind(&row.category)
    .bind(&row.department)
    .bind(row.status.as_str())
    .bind(row.submitted_at)
    .bind(&row.accepted_on)
    .bind(&row.due_committed)
    .bind(&row.due_statutory)
    .bind(row.due_estimated)
    .bind(submission_json)
    .bind(row.submitted_at)
    .bind(&row.classification)
    .bind(&row.person_key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The documents handed over online with the submission (efficiency figures).
pub async fn set_documents(tx: &mut Tx<'_>, case_id: &str, documents: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET documents = $1 WHERE id = $2")
        .bind(documents)
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One more supplement, with the documents it brought (efficiency figures).
pub async fn count_supplement(tx: &mut Tx<'_>, case_id: &str, documents: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET supplements = supplements + 1, documents = documents + $1 WHERE id = $2")
        .bind(documents)
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Trips to an office and documents handed over at a step (efficiency figures).
pub async fn count_visits(tx: &mut Tx<'_>, case_id: &str, trips: i64, documents: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET trips = trips + $1, documents = documents + $2 WHERE id = $3")
        .bind(trips)
        .bind(documents)
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes the case's row lock (PostgreSQL; SQLite writers are serialised already), so that
/// two events of one case that change different items, or the same item's result, commit
/// one after the other and each reads what the other wrote: no lost result field, no case
/// status computed from a stale item.
pub(super) async fn lock(tx: &mut Tx<'_>, case_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET updated_at = updated_at WHERE id = $1").bind(case_id).execute(&mut **tx).await?;
    Ok(())
}

/// The case's status, derived from its items; `completed_on` is kept from the first time
/// the case completes.
pub(super) async fn set_status(
    tx: &mut Tx<'_>,
    case_id: &str,
    status: CaseStatus,
    on: chrono::NaiveDate,
    at: i64,
) -> Result<(), sqlx::Error> {
    let completed = status == CaseStatus::Completed;
    sqlx::query(
        "UPDATE cases SET status = $1, updated_at = $2, \
         completed_on = CASE WHEN $3 = 1 AND completed_on IS NULL THEN $4 ELSE completed_on END WHERE id = $5",
    )
    .bind(status.as_str())
    .bind(at)
    .bind(completed as i64)
    .bind(on.to_string())
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The deadline clock of a case: when it stopped (if it did) and the two due dates.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Clock {
    pub clock_paused_on: Option<String>,
    pub due_committed: String,
    pub due_statutory: String,
}

pub async fn clock(tx: &mut Tx<'_>, case_id: &str) -> Result<Option<Clock>, sqlx::Error> {
    sqlx::query_as("SELECT clock_paused_on, due_committed, due_statutory FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(&mut **tx)
        .await
}

/// Stops the clock on `on` (YYYY-MM-DD; no-op when it is already stopped).
pub async fn pause_clock(tx: &mut Tx<'_>, case_id: &str, on: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET clock_paused_on = $1 WHERE id = $2 AND clock_paused_on IS NULL")
        .bind(on)
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A restart of the clock: the working days it stood still and the moved due dates.
pub struct Resumed<'a> {
    pub stood: i64,
    pub due_committed: &'a str,
    pub due_statutory: &'a str,
    /// A due date is an estimate (beyond the embedded calendar).
    pub estimated: bool,
}

/// Restarts a stopped clock; false when it was not stopped (a concurrent second resumption
/// finds nothing to do).
pub async fn resume_clock(tx: &mut Tx<'_>, case_id: &str, r: &Resumed<'_>) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE cases SET clock_paused_on = NULL, paused_working_days = paused_working_days + $1, \
         due_committed = $2, due_statutory = $3, due_estimated = CASE WHEN $4 = 1 THEN 1 ELSE due_estimated END \
         WHERE id = $5 AND clock_paused_on IS NOT NULL",
    )
    .bind(r.stood)
    .bind(r.due_committed)
    .bind(r.due_statutory)
    .bind(r.estimated as i64)
    .bind(case_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// The accepted submission (JSON; personal data) and the department owning the work permit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubmissionRow {
    pub submission: String,
    pub department: String,
}

/// The number and employer of a case of the person with `key` whose work permit is still
/// being decided (accepted, in review or waiting for a supplement). Once decided, a new
/// application (a new employer) is the person's next case.
pub async fn open_case_of_person(pool: &Pool, key: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT case_no, employer_credit_code FROM cases WHERE person_key = $1 \
         AND status IN ($2, $3, $4) ORDER BY submitted_at DESC LIMIT 1",
    )
    .bind(key)
    .bind(CaseStatus::Accepted.as_str())
    .bind(CaseStatus::InReview.as_str())
    .bind(CaseStatus::SupplementRequested.as_str())
    .fetch_optional(pool)
    .await
}

/// The applicant's person key of case `case_id` (whose data a read of the case is).
pub async fn person_key(pool: &Pool, case_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT person_key FROM cases WHERE id = $1").bind(case_id).fetch_optional(pool).await?;
    Ok(row.map(|(k,)| k).filter(|k| !k.is_empty()))
}

/// Cases accepted before the person key was kept beside them, with their submission.
pub async fn without_person_key(pool: &Pool) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, submission FROM cases WHERE person_key = ''").fetch_all(pool).await
}

pub async fn set_person_key(pool: &Pool, case_id: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET person_key = $1 WHERE id = $2").bind(key).bind(case_id).execute(pool).await?;
    Ok(())
}

pub async fn submission(pool: &Pool, case_id: &str) -> Result<Option<SubmissionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.submission, ci.department FROM cases c \
         JOIN case_items ci ON ci.case_id = c.id AND ci.item = $2 WHERE c.id = $1",
    )
    .bind(case_id)
    .bind(Item::WorkPermit.as_str())
    .fetch_optional(pool)
    .await
}

pub async fn get_case(pool: &Pool, id: &str) -> Result<Option<CaseView>, sqlx::Error> {
    let Some(mut view) = get_summary(pool, id).await? else { return Ok(None) };
    view.timeline = timeline::of_case(pool, id).await?;
    view.evaluations = evaluations::of_case(pool, id).await?;
    view.messages = messages::of_case(pool, id).await?;
    view.materials = materials::of_case(pool, id).await?;
    Ok(Some(view))
}

/// A case with its items only (what a list shows): no timeline, evaluations or messages.
pub async fn get_summary(pool: &Pool, id: &str) -> Result<Option<CaseView>, sqlx::Error> {
    let case: Option<CaseRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?;
    let Some(mut case) = case else { return Ok(None) };
    let items = items::of_case(pool, id).await?;
    // The case status is derived from its items (`refresh_case_status`, in the same
    // transaction as every move). The two reads above are not one snapshot, so a step
    // committing between them would show a status its items contradict: derive it again
    // from the items read here.
    let states: Vec<(Item, ItemStatus)> = items.iter().filter_map(|i| Some((i.item.parse().ok()?, i.status))).collect();
    case.status = crate::progress::case_status(&states);
    Ok(Some(CaseView {
        case,
        items,
        timeline: Vec::new(),
        evaluations: Vec::new(),
        messages: Vec::new(),
        materials: Vec::new(),
    }))
}

/// Filters of the case list; `None` means any.
#[derive(Debug, Default)]
pub struct ListFilter {
    pub status: Option<CaseStatus>,
    /// A foreigner's cases: those whose work permit carries this number.
    pub permit_number: Option<String>,
    pub employer: Option<String>,
    pub department: Option<String>,
    /// The `(submitted_at, id)` of the last case already seen: the page starts after it.
    pub after: Option<(i64, String)>,
    /// How many cases to read at most.
    pub fetch: i64,
}

/// The cases of `f`, newest first (then by id, descending), as summaries
/// ([`get_summary`]).
pub async fn list_cases(pool: &Pool, f: &ListFilter) -> Result<Vec<CaseView>, sqlx::Error> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT c.id FROM cases c WHERE ($1 = '' OR c.status = $1) AND ($2 = '' OR c.employer_credit_code = $2) \
         AND ($3 = '' OR EXISTS (SELECT 1 FROM case_items i WHERE i.case_id = c.id AND i.department = $3)) \
         AND ($5 = '' OR EXISTS (SELECT 1 FROM case_items i WHERE i.case_id = c.id AND i.item = $7 AND i.result LIKE $6)) \
         AND ($8 = 0 OR c.submitted_at < $9 OR (c.submitted_at = $9 AND c.id < $10)) \
         ORDER BY c.submitted_at DESC, c.id DESC LIMIT $4",
    )
    .bind(f.status.map(CaseStatus::as_str).unwrap_or_default())
    .bind(f.employer.clone().unwrap_or_default())
    .bind(f.department.clone().unwrap_or_default())
    .bind(f.fetch)
    .bind(f.permit_number.clone().unwrap_or_default())
    .bind(f.permit_number.as_ref().map(|n| format!("%\"permit_number\":\"{n}\"%")).unwrap_or_default())
    .bind(Item::WorkPermit.as_str())
    .bind(i64::from(f.after.is_some()))
    .bind(f.after.as_ref().map(|(at, _)| *at).unwrap_or_default())
    .bind(f.after.as_ref().map(|(_, id)| id.clone()).unwrap_or_default())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(v) = get_summary(pool, &id).await? {
            out.push(v);
        }
    }
    Ok(out)
}
