//! The state machines of the departments' records, as pure functions.
//!
//! One module per machine, each with its state type, its command enum and one
//! `transition(from, command) -> Result<State, TransitionError>`:
//!
//! - [`permit`]: the work permit at the desks of science-tech (A, B) and hrss (C).
//! - [`title_review`]: the title eligibility review (hrss).
//! - [`card`]: the social security card and the permit information on it (hrss).
//! - [`residence`]: the residence permit case (public-security).
//!
//! Conventions shared by every machine:
//!
//! - `from` is `None` while the record does not exist; only the machine's opening command
//!   (`open`, `queue`, `load_permit`, and the residence placeholder of `permit_cancelled`)
//!   is allowed then ([`TransitionError::NotOpen`] otherwise), and an opening command on a
//!   record that exists is [`TransitionError::AlreadyOpen`] (a replayed event).
//! - `Ok(to)` means the step is allowed; `to` may equal `from` (a change, an extension, a
//!   date recorded): the step has its effects but the status stays.
//! - Everything else is [`TransitionError::Forbidden`] with the stable code the services
//!   answer today (`not_in_review`, `title_review_closed`, `case_closed`, ...). An event
//!   consumer treats any error as "nothing to do" (a late or replayed event); a request
//!   answers it as a conflict (`FAILED_PRECONDITION`, 409).
//! - Guards on data rather than on the status stay with the services: the title review's
//!   `eligible_on`, the residence verification in progress, the permit's expiry before an
//!   extension, the card's lock-out and the ordering of permit events (`permit_info_at`).
//!
//! The wire names of the states are the strings of the databases and of the public API.
//! [`markdown_tables`] renders the transition tables that `docs/architecture.md` shows
//! between `<!-- states:NAME begin -->` and `<!-- states:NAME end -->`; a unit test keeps
//! the two equal.

use thiserror::Error;

use crate::case::wire_enum;
use crate::violation::HasCode;

pub mod card;
pub mod permit;
pub mod residence;
pub mod title_review;

wire_enum!(
    /// A state machine; its wire name names the tables of `docs/architecture.md`.
    Machine {
        WorkPermit => "work_permit",
        TitleReview => "title_review",
        SocialSecurityCard => "social_security_card",
        ResidencePermit => "residence_permit",
    }
);

impl Machine {
    /// What the machine's record is called in messages.
    pub fn label(self) -> &'static str {
        match self {
            Machine::WorkPermit => "work permit application",
            Machine::TitleReview => "title review",
            Machine::SocialSecurityCard => "social security card",
            Machine::ResidencePermit => "residence case",
        }
    }

    /// The Chinese name of the machine's record.
    pub fn label_zh(self) -> &'static str {
        match self {
            Machine::WorkPermit => "工作许可申请",
            Machine::TitleReview => "职称申报条件审核",
            Machine::SocialSecurityCard => "社会保障卡",
            Machine::ResidencePermit => "居留许可案件",
        }
    }

    /// The machine's transition table in Markdown, as `docs/architecture.md` shows it.
    pub fn markdown_table(self) -> String {
        match self {
            Machine::WorkPermit => permit::markdown_table(),
            Machine::TitleReview => title_review::markdown_table(),
            Machine::SocialSecurityCard => card::markdown_table(),
            Machine::ResidencePermit => residence::markdown_table(),
        }
    }
}

/// Every machine with its rendered transition table.
pub fn markdown_tables() -> Vec<(Machine, String)> {
    Machine::ALL.iter().map(|m| (*m, m.markdown_table())).collect()
}

