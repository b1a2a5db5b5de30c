//! 好差评: the employer rates each finished item of its case once.

use domain::case::{Item, ItemStatus};
use domain::{Actor, Role};
use platform::ServiceError;
use platform::app::Base;

use super::answers::{earlier_answer, remember_answer};
use crate::store;

/// 好差评: the case's employer rates a finished item once (1 to 5, with a comment).
pub async fn evaluate(
    base: &Base,
    actor: &Actor,
    case_id: &str,
    item: &str,
    rating: i32,
    comment: &str,
    idempotency_key: Option<&str>,
) -> Result<store::EvaluationRow, ServiceError> {
    if !actor.is(Role::Employer) {
        return Err(ServiceError::PermissionDenied("only the case's employer rates its items".into()));
    }
    let view =
        store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))?;
    if view.case.employer_credit_code != actor.subject {
        return Err(ServiceError::not_found("case", case_id));
    }
    let scope = format!("evaluation:{case_id}");
    let fingerprint = format!("{item}|{rating}|{comment}").into_bytes();
    if let Some(rated) = earlier_answer(base, actor, &scope, idempotency_key, &fingerprint).await?
        && let Some(e) = view.evaluations.iter().find(|e| e.item == rated)
    {
        return Ok(e.clone());
    }
    let mut v = domain::Violations::new();
    let parsed = v.take("item", item.parse::<Item>());
    if !(1..=5).contains(&rating) {
        v.push("rating", "out_of_range", "rating is 1 (very dissatisfied) to 5 (very satisfied)");
    }
    if comment.chars().count() > 1000 {
        v.push("comment", "too_long", "comment has at most 1000 characters");
    }
    if !v.is_empty() {
        return Err(ServiceError::InvalidArgument(v));
    }
    let item = parsed.expect("checked above");
    let Some(row) = view.items.iter().find(|i| i.item == item.as_str()) else {
        return Err(ServiceError::not_found("case item", format!("{case_id}/{item}")));
    };
    let finished = matches!(row.status, ItemStatus::Approved | ItemStatus::Completed | ItemStatus::Refused);
    if !finished {
        return Err(ServiceError::conflict(
            "item_not_finished",
            format!("case/{case_id}/{item}"),
            "an item is rated once it is finished",
        ));
    }
    let at = platform::time::now_ms();
    let mut tx = base.db.begin().await?;
    let evaluation =
        store::EvaluationRow { item: item.as_str().into(), rating: rating as i64, comment: comment.into(), at };
    let inserted = store::evaluations::insert(&mut tx, case_id, &evaluation, &actor.subject).await?;
    if inserted {
        remember_answer(&mut tx, actor, &scope, idempotency_key, &fingerprint, item.as_str()).await?;
    }
    tx.commit().await?;
    if !inserted {
        return Err(ServiceError::conflict(
            "already_rated",
            format!("case/{case_id}/{item}"),
            "this item is already rated",
        ));
    }
    Ok(evaluation)
}
