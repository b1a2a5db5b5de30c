//! `GET /api/v1/me` (foreigner): the signed-in foreigner's own permit, social security card
//! and residence permit. The permit and residence come from service-center's case view (the
//! foreigner's cases are those whose work permit carries the token's subject); the card
//! from hrss. Where the case view has nothing yet, the permit is read off the card.

use axum::Json;
use axum::extract::State;
use onething_proto::onething::hrss::v1 as hp;
use onething_proto::onething::servicecenter::v1 as pb;
use serde_json::{Value, json};
use tonic::Code;

use crate::auth::Caller;
use crate::clients::request;
use crate::problem::Problem;
use crate::routes::social_security_cards::{card_json, hrss};
use crate::startup::AppState;
use domain::Role;

fn item<'c>(case: &'c pb::Case, name: &str) -> Option<&'c pb::CaseItem> {
    case.items.iter().find(|i| i.item == name)
}

fn result_field(i: &pb::CaseItem, key: &str) -> Value {
    i.result.get(key).filter(|v| !v.is_empty()).map_or(Value::Null, |v| Value::String(v.clone()))
}

/// The view of `/me` from the foreigner's cases (newest first) and card.
pub fn me_json(permit_number: &str, cases: &[pb::Case], card: Option<&hp::SocialSecurityCard>) -> Value {
    // Only cases whose permit really carries this number, whatever the list returned.
    let own: Vec<&pb::Case> = cases
        .iter()
        .filter(|c| {
            item(c, "work_permit").is_some_and(|i| i.result.get("permit_number").is_some_and(|n| n == permit_number))
        })
        .collect();
    let latest = own.first();
    let permit = match (latest.and_then(|c| item(c, "work_permit").map(|i| (c, i))), card) {
        (Some((c, i)), _) => json!({
            "permit_number": permit_number,
            "status": i.status,
            "valid_from": result_field(i, "valid_from"),
            "valid_until": result_field(i, "valid_until"),
            "category": c.category,
            "department": i.department,
            "case_id": c.id,
        }),
        (None, Some(card)) => json!({
            "permit_number": permit_number,
            "status": if card.permit_status == "cancelled" { "cancelled" } else { "approved" },
            "valid_from": card.permit_valid_from,
            "valid_until": card.permit_valid_until,
            "case_id": card.case_id,
        }),
        (None, None) => json!({"permit_number": permit_number}),
    };
    let residence = latest.and_then(|c| item(c, "residence_permit")).map_or(Value::Null, |i| {
        json!({
            "status": i.status,
            "department": i.department,
            "result": i.result.iter().collect::<std::collections::BTreeMap<_, _>>(),
        })
    });
    json!({
        "role": "foreigner",
        "permit": permit,
        "card": card.map_or(Value::Null, card_json),
        "residence_permit": residence,
        "cases": own.iter().map(|c| json!({"id": c.id, "case_no": c.case_no, "status": c.status})).collect::<Vec<_>>(),
    })
}

pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, Problem> {
    let actor = caller.require(&[Role::Foreigner])?;
    let card_req = hp::GetCardRequest { permit_number: actor.subject.clone() };
    let card = match hrss(&state).get_card(request(actor, card_req, None)).await {
        Ok(r) => r.into_inner().card,
        Err(s) if s.code() == Code::NotFound => None,
        Err(s) => return Err(s.into()),
    };
    let list = pb::ListCasesRequest { limit: 200, ..Default::default() };
    let cases = state.clients.service_center().list_cases(request(actor, list, None)).await?.into_inner().cases;
    Ok(Json(me_json(&actor.subject, &cases, card.as_ref())))
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
        let v = me_json("62B1", &cases, None);
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
        let v = me_json("62B1", &[], Some(&card));
        assert_eq!(v["permit"]["valid_until"], "2029-01-03");
        assert_eq!(v["card"]["status"], "active");
        assert!(v["residence_permit"].is_null());
    }
}