/// A command the state machine refuses. `from` is the state's label (its wire name, with
/// the other stored facts where the machine has some), `command` the command's wire name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    /// The command needs a record that does not exist yet. Code `not_open`.
    #[error("{message}")]
    NotOpen { machine: Machine, command: &'static str, message: String, message_zh: String },
    /// An opening command on a record that exists already (a replayed event). Code
    /// `already_open`.
    #[error("{message}")]
    AlreadyOpen { machine: Machine, from: String, command: &'static str, message: String, message_zh: String },
    /// The state forbids the command; `code` is the stable code of the conflict.
    #[error("{message}")]
    Forbidden {
        machine: Machine,
        from: String,
        command: &'static str,
        code: &'static str,
        message: String,
        message_zh: String,
    },
}

impl TransitionError {
    pub(crate) fn not_open(machine: Machine, command: &'static str) -> TransitionError {
        TransitionError::NotOpen {
            machine,
            command,
            message: format!("there is no {} yet: {command} needs one", machine.label()),
            message_zh: format!("尚无{}", machine.label_zh()),
        }
    }

    pub(crate) fn already_open(
        machine: Machine,
        from: String,
        from_zh: &str,
        command: &'static str,
    ) -> TransitionError {
        TransitionError::AlreadyOpen {
            machine,
            message: format!("the {} already exists ({from}): {command} opens a new one only", machine.label()),
            message_zh: format!("{}已存在（当前为{from_zh}）", machine.label_zh()),
            from,
            command,
        }
    }

    pub(crate) fn forbidden(
        machine: Machine,
        from: String,
        command: &'static str,
        code: &'static str,
        message: String,
        message_zh: String,
    ) -> TransitionError {
        TransitionError::Forbidden { machine, from, command, code, message, message_zh }
    }

    pub fn machine(&self) -> Machine {
        match self {
            TransitionError::NotOpen { machine, .. }
            | TransitionError::AlreadyOpen { machine, .. }
            | TransitionError::Forbidden { machine, .. } => *machine,
        }
    }

    /// The state the command was refused in; `None` when there is no record.
    pub fn from(&self) -> Option<&str> {
        match self {
            TransitionError::NotOpen { .. } => None,
            TransitionError::AlreadyOpen { from, .. } | TransitionError::Forbidden { from, .. } => Some(from),
        }
    }

    /// The wire name of the refused command.
    pub fn command(&self) -> &'static str {
        match self {
            TransitionError::NotOpen { command, .. }
            | TransitionError::AlreadyOpen { command, .. }
            | TransitionError::Forbidden { command, .. } => command,
        }
    }

    /// The English message (also the `Display` of the error).
    pub fn message(&self) -> &str {
        match self {
            TransitionError::NotOpen { message, .. }
            | TransitionError::AlreadyOpen { message, .. }
            | TransitionError::Forbidden { message, .. } => message,
        }
    }

    /// The Chinese message.
    pub fn message_zh(&self) -> &str {
        match self {
            TransitionError::NotOpen { message_zh, .. }
            | TransitionError::AlreadyOpen { message_zh, .. }
            | TransitionError::Forbidden { message_zh, .. } => message_zh,
        }
    }
}

impl HasCode for TransitionError {
    fn code(&self) -> &'static str {
        match self {
            TransitionError::NotOpen { .. } => "not_open",
            TransitionError::AlreadyOpen { .. } => "already_open",
            TransitionError::Forbidden { code, .. } => code,
        }
    }
}

/// The rows `from | command | to` of every allowed transition: first from no record, then
/// from each state in order, commands in order.
pub(crate) fn render_table<S: Copy, C: Copy>(
    states: &[S],
    commands: &[C],
    transition: impl Fn(Option<S>, &C) -> Result<S, TransitionError>,
    state_cell: impl Fn(S) -> String,
    command_cell: impl Fn(C) -> String,
) -> String {
    let mut out = String::from("| from | command | to |\n|---|---|---|\n");
    let froms = std::iter::once(None).chain(states.iter().copied().map(Some));
    for from in froms {
        for command in commands {
            if let Ok(to) = transition(from, command) {
                let from = from.map_or_else(|| "—".to_string(), &state_cell);
                out.push_str(&format!("| {from} | {} | {} |\n", command_cell(*command), state_cell(to)));
            }
        }
    }
    out
}

