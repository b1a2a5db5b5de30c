//! What a signed-in foreigner may see of their own cases (`/api/v1/me`): the cases whose
//! work permit carries the token's subject, newest first, and the permit and residence
//! permit as the newest of them shows them. The card is hrss's; the gateway adds it.

use std::collections::{BTreeMap, HashMap};

use domain::case::Item;
use domain::{Actor, Role};
use onething_proto::onething::servicecenter::v1 as pb;
use platform::ServiceError;
use platform::app::Base;

use crate::cases::{self, ListRequest};
use crate::store::{CaseView, ItemRow};

/// The overview of `actor`'s own cases; refused to anyone but a foreigner.
pub async fn overview(base: &Base, actor: &Actor) -> Result<pb::GetForeignerOverviewResponse, ServiceError> {
    if !actor.is(Role::Foreigner) {
        return Err(ServiceError::PermissionDenied("the overview is the foreigner's own".into()));
    }
    let list = ListRequest { limit: platform::paging::MAX_LIMIT as i32, ..ListRequest::default() };
    let (views, _) = cases::list(base, actor, &list).await?;
    Ok(of(&actor.subject, &views))
}

fn item(view: &CaseView, name: Item) -> Option<&ItemRow> {
    view.items.iter().find(|i| i.item == name.as_str())
}

fn result(i: &ItemRow) -> BTreeMap<String, String> {
    serde_json::from_str(&i.result).unwrap_or_default()
}

/// The overview from the cases `list` returned for `permit_number` (newest first); only
/// cases whose permit really carries the number count, whatever the list held.
pub fn of(permit_number: &str, views: &[CaseView]) -> pb::GetForeignerOverviewResponse {
    let own: Vec<&CaseView> = views
        .iter()
        .filter(|v| {
            item(v, Item::WorkPermit)
                .is_some_and(|i| result(i).get("permit_number").is_some_and(|n| n == permit_number))
        })
        .collect();
    let latest = own.first();
    let permit = latest.and_then(|v| item(v, Item::WorkPermit).map(|i| (v, i))).map(|(v, i)| {
        let r = result(i);
        pb::ForeignerPermit {
            permit_number: permit_number.into(),
            status: i.status.as_str().into(),
            valid_from: r.get("valid_from").cloned().unwrap_or_default(),
            valid_until: r.get("valid_until").cloned().unwrap_or_default(),
            category: v.case.category.clone(),
            department: i.department.clone(),
            case_id: v.case.id.clone(),
            issuer: r.get("issuer").cloned().unwrap_or_default(),
        }
    });
    let residence_permit = latest.and_then(|v| item(v, Item::ResidencePermit)).map(|i| pb::ForeignerResidence {
        status: i.status.as_str().into(),
        department: i.department.clone(),
        result: result(i).into_iter().collect::<HashMap<_, _>>(),
    });
    let cases = own
        .iter()
        .map(|v| pb::ForeignerCase {
            id: v.case.id.clone(),
            case_no: v.case.case_no.clone(),
            status: v.case.status.as_str().into(),
        })
        .collect();
    pb::GetForeignerOverviewResponse { permit, residence_permit, cases }
}

#[cfg(test)]
mod tests {
    use domain::case::{CaseStatus, ItemStatus};

    use super::*;
    use crate::store::CaseRow;

    fn case(id: &str, permit: &str, residence: ItemStatus) -> CaseView {
        let item = |name: Item, status: ItemStatus, result: &str| ItemRow {
            case_id: id.into(),
            item: name.as_str().into(),
            department: "public-security".into(),
            status,
            result: result.into(),
            updated_at: 0,
            due_on: None,
            decided_on: None,
        };
        CaseView {
            case: CaseRow {
                id: id.into(),
                case_no: format!("GS-{id}"),
                employer_credit_code: String::new(),
                employer_name: String::new(),
                category: "B".into(),
                department: "science-tech".into(),
                status: CaseStatus::InProgress,
                submitted_at: 0,
                accepted_on: String::new(),
                due_committed: String::new(),
                due_statutory: String::new(),
                due_estimated: 0,
                clock_paused_on: None,
                classification: None,
                person_key: String::new(),
            },
            items: vec![
                item(
                    Item::WorkPermit,
                    ItemStatus::Approved,
                    &format!(r#"{{"permit_number":"{permit}","valid_until":"2029-01-03"}}"#),
                ),
                item(Item::ResidencePermit, residence, "{}"),
            ],
            timeline: vec![],
            evaluations: vec![],
            messages: vec![],
            materials: vec![],
        }
    }

    #[test]
    fn only_the_callers_own_cases_count_and_the_newest_speaks() {
        let views = [
            case("other", "62B0", ItemStatus::Approved),
            case("new", "62B1", ItemStatus::Pending),
            case("old", "62B1", ItemStatus::Completed),
        ];
        let o = of("62B1", &views);
        let permit = o.permit.unwrap();
        assert_eq!(
            (permit.case_id.as_str(), permit.valid_until.as_str(), permit.valid_from.as_str()),
            ("new", "2029-01-03", "")
        );
        assert_eq!(permit.status, "approved");
        assert_eq!(o.residence_permit.unwrap().status, "pending");
        assert_eq!(o.cases.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["new", "old"]);
    }

    #[test]
    fn without_a_case_there_is_no_permit_nor_residence() {
        let o = of("62B1", &[case("other", "62B0", ItemStatus::Approved)]);
        assert!(o.permit.is_none() && o.residence_permit.is_none() && o.cases.is_empty());
    }
}
