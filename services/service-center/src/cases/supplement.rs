//! The employer's supplement (补正): the requested materials supplied, the deadline clock
//! restarted, the permit desk told (`case-supplemented`).

use std::collections::BTreeMap;

use domain::case::{Item, ItemStatus, TimelineEvent};
use domain::{Actor, Role};
use onething_proto::events as ev;
use platform::ServiceError;
use platform::app::Base;
use platform::time::today_cst;

use crate::store::{self, CaseView};

/// The employer supplies the materials a supplement request asked for. Every requested
/// material must come with an upload of that kind (all missing ones listed at once); the
/// deadline clock restarts and the permit desk is told (`case-supplemented`).
pub async fn supplement(
    base: &Base,
    actor: &Actor,
    case_id: &str,
    materials: &[(Option<String>, Option<String>)],
) -> Result<CaseView, ServiceError> {
    if !actor.is(Role::Employer) {
        return Err(ServiceError::PermissionDenied("only the case's employer supplies materials".into()));
    }
    let view =
        store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))?;
    if view.case.employer_credit_code != actor.subject {
        return Err(ServiceError::not_found("case", case_id));
    }
    let permit = view.items.iter().find(|i| i.item == Item::WorkPermit.as_str());
    if permit.is_none_or(|p| p.status != ItemStatus::SupplementRequested) {
        return Err(ServiceError::conflict(
            "no_supplement_requested",
            format!("case/{case_id}"),
            "no supplement is requested on this case",
        ));
    }
    let result: BTreeMap<String, String> =
        permit.and_then(|p| serde_json::from_str(&p.result).ok()).unwrap_or_default();
    let requested: Vec<String> = result
        .get("requested_materials")
        .map(|s| s.split(',').filter(|x| !x.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();

    let mut v = domain::Violations::new();
    let mut supplied = Vec::new();
    for (i, (kind, id)) in materials.iter().enumerate() {
        let (Some(kind), Some(id)) = (kind.as_deref(), id.as_deref()) else {
            v.push(format!("materials[{i}]"), "required", "each material needs kind and id");
            continue;
        };
        let found = store::materials::owned(&base.db.pool, &actor.subject, id).await?;
        match found {
            Some(m) if m.kind == kind => supplied.push((kind.to_string(), id.to_string())),
            _ => v.push(
                format!("materials[{i}].id"),
                "material_not_found",
                format!("no upload {id} of kind {kind} by this employer"),
            ),
        }
    }
    for kind in &requested {
        if !supplied.iter().any(|(k, _)| k == kind) {
            v.0.push(
                domain::Violation::new(
                    format!("materials.{kind}"),
                    "material_missing",
                    format!("{kind} was requested and is not supplied"),
                )
                .with_zh(format!("补正材料缺少 {kind}")),
            );
        }
    }
    if !v.is_empty() {
        return Err(ServiceError::InvalidArgument(v));
    }
    let today = today_cst();
    let mut tx = base.db.begin().await?;
    for (kind, id) in &supplied {
        store::insert_material(&mut tx, case_id, kind, id).await?;
    }
    let Some(stood) = crate::deadlines::resume(&mut tx, case_id, today).await? else {
        tx.rollback().await?;
        return Err(ServiceError::conflict(
            "already_supplemented",
            format!("case/{case_id}"),
            "the supplement was already received",
        ));
    };
    store::cases::count_supplement(&mut tx, case_id, supplied.len() as i64).await?;
    store::add_timeline(
        &mut tx,
        case_id,
        TimelineEvent::CaseSupplemented,
        Item::WorkPermit.as_str(),
        &format!("{} material(s) supplied; deadlines moved by {stood} working day(s)", supplied.len()),
    )
    .await?;
    let event = ev::CaseSupplemented {
        case_id: case_id.to_string(),
        materials: supplied
            .iter()
            .map(|(k, id)| onething_proto::common::MaterialRef {
                kind: k.clone(),
                id: id.clone(),
                ..Default::default()
            })
            .collect(),
        supplemented_at: platform::time::now_rfc3339(),
    };
    base.outbox.enqueue(&mut tx, case_id, &event).await?;
    tx.commit().await?;
    base.outbox.wake();
    store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))
}