/// Checks `transition` over every (from, command) pair, `None` included, against a table
/// written out in a test: the status it leads to, or the code of its refusal.
#[cfg(test)]
pub(crate) fn assert_transitions<S, C>(
    states: &[S],
    commands: &[C],
    transition: impl Fn(Option<S>, &C) -> Result<S, TransitionError>,
    expected: &[(Option<S>, C, Result<S, &str>)],
) where
    S: Copy + PartialEq + std::fmt::Debug,
    C: Copy + PartialEq + std::fmt::Display,
{
    use crate::violation::HasCode;
    assert_eq!(expected.len(), (states.len() + 1) * commands.len(), "one row per (from, command)");
    for from in std::iter::once(None).chain(states.iter().copied().map(Some)) {
        for command in commands {
            let want = expected
                .iter()
                .find(|(f, c, _)| *f == from && c == command)
                .unwrap_or_else(|| panic!("({from:?}, {command}) is missing from the expected table"))
                .2;
            let got = transition(from, command).map_err(|e| e.code());
            assert_eq!(got, want, "{from:?} --{command}-->");
        }
    }
}

/// A wire name as a Markdown code span.
pub(crate) fn code_span(wire: &str) -> String {
    format!("`{wire}`")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn begin(m: Machine) -> String {
        format!("<!-- states:{m} begin -->")
    }

    fn end(m: Machine) -> String {
        format!("<!-- states:{m} end -->")
    }

    /// The text between the markers of `m`, or why there is none.
    fn between(doc: &str, m: Machine) -> Result<&str, String> {
        let (b, e) = (begin(m), end(m));
        let start = doc.find(&b).ok_or_else(|| format!("marker {b} is missing"))? + b.len();
        let len = doc[start..].find(&e).ok_or_else(|| format!("marker {e} is missing after {b}"))?;
        Ok(&doc[start..start + len])
    }

    #[test]
    fn the_architecture_doc_shows_the_transition_tables_of_the_code() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/architecture.md");
        let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let path = path.canonicalize().unwrap_or(path);
        let mut stale = Vec::new();
        for (m, table) in markdown_tables() {
            match between(&doc, m) {
                Ok(text) if text.trim() == table.trim() => {}
                Ok(_) => stale.push(format!(
                    "the {m} table in {} differs from the code; paste this:\n\n{}\n{table}{}\n",
                    path.display(),
                    begin(m),
                    end(m)
                )),
                Err(why) => {
                    stale.push(format!("{why} in {}; add this:\n\n{}\n{table}{}\n", path.display(), begin(m), end(m)))
                }
            }
        }
        assert!(stale.is_empty(), "{}", stale.join("\n"));
    }

    #[test]
    fn every_machine_has_its_own_markers_in_the_doc_once() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/architecture.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        for m in Machine::ALL {
            assert_eq!(doc.matches(&begin(*m)).count(), 1, "{}", begin(*m));
            assert_eq!(doc.matches(&end(*m)).count(), 1, "{}", end(*m));
        }
    }

    #[test]
    fn a_refusal_carries_its_machine_state_command_code_and_both_messages() {
        let e = permit::transition(Some(permit::PermitStatus::Refused), &permit::PermitCommand::Approve).unwrap_err();
        assert_eq!(e.machine(), Machine::WorkPermit);
        assert_eq!(e.from(), Some("refused"));
        assert_eq!(e.command(), "approve");
        assert_eq!(e.code(), "not_in_review");
        assert_eq!(e.to_string(), "the work permit is refused; decisions are taken on only a permit that is in_review");
        assert_eq!(e.message(), e.to_string());
        assert!(!e.message_zh().is_empty());
        let e = permit::transition(None, &permit::PermitCommand::Approve).unwrap_err();
        assert_eq!((e.code(), e.from(), e.command()), ("not_open", None, "approve"));
        assert_eq!(e.to_string(), "there is no work permit application yet: approve needs one");
        let e = permit::transition(Some(permit::PermitStatus::Approved), &permit::PermitCommand::Open).unwrap_err();
        assert_eq!((e.code(), e.from()), ("already_open", Some("approved")));
        assert!(matches!(e, TransitionError::AlreadyOpen { .. }));
    }

    #[test]
    fn a_table_lists_the_allowed_transitions_only_starting_from_no_record() {
        let t = permit::markdown_table();
        let mut lines = t.lines();
        assert_eq!(lines.next(), Some("| from | command | to |"));
        assert_eq!(lines.next(), Some("|---|---|---|"));
        assert_eq!(lines.next(), Some("| — | `open` | `in_review` |"));
        assert!(!t.lines().any(|l| l.starts_with("| `refused` |")), "nothing leaves a refusal:\n{t}");
    }
}
