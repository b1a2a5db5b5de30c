//! Use cases of service-center: accept a case (受理), show it, list it.

use std::collections::BTreeMap;

use domain::case::{Item, ItemStatus};
use domain::conditions::Rules;
use domain::intake::SubmissionInput;
use domain::notice::Accepted;
use onething_proto::events as ev;
use platform::ServiceError;
use platform::app::Base;
use platform::grpc::Actor;
use platform::time::{now_ms, today_cst};
use sha2::{Digest, Sha256};

use crate::store::{self, CaseRow, CaseView, ListFilter};

/// The result of a submission.
pub enum Submitted {
    Created(CaseView),
    /// An earlier request with the same idempotency key and body created this case.
    Replayed(CaseView),
    /// `validate_only`: nothing stored.
    Valid,
}

/// A submission as the gRPC layer received it.
pub struct Submission {
    pub input: SubmissionInput,
    /// Per listed material: (dated_on, expires_on) as the employer gave them.
    pub material_dates: Vec<(Option<String>, Option<String>)>,
    /// The request body without the caller, for idempotency.
    pub fingerprint: Vec<u8>,
    pub idempotency_key: Option<String>,
    /// Check only; store nothing.
    pub validate_only: bool,
}

pub async fn submit(base: &Base, rules: &Rules, actor: &Actor, s: Submission) -> Result<Submitted, ServiceError> {
    let Submission { mut input, material_dates, fingerprint, idempotency_key, validate_only } = s;
    let input = &mut input;
    let idempotency_key = idempotency_key.as_deref();
    if !actor.is("employer") {
        return Err(ServiceError::PermissionDenied("only an employer can submit a case".into()));
    }
    let hash = hex::encode(Sha256::digest(&fingerprint));
    if let Some(key) = idempotency_key
        && let Some(existing) = replay(base, actor, key, &hash).await?
    {
        return Ok(Submitted::Replayed(existing));
    }
    // The credit code must be the signed-in employer's own, before anything else is said.
    if input.employer.credit_code.as_deref().map(|c| c.trim().to_ascii_uppercase()).is_some_and(|c| c != actor.subject)
    {
        return Err(ServiceError::PermissionDenied(
            "employer.credit_code must be the signed-in employer's own code".into(),
        ));
    }
    crate::materials::attach_facts(base, &actor.subject, input, &material_dates).await?;
    let accepted = domain::notice::one_time_notice(input, rules, today_cst())
        .map_err(|n| ServiceError::InvalidArgument(n.into()))?;
    if validate_only {
        return Ok(Submitted::Valid);
    }
    match create(base, &accepted, input, idempotency_key.map(|k| (actor.subject.as_str(), k, hash.as_str()))).await {
        Ok(id) => {
            base.outbox.wake();
            let view = store::get_case(&base.db.pool, &id).await?.ok_or_else(|| ServiceError::not_found("case", id))?;
            Ok(Submitted::Created(view))
        }
        // A concurrent request with the same key won the race: answer as it did.
        Err(e) if idempotency_key.is_some() => {
            match replay(base, actor, idempotency_key.unwrap_or_default(), &hash).await? {
                Some(existing) => Ok(Submitted::Replayed(existing)),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

async fn replay(base: &Base, actor: &Actor, key: &str, hash: &str) -> Result<Option<CaseView>, ServiceError> {
    let Some((stored_hash, case_id)) = store::idempotent_case(&base.db.pool, &actor.subject, key).await? else {
        return Ok(None);
    };
    if stored_hash != hash {
        let mut v = domain::Violations::new();
        v.push(
            "Idempotency-Key",
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request body",
        );
        return Err(ServiceError::InvalidArgument(v));
    }
    Ok(store::get_case(&base.db.pool, &case_id).await?)
}

/// Writes the case, its items, the timeline, the idempotency key and `case-accepted` in
/// one transaction: either all of it exists or none of it.
async fn create(
    base: &Base,
    a: &Accepted,
    input: &SubmissionInput,
    idem: Option<(&str, &str, &str)>,
) -> Result<String, ServiceError> {
    let c = &a.case;
    let accepted_on = a.accepted_on;
    let due = &a.due;
    let category = a.category;
    let department = a.department();
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = base.db.pool.begin().await?;
    let case_no = store::next_case_no(&mut tx, &accepted_on.format("%Y%m%d").to_string()).await?;
    let row = CaseRow {
        id: id.clone(),
        case_no: case_no.clone(),
        employer_credit_code: c.employer.credit_code.to_string(),
        employer_name: c.employer.name.clone(),
        category: category.as_str().into(),
        department: department.as_str().into(),
        status: domain::case::CaseStatus::Accepted.as_str().into(),
        submitted_at: now_ms(),
        accepted_on: accepted_on.to_string(),
        due_committed: due.committed.to_string(),
        due_statutory: due.statutory.to_string(),
        due_estimated: due.estimated as i64,
    };
    store::insert_case(&mut tx, &row, &submission_json(input)).await?;
    for item in &c.items {
        let status = if *item == Item::WorkPermit { ItemStatus::Pending } else { ItemStatus::NotStarted };
        store::insert_item(&mut tx, &id, *item, item.department(category).as_str(), status).await?;
    }
    for m in &c.materials {
        store::insert_material(&mut tx, &id, m.kind.as_str(), &m.id).await?;
    }
    store::add_timeline(
        &mut tx,
        &id,
        "case_accepted",
        "",
        &format!(
            "accepted as {case_no}, category {category} ({}, {} points)",
            a.category_source, a.classification.points
        ),
    )
    .await?;
    if let Some((caller, key, hash)) = idem {
        store::remember_idempotency(&mut tx, caller, key, hash, &id).await?;
    }
    let event = ev::CaseAccepted {
        case_id: id.clone(),
        case_no,
        category: category.as_str().into(),
        department: department.as_str().into(),
        employer: Some(crate::grpc::employer_pb(c)),
        applicant: Some(crate::grpc::applicant_pb(c)),
        position: Some(crate::grpc::position_pb(c)),
        items: c.items.iter().map(|i| i.as_str().to_string()).collect(),
        accepted_on: accepted_on.to_string(),
        committed_due: due.committed.to_string(),
    };
    base.outbox.enqueue(&mut tx, &id, &event).await?;
    tx.commit().await?;
    Ok(id)
}

fn submission_json(input: &SubmissionInput) -> String {
    serde_json::to_string(&SubmissionRecord::from(input)).unwrap_or_else(|_| "{}".into())
}

/// What is kept of the submission for the record (the same fields as the request).
#[derive(serde::Serialize)]
struct SubmissionRecord<'a> {
    employer: BTreeMap<&'static str, Option<&'a str>>,
    applicant: BTreeMap<&'static str, Option<&'a str>>,
    position_title: Option<&'a str>,
    annual_salary_cny: Option<i64>,
    start_date: Option<&'a str>,
    contract_months: Option<i64>,
    profile: &'a domain::intake::ProfileInput,
    items: &'a [String],
}

impl<'a> From<&'a SubmissionInput> for SubmissionRecord<'a> {
    fn from(i: &'a SubmissionInput) -> Self {
        let e = &i.employer;
        let a = &i.applicant;
        SubmissionRecord {
            employer: BTreeMap::from([
                ("credit_code", e.credit_code.as_deref()),
                ("name", e.name.as_deref()),
                ("region_code", e.region_code.as_deref()),
                ("kind", e.kind.as_deref()),
                ("sector_preapproval", e.sector_preapproval.as_deref()),
            ]),
            applicant: BTreeMap::from([
                ("surname", a.surname.as_deref()),
                ("given_names", a.given_names.as_deref()),
                ("sex", a.sex.as_deref()),
                ("nationality", a.nationality.as_deref()),
                ("birth_date", a.birth_date.as_deref()),
                ("passport_number", a.passport_number.as_deref()),
                ("passport_expiry", a.passport_expiry.as_deref()),
            ]),
            position_title: i.position.title.as_deref(),
            annual_salary_cny: i.position.annual_salary_cny,
            start_date: i.position.start_date.as_deref(),
            contract_months: i.position.contract_months,
            profile: &i.profile,
            items: &i.items,
        }
    }
}

/// Who may see a case: its employer, staff of a department that owns one of its items,
/// operators and administrators. Staff see only their own department's items.
pub async fn get(base: &Base, actor: &Actor, id: &str) -> Result<CaseView, ServiceError> {
    let mut view = store::get_case(&base.db.pool, id).await?.ok_or_else(|| ServiceError::not_found("case", id))?;
    authorize_view(actor, &mut view)?;
    if !actor.is("employer") {
        actor.audit(&base.db, "case.read", &format!("case/{id}"), "allowed").await?;
    }
    Ok(view)
}

fn authorize_view(actor: &Actor, view: &mut CaseView) -> Result<(), ServiceError> {
    match actor.role.as_str() {
        "employer" if view.case.employer_credit_code == actor.subject => Ok(()),
        "ops" | "admin" => Ok(()),
        "reviewer" | "officer" => {
            view.items.retain(|i| i.department == actor.department);
            if view.items.is_empty() {
                return Err(ServiceError::PermissionDenied("this case has no item of your department".into()));
            }
            Ok(())
        }
        "foreigner" => {
            let own = view.items.iter().any(|i| {
                i.item == Item::WorkPermit.as_str()
                    && serde_json::from_str::<BTreeMap<String, String>>(&i.result)
                        .ok()
                        .and_then(|r| r.get("permit_number").cloned())
                        .is_some_and(|n| n == actor.subject)
            });
            if own { Ok(()) } else { Err(ServiceError::PermissionDenied("this case is not yours".into())) }
        }
        _ => Err(ServiceError::PermissionDenied("you may not see this case".into())),
    }
}

pub async fn list(base: &Base, actor: &Actor, status: &str, department: &str) -> Result<Vec<CaseView>, ServiceError> {
    let mut filter = ListFilter { limit: 200, ..ListFilter::default() };
    if !status.is_empty() {
        filter.status = Some(status.to_string());
    }
    match actor.role.as_str() {
        "employer" => filter.employer = Some(actor.subject.clone()),
        "reviewer" | "officer" => {
            if !department.is_empty() && department != actor.department {
                return Err(ServiceError::PermissionDenied("you may list only your own department's cases".into()));
            }
            filter.department = Some(actor.department.clone());
        }
        "ops" | "admin" => filter.department = Some(department.to_string()).filter(|d| !d.is_empty()),
        _ => {
            return Err(ServiceError::PermissionDenied("you may not list cases".into()));
        }
    }
    let mut views = store::list_cases(&base.db.pool, &filter).await?;
    for v in &mut views {
        let _ = authorize_view(actor, v);
    }
    Ok(views)
}
