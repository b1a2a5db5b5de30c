//! The work-type residence permit case (public-security exit-entry): opened by
//! `permit-approved` waiting for the applicant, applied for at the counter (paper materials,
//! receipt 受理回执), verified (interview, phone check, site visit), decided, and picked up.
//! The work permit's cancellation ends a case still open, and puts an issued residence
//! permit up for revocation (`revocation_pending`: `approved` or `completed` with the
//! `work_permit_cancelled` flag; not handed over meanwhile), which an officer resolves:
//! revoked from a date (`revoked`), or kept for a stated reason (e.g. a new employer's work
//! permit), which clears the flag.
//!
//! The state is the stored status with the `work_permit_cancelled` flag; the flag is read
//! only on `approved` and `completed` (and is always set on `cancelled` and `revoked`). A verification without an outcome, a missed
//! interview and the work permit's remaining validity are guards on data: the service
//! checks them before approving (`verification_pending`, `verification_not_attended`,
//! `work_permit_validity_too_short`), as it checks that an outcome has an open verification
//! (`no_open_verification`).

use std::fmt;

use super::{Machine, TransitionError, code_span, render_table};
use crate::case::{ItemStatus, wire_enum};

wire_enum!(
    /// Stored status of a residence case (`residence_cases.status`).
    ResidenceStatus {
        /// Waiting for the applicant at the counter.
        Pending => "pending",
        /// Applied for at the counter; the decision is due.
        InReview => "in_review",
        /// Issued, waiting for its pickup.
        Approved => "approved",
        Refused => "refused",
        /// Picked up (in person, by proxy or by mail).
        Completed => "completed",
        /// Ended by the work permit's cancellation before a decision.
        Cancelled => "cancelled",
        /// Issued, then revoked by an officer after the work permit's cancellation.
        Revoked => "revoked",
    }
);

wire_enum!(
    /// What happens to a residence case.
    ResidenceCommand {
        /// `permit-approved` opens the case.
        Open => "open",
        /// The employer or an officer records the entry date (`apply_by` = entry + 30 days).
        RecordEntry => "record_entry",
        /// The applicant at the counter: paper materials, receipt, decision deadline.
        Apply => "apply",
        /// An officer schedules (or reschedules) an interview, phone check or site visit.
        ScheduleVerification => "schedule_verification",
        /// An officer records the outcome of the open verification.
        RecordVerificationOutcome => "record_verification_outcome",
        /// An officer approves: the residence permit is issued.
        Approve => "approve",
        /// An officer refuses, with written reasons.
        Refuse => "refuse",
        /// The permit leaves the counter: in person, by proxy or by mail.
        Pickup => "pickup",
        /// `permit-extended`: the cap of the residence permit's validity moves.
        PermitExtended => "permit_extended",
        /// `permit-cancelled`: an open case ends, an issued permit is put up for revocation.
        PermitCancelled => "permit_cancelled",
        /// An officer revokes a residence permit up for revocation, from a date.
        Revoke => "revoke",
        /// An officer keeps a residence permit up for revocation, for a stated reason.
        Keep => "keep",
    }
);

wire_enum!(
    /// How an officer verifies the applicant (`residence_verifications.method`).
    VerificationMethod { Interview => "interview", Phone => "phone", SiteVisit => "site_visit" }
);

wire_enum!(
    /// What happened at a verification (`residence_verifications.outcome`).
    VerificationOutcome { Attended => "attended", NoShow => "no_show" }
);

wire_enum!(
    /// How the residence permit leaves the counter (`residence_cases.pickup_method`).
    PickupMethod { InPerson => "in_person", Proxy => "proxy", Mail => "mail" }
);

impl ResidenceStatus {
    /// Whether the status can no longer change (a picked-up permit is not final: its work
    /// permit's cancellation can still have it revoked).
    pub fn is_final(self) -> bool {
        matches!(self, ResidenceStatus::Refused | ResidenceStatus::Cancelled | ResidenceStatus::Revoked)
    }

