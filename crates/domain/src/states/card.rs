//! The social security card (社会保障卡, hrss): issued with the social security number when
//! social insurance is registered, with the work permit loaded on it; the foreigner
//! activates it electronically, then signs in with it. The permit information follows the
//! permit's changes and extensions, and says `cancelled` once the permit is cancelled, which
//! stops activation and sign-in until a later permit of the same person is loaded.
//!
//! The state is the pair of the card's status and the status of the permit on it. The
//! real-person check and its lock-out (counters, not states) come before the transition;
//! a permit event older than the card's information (`permit_info_at`) is ignored before
//! it too.

use std::fmt;

use super::{Machine, TransitionError, code_span, render_table};
use crate::case::wire_enum;

wire_enum!(
    /// Status of the card (`si_cards.status`).
    CardStatus {
        Issued => "issued",
        Active => "active",
    }
);

wire_enum!(
    /// Status of the work permit loaded on the card (`si_cards.permit_status`).
    CardPermitStatus {
        Valid => "valid",
        Cancelled => "cancelled",
    }
);

wire_enum!(
    /// The answer to a real-person check of the card's holder (`CardCheck.outcome`).
    CheckOutcome {
        Activated => "activated",
        AlreadyActive => "already_active",
        SignedIn => "signed_in",
        /// Refused: the name, birth date or nationality do not match; attempts are counted.
        IdentityMismatch => "identity_mismatch",
        /// Refused: too many mismatches, the card waits until `locked_until`.
        Locked => "locked",
    }
);

wire_enum!(
    /// What happens to a card.
    CardCommand {
        /// `permit-approved` with social insurance: the card is issued with the permit, or an
        /// existing card of the person gets the later permit (an active card stays active).
        LoadPermit => "load_permit",
        /// `permit-changed` / `permit-extended`: the permit information follows.
        FollowPermit => "follow_permit",
        /// `permit-cancelled`: the permit information says cancelled.
        CancelPermit => "cancel_permit",
        /// The foreigner activates the card after a real-person check.
        Activate => "activate",
        /// The foreigner signs in with an active card after a real-person check.
        SignIn => "sign_in",
    }
);

/// A card's state: its status and the status of the permit loaded on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardState {
    pub status: CardStatus,
    pub permit: CardPermitStatus,
}

impl CardState {
    /// Every state a card can be in.
    pub const ALL: &'static [CardState] = &[
        CardState::new(CardStatus::Issued, CardPermitStatus::Valid),
        CardState::new(CardStatus::Issued, CardPermitStatus::Cancelled),
        CardState::new(CardStatus::Active, CardPermitStatus::Valid),
        CardState::new(CardStatus::Active, CardPermitStatus::Cancelled),
    ];

    pub const fn new(status: CardStatus, permit: CardPermitStatus) -> CardState {
        CardState { status, permit }
    }

    pub fn label_zh(self) -> String {
        let status = match self.status {
            CardStatus::Issued => "已发卡未激活",
            CardStatus::Active => "已激活",
        };
        let permit = match self.permit {
            CardPermitStatus::Valid => "工作许可有效",
            CardPermitStatus::Cancelled => "工作许可已注销",
        };
        format!("{status}，{permit}")
    }
}

/// `issued, permit valid`.
impl fmt::Display for CardState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, permit {}", self.status, self.permit)
    }
}

fn forbidden(from: CardState, command: &CardCommand, code: &'static str, en: &str, zh: &str) -> TransitionError {
    TransitionError::forbidden(
        Machine::SocialSecurityCard,
        from.to_string(),
        command.as_str(),
        code,
        en.to_string(),
        zh.to_string(),
    )
}

/// The card's state after `command`, or why its state forbids it.
pub fn transition(from: Option<CardState>, command: &CardCommand) -> Result<CardState, TransitionError> {
    use CardCommand::*;
    use CardPermitStatus as P;
    use CardStatus::*;
    let Some(from) = from else {
        return match command {
            LoadPermit => Ok(CardState::new(Issued, P::Valid)),
            _ => Err(TransitionError::not_open(Machine::SocialSecurityCard, command.as_str())),
        };
    };
    match (from.status, from.permit, command) {
        // A later permit of the same person replaces the earlier one, even a cancelled one.
        (status, _, LoadPermit) => Ok(CardState::new(status, P::Valid)),
        (_, P::Valid, FollowPermit) => Ok(from),
        (status, P::Valid, CancelPermit) => Ok(CardState::new(status, P::Cancelled)),
        (_, P::Valid, Activate) => Ok(CardState::new(Active, P::Valid)),
        (Active, P::Valid, SignIn) => Ok(from),
        (Issued, P::Valid, SignIn) => Err(forbidden(
            from,
            command,
            "card_not_active",
            "the card is not active yet: activate it first",
            "社会保障卡尚未激活，请先激活",
        )),
        (_, P::Cancelled, CancelPermit) => Err(forbidden(
            from,
            command,
            "permit_cancelled",
            "the work permit on this card is already cancelled",
            "社会保障卡上的工作许可已注销",
        )),
        (_, P::Cancelled, FollowPermit | Activate | SignIn) => Err(forbidden(
            from,
            command,
            "permit_cancelled",
            "the work permit on this card is cancelled",
            "社会保障卡上的工作许可已注销",
        )),
    }
}

