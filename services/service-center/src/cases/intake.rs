//! Accepting a case (受理): the submission checked completely (the one-time notice), then
//! the case, its items, its generated forms, its timeline and `case-accepted` written in
//! one transaction; a request sent again with the same `Idempotency-Key` gets the first
//! answer.

use std::collections::BTreeMap;

use domain::case::{CaseStatus, Item, ItemStatus, TimelineEvent};
use domain::conditions::Rules;
use domain::intake::SubmissionInput;
use domain::notice::Accepted;
use domain::{Actor, Role};
use onething_proto::ToWire;
use onething_proto::events as ev;
use platform::ServiceError;
use platform::app::Base;
use platform::idempotency;
use platform::time::{now_ms, today_cst};
use sha2::{Digest, Sha256};

use crate::store::materials::MaterialRow;
use crate::store::{self, CaseRow, CaseView};

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

pub async fn submit(
    base: &Base,
    docs: &crate::documents::Documents,
    rules: &Rules,
    actor: &Actor,
    s: Submission,
) -> Result<Submitted, ServiceError> {
    let Submission { mut input, material_dates, fingerprint, idempotency_key, validate_only } = s;
    let input = &mut input;
    let idempotency_key = idempotency_key.as_deref();
    if !actor.is(Role::Employer) {
        return Err(ServiceError::PermissionDenied("only an employer can submit a case".into()));
    }
    if let Some(key) = idempotency_key
        && let Some(existing) = replay(base, actor, key, &fingerprint).await?
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
    // An open case for the same person is said in the same notice as every other problem.
    let open = open_case_of(base, actor, input).await?;
    let accepted = match (domain::notice::one_time_notice(input, rules, today_cst()), open) {
        (Ok(accepted), None) => accepted,
        (Ok(_), Some(open)) => return Err(ServiceError::InvalidArgument(open)),
        (Err(notice), open) => {
            let mut all: domain::Violations = notice.into();
            all.extend(open.unwrap_or_default());
            return Err(ServiceError::InvalidArgument(all));
        }
    };
    if validate_only {
        return Ok(Submitted::Valid);
    }
    match create(
        base,
        docs,
        &accepted,
        input,
        idempotency_key.map(|k| (actor.subject.as_str(), k, fingerprint.as_slice())),
    )
    .await
    {
        Ok(id) => {
            base.outbox.wake();
            let view = store::get_case(&base.db.pool, &id).await?.ok_or_else(|| ServiceError::not_found("case", id))?;
            Ok(Submitted::Created(view))
        }
        // A concurrent request with the same key won the race: answer as it did.
        Err(e) if idempotency_key.is_some() => {
            match replay(base, actor, idempotency_key.unwrap_or_default(), &fingerprint).await? {
                Some(existing) => Ok(Submitted::Replayed(existing)),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// The person's case whose work permit is still being decided, if any: one person has one
/// application being decided at a time. Its number is named to the employer who owns it;
/// another employer learns only that one exists.
async fn open_case_of(
    base: &Base,
    actor: &Actor,
    input: &SubmissionInput,
) -> Result<Option<domain::Violations>, ServiceError> {
    let a = &input.applicant;
    let field = |f: &Option<String>| f.as_deref().unwrap_or_default().trim().to_string();
    let Some(key) = domain::ids::person_key(
        &field(&a.nationality).to_ascii_uppercase(),
        &field(&a.birth_date),
        &field(&a.passport_number),
    ) else {
        return Ok(None);
    };
    let Some((case_no, employer)) = store::cases::open_case_of_person(&base.db.pool, &key).await? else {
        return Ok(None);
    };
    let mut v = domain::Violations::new();
    let message = if employer == actor.subject {
        format!("application {case_no} for this passport is still being decided: supplement or follow that one")
    } else {
        "an application for this passport is still being decided for another employer".to_string()
    };
    v.push("applicant.passport_number", "open_case_exists", message);
    Ok(Some(v))
}

/// The case that an earlier submission with the same (unscoped) key and body created.
async fn replay(base: &Base, actor: &Actor, key: &str, fingerprint: &[u8]) -> Result<Option<CaseView>, ServiceError> {
    let Some(case_id) = idempotency::lookup(&base.db.pool, &actor.subject, key, fingerprint).await?.replayed()? else {
        return Ok(None);
    };
    Ok(store::get_case(&base.db.pool, &case_id).await?)
}

/// Writes the case, its items, the timeline, the idempotency key and `case-accepted` in
/// one transaction: either all of it exists or none of it.
async fn create(
    base: &Base,
    docs: &crate::documents::Documents,
    a: &Accepted,
    input: &SubmissionInput,
    idem: Option<(&str, &str, &[u8])>,
) -> Result<String, ServiceError> {
    let c = &a.case;
    let accepted_on = a.accepted_on;
    let due = &a.due;
    let category = a.category;
    let department = a.department();
    let id = uuid::Uuid::now_v7().to_string();
    // The system-generated forms (application form, registration form, card information)
    // are produced from the case data, never asked of the employer; stored like uploads.
    let mut forms = Vec::new();
    for (kind, form) in a.forms() {
        let bytes = serde_json::to_vec_pretty(&form).map_err(|e| ServiceError::Internal(e.into()))?;
        let sha = hex::encode(Sha256::digest(&bytes));
        let size = bytes.len() as i64;
        docs.put(&sha, bytes.into()).await?;
        forms.push((kind, sha, size));
    }
    let mut tx = base.db.begin().await?;
    let case_no = store::next_case_no(&mut tx, &accepted_on.format("%Y%m%d").to_string()).await?;
    let row = CaseRow {
        id: id.clone(),
        case_no: case_no.clone(),
        employer_credit_code: c.employer.credit_code.to_string(),
        employer_name: c.employer.name.clone(),
        category: category.as_str().into(),
        department: department.as_str().into(),
        status: CaseStatus::Accepted,
        submitted_at: now_ms(),
        accepted_on: accepted_on.to_string(),
        due_committed: due.committed.to_string(),
        due_statutory: due.statutory.to_string(),
        due_estimated: due.estimated as i64,
        clock_paused_on: None,
        classification: serde_json::to_string(&store::ClassificationRecord {
            points: a.classification.points,
            route: a.classification.route,
            points_category: a.classification.points_category,
            breakdown: a.classification.breakdown.clone(),
            issuer: a.classification.issuer.clone(),
        })
        .ok(),
        person_key: crate::grpc::person_key_of(c),
    };
    store::insert_case(&mut tx, &row, &submission_json(input)).await?;
    // The documents handed over online count towards the efficiency figures.
    store::cases::set_documents(&mut tx, &id, c.materials.len() as i64).await?;
    for item in &c.items {
        let status = if *item == Item::WorkPermit { ItemStatus::Pending } else { ItemStatus::NotStarted };
        store::insert_item(&mut tx, &id, *item, item.department(category).as_str(), status).await?;
    }
    for (kind, sha, size) in &forms {
        let form = MaterialRow {
            id: uuid::Uuid::now_v7().to_string(),
            owner: "system".into(),
            kind: kind.as_str().into(),
            content_type: "application/json".into(),
            sha256: sha.clone(),
            size: *size,
            uploaded_at: now_ms(),
        };
        store::materials::insert(&mut tx, &form).await?;
        store::insert_material(&mut tx, &id, kind.as_str(), &form.id).await?;
    }
    if !forms.is_empty() {
        let kinds: Vec<&str> = forms.iter().map(|(k, _, _)| k.as_str()).collect();
        store::add_timeline(&mut tx, &id, TimelineEvent::FormsGenerated, "", &kinds.join(", ")).await?;
    }
    for m in &c.materials {
        store::insert_material(&mut tx, &id, m.kind.as_str(), &m.id).await?;
    }
    store::add_timeline(
        &mut tx,
        &id,
        TimelineEvent::CaseAccepted,
        "",
        &format!(
            "accepted as {case_no}, category {category} ({}, {} points)",
            a.category_source, a.classification.points
        ),
    )
    .await?;
    if let Some((caller, key, fingerprint)) = idem {
        idempotency::save(&mut tx, caller, key, fingerprint, &id).await?;
    }
    let event = ev::CaseAccepted {
        case_id: id.clone(),
        case_no,
        category: category.wire(),
        department: department.wire(),
        employer: Some(crate::grpc::employer_pb(c)),
        position: Some(crate::grpc::position_pb(c)),
        items: c.items.iter().map(|i| i.wire()).collect(),
        accepted_on: accepted_on.to_string(),
        committed_due: due.committed.to_string(),
        person_key: row.person_key.clone(),
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
    sector: Option<&'a str>,
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
            sector: i.position.sector.as_deref(),
            profile: &i.profile,
            items: &i.items,
        }
    }
}
