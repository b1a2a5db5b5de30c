//! The title eligibility review (职称申报条件审核, hrss): queued when an approved permit
//! asks for it, waiting until the applicant has worked MORE than 6 months in Gansu
//! (`eligible_on`, moved earlier by verified earlier Gansu service), then decided once by an
//! hrss reviewer; a cancelled permit ends a review still waiting.
//!
//! Whether today is on or after `eligible_on` is a guard on data: the service refuses a
//! decision before it (`not_yet_eligible`) and shows a waiting review as `ready` from then
//! on ([`TitleReviewStatus::public_status`]).

use chrono::NaiveDate;

use super::{Machine, TransitionError, code_span, render_table};
use crate::case::{ItemStatus, wire_enum};

wire_enum!(
    /// Stored status of a title review (`title_reviews.status`).
    TitleReviewStatus {
        /// Undecided (the public status splits it at `eligible_on` into waiting and ready).
        Waiting => "waiting",
        Eligible => "eligible",
        NotEligible => "not_eligible",
        /// Ended by the permit's cancellation.
        Cancelled => "cancelled",
    }
);

wire_enum!(
    /// Status of a title review as the API shows it: `waiting` split at `eligible_on`.
    TitleReviewPublicStatus {
        Waiting => "waiting",
        Ready => "ready",
        Eligible => "eligible",
        NotEligible => "not_eligible",
        Cancelled => "cancelled",
    }
);

wire_enum!(
    /// What happens to a title review.
    TitleReviewCommand {
        /// `permit-approved` with the item requested queues the review.
        Queue => "queue",
        /// A reviewer records verified earlier Gansu service (`eligible_on` moves earlier).
        RecordService => "record_service",
        /// A reviewer decides eligible, with the recommendation report.
        DecideEligible => "decide_eligible",
        /// A reviewer decides not eligible, with written reasons.
        DecideNotEligible => "decide_not_eligible",
        /// The work permit was cancelled (`permit-cancelled`).
        Cancel => "cancel",
    }
);

impl TitleReviewStatus {
    /// Whether the review is closed.
    pub fn is_final(self) -> bool {
        self != TitleReviewStatus::Waiting
    }

    /// The status of the `title_review` item shown to the employer.
    pub fn item_status(self) -> ItemStatus {
        match self {
            TitleReviewStatus::Waiting => ItemStatus::Pending,
            TitleReviewStatus::Eligible => ItemStatus::Completed,
            TitleReviewStatus::NotEligible => ItemStatus::Refused,
            TitleReviewStatus::Cancelled => ItemStatus::Cancelled,
        }
    }

    /// The public status on `today` of a review eligible from `eligible_on`.
    pub fn public_status(self, eligible_on: NaiveDate, today: NaiveDate) -> TitleReviewPublicStatus {
        match self {
            TitleReviewStatus::Waiting if eligible_on <= today => TitleReviewPublicStatus::Ready,
            TitleReviewStatus::Waiting => TitleReviewPublicStatus::Waiting,
            TitleReviewStatus::Eligible => TitleReviewPublicStatus::Eligible,
            TitleReviewStatus::NotEligible => TitleReviewPublicStatus::NotEligible,
            TitleReviewStatus::Cancelled => TitleReviewPublicStatus::Cancelled,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TitleReviewStatus::Waiting => "待审核",
            TitleReviewStatus::Eligible => "符合申报条件",
            TitleReviewStatus::NotEligible => "不符合申报条件",
            TitleReviewStatus::Cancelled => "已终止",
        }
    }
}

/// The status after `command`, or why the review's state forbids it.
pub fn transition(
    from: Option<TitleReviewStatus>,
    command: &TitleReviewCommand,
) -> Result<TitleReviewStatus, TransitionError> {
    use TitleReviewCommand::*;
    use TitleReviewStatus::*;
    const M: Machine = Machine::TitleReview;
    let Some(from) = from else {
        return match command {
            Queue => Ok(Waiting),
            _ => Err(TransitionError::not_open(M, command.as_str())),
        };
    };
    match (from, command) {
        (_, Queue) => Err(TransitionError::already_open(M, from.to_string(), from.label_zh(), command.as_str())),
        (Waiting, RecordService) => Ok(Waiting),
        (Waiting, DecideEligible) => Ok(Eligible),
        (Waiting, DecideNotEligible) => Ok(NotEligible),
        (Waiting, Cancel) => Ok(Cancelled),
        (Eligible | NotEligible | Cancelled, _) => Err(TransitionError::forbidden(
            M,
            from.to_string(),
            command.as_str(),
            "title_review_closed",
            format!("the title review is already {from}"),
            format!("职称申报条件审核已结束（{}）", from.label_zh()),
        )),
    }
}

