//! Tables of service-center (sqlx, portable between PostgreSQL and SQLite).

use std::collections::BTreeMap;

use domain::case::{CaseStatus, Item, ItemStatus, TimelineEvent};
use platform::db::{Pool, Tx};
use platform::time::now_ms;

use crate::progress;

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
}

/// What the case keeps of its classification, for the reviewers: points only, no personal data.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClassificationRecord {
    pub points: u32,
    pub route: domain::classification::Route,
    pub points_category: domain::case::Category,
    pub breakdown: Vec<domain::classification::FactorScore>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EvaluationRow {
    pub item: String,
    pub rating: i64,
    pub comment: String,
    pub at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub body: String,
    pub author_role: String,
    pub at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub case_id: String,
    pub item: String,
    pub department: String,
    #[sqlx(try_from = "String")]
    pub status: ItemStatus,
    pub result: String,
    pub updated_at: i64,
    pub due_on: Option<String>,
    pub decided_on: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TimelineRow {
    pub at: i64,
    pub event: String,
    pub item: String,
    pub detail: String,
}

/// A case with its items and timeline.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: CaseRow,
    pub items: Vec<ItemRow>,
    pub timeline: Vec<TimelineRow>,
    pub evaluations: Vec<EvaluationRow>,
    pub messages: Vec<MessageRow>,
    /// Uploads and generated forms the case uses (only on a single read).
    pub materials: Vec<crate::materials::MaterialRow>,
}

