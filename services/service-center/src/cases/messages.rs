//! Consultations and complaints on a case (online or through the 12345 hotline) and their
//! answers.

use domain::case::{MessageChannel, MessageKind, TimelineEvent};
use domain::{Actor, Role};
use platform::ServiceError;
use platform::app::Base;

use super::answers::{earlier_answer, remember_answer};
use super::view::authorize_view;
use crate::store::{self, CaseView};

/// Who may write on a case: its employer, its foreigner, operators (who record hotline
/// calls) and staff of a department with an item on it.
fn may_write(actor: &Actor, view: &CaseView) -> bool {
    match actor.role {
        Role::Employer => view.case.employer_credit_code == actor.subject,
        Role::Ops | Role::Admin => true,
        Role::Reviewer | Role::Officer => view.items.iter().any(|i| i.department == actor.department_str()),
        Role::Foreigner => {
            let mut v = view.clone();
            authorize_view(actor, &mut v).is_ok()
        }
        _ => false,
    }
}

pub async fn add_message(
    base: &Base,
    actor: &Actor,
    case_id: &str,
    kind: &str,
    channel: &str,
    text: &str,
    idempotency_key: Option<&str>,
) -> Result<store::MessageRow, ServiceError> {
    let view =
        store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))?;
    if !may_write(actor, &view) {
        return Err(ServiceError::not_found("case", case_id));
    }
    let scope = format!("message:{case_id}");
    let fingerprint = format!("{kind}|{channel}|{text}").into_bytes();
    if let Some(id) = earlier_answer(base, actor, &scope, idempotency_key, &fingerprint).await?
        && let Some(m) = view.messages.iter().find(|m| m.id == id)
    {
        return Ok(m.clone());
    }
    let mut v = domain::Violations::new();
    let message_kind = kind.parse::<MessageKind>().ok();
    if message_kind.is_none() {
        v.push("kind", "unknown_value", "kind is consultation or complaint");
    }
    let message_channel = channel.parse::<MessageChannel>().ok();
    if message_channel.is_none() {
        v.push("channel", "unknown_value", "channel is online or hotline_12345 (0931-12345)");
    }
    if message_channel == Some(MessageChannel::Hotline12345) && !actor.role.is_operator() {
        v.push("channel", "not_allowed", "hotline calls are recorded by the operators of the 12345 hotline");
    }
    if text.trim().is_empty() {
        v.push("text", "required", "text is required");
    } else if text.chars().count() > 4000 {
        v.push("text", "too_long", "text has at most 4000 characters");
    }
    let Some(message_kind) = message_kind.filter(|_| v.is_empty()) else {
        return Err(ServiceError::InvalidArgument(v));
    };
    let row = store::MessageRow {
        id: uuid::Uuid::now_v7().to_string(),
        kind: kind.into(),
        channel: channel.into(),
        body: text.trim().into(),
        author_role: actor.role.as_str().into(),
        at: platform::time::now_ms(),
        answer: None,
        answered_by: None,
        answered_at: None,
    };
    let mut tx = base.db.begin().await?;
    store::messages::insert(&mut tx, case_id, &row, &actor.subject).await?;
    store::add_timeline(&mut tx, case_id, TimelineEvent::message_received(message_kind), "", channel).await?;
    remember_answer(&mut tx, actor, &scope, idempotency_key, &fingerprint, &row.id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Operators and the staff of a department with an item on the case answer.
pub async fn answer_message(
    base: &Base,
    actor: &Actor,
    case_id: &str,
    message_id: &str,
    answer: &str,
) -> Result<store::MessageRow, ServiceError> {
    let view =
        store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))?;
    if !may_write(actor, &view) {
        return Err(ServiceError::not_found("case", case_id));
    }
    if !(actor.role.is_operator() || actor.role.is_staff()) {
        return Err(ServiceError::PermissionDenied(
            "consultations and complaints are answered by operators and department staff".into(),
        ));
    }
    if answer.trim().is_empty() {
        let mut v = domain::Violations::new();
        v.push("answer", "required", "answer is required");
        return Err(ServiceError::InvalidArgument(v));
    }
    let now = platform::time::now_ms();
    let mut tx = base.db.begin().await?;
    let answered_by = answerer(actor);
    let answered = store::messages::answer(&mut tx, case_id, message_id, answer.trim(), &answered_by, now).await?;
    if !answered {
        let exists = view.messages.iter().any(|m| m.id == message_id);
        return Err(if exists {
            ServiceError::conflict(
                "already_answered",
                format!("message/{message_id}"),
                "this message is already answered",
            )
        } else {
            ServiceError::not_found("message", message_id)
        });
    }
    store::add_timeline(&mut tx, case_id, TimelineEvent::MessageAnswered, "", "").await?;
    tx.commit().await?;
    let view =
        store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))?;
    view.messages.into_iter().find(|m| m.id == message_id).ok_or_else(|| ServiceError::not_found("message", message_id))
}

/// Who answered, as the case shows it: the role and the name, and the department of staff
/// (`officer:li@public-security`, `ops:zhao`).
fn answerer(actor: &Actor) -> String {
    match actor.department_str() {
        "" => format!("{}:{}", actor.role, actor.subject),
        department => format!("{}:{}@{department}", actor.role, actor.subject),
    }
}

#[cfg(test)]
mod answerer_tests {
    use super::*;

    #[test]
    fn an_answer_names_the_role_the_person_and_the_department_of_staff() {
        assert_eq!(answerer(&Actor::parse("officer", "li", "public-security").unwrap()), "officer:li@public-security");
        assert_eq!(answerer(&Actor::parse("ops", "zhao", "").unwrap()), "ops:zhao");
    }
}