/// The transition table as `docs/architecture.md` shows it.
pub fn markdown_table() -> String {
    render_table(
        TitleReviewStatus::ALL,
        TitleReviewCommand::ALL,
        transition,
        |s| code_span(s.as_str()),
        |c| code_span(c.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::TitleReviewCommand::*;
    use super::TitleReviewStatus::*;
    use super::*;

    /// Every (from, command) with the status it leads to or the code of its refusal.
    const EXPECTED: &[(Option<TitleReviewStatus>, TitleReviewCommand, Result<TitleReviewStatus, &str>)] = &[
        (None, Queue, Ok(Waiting)),
        (None, RecordService, Err("not_open")),
        (None, DecideEligible, Err("not_open")),
        (None, DecideNotEligible, Err("not_open")),
        (None, Cancel, Err("not_open")),
        (Some(Waiting), Queue, Err("already_open")),
        (Some(Waiting), RecordService, Ok(Waiting)),
        (Some(Waiting), DecideEligible, Ok(Eligible)),
        (Some(Waiting), DecideNotEligible, Ok(NotEligible)),
        (Some(Waiting), Cancel, Ok(Cancelled)),
        (Some(Eligible), Queue, Err("already_open")),
        (Some(Eligible), RecordService, Err("title_review_closed")),
        (Some(Eligible), DecideEligible, Err("title_review_closed")),
        (Some(Eligible), DecideNotEligible, Err("title_review_closed")),
        (Some(Eligible), Cancel, Err("title_review_closed")),
        (Some(NotEligible), Queue, Err("already_open")),
        (Some(NotEligible), RecordService, Err("title_review_closed")),
        (Some(NotEligible), DecideEligible, Err("title_review_closed")),
        (Some(NotEligible), DecideNotEligible, Err("title_review_closed")),
        (Some(NotEligible), Cancel, Err("title_review_closed")),
        (Some(Cancelled), Queue, Err("already_open")),
        (Some(Cancelled), RecordService, Err("title_review_closed")),
        (Some(Cancelled), DecideEligible, Err("title_review_closed")),
        (Some(Cancelled), DecideNotEligible, Err("title_review_closed")),
        (Some(Cancelled), Cancel, Err("title_review_closed")),
    ];

    #[test]
    fn every_title_review_transition_is_the_one_in_the_expected_table() {
        crate::states::assert_transitions(TitleReviewStatus::ALL, TitleReviewCommand::ALL, transition, EXPECTED);
    }

    #[test]
    fn a_decided_or_cancelled_review_never_changes_and_a_waiting_one_can() {
        for from in TitleReviewStatus::ALL {
            let moves = TitleReviewCommand::ALL.iter().any(|c| transition(Some(*from), c).is_ok_and(|to| to != *from));
            assert_eq!(!moves, from.is_final(), "{from}");
        }
    }

    #[test]
    fn a_waiting_review_is_ready_from_its_eligibility_date() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let today = d("2027-07-05");
        assert_eq!(Waiting.public_status(d("2027-07-06"), today), TitleReviewPublicStatus::Waiting);
        assert_eq!(Waiting.public_status(d("2027-07-05"), today), TitleReviewPublicStatus::Ready);
        assert_eq!(NotEligible.public_status(d("2027-01-01"), today), TitleReviewPublicStatus::NotEligible);
        assert_eq!(TitleReviewPublicStatus::Ready.as_str(), "ready");
    }

    #[test]
    fn a_closed_review_says_how_it_ended() {
        let e = transition(Some(NotEligible), &RecordService).unwrap_err();
        assert_eq!(e.to_string(), "the title review is already not_eligible");
        assert_eq!(e.message_zh(), "职称申报条件审核已结束（不符合申报条件）");
        assert_eq!(Waiting.item_status(), ItemStatus::Pending);
        assert_eq!(Eligible.item_status(), ItemStatus::Completed);
    }
}
