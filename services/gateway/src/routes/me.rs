//! `GET /api/v1/me` (foreigner): the signed-in foreigner's own permit, social security card
//! and residence permit. The permit and residence come from service-center's case view (the
//! foreigner's cases are those whose work permit carries the token's subject); the card
//! from hrss. Where the case view has nothing yet, the permit is read off the card.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use domain::case::Item;
use domain::states::card::CardPermitStatus;
use domain::states::permit::PermitStatus;
use onething_proto::onething::hrss::v1 as hp;
use onething_proto::onething::servicecenter::v1 as pb;
use serde::Serialize;
use tonic::Code;
use utoipa::ToSchema;

use crate::clients::request;
use crate::extract::{Auth, Foreigners};
use crate::problem::Problem;
use crate::startup::AppState;
use crate::views::Card;

#[derive(Serialize, ToSchema)]
pub struct MyPermit {
    pub permit_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MyResidence {
    pub status: String,
    pub department: String,
    pub result: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct MyCase {
    pub id: String,
    pub case_no: String,
    pub status: String,
}

/// The signed-in foreigner's own permit, card and residence permit.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub role: String,
    pub permit: MyPermit,
    pub card: Option<Card>,
    pub residence_permit: Option<MyResidence>,
    pub cases: Vec<MyCase>,
}

fn item(case: &pb::Case, name: Item) -> Option<&pb::CaseItem> {
    case.items.iter().find(|i| i.item == name.as_str())
}

fn result_field(i: &pb::CaseItem, key: &str) -> Option<String> {
    i.result.get(key).filter(|v| !v.is_empty()).cloned()
}

/// The view of `/me` from the foreigner's cases (newest first) and card.
pub fn me_view(permit_number: &str, cases: &[pb::Case], card: Option<&hp::SocialSecurityCard>) -> Me {
    // Only cases whose permit really carries this number, whatever the list returned.
    let own: Vec<&pb::Case> = cases
        .iter()
        .filter(|c| {
            item(c, Item::WorkPermit).is_some_and(|i| i.result.get("permit_number").is_some_and(|n| n == permit_number))
        })
        .collect();
    let latest = own.first();
    let mut permit = MyPermit {
        permit_number: permit_number.into(),
        status: None,
        valid_from: None,
        valid_until: None,
        category: None,
        department: None,
        case_id: None,
    };
    match (latest.and_then(|c| item(c, Item::WorkPermit).map(|i| (c, i))), card) {
        (Some((c, i)), _) => {
            permit.status = Some(i.status.clone());
            permit.valid_from = result_field(i, "valid_from");
            permit.valid_until = result_field(i, "valid_until");
            permit.category = Some(c.category.clone());
            permit.department = Some(i.department.clone());
            permit.case_id = Some(c.id.clone());
        }
        (None, Some(card)) => {
            let cancelled = card.permit_status == CardPermitStatus::Cancelled.as_str();
            let status = if cancelled { PermitStatus::Cancelled } else { PermitStatus::Approved };
            permit.status = Some(status.as_str().into());
            permit.valid_from = Some(card.permit_valid_from.clone());
            permit.valid_until = Some(card.permit_valid_until.clone());
            permit.case_id = Some(card.case_id.clone());
        }
        (None, None) => {}
    }
    let residence = latest.and_then(|c| item(c, Item::ResidencePermit)).map(|i| MyResidence {
        status: i.status.clone(),
        department: i.department.clone(),
        result: i.result.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    });
    Me {
        role: domain::Role::Foreigner.as_str().into(),
        permit,
        card: card.map(Card::from),
        residence_permit: residence,
        cases: own
            .iter()
            .map(|c| MyCase { id: c.id.clone(), case_no: c.case_no.clone(), status: c.status.clone() })
            .collect(),
    }
}

/// `GET /api/v1/me` (foreigner).
#[utoipa::path(get, path = "/api/v1/me", tag = "social security cards",
    responses(
        (status = 200, body = Me),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(State(state): State<AppState>, Auth(actor, ..): Auth<Foreigners>) -> Result<Json<Me>, Problem> {
    let card_req = hp::GetCardRequest { permit_number: actor.subject.clone() };
    let card = match state.clients.hrss().get_card(request(&actor, card_req, None)).await {
        Ok(r) => r.into_inner().card,
        Err(s) if s.code() == Code::NotFound => None,
        Err(s) => return Err(s.into()),
    };
    let list = pb::ListCasesRequest { limit: platform::paging::MAX_LIMIT as i32, ..Default::default() };
    let cases = state.clients.service_center().list_cases(request(&actor, list, None)).await?.into_inner().cases;
    Ok(Json(me_view(&actor.subject, &cases, card.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, permit: &str, residence: &str) -> pb::Case {
        let item = |name: &str, status: &str, result: &[(&str, &str)]| pb::CaseItem {
            item: name.into(),
            status: status.into(),
            result: result.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        };
        pb::Case {
            id: id.into(),
            items: vec![
                item("work_permit", "approved", &[("permit_number", permit), ("valid_until", "2029-01-03")]),
                item("residence_permit", residence, &[]),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn only_the_callers_own_newest_case_is_shown() {
        let cases =
            [case("other", "62B0", "approved"), case("new", "62B1", "pending"), case("old", "62B1", "approved")];
        let v = serde_json::to_value(me_view("62B1", &cases, None)).unwrap();
        assert_eq!(v["permit"]["case_id"], "new");
        assert_eq!(v["permit"]["valid_until"], "2029-01-03");
        assert_eq!(v["residence_permit"]["status"], "pending");
        assert_eq!(v["cases"].as_array().unwrap().len(), 2);
        assert!(v["card"].is_null());
    }

    #[test]
    fn without_a_case_view_the_permit_is_read_off_the_card() {
        let card = hp::SocialSecurityCard {
            permit_number: "62B1".into(),
            permit_valid_until: "2029-01-03".into(),
            permit_status: "valid".into(),
            status: "active".into(),
            ..Default::default()
        };
        let v = serde_json::to_value(me_view("62B1", &[], Some(&card))).unwrap();
        assert_eq!(v["permit"]["valid_until"], "2029-01-03");
        assert_eq!(v["card"]["status"], "active");
        assert!(v["residence_permit"].is_null());
    }
}
