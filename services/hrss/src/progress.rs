//! `ItemProgressed`: how hrss reports a visible step of its items to the case view.

use std::collections::HashMap;

use domain::case::{Department, Item, ItemStatus, TimelineEvent};
use onething_proto::ToWire;
use onething_proto::events as ev;
use platform::time::now_rfc3339;

pub const SOCIAL_INSURANCE: Item = Item::SocialInsurance;
pub const TITLE_REVIEW: Item = Item::TitleReview;

/// A step of `item` at `status` with `result` fields merged into the item's result.
pub fn step(
    case_id: &str,
    item: Item,
    status: ItemStatus,
    result: &[(&str, &str)],
    event: TimelineEvent,
    detail: &str,
) -> ev::ItemProgressed {
    ev::ItemProgressed {
        case_id: case_id.into(),
        item: item.wire(),
        department: Department::Hrss.wire(),
        status: status.wire(),
        result: result.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>(),
        event: event.as_str().into(),
        detail: detail.into(),
        at: now_rfc3339(),
        counter_visit: false,
        documents_submitted: 0,
        due_on: String::new(),
    }
}
