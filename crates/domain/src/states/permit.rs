//! The work permit at its desk (science-tech for A and B, hrss for C): opened by
//! `case-accepted`, decided by a reviewer (with supplements in between), and once approved
//! changed, extended or cancelled. Refused and cancelled are final.

use super::{Machine, TransitionError, code_span, render_table};
use crate::case::{ItemStatus, wire_enum};

wire_enum!(
    /// Stored status of a work permit (`permits.status`), in the order of its life.
    PermitStatus {
        InReview => "in_review",
        SupplementRequested => "supplement_requested",
        Approved => "approved",
        Refused => "refused",
        Cancelled => "cancelled",
    }
);

wire_enum!(
    /// What happens to a work permit.
    PermitCommand {
        /// `case-accepted` of the desk's category opens the application.
        Open => "open",
        /// The reviewer asks for materials (one notice); the deadline clock stops.
        RequestSupplement => "request_supplement",
        /// The employer supplied them (`case-supplemented`).
        Supplied => "supplied",
        /// The reviewer approves: number (lifelong per person) and validity.
        Approve => "approve",
        /// The reviewer refuses, with written reasons.
        Refuse => "refuse",
        /// Employer details or the position change.
        Change => "change",
        /// The validity is extended (before expiry).
        Extend => "extend",
        /// The permit is cancelled, with its reason.
        Cancel => "cancel",
    }
);

impl PermitStatus {
    /// Whether nothing can happen to the permit any more.
    pub fn is_final(self) -> bool {
        matches!(self, PermitStatus::Refused | PermitStatus::Cancelled)
    }

    /// The status of the `work_permit` item shown to the employer.
    pub fn item_status(self) -> ItemStatus {
        match self {
            PermitStatus::InReview => ItemStatus::InReview,
            PermitStatus::SupplementRequested => ItemStatus::SupplementRequested,
            PermitStatus::Approved => ItemStatus::Approved,
            PermitStatus::Refused => ItemStatus::Refused,
            PermitStatus::Cancelled => ItemStatus::Cancelled,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PermitStatus::InReview => "审查中",
            PermitStatus::SupplementRequested => "待补正",
            PermitStatus::Approved => "已批准",
            PermitStatus::Refused => "不予批准",
            PermitStatus::Cancelled => "已注销",
        }
    }
}

/// The status `command` needs, the code of its refusal, and the sentences of it.
fn requirement(command: PermitCommand) -> (PermitStatus, &'static str, &'static str, &'static str) {
    use PermitCommand::*;
    match command {
        // `Open` is refused as `already_open` before this is asked.
        RequestSupplement | Approve | Refuse | Open => {
            (PermitStatus::InReview, "not_in_review", "decisions are taken on", "只能对审查中的工作许可作出审查决定")
        }
        Supplied => (
            PermitStatus::SupplementRequested,
            "not_supplement_requested",
            "supplements are received for",
            "只有待补正的工作许可才能接收补正材料",
        ),
        Change => (PermitStatus::Approved, "not_approved", "changes apply to", "只能对已批准的工作许可办理变更"),
        Extend => (PermitStatus::Approved, "not_approved", "extensions apply to", "只能对已批准的工作许可办理延期"),
        Cancel => (PermitStatus::Approved, "not_approved", "cancellation applies to", "只能注销已批准的工作许可"),
    }
}

/// The status after `command`, or why the permit's state forbids it.
pub fn transition(from: Option<PermitStatus>, command: &PermitCommand) -> Result<PermitStatus, TransitionError> {
    use PermitCommand::*;
    use PermitStatus::*;
    const M: Machine = Machine::WorkPermit;
    let Some(from) = from else {
        return match command {
            Open => Ok(InReview),
            _ => Err(TransitionError::not_open(M, command.as_str())),
        };
    };
    match (from, command) {
        (_, Open) => Err(TransitionError::already_open(M, from.to_string(), from.label_zh(), command.as_str())),
        (InReview, RequestSupplement) => Ok(SupplementRequested),
        (InReview, Approve) => Ok(Approved),
        (InReview, Refuse) => Ok(Refused),
        (SupplementRequested, Supplied) => Ok(InReview),
        (Approved, Change | Extend) => Ok(Approved),
        (Approved, Cancel) => Ok(Cancelled),
        _ => {
            let (needed, code, what, what_zh) = requirement(*command);
            Err(TransitionError::forbidden(
                M,
                from.to_string(),
                command.as_str(),
                code,
                format!("the work permit is {from}; {what} only a permit that is {needed}"),
                format!("工作许可当前为{}，{what_zh}", from.label_zh()),
            ))
        }
    }
}