    /// The status of the `residence_permit` item shown to the employer (the same names).
    pub fn item_status(self) -> ItemStatus {
        match self {
            ResidenceStatus::Pending => ItemStatus::Pending,
            ResidenceStatus::InReview => ItemStatus::InReview,
            ResidenceStatus::Approved => ItemStatus::Approved,
            ResidenceStatus::Refused => ItemStatus::Refused,
            ResidenceStatus::Completed => ItemStatus::Completed,
            ResidenceStatus::Cancelled | ResidenceStatus::Revoked => ItemStatus::Cancelled,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ResidenceStatus::Pending => "待申请",
            ResidenceStatus::InReview => "审查中",
            ResidenceStatus::Approved => "已批准待领取",
            ResidenceStatus::Refused => "不予批准",
            ResidenceStatus::Completed => "已领取",
            ResidenceStatus::Cancelled => "已终止",
            ResidenceStatus::Revoked => "已注销",
        }
    }
}

/// The shown status of an issued residence permit whose work permit was cancelled.
pub const REVOCATION_PENDING: &str = "revocation_pending";

/// A residence case's state: its status and whether the work permit was cancelled
/// (`residence_cases.work_permit_cancelled`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidenceState {
    pub status: ResidenceStatus,
    pub work_permit_cancelled: bool,
}

impl ResidenceState {
    /// Every state a case can reach: the flag is set with `cancelled` and, as a review
    /// flag, on `approved` and `completed`; never on the others.
    pub const ALL: &'static [ResidenceState] = &[
        ResidenceState::new(ResidenceStatus::Pending, false),
        ResidenceState::new(ResidenceStatus::InReview, false),
        ResidenceState::new(ResidenceStatus::Approved, false),
        ResidenceState::new(ResidenceStatus::Approved, true),
        ResidenceState::new(ResidenceStatus::Refused, false),
        ResidenceState::new(ResidenceStatus::Completed, false),
        ResidenceState::new(ResidenceStatus::Completed, true),
        ResidenceState::new(ResidenceStatus::Cancelled, true),
        ResidenceState::new(ResidenceStatus::Revoked, true),
    ];

    pub const fn new(status: ResidenceStatus, work_permit_cancelled: bool) -> ResidenceState {
        ResidenceState { status, work_permit_cancelled }
    }

    /// An issued residence permit whose work permit was cancelled: up for revocation.
    pub fn is_flagged(self) -> bool {
        self.work_permit_cancelled && matches!(self.status, ResidenceStatus::Approved | ResidenceStatus::Completed)
    }

    /// The status the residence views show: `revocation_pending` while flagged, else the
    /// stored one.
    pub fn shown(self) -> &'static str {
        if self.is_flagged() { REVOCATION_PENDING } else { self.status.as_str() }
    }

    pub fn label_zh(self) -> String {
        if self.is_flagged() {
            format!("{}，工作许可已注销，待决定是否注销居留许可", self.status.label_zh())
        } else {
            self.status.label_zh().to_string()
        }
    }
}

/// `approved`, or `approved, work permit cancelled` when flagged.
impl fmt::Display for ResidenceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_flagged() {
            write!(f, "{}, work permit cancelled", self.status)
        } else {
            write!(f, "{}", self.status)
        }
    }
}

fn forbidden(
    from: ResidenceState,
    command: &ResidenceCommand,
    code: &'static str,
    en: String,
    zh: String,
) -> TransitionError {
    TransitionError::forbidden(Machine::ResidencePermit, from.to_string(), command.as_str(), code, en, zh)
}

/// Refusals shared by the steps of the review (verification, decision, extension).
fn not_in_review(from: ResidenceState, command: &ResidenceCommand) -> TransitionError {
    let (status, zh) = (from.status, from.status.label_zh());
    match status {
        ResidenceStatus::Pending => forbidden(
            from,
            command,
            "not_applied",
            "the applicant has not applied at the counter yet".into(),
            "申请人尚未到窗口提交申请".into(),
        ),
        ResidenceStatus::Cancelled | ResidenceStatus::Revoked => forbidden(
            from,
            command,
            "case_closed",
            format!("the residence case is {status}"),
            format!("居留许可案件已结束（{zh}）"),
        ),
        _ => forbidden(
            from,
            command,
            "already_decided",
            format!("the residence permit is already {status}"),
            format!("居留许可已作出决定（{zh}）"),
        ),
    }
}