const CASE_COLUMNS: &str = "id, case_no, employer_credit_code, employer_name, category, department, status, submitted_at, \
     accepted_on, due_committed, due_statutory, due_estimated, clock_paused_on, classification";

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
         accepted_on, due_committed, due_statutory, due_estimated, submission, updated_at, classification) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
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
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_item(
    tx: &mut Tx<'_>,
    case_id: &str,
    item: Item,
    department: &str,
    status: ItemStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO case_items (case_id, item, department, status, result, updated_at) VALUES ($1, $2, $3, $4, '{}', $5)")
        .bind(case_id)
        .bind(item.as_str())
        .bind(department)
        .bind(status.as_str())
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_material(tx: &mut Tx<'_>, case_id: &str, kind: &str, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO case_materials (case_id, kind, material_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(case_id)
        .bind(kind)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn add_timeline(
    tx: &mut Tx<'_>,
    case_id: &str,
    event: TimelineEvent,
    item: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO case_timeline (id, case_id, at, event, item, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(case_id)
        .bind(now_ms())
        .bind(event.as_str())
        .bind(item)
        .bind(detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves an item (if it exists and the move is allowed), merges `result` into its result,
/// writes the timeline entry and re-derives the case status. Returns whether it moved.
pub async fn move_item(
    tx: &mut Tx<'_>,
    case_id: &str,
    item: Item,
    to: ItemStatus,
    result: &BTreeMap<String, String>,
    event: TimelineEvent,
    detail: &str,
) -> Result<bool, sqlx::Error> {
    move_item_on(tx, case_id, item, to, result, event, detail, platform::time::today_cst()).await
}

/// [`move_item`] for a step that happened on `on` (the event's own date): the efficiency
/// figures count from when a department decided, not from when the view heard of it.
#[allow(clippy::too_many_arguments)]
pub async fn move_item_on(
    tx: &mut Tx<'_>,
    case_id: &str,
    item: Item,
    to: ItemStatus,
    result: &BTreeMap<String, String>,
    event: TimelineEvent,
    detail: &str,
    on: chrono::NaiveDate,
) -> Result<bool, sqlx::Error> {
    lock_case(tx, case_id).await?;
    let current: Option<(String, String)> =
        sqlx::query_as("SELECT status, result FROM case_items WHERE case_id = $1 AND item = $2")
            .bind(case_id)
            .bind(item.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    let Some((status, old_result)) = current else {
        return Ok(false);
    };
    let from: ItemStatus = status.parse().unwrap_or(ItemStatus::Pending);
    if !progress::may_move(from, to) {
        return Ok(false);
    }
    let mut merged: BTreeMap<String, String> = serde_json::from_str(&old_result).unwrap_or_default();
    merged.extend(result.iter().map(|(k, v)| (k.clone(), v.clone())));
    // The day an item reaches a decision is kept for the efficiency figures.
    let decided =
        matches!(to, ItemStatus::Approved | ItemStatus::Refused | ItemStatus::Completed | ItemStatus::Cancelled);
    sqlx::query(
        "UPDATE case_items SET status = $1, result = $2, updated_at = $3, \
         decided_on = CASE WHEN $4 = 1 AND decided_on IS NULL THEN $5 ELSE decided_on END WHERE case_id = $6 AND item = $7",
    )
    .bind(to.as_str())
    .bind(serde_json::to_string(&merged).unwrap_or_else(|_| "{}".into()))
    .bind(now_ms())
    .bind(decided as i64)
    .bind(on.to_string())
    .bind(case_id)
    .bind(item.as_str())
    .execute(&mut **tx)
    .await?;
    add_timeline(tx, case_id, event, item.as_str(), detail).await?;
    refresh_case_status(tx, case_id, on).await?;
    Ok(true)
}

/// A step a department reported (`item-progressed`).
pub struct Step<'a> {
    pub item: Item,
    pub status: ItemStatus,
    pub result: &'a BTreeMap<String, String>,
    pub event: TimelineEvent,
    pub detail: &'a str,
    pub due_on: Option<&'a str>,
    pub counter_visit: bool,
    pub documents_submitted: i64,
    /// When the step happened (China date).
    pub on: chrono::NaiveDate,
}

/// Records a step: a status change when allowed, or, at the same status, the new result
/// fields and a timeline entry. Stale steps (that would move an item backwards) are
/// ignored. Trips and documents count for the efficiency figures either way.
pub async fn record_step(tx: &mut Tx<'_>, case_id: &str, step: &Step<'_>) -> Result<bool, sqlx::Error> {
    let current: Option<(String,)> = sqlx::query_as("SELECT status FROM case_items WHERE case_id = $1 AND item = $2")
        .bind(case_id)
        .bind(step.item.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    let Some((status,)) = current else { return Ok(false) };
    let recorded = if status == step.status.as_str() {
        merge_result(tx, case_id, step.item, step.result).await?;
        add_timeline(tx, case_id, step.event, step.item.as_str(), step.detail).await?;
        true
    } else {
        move_item_on(tx, case_id, step.item, step.status, step.result, step.event, step.detail, step.on).await?
    };
    if let Some(due) = step.due_on.filter(|d| !d.is_empty()) {
        sqlx::query("UPDATE case_items SET due_on = $1 WHERE case_id = $2 AND item = $3")
            .bind(due)
            .bind(case_id)
            .bind(step.item.as_str())
            .execute(&mut **tx)
            .await?;
    }
    if step.counter_visit || step.documents_submitted > 0 {
        sqlx::query("UPDATE cases SET trips = trips + $1, documents = documents + $2 WHERE id = $3")
            .bind(step.counter_visit as i64)
            .bind(step.documents_submitted)
            .bind(case_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(recorded)
}

pub async fn item_status(tx: &mut Tx<'_>, case_id: &str, item: Item) -> Result<Option<ItemStatus>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT status FROM case_items WHERE case_id = $1 AND item = $2")
        .bind(case_id)
        .bind(item.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.and_then(|(s,)| s.parse().ok()))
}

/// Merges `result` into an item's result without changing its status.
pub async fn merge_result(
    tx: &mut Tx<'_>,
    case_id: &str,
    item: Item,
    result: &BTreeMap<String, String>,
) -> Result<(), sqlx::Error> {
    lock_case(tx, case_id).await?;
    let current: Option<(String,)> = sqlx::query_as("SELECT result FROM case_items WHERE case_id = $1 AND item = $2")
        .bind(case_id)
        .bind(item.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    let Some((old,)) = current else { return Ok(()) };
    let mut merged: BTreeMap<String, String> = serde_json::from_str(&old).unwrap_or_default();
    merged.extend(result.iter().map(|(k, v)| (k.clone(), v.clone())));
    sqlx::query("UPDATE case_items SET result = $1 WHERE case_id = $2 AND item = $3")
        .bind(serde_json::to_string(&merged).unwrap_or_else(|_| "{}".into()))
        .bind(case_id)
        .bind(item.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes the case's row lock (PostgreSQL; SQLite writers are serialised already), so that
/// two events of one case that change different items, or the same item's result, commit
/// one after the other and each reads what the other wrote: no lost result field, no case
/// status computed from a stale item.
async fn lock_case(tx: &mut Tx<'_>, case_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cases SET updated_at = updated_at WHERE id = $1").bind(case_id).execute(&mut **tx).await?;
    Ok(())
}

async fn refresh_case_status(tx: &mut Tx<'_>, case_id: &str, on: chrono::NaiveDate) -> Result<(), sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT item, status FROM case_items WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(&mut **tx)
        .await?;
    let items: Vec<(Item, ItemStatus)> =
        rows.iter().filter_map(|(i, s)| Some((i.parse().ok()?, s.parse().ok()?))).collect();
    let status = progress::case_status(&items);
    let completed = status == domain::case::CaseStatus::Completed;
    sqlx::query(
        "UPDATE cases SET status = $1, updated_at = $2, \
         completed_on = CASE WHEN $3 = 1 AND completed_on IS NULL THEN $4 ELSE completed_on END WHERE id = $5",
    )
    .bind(status.as_str())
    .bind(now_ms())
    .bind(completed as i64)
    .bind(on.to_string())
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn get_case(pool: &Pool, id: &str) -> Result<Option<CaseView>, sqlx::Error> {
    let Some(mut view) = get_summary(pool, id).await? else { return Ok(None) };
    view.timeline =
        sqlx::query_as("SELECT at, event, item, detail FROM case_timeline WHERE case_id = $1 ORDER BY at, id")
            .bind(id)
            .fetch_all(pool)
            .await?;
    view.evaluations =
        sqlx::query_as("SELECT item, rating, comment, at FROM evaluations WHERE case_id = $1 ORDER BY at")
            .bind(id)
            .fetch_all(pool)
            .await?;
    view.messages = sqlx::query_as(
        "SELECT id, kind, channel, body, author_role, at, answer, answered_by, answered_at FROM case_messages \
         WHERE case_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    view.materials = sqlx::query_as(
        "SELECT m.id, m.owner, m.kind, m.content_type, m.sha256, m.size, m.uploaded_at \
         FROM case_materials cm JOIN materials m ON m.id = cm.material_id WHERE cm.case_id = $1 ORDER BY m.uploaded_at, m.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(Some(view))
}

/// A case with its items only (what a list shows): no timeline, evaluations or messages.
pub async fn get_summary(pool: &Pool, id: &str) -> Result<Option<CaseView>, sqlx::Error> {
    let case: Option<CaseRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?;
    let Some(case) = case else { return Ok(None) };
    let mut items: Vec<ItemRow> = sqlx::query_as(
        "SELECT case_id, item, department, status, result, updated_at, due_on, decided_on FROM case_items WHERE case_id = $1",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    items.sort_by_key(|i| i.item.parse::<Item>().ok());
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
