//! `case_items`: one row per item of a case (its department, status and result fields).
//! Every move of an item re-derives the case's status.

use std::collections::BTreeMap;

use domain::case::{Item, ItemStatus, TimelineEvent};
use platform::db::{Pool, Tx};
use platform::time::now_ms;

use super::{cases, timeline};
use crate::progress;

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

/// An item's status and result fields (JSON object), as a move reads them.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Current {
    #[sqlx(try_from = "String")]
    status: ItemStatus,
    result: String,
}

/// An item and its status, as the case's status is derived from them.
#[derive(Debug, Clone, sqlx::FromRow)]
struct ItemState {
    #[sqlx(try_from = "String")]
    item: Item,
    #[sqlx(try_from = "String")]
    status: ItemStatus,
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

/// The items of a case, in the order of [`Item`].
pub async fn of_case(pool: &Pool, case_id: &str) -> Result<Vec<ItemRow>, sqlx::Error> {
    let mut items: Vec<ItemRow> = sqlx::query_as(
        "SELECT case_id, item, department, status, result, updated_at, due_on, decided_on FROM case_items WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    items.sort_by_key(|i| i.item.parse::<Item>().ok());
    Ok(items)
}

async fn current(tx: &mut Tx<'_>, case_id: &str, item: Item) -> Result<Option<Current>, sqlx::Error> {
    sqlx::query_as("SELECT status, result FROM case_items WHERE case_id = $1 AND item = $2")
        .bind(case_id)
        .bind(item.as_str())
        .fetch_optional(&mut **tx)
        .await
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
    cases::lock(tx, case_id).await?;
    let Some(Current { status: from, result: old_result }) = current(tx, case_id, item).await? else {
        return Ok(false);
    };
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
    timeline::add_timeline(tx, case_id, event, item.as_str(), detail).await?;
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
    let Some(status) = item_status(tx, case_id, step.item).await? else { return Ok(false) };
    let recorded = if status == step.status {
        merge_result(tx, case_id, step.item, step.result).await?;
        timeline::add_timeline(tx, case_id, step.event, step.item.as_str(), step.detail).await?;
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
        cases::count_visits(tx, case_id, step.counter_visit as i64, step.documents_submitted).await?;
    }
    Ok(recorded)
}

pub async fn item_status(tx: &mut Tx<'_>, case_id: &str, item: Item) -> Result<Option<ItemStatus>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Status {
        #[sqlx(try_from = "String")]
        status: ItemStatus,
    }
    let row: Option<Status> = sqlx::query_as("SELECT status FROM case_items WHERE case_id = $1 AND item = $2")
        .bind(case_id)
        .bind(item.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.status))
}

/// Merges `result` into an item's result without changing its status.
pub async fn merge_result(
    tx: &mut Tx<'_>,
    case_id: &str,
    item: Item,
    result: &BTreeMap<String, String>,
) -> Result<(), sqlx::Error> {
    cases::lock(tx, case_id).await?;
    let Some(Current { result: old, .. }) = current(tx, case_id, item).await? else { return Ok(()) };
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

async fn refresh_case_status(tx: &mut Tx<'_>, case_id: &str, on: chrono::NaiveDate) -> Result<(), sqlx::Error> {
    let rows: Vec<ItemState> = sqlx::query_as("SELECT item, status FROM case_items WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(&mut **tx)
        .await?;
    let items: Vec<(Item, ItemStatus)> = rows.iter().map(|r| (r.item, r.status)).collect();
    cases::set_status(tx, case_id, progress::case_status(&items), on, now_ms()).await
}
