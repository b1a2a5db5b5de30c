//! `GET /api/v1/me` (foreigner): the signed-in foreigner's own permit, social security card
//! and residence permit. What the foreigner may see of their cases is service-center's
//! answer (`GetForeignerOverview`), the card is hrss's; both are asked at once. Where no
//! case shows the permit yet, it is read off the card.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use domain::states::card::CardPermitStatus;
use domain::states::permit::PermitStatus;
use onething_proto::onething::hrss::v1 as hp;
use onething_proto::onething::servicecenter::v1 as pb;
use serde::Serialize;
use tonic::Code;
use utoipa::ToSchema;

use crate::extract::{Auth, Foreigners};
use crate::problem::Problem;
use crate::startup::AppState;
use crate::views::{Card, opt};

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
    /// The office that issued the permit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
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

impl From<pb::ForeignerPermit> for MyPermit {
    fn from(p: pb::ForeignerPermit) -> Self {
        MyPermit {
            permit_number: p.permit_number,
            status: opt(&p.status),
            valid_from: opt(&p.valid_from),
            valid_until: opt(&p.valid_until),
            category: opt(&p.category),
            department: opt(&p.department),
            case_id: opt(&p.case_id),
            issuer: opt(&p.issuer),
        }
    }
}

/// The card's view of the permit, for a foreigner whose case service-center does not show
/// (yet): the card carries the permit's validity and whether it was cancelled.
impl From<&hp::SocialSecurityCard> for MyPermit {
    fn from(card: &hp::SocialSecurityCard) -> Self {
        let cancelled = card.permit_status == CardPermitStatus::Cancelled.as_str();
        let status = if cancelled { PermitStatus::Cancelled } else { PermitStatus::Approved };
        MyPermit {
            permit_number: card.permit_number.clone(),
            status: Some(status.as_str().into()),
            valid_from: Some(card.permit_valid_from.clone()),
            valid_until: Some(card.permit_valid_until.clone()),
            category: None,
            department: None,
            case_id: Some(card.case_id.clone()),
            issuer: None,
        }
    }
}

/// The view of `/me`: service-center's overview of the foreigner's own cases, and hrss's card.
pub fn me_view(
    permit_number: &str,
    overview: pb::GetForeignerOverviewResponse,
    card: Option<&hp::SocialSecurityCard>,
) -> Me {
    let permit = match (overview.permit, card) {
        (Some(p), _) => p.into(),
        (None, Some(card)) => card.into(),
        (None, None) => {
            MyPermit::from(pb::ForeignerPermit { permit_number: permit_number.into(), ..Default::default() })
        }
    };
    Me {
        role: domain::Role::Foreigner.as_str().into(),
        permit,
        card: card.map(Card::from),
        residence_permit: overview.residence_permit.map(|r| MyResidence {
            status: r.status,
            department: r.department,
            result: r.result.into_iter().collect(),
        }),
        cases: overview.cases.into_iter().map(|c| MyCase { id: c.id, case_no: c.case_no, status: c.status }).collect(),
    }
}

/// `GET /api/v1/me` (foreigner).
#[utoipa::path(get, path = "/api/v1/me", tag = "social security cards",
    responses(
        (status = 200, body = Me),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(State(state): State<AppState>, Auth(actor, ..): Auth<Foreigners>) -> Result<Json<Me>, Problem> {
    let card_req = hp::GetCardRequest { permit_number: actor.subject.clone() };
    let mut hrss = state.clients.hrss();
    let mut service_center = state.clients.service_center();
    let (card, overview) = tokio::join!(
        hrss.get_card(state.clients.request(&actor, card_req, None)),
        service_center.get_foreigner_overview(state.clients.request(&actor, pb::GetForeignerOverviewRequest {}, None)),
    );
    let card = match card {
        Ok(r) => r.into_inner().card,
        Err(s) if s.code() == Code::NotFound => None,
        Err(s) => return Err(s.into()),
    };
    let overview = overview?.into_inner();
    // No case and no card carries this work permit number: nobody to show (the token names
    // a permit this system never issued), the same 404 as any unknown resource.
    if overview.permit.is_none() && overview.cases.is_empty() && card.is_none() {
        return Err(Problem::not_found("no work permit of this system has this number"));
    }
    Ok(Json(me_view(&actor.subject, overview, card.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overviews_permit_wins_over_the_cards() {
        let overview = pb::GetForeignerOverviewResponse {
            permit: Some(pb::ForeignerPermit {
                permit_number: "62B1".into(),
                status: "approved".into(),
                valid_until: "2029-01-03".into(),
                case_id: "new".into(),
                ..Default::default()
            }),
            cases: vec![pb::ForeignerCase { id: "new".into(), ..Default::default() }],
            ..Default::default()
        };
        let card = hp::SocialSecurityCard { permit_number: "62B1".into(), case_id: "old".into(), ..Default::default() };
        let v = serde_json::to_value(me_view("62B1", overview, Some(&card))).unwrap();
        assert_eq!(v["permit"]["case_id"], "new");
        assert!(v["permit"].get("valid_from").is_none(), "absent, not empty: {v}");
        assert_eq!(v["cases"].as_array().unwrap().len(), 1);
        assert!(v["residence_permit"].is_null());
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
        let v = serde_json::to_value(me_view("62B1", Default::default(), Some(&card))).unwrap();
        assert_eq!(v["permit"]["valid_until"], "2029-01-03");
        assert_eq!(v["permit"]["status"], "approved");
        assert_eq!(v["card"]["status"], "active");
        assert!(v["residence_permit"].is_null());
    }

    #[test]
    fn with_nothing_the_permit_is_only_its_number() {
        let v = serde_json::to_value(me_view("62B1", Default::default(), None)).unwrap();
        assert_eq!(v["permit"], serde_json::json!({"permit_number": "62B1"}));
        assert!(v["card"].is_null());
    }
}
