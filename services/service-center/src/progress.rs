//! How department events move the items of a case, and the case status derived from them.

use domain::case::{CaseStatus, Item, ItemStatus};

/// The case status that the items' statuses imply.
pub fn case_status(items: &[(Item, ItemStatus)]) -> CaseStatus {
    let permit = items.iter().find(|(i, _)| *i == Item::WorkPermit).map(|(_, s)| *s).unwrap_or(ItemStatus::Pending);
    match permit {
        ItemStatus::Pending => CaseStatus::Accepted,
        ItemStatus::InReview => CaseStatus::InReview,
        ItemStatus::SupplementRequested => CaseStatus::SupplementRequested,
        ItemStatus::Cancelled => CaseStatus::Cancelled,
        ItemStatus::Refused | ItemStatus::NotStarted | ItemStatus::NotApplicable => CaseStatus::Refused,
        ItemStatus::Approved | ItemStatus::Completed => {
            let done = items.iter().all(|(item, s)| is_done(*item, *s));
            if done { CaseStatus::Completed } else { CaseStatus::InProgress }
        }
    }
}

/// Whether an item needs nothing more. An approved residence permit still waits for its
/// pickup; the other items are done once decided. A `not_applicable` item is done: it will
/// never happen because the case ended another way.
fn is_done(item: Item, status: ItemStatus) -> bool {
    match status {
        ItemStatus::Completed | ItemStatus::Refused | ItemStatus::Cancelled | ItemStatus::NotApplicable => true,
        ItemStatus::Approved => item != Item::ResidencePermit,
        _ => false,
    }
}

/// How far an item has come. Review and a supplement request share a rank: an item goes
/// back and forth between them while the employer supplements.
fn rank(s: ItemStatus) -> u8 {
    use ItemStatus::*;
    match s {
        NotStarted => 0,
        Pending => 1,
        InReview | SupplementRequested => 2,
        Approved => 3,
        Refused | Completed | Cancelled | NotApplicable => 4,
    }
}

/// Whether an item may move from `from` to `to`. Events of different topics can arrive in
/// any order (and a dead letter may be replayed late), so an item only moves forward: a
/// stale `supplement_requested` after `approved`, or `pending` after `in_review`, is
/// ignored. Final states (`not_applicable` too) never change, except that a completed item
/// can still be ended: a collected residence permit revoked after its work permit's
/// cancellation (public security sends that only from its revocation step).
pub fn may_move(from: ItemStatus, to: ItemStatus) -> bool {
    use ItemStatus::*;
    match (from, to) {
        (a, b) if a == b => false,
        (Completed, Cancelled) => true,
        (Refused | Completed | Cancelled | NotApplicable, _) => false,
        (InReview, SupplementRequested) | (SupplementRequested, InReview) => true,
        (a, b) => rank(b) > rank(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ItemStatus::*;

    #[test]
    fn a_case_is_completed_only_when_every_item_is_done() {
        let mut items =
            vec![(Item::WorkPermit, Approved), (Item::SocialInsurance, Completed), (Item::ResidencePermit, Pending)];
        assert_eq!(case_status(&items), CaseStatus::InProgress);
        items[2].1 = Approved;
        assert_eq!(case_status(&items), CaseStatus::InProgress, "an issued residence permit waits for its pickup");
        items[2].1 = Completed;
        assert_eq!(case_status(&items), CaseStatus::Completed);
    }

    #[test]
    fn a_refused_permit_refuses_the_case() {
        assert_eq!(
            case_status(&[(Item::WorkPermit, Refused), (Item::ResidencePermit, NotStarted)]),
            CaseStatus::Refused
        );
        assert_eq!(case_status(&[(Item::WorkPermit, InReview)]), CaseStatus::InReview);
    }

    #[test]
    fn a_cancelled_permit_cancels_the_case_whatever_the_other_items_say() {
        let items =
            [(Item::WorkPermit, Cancelled), (Item::SocialInsurance, Completed), (Item::ResidencePermit, Cancelled)];
        assert_eq!(case_status(&items), CaseStatus::Cancelled);
    }

    #[test]
    fn late_events_never_move_an_item_backwards() {
        assert!(may_move(NotStarted, Pending));
        assert!(may_move(Pending, Completed));
        assert!(!may_move(Completed, Pending));
        assert!(!may_move(Approved, InReview));
        assert!(!may_move(Pending, Pending));
        assert!(!may_move(Approved, SupplementRequested), "a stale supplement request after approval");
        assert!(!may_move(InReview, Pending), "a late residence-case-opened after the counter visit");
        assert!(may_move(SupplementRequested, InReview) && may_move(InReview, SupplementRequested));
        assert!(may_move(Approved, Cancelled) && may_move(Approved, Completed));
        assert!(may_move(Completed, Cancelled), "a collected residence permit revoked");
        assert!(!may_move(Cancelled, Completed) && !may_move(Completed, Refused));
    }

    #[test]
    fn a_not_applicable_item_is_done_and_never_moves_again() {
        for to in ItemStatus::ALL {
            assert!(!may_move(NotApplicable, *to), "not_applicable -> {to}");
        }
        assert!(may_move(Pending, NotApplicable));
        let items =
            [(Item::WorkPermit, Approved), (Item::TitleReview, NotApplicable), (Item::SocialInsurance, Completed)];
        assert_eq!(case_status(&items), CaseStatus::Completed);
    }
}