/// The transition table as `docs/architecture.md` shows it.
pub fn markdown_table() -> String {
    render_table(
        CardState::ALL,
        CardCommand::ALL,
        transition,
        |s| format!("{} · permit {}", code_span(s.status.as_str()), code_span(s.permit.as_str())),
        |c| code_span(c.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::CardCommand::*;
    use super::*;

    const ISSUED: CardState = CardState::new(CardStatus::Issued, CardPermitStatus::Valid);
    const ISSUED_CANCELLED: CardState = CardState::new(CardStatus::Issued, CardPermitStatus::Cancelled);
    const ACTIVE: CardState = CardState::new(CardStatus::Active, CardPermitStatus::Valid);
    const ACTIVE_CANCELLED: CardState = CardState::new(CardStatus::Active, CardPermitStatus::Cancelled);

    /// Every (from, command) with the state it leads to or the code of its refusal.
    const EXPECTED: &[(Option<CardState>, CardCommand, Result<CardState, &str>)] = &[
        (None, LoadPermit, Ok(ISSUED)),
        (None, FollowPermit, Err("not_open")),
        (None, CancelPermit, Err("not_open")),
        (None, Activate, Err("not_open")),
        (None, SignIn, Err("not_open")),
        (Some(ISSUED), LoadPermit, Ok(ISSUED)),
        (Some(ISSUED), FollowPermit, Ok(ISSUED)),
        (Some(ISSUED), CancelPermit, Ok(ISSUED_CANCELLED)),
        (Some(ISSUED), Activate, Ok(ACTIVE)),
        (Some(ISSUED), SignIn, Err("card_not_active")),
        (Some(ISSUED_CANCELLED), LoadPermit, Ok(ISSUED)),
        (Some(ISSUED_CANCELLED), FollowPermit, Err("permit_cancelled")),
        (Some(ISSUED_CANCELLED), CancelPermit, Err("permit_cancelled")),
        (Some(ISSUED_CANCELLED), Activate, Err("permit_cancelled")),
        (Some(ISSUED_CANCELLED), SignIn, Err("permit_cancelled")),
        (Some(ACTIVE), LoadPermit, Ok(ACTIVE)),
        (Some(ACTIVE), FollowPermit, Ok(ACTIVE)),
        (Some(ACTIVE), CancelPermit, Ok(ACTIVE_CANCELLED)),
        (Some(ACTIVE), Activate, Ok(ACTIVE)),
        (Some(ACTIVE), SignIn, Ok(ACTIVE)),
        (Some(ACTIVE_CANCELLED), LoadPermit, Ok(ACTIVE)),
        (Some(ACTIVE_CANCELLED), FollowPermit, Err("permit_cancelled")),
        (Some(ACTIVE_CANCELLED), CancelPermit, Err("permit_cancelled")),
        (Some(ACTIVE_CANCELLED), Activate, Err("permit_cancelled")),
        (Some(ACTIVE_CANCELLED), SignIn, Err("permit_cancelled")),
    ];

    #[test]
    fn every_card_transition_is_the_one_in_the_expected_table() {
        crate::states::assert_transitions(CardState::ALL, CardCommand::ALL, transition, EXPECTED);
    }

    #[test]
    fn every_state_of_a_card_is_one_of_its_columns_pairs() {
        let pairs: Vec<(&str, &str)> = CardState::ALL.iter().map(|s| (s.status.as_str(), s.permit.as_str())).collect();
        assert_eq!(pairs, [("issued", "valid"), ("issued", "cancelled"), ("active", "valid"), ("active", "cancelled")]);
    }

    #[test]
    fn an_active_card_stays_active_and_activating_it_again_changes_nothing() {
        for from in CardState::ALL.iter().filter(|s| s.status == CardStatus::Active) {
            for command in CardCommand::ALL {
                if let Ok(to) = transition(Some(*from), command) {
                    assert_eq!(to.status, CardStatus::Active, "{from} --{command}-->");
                }
            }
        }
        assert_eq!(transition(Some(ACTIVE), &Activate), Ok(ACTIVE));
    }

    #[test]
    fn a_cancelled_permit_stops_activation_with_both_messages() {
        let e = transition(Some(ISSUED_CANCELLED), &Activate).unwrap_err();
        assert_eq!(e.to_string(), "the work permit on this card is cancelled");
        assert_eq!(e.message_zh(), "社会保障卡上的工作许可已注销");
        assert_eq!(e.from(), Some("issued, permit cancelled"));
        assert_eq!(ACTIVE.label_zh(), "已激活，工作许可有效");
    }
}
