//! Efficiency figures of the joint service (the plan's 联办效能 table, from real data):
//! per case the working days from acceptance to each item's decision and to completion
//! (supplement pauses not counted), trips to an office, documents, steps; aggregated as
//! median and p90, the share decided within the committed deadline, and ratings, beside
//! the plan's single-item figures.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::case::{CaseStatus, Item, ItemStatus};
use platform::db::Pool;
use serde_json::{Value, json};

use crate::deadlines::calendar;
use crate::store::stats::{self as store, CaseFigures};

/// The plan's 联办效能 figures, from the same data as the service guide.
fn seed_figures() -> Value {
    let guide = domain::guide::Guide::embedded();
    let e = &guide.efficiency;
    json!({
        "source": format!("{}: {}", guide.plan, e.source),
        "single_item": e.separate,
        "joint_target": e.joint,
        "steps_definition": "the applicant's own steps: the online submission, each supplement, each visit to an office",
    })
}

/// Median and 90th percentile (nearest rank) of `values`; `None` when empty.
pub fn percentiles(values: &mut [f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = |p: f64| values[((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
    Some((rank(0.5), rank(0.9)))
}

fn summary(mut values: Vec<f64>) -> Value {
    match percentiles(&mut values) {
        Some((median, p90)) => json!({"count": values.len(), "median": median, "p90": p90}),
        None => json!({"count": 0, "median": null, "p90": null}),
    }
}

/// Working days counted between acceptance and `to` (the acceptance day not counted),
/// less the days the clock stood still for supplements.
fn counted(accepted_on: &str, to: &str, paused: i64) -> Option<f64> {
    let (a, b) = (accepted_on.parse::<NaiveDate>().ok()?, to.parse::<NaiveDate>().ok()?);
    let days = if b > a { calendar().working_days_between(a, b).days as i64 } else { 0 };
    Some((days - paused).max(0) as f64)
}

fn mean(values: &[f64]) -> Value {
    if values.is_empty() {
        Value::Null
    } else {
        json!((values.iter().sum::<f64>() / values.len() as f64 * 100.0).round() / 100.0)
    }
}

/// Open items within this many working days of their deadline count as near it.
pub const NEAR_DUE_WORKING_DAYS: i64 = 3;

/// The open items near and past their deadline on `today`. An item's deadline is its own
/// `due_on` where it has one (social insurance: 30 days from the permit's issue); the work
/// permit's is the case's committed date, except while a supplement request stops the clock.
/// Items that wait on the applicant or on a date (the residence permit before the
/// application, the title review before eligibility) have none. Per item, and the overdue
/// ones listed (oldest deadline first, at most 50).
fn deadlines(cases: &BTreeMap<&str, &CaseFigures>, items: &[store::ItemFigures], today: NaiveDate) -> Value {
    let mut per_item: BTreeMap<&str, (i64, i64)> = Item::ALL.iter().map(|i| (i.as_str(), (0, 0))).collect();
    let mut overdue = Vec::new();
    for i in items.iter().filter(|i| !i.status.is_final() && i.status != ItemStatus::Approved) {
        let Some(case) = cases.get(i.case_id.as_str()) else { continue };
        let own = i.due_on.as_deref().filter(|d| !d.is_empty());
        let committed = (i.item == Item::WorkPermit.as_str() && i.status != ItemStatus::SupplementRequested)
            .then_some(case.due_committed.as_str());
        let Some(due) = own.or(committed) else { continue };
        let Ok(due_day) = due.parse::<NaiveDate>() else { continue };
        let left = calendar().working_days_left(today, due_day);
        let entry = per_item.entry(i.item.as_str()).or_default();
        if due_day < today {
            entry.1 += 1;
            overdue.push((due.to_string(), i.case_id.clone(), i.item.clone(), left));
        } else if left <= NEAR_DUE_WORKING_DAYS {
            entry.0 += 1;
        }
    }
    overdue.sort();
    json!({
        "today": today.to_string(),
        "near_working_days": NEAR_DUE_WORKING_DAYS,
        "items": per_item.iter().map(|(k, (near, past))| (k.to_string(), json!({"near": near, "past": past}))).collect::<BTreeMap<_, _>>(),
        "overdue": overdue.iter().take(50).map(|(due, case_id, item, left)| json!({"case_id": case_id, "item": item, "due_on": due, "working_days_left": left})).collect::<Vec<_>>(),
    })
}

pub async fn compute(pool: &Pool) -> Result<Value, sqlx::Error> {
    let cases = store::cases(pool).await?;
    let items = store::items(pool).await?;
    let ratings = store::ratings(pool).await?;

    let by_id: BTreeMap<&str, &CaseFigures> = cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut counts: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut to_decision: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let (mut permit_decided, mut permit_within) = (0usize, 0usize);
    for i in &items {
        *counts.entry(i.item.clone()).or_default().entry(i.status.as_str().to_string()).or_default() += 1;
        let (Some(c), Some(decided)) = (by_id.get(i.case_id.as_str()), i.decided_on.as_deref()) else { continue };
        if let Some(d) = counted(&c.accepted_on, decided, c.paused_working_days) {
            to_decision.entry(i.item.clone()).or_default().push(d);
        }
        if i.item == Item::WorkPermit.as_str() && i.status != ItemStatus::Cancelled {
            permit_decided += 1;
            // The committed date already moved with every supplement pause.
            if decided <= c.due_committed.as_str() {
                permit_within += 1;
            }
        }
    }
    let completed: Vec<&CaseFigures> = cases.iter().filter(|c| c.status == CaseStatus::Completed).collect();
    let to_completion: Vec<f64> = completed
        .iter()
        .filter_map(|c| counted(&c.accepted_on, c.completed_on.as_deref()?, c.paused_working_days))
        .collect();
    let trips: Vec<f64> = completed.iter().map(|c| c.trips as f64).collect();
    let documents: Vec<f64> = completed.iter().map(|c| c.documents as f64).collect();
    // The applicant's steps: the online submission, each supplement, each office visit.
    let steps: Vec<f64> = completed.iter().map(|c| (1 + c.supplements + c.trips) as f64).collect();
    let mut rating_by_item: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (item, r) in &ratings {
        rating_by_item.entry(item.clone()).or_default().push(*r as f64);
    }
    let all_ratings: Vec<f64> = ratings.iter().map(|(_, r)| *r as f64).collect();
    let seed = seed_figures();

    Ok(json!({
        "cases": {"total": cases.len(), (CaseStatus::Completed.as_str()): completed.len(),
                  "by_status": cases.iter().fold(BTreeMap::<&str, i64>::new(), |mut m, c| { *m.entry(c.status.as_str()).or_default() += 1; m })},
        "items": counts,
        "working_days_to_decision": to_decision.into_iter().map(|(k, v)| (k, summary(v))).collect::<BTreeMap<_, _>>(),
        "working_days_to_completion": summary(to_completion.clone()),
        "work_permit_within_committed_deadline": {
            "decided": permit_decided,
            "within": permit_within,
            "share": if permit_decided == 0 { Value::Null } else { json!((permit_within as f64 / permit_decided as f64 * 1000.0).round() / 1000.0) },
        },
        "per_completed_case": {
            "working_days": mean(&to_completion),
            "trips": mean(&trips),
            "documents": mean(&documents),
            "steps": mean(&steps),
        },
        "ratings": {
            "count": all_ratings.len(),
            "average": mean(&all_ratings),
            "by_item": rating_by_item.iter().map(|(k, v)| (k.clone(), json!({"count": v.len(), "average": mean(v)}))).collect::<BTreeMap<_, _>>(),
        },
        "seed_figures": seed,
        "deadlines": deadlines(&by_id, &items, platform::time::today_cst()),
        "definitions": {
            "working_days": "working days (official holidays and adjusted working days of the embedded calendar) from acceptance, the acceptance day not counted, less the days the clock stood still for supplements",
            "steps": "the applicant's own steps: the online submission, each supplement, each visit to an office",
            "trips": "in-person visits recorded at a counter",
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_deadlines_the_departments_committed_to_can_be_missed() {
        let case = CaseFigures {
            id: "c".into(),
            status: CaseStatus::InProgress,
            accepted_on: "2026-11-02".into(),
            due_committed: "2026-11-23".into(),
            completed_on: None,
            paused_working_days: 0,
            supplements: 0,
            trips: 0,
            documents: 0,
        };
        let item = |item: Item, status: ItemStatus, due_on: Option<&str>| store::ItemFigures {
            case_id: "c".into(),
            item: item.as_str().into(),
            status,
            decided_on: None,
            due_on: due_on.map(str::to_string),
        };
        let cases = BTreeMap::from([("c", &case)]);
        let today = "2026-12-02".parse().unwrap();
        let items = [
            item(Item::WorkPermit, ItemStatus::InReview, None),
            // Waiting on the applicant or on eligibility: no deadline of the department.
            item(Item::TitleReview, ItemStatus::Pending, None),
            item(Item::ResidencePermit, ItemStatus::Pending, None),
            // Its own deadline, three working days ahead.
            item(Item::SocialInsurance, ItemStatus::Pending, Some("2026-12-07")),
        ];
        let d = deadlines(&cases, &items, today);
        assert_eq!(d["items"]["work_permit"], json!({"near": 0, "past": 1}));
        assert_eq!(d["items"]["title_review"], json!({"near": 0, "past": 0}));
        assert_eq!(d["items"]["residence_permit"], json!({"near": 0, "past": 0}));
        assert_eq!(d["items"]["social_insurance"], json!({"near": 1, "past": 0}));
        assert_eq!(d["overdue"][0]["working_days_left"], -7, "{d}");
        // While the supplement request stops the clock, the committed date cannot pass.
        let paused = [item(Item::WorkPermit, ItemStatus::SupplementRequested, None)];
        assert_eq!(deadlines(&cases, &paused, today)["items"]["work_permit"], json!({"near": 0, "past": 0}));
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut v = vec![5.0, 1.0, 3.0, 2.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentiles(&mut v), Some((5.0, 9.0)));
        assert_eq!(percentiles(&mut [4.0]), Some((4.0, 4.0)));
        assert_eq!(percentiles(&mut []), None);
    }

    #[test]
    fn counted_days_exclude_the_acceptance_day_holidays_and_pauses() {
        // 2025-09-30 → 2025-10-09: only 10-09 is a working day after the acceptance day.
        assert_eq!(counted("2025-09-30", "2025-10-09", 0), Some(1.0));
        assert_eq!(counted("2026-03-02", "2026-03-09", 2), Some(3.0));
        assert_eq!(counted("2026-03-02", "2026-03-02", 0), Some(0.0));
    }

    #[test]
    fn the_seed_figures_are_the_guides_with_their_source() {
        let v = seed_figures();
        assert_eq!(v["single_item"]["documents"], 20);
        assert_eq!(v["joint_target"]["steps"], 2);
        assert!(v["source"].as_str().unwrap().contains("联办效能"));
    }
}