/// The case's state after `command`, or why its state forbids it.
pub fn transition(from: Option<ResidenceState>, command: &ResidenceCommand) -> Result<ResidenceState, TransitionError> {
    use ResidenceCommand::*;
    use ResidenceStatus::*;
    const M: Machine = Machine::ResidencePermit;
    let Some(from) = from else {
        return match command {
            Open => Ok(ResidenceState::new(Pending, false)),
            // The cancellation overtook the approval (two topics): a closed case stands in
            // its place, so that the late `permit-approved` opens nothing.
            PermitCancelled => Ok(ResidenceState::new(Cancelled, true)),
            _ => Err(TransitionError::not_open(M, command.as_str())),
        };
    };
    let (status, zh) = (from.status, from.status.label_zh());
    match (status, command) {
        (_, Open) => Err(TransitionError::already_open(M, from.to_string(), &from.label_zh(), command.as_str())),
        (Pending, RecordEntry) => Ok(from),
        (_, RecordEntry) => Err(forbidden(
            from,
            command,
            "already_applied",
            format!("the residence case is already {status}"),
            format!("居留许可案件当前为{zh}，不能再登记入境日期"),
        )),
        (Pending, Apply) => Ok(ResidenceState::new(InReview, false)),
        (Refused | Cancelled | Revoked, Apply) => Err(forbidden(
            from,
            command,
            "case_closed",
            format!("the residence case is {status}"),
            format!("居留许可案件已结束（{zh}）"),
        )),
        (_, Apply) => Err(forbidden(
            from,
            command,
            "already_applied",
            format!("the residence case is already {status}"),
            format!("已在窗口提交申请（{zh}）"),
        )),
        (InReview, ScheduleVerification | RecordVerificationOutcome | PermitExtended) => Ok(from),
        (InReview, Approve) => Ok(ResidenceState::new(Approved, false)),
        (InReview, Refuse) => Ok(ResidenceState::new(Refused, false)),
        (Pending, PermitExtended) => Ok(from),
        (_, ScheduleVerification | RecordVerificationOutcome | Approve | Refuse | PermitExtended) => {
            Err(not_in_review(from, command))
        }
        (Approved, Pickup) if from.work_permit_cancelled => Err(forbidden(
            from,
            command,
            "under_review",
            "the work permit was cancelled; the residence permit is under review and is not handed over".into(),
            "工作许可已注销，居留许可正在复查，暂不发放".into(),
        )),
        (Approved, Pickup) => Ok(ResidenceState::new(Completed, false)),
        (Completed, Pickup) => Err(forbidden(
            from,
            command,
            "already_picked_up",
            "the residence permit was already picked up".into(),
            "居留许可已领取".into(),
        )),
        (Pending | InReview, Pickup) => Err(forbidden(
            from,
            command,
            "not_issued",
            "the residence permit has not been issued".into(),
            "居留许可尚未签发".into(),
        )),
        (Refused | Cancelled | Revoked, Pickup) => Err(forbidden(
            from,
            command,
            "case_closed",
            format!("the residence case is {status}"),
            format!("居留许可案件已结束（{zh}）"),
        )),
        (Pending | InReview, PermitCancelled) => Ok(ResidenceState::new(Cancelled, true)),
        (Approved | Completed, PermitCancelled) if from.work_permit_cancelled => Err(forbidden(
            from,
            command,
            "already_flagged",
            "the work permit's cancellation is already recorded on this residence case".into(),
            "已记录工作许可注销，居留许可正在复查".into(),
        )),
        (Approved | Completed, PermitCancelled) => Ok(ResidenceState::new(status, true)),
        (Refused | Cancelled | Revoked, PermitCancelled) => Err(forbidden(
            from,
            command,
            "case_closed",
            format!("the residence case is {status}"),
            format!("居留许可案件已结束（{zh}）"),
        )),
        (Approved | Completed, Revoke) if from.work_permit_cancelled => Ok(ResidenceState::new(Revoked, true)),
        (Approved | Completed, Keep) if from.work_permit_cancelled => Ok(ResidenceState::new(status, false)),
        (Revoked, Revoke | Keep) => Err(forbidden(
            from,
            command,
            "already_revoked",
            "the residence permit is already revoked".into(),
            "居留许可已注销".into(),
        )),
        (_, Revoke | Keep) => Err(forbidden(
            from,
            command,
            "no_revocation_pending",
            format!("no revocation is pending: the residence case is {status}"),
            format!("该居留许可无待决定的注销（{zh}）"),
        )),
    }
}