/// The transition table as `docs/architecture.md` shows it.
pub fn markdown_table() -> String {
    render_table(
        PermitStatus::ALL,
        PermitCommand::ALL,
        transition,
        |s| code_span(s.as_str()),
        |c| code_span(c.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::PermitCommand::*;
    use super::PermitStatus::*;
    use super::*;

    /// Every (from, command) with the status it leads to or the code of its refusal.
    const EXPECTED: &[(Option<PermitStatus>, PermitCommand, Result<PermitStatus, &str>)] = &[
        (None, Open, Ok(InReview)),
        (None, RequestSupplement, Err("not_open")),
        (None, Supplied, Err("not_open")),
        (None, Approve, Err("not_open")),
        (None, Refuse, Err("not_open")),
        (None, Change, Err("not_open")),
        (None, Extend, Err("not_open")),
        (None, Cancel, Err("not_open")),
        (Some(InReview), Open, Err("already_open")),
        (Some(InReview), RequestSupplement, Ok(SupplementRequested)),
        (Some(InReview), Supplied, Err("not_supplement_requested")),
        (Some(InReview), Approve, Ok(Approved)),
        (Some(InReview), Refuse, Ok(Refused)),
        (Some(InReview), Change, Err("not_approved")),
        (Some(InReview), Extend, Err("not_approved")),
        (Some(InReview), Cancel, Err("not_approved")),
        (Some(SupplementRequested), Open, Err("already_open")),
        (Some(SupplementRequested), RequestSupplement, Err("not_in_review")),
        (Some(SupplementRequested), Supplied, Ok(InReview)),
        (Some(SupplementRequested), Approve, Err("not_in_review")),
        (Some(SupplementRequested), Refuse, Err("not_in_review")),
        (Some(SupplementRequested), Change, Err("not_approved")),
        (Some(SupplementRequested), Extend, Err("not_approved")),
        (Some(SupplementRequested), Cancel, Err("not_approved")),
        (Some(Approved), Open, Err("already_open")),
        (Some(Approved), RequestSupplement, Err("not_in_review")),
        (Some(Approved), Supplied, Err("not_supplement_requested")),
        (Some(Approved), Approve, Err("not_in_review")),
        (Some(Approved), Refuse, Err("not_in_review")),
        (Some(Approved), Change, Ok(Approved)),
        (Some(Approved), Extend, Ok(Approved)),
        (Some(Approved), Cancel, Ok(Cancelled)),
        (Some(Refused), Open, Err("already_open")),
        (Some(Refused), RequestSupplement, Err("not_in_review")),
        (Some(Refused), Supplied, Err("not_supplement_requested")),
        (Some(Refused), Approve, Err("not_in_review")),
        (Some(Refused), Refuse, Err("not_in_review")),
        (Some(Refused), Change, Err("not_approved")),
        (Some(Refused), Extend, Err("not_approved")),
        (Some(Refused), Cancel, Err("not_approved")),
        (Some(Cancelled), Open, Err("already_open")),
        (Some(Cancelled), RequestSupplement, Err("not_in_review")),
        (Some(Cancelled), Supplied, Err("not_supplement_requested")),
        (Some(Cancelled), Approve, Err("not_in_review")),
        (Some(Cancelled), Refuse, Err("not_in_review")),
        (Some(Cancelled), Change, Err("not_approved")),
        (Some(Cancelled), Extend, Err("not_approved")),
        (Some(Cancelled), Cancel, Err("not_approved")),
    ];

    #[test]
    fn every_work_permit_transition_is_the_one_in_the_expected_table() {
        crate::states::assert_transitions(PermitStatus::ALL, PermitCommand::ALL, transition, EXPECTED);
    }

    #[test]
    fn a_refused_or_cancelled_permit_never_changes_and_the_others_can() {
        for from in PermitStatus::ALL {
            let moves = PermitCommand::ALL.iter().any(|c| transition(Some(*from), c).is_ok_and(|to| to != *from));
            assert_eq!(!moves, from.is_final(), "{from}");
        }
    }

    #[test]
    fn the_wire_names_are_those_of_the_permits_table() {
        let names: Vec<&str> = PermitStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["in_review", "supplement_requested", "approved", "refused", "cancelled"]);
        assert_eq!(PermitStatus::try_from("approved".to_string()), Ok(Approved));
        assert_eq!(Cancelled.item_status(), ItemStatus::Cancelled);
    }

    #[test]
    fn a_refusal_says_what_the_command_needs_in_english_and_chinese() {
        let e = transition(Some(Approved), &Supplied).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the work permit is approved; supplements are received for only a permit that is supplement_requested"
        );
        assert_eq!(e.message_zh(), "工作许可当前为已批准，只有待补正的工作许可才能接收补正材料");
        let e = transition(Some(InReview), &Cancel).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the work permit is in_review; cancellation applies to only a permit that is approved"
        );
    }
}