/// The transition table as `docs/architecture.md` shows it.
pub fn markdown_table() -> String {
    render_table(
        ResidenceState::ALL,
        ResidenceCommand::ALL,
        transition,
        |s| {
            let status = code_span(s.status.as_str());
            if s.is_flagged() { format!("{status} (work permit cancelled: `{REVOCATION_PENDING}`)") } else { status }
        },
        |c| code_span(c.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::ResidenceCommand::*;
    use super::*;
    use crate::violation::HasCode;

    const PENDING: ResidenceState = ResidenceState::new(ResidenceStatus::Pending, false);
    const IN_REVIEW: ResidenceState = ResidenceState::new(ResidenceStatus::InReview, false);
    const APPROVED: ResidenceState = ResidenceState::new(ResidenceStatus::Approved, false);
    const APPROVED_FLAGGED: ResidenceState = ResidenceState::new(ResidenceStatus::Approved, true);
    const REFUSED: ResidenceState = ResidenceState::new(ResidenceStatus::Refused, false);
    const COMPLETED: ResidenceState = ResidenceState::new(ResidenceStatus::Completed, false);
    const COMPLETED_FLAGGED: ResidenceState = ResidenceState::new(ResidenceStatus::Completed, true);
    const CANCELLED: ResidenceState = ResidenceState::new(ResidenceStatus::Cancelled, true);
    const REVOKED: ResidenceState = ResidenceState::new(ResidenceStatus::Revoked, true);

    /// Every (from, command) with the state it leads to or the code of its refusal.
    const EXPECTED: &[(Option<ResidenceState>, ResidenceCommand, Result<ResidenceState, &str>)] = &[
        (None, Open, Ok(PENDING)),
        (None, RecordEntry, Err("not_open")),
        (None, Apply, Err("not_open")),
        (None, ScheduleVerification, Err("not_open")),
        (None, RecordVerificationOutcome, Err("not_open")),
        (None, Approve, Err("not_open")),
        (None, Refuse, Err("not_open")),
        (None, Pickup, Err("not_open")),
        (None, PermitExtended, Err("not_open")),
        (None, PermitCancelled, Ok(CANCELLED)),
        (None, Revoke, Err("not_open")),
        (None, Keep, Err("not_open")),
        (Some(PENDING), Open, Err("already_open")),
        (Some(PENDING), RecordEntry, Ok(PENDING)),
        (Some(PENDING), Apply, Ok(IN_REVIEW)),
        (Some(PENDING), ScheduleVerification, Err("not_applied")),
        (Some(PENDING), RecordVerificationOutcome, Err("not_applied")),
        (Some(PENDING), Approve, Err("not_applied")),
        (Some(PENDING), Refuse, Err("not_applied")),
        (Some(PENDING), Pickup, Err("not_issued")),
        (Some(PENDING), PermitExtended, Ok(PENDING)),
        (Some(PENDING), PermitCancelled, Ok(CANCELLED)),
        (Some(PENDING), Revoke, Err("no_revocation_pending")),
        (Some(PENDING), Keep, Err("no_revocation_pending")),
        (Some(IN_REVIEW), Open, Err("already_open")),
        (Some(IN_REVIEW), RecordEntry, Err("already_applied")),
        (Some(IN_REVIEW), Apply, Err("already_applied")),
        (Some(IN_REVIEW), ScheduleVerification, Ok(IN_REVIEW)),
        (Some(IN_REVIEW), RecordVerificationOutcome, Ok(IN_REVIEW)),
        (Some(IN_REVIEW), Approve, Ok(APPROVED)),
        (Some(IN_REVIEW), Refuse, Ok(REFUSED)),
        (Some(IN_REVIEW), Pickup, Err("not_issued")),
        (Some(IN_REVIEW), PermitExtended, Ok(IN_REVIEW)),
        (Some(IN_REVIEW), PermitCancelled, Ok(CANCELLED)),
        (Some(IN_REVIEW), Revoke, Err("no_revocation_pending")),
        (Some(IN_REVIEW), Keep, Err("no_revocation_pending")),
        (Some(APPROVED), Open, Err("already_open")),
        (Some(APPROVED), RecordEntry, Err("already_applied")),
        (Some(APPROVED), Apply, Err("already_applied")),
        (Some(APPROVED), ScheduleVerification, Err("already_decided")),
        (Some(APPROVED), RecordVerificationOutcome, Err("already_decided")),
        (Some(APPROVED), Approve, Err("already_decided")),
        (Some(APPROVED), Refuse, Err("already_decided")),
        (Some(APPROVED), Pickup, Ok(COMPLETED)),
        (Some(APPROVED), PermitExtended, Err("already_decided")),
        (Some(APPROVED), PermitCancelled, Ok(APPROVED_FLAGGED)),
        (Some(APPROVED), Revoke, Err("no_revocation_pending")),
        (Some(APPROVED), Keep, Err("no_revocation_pending")),
        (Some(APPROVED_FLAGGED), Open, Err("already_open")),
        (Some(APPROVED_FLAGGED), RecordEntry, Err("already_applied")),
        (Some(APPROVED_FLAGGED), Apply, Err("already_applied")),
        (Some(APPROVED_FLAGGED), ScheduleVerification, Err("already_decided")),
        (Some(APPROVED_FLAGGED), RecordVerificationOutcome, Err("already_decided")),
        (Some(APPROVED_FLAGGED), Approve, Err("already_decided")),
        (Some(APPROVED_FLAGGED), Refuse, Err("already_decided")),
        (Some(APPROVED_FLAGGED), Pickup, Err("under_review")),
        (Some(APPROVED_FLAGGED), PermitExtended, Err("already_decided")),
        (Some(APPROVED_FLAGGED), PermitCancelled, Err("already_flagged")),
        (Some(APPROVED_FLAGGED), Revoke, Ok(REVOKED)),
        (Some(APPROVED_FLAGGED), Keep, Ok(APPROVED)),
        (Some(REFUSED), Open, Err("already_open")),
        (Some(REFUSED), RecordEntry, Err("already_applied")),
        (Some(REFUSED), Apply, Err("case_closed")),
        (Some(REFUSED), ScheduleVerification, Err("already_decided")),
        (Some(REFUSED), RecordVerificationOutcome, Err("already_decided")),
        (Some(REFUSED), Approve, Err("already_decided")),
        (Some(REFUSED), Refuse, Err("already_decided")),
        (Some(REFUSED), Pickup, Err("case_closed")),
        (Some(REFUSED), PermitExtended, Err("already_decided")),
        (Some(REFUSED), PermitCancelled, Err("case_closed")),
        (Some(REFUSED), Revoke, Err("no_revocation_pending")),
        (Some(REFUSED), Keep, Err("no_revocation_pending")),
        (Some(COMPLETED), Open, Err("already_open")),
        (Some(COMPLETED), RecordEntry, Err("already_applied")),
        (Some(COMPLETED), Apply, Err("already_applied")),
        (Some(COMPLETED), ScheduleVerification, Err("already_decided")),
        (Some(COMPLETED), RecordVerificationOutcome, Err("already_decided")),
        (Some(COMPLETED), Approve, Err("already_decided")),
        (Some(COMPLETED), Refuse, Err("already_decided")),
        (Some(COMPLETED), Pickup, Err("already_picked_up")),
        (Some(COMPLETED), PermitExtended, Err("already_decided")),
        (Some(COMPLETED), PermitCancelled, Ok(COMPLETED_FLAGGED)),
        (Some(COMPLETED), Revoke, Err("no_revocation_pending")),
        (Some(COMPLETED), Keep, Err("no_revocation_pending")),
        (Some(COMPLETED_FLAGGED), Open, Err("already_open")),
        (Some(COMPLETED_FLAGGED), RecordEntry, Err("already_applied")),
        (Some(COMPLETED_FLAGGED), Apply, Err("already_applied")),
        (Some(COMPLETED_FLAGGED), ScheduleVerification, Err("already_decided")),
        (Some(COMPLETED_FLAGGED), RecordVerificationOutcome, Err("already_decided")),
        (Some(COMPLETED_FLAGGED), Approve, Err("already_decided")),
        (Some(COMPLETED_FLAGGED), Refuse, Err("already_decided")),
        (Some(COMPLETED_FLAGGED), Pickup, Err("already_picked_up")),
        (Some(COMPLETED_FLAGGED), PermitExtended, Err("already_decided")),
        (Some(COMPLETED_FLAGGED), PermitCancelled, Err("already_flagged")),
        (Some(COMPLETED_FLAGGED), Revoke, Ok(REVOKED)),
        (Some(COMPLETED_FLAGGED), Keep, Ok(COMPLETED)),
        (Some(CANCELLED), Open, Err("already_open")),
        (Some(CANCELLED), RecordEntry, Err("already_applied")),
        (Some(CANCELLED), Apply, Err("case_closed")),
        (Some(CANCELLED), ScheduleVerification, Err("case_closed")),
        (Some(CANCELLED), RecordVerificationOutcome, Err("case_closed")),
        (Some(CANCELLED), Approve, Err("case_closed")),
        (Some(CANCELLED), Refuse, Err("case_closed")),
        (Some(CANCELLED), Pickup, Err("case_closed")),
        (Some(CANCELLED), PermitExtended, Err("case_closed")),
        (Some(CANCELLED), PermitCancelled, Err("case_closed")),
        (Some(CANCELLED), Revoke, Err("no_revocation_pending")),
        (Some(CANCELLED), Keep, Err("no_revocation_pending")),
        (Some(REVOKED), Open, Err("already_open")),
        (Some(REVOKED), RecordEntry, Err("already_applied")),
        (Some(REVOKED), Apply, Err("case_closed")),
        (Some(REVOKED), ScheduleVerification, Err("case_closed")),
        (Some(REVOKED), RecordVerificationOutcome, Err("case_closed")),
        (Some(REVOKED), Approve, Err("case_closed")),
        (Some(REVOKED), Refuse, Err("case_closed")),
        (Some(REVOKED), Pickup, Err("case_closed")),
        (Some(REVOKED), PermitExtended, Err("case_closed")),
        (Some(REVOKED), PermitCancelled, Err("case_closed")),
        (Some(REVOKED), Revoke, Err("already_revoked")),
        (Some(REVOKED), Keep, Err("already_revoked")),
    ];

    #[test]
    fn every_residence_transition_is_the_one_in_the_expected_table() {
        crate::states::assert_transitions(ResidenceState::ALL, ResidenceCommand::ALL, transition, EXPECTED);
    }

    #[test]
    fn no_transition_leads_out_of_the_reachable_states() {
        let froms = std::iter::once(None).chain(ResidenceState::ALL.iter().copied().map(Some));
        for from in froms {
            for command in ResidenceCommand::ALL {
                if let Ok(to) = transition(from, command) {
                    assert!(ResidenceState::ALL.contains(&to), "{from:?} --{command}--> {to:?}");
                }
            }
        }
    }

    #[test]
    fn a_final_status_never_changes_and_the_others_can() {
        for status in ResidenceStatus::ALL {
            let moves = ResidenceState::ALL.iter().filter(|s| s.status == *status).any(|from| {
                ResidenceCommand::ALL.iter().any(|c| transition(Some(*from), c).is_ok_and(|to| to.status != *status))
            });
            assert_eq!(!moves, status.is_final(), "{status}");
        }
    }

    #[test]
    fn a_flagged_permit_is_not_handed_over_and_says_why() {
        let e = transition(Some(APPROVED_FLAGGED), &Pickup).unwrap_err();
        assert_eq!(e.code(), "under_review");
        assert_eq!(e.from(), Some("approved, work permit cancelled"));
        assert_eq!(e.message_zh(), "工作许可已注销，居留许可正在复查，暂不发放");
        let e = transition(Some(PENDING), &Approve).unwrap_err();
        assert_eq!(e.to_string(), "the applicant has not applied at the counter yet");
        let e = transition(Some(COMPLETED), &Refuse).unwrap_err();
        assert_eq!(e.to_string(), "the residence permit is already completed");
        assert_eq!(CANCELLED.to_string(), "cancelled", "the flag is shown on issued permits only");
    }
}
