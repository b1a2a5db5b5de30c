//! Use cases of service-center: accept a case (受理), show it, list it.

use platform::audit::Audit;
use platform::idempotency;
use platform::paging::{Page, known};
use std::collections::BTreeMap;

use domain::case::{CaseStatus, Department, Item, ItemStatus, MessageChannel, MessageKind, TimelineEvent};
use domain::conditions::Rules;
use domain::intake::SubmissionInput;
use domain::notice::Accepted;
use domain::{Actor, Role};
use onething_proto::ToWire;
use onething_proto::events as ev;
use platform::ServiceError;
use platform::app::Base;
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
    let accepted = domain::notice::one_time_notice(input, rules, today_cst())
        .map_err(|n| ServiceError::InvalidArgument(n.into()))?;
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

/// The reference of the first answer to a command sent again with the same
/// `Idempotency-Key` (scoped by `scope`, so keys of different commands never meet), or 422
/// when the key came with another request.
pub async fn earlier_answer(
    base: &Base,
    actor: &Actor,
    scope: &str,
    key: Option<&str>,
    fingerprint: &[u8],
) -> Result<Option<String>, ServiceError> {
    let Some(key) = key else { return Ok(None) };
    idempotency::lookup(&base.db.pool, &actor.subject, &format!("{scope}:{key}"), fingerprint).await?.replayed()
}

/// Remembers the answer to a command under its key, in the command's transaction.
pub async fn remember_answer(
    tx: &mut platform::db::Tx<'_>,
    actor: &Actor,
    scope: &str,
    key: Option<&str>,
    fingerprint: &[u8],
    reference: &str,
) -> Result<(), sqlx::Error> {
    let Some(key) = key else { return Ok(()) };
    idempotency::save(tx, &actor.subject, &format!("{scope}:{key}"), fingerprint, reference).await
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
        })
        .ok(),
    };
    store::insert_case(&mut tx, &row, &submission_json(input)).await?;
    // The documents handed over online count towards the efficiency figures.
    sqlx::query("UPDATE cases SET documents = $1 WHERE id = $2")
        .bind(c.materials.len() as i64)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    for item in &c.items {
        let status = if *item == Item::WorkPermit { ItemStatus::Pending } else { ItemStatus::NotStarted };
        store::insert_item(&mut tx, &id, *item, item.department(category).as_str(), status).await?;
    }
    for (kind, sha, size) in &forms {
        let material_id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO materials (id, owner, kind, content_type, sha256, size, uploaded_at) VALUES ($1, 'system', $2, 'application/json', $3, $4, $5)",
        )
        .bind(&material_id)
        .bind(kind.as_str())
        .bind(sha)
        .bind(size)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        store::insert_material(&mut tx, &id, kind.as_str(), &material_id).await?;
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
        applicant: Some(crate::grpc::applicant_pb(c)),
        position: Some(crate::grpc::position_pb(c)),
        items: c.items.iter().map(|i| i.wire()).collect(),
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
    if !actor.is(Role::Employer) {
        actor.audit(&base.db, "case.read", &format!("case/{id}"), "allowed").await?;
    }
    Ok(view)
}

fn authorize_view(actor: &Actor, view: &mut CaseView) -> Result<(), ServiceError> {
    // Files are listed to those who may read them (materials::open): the employer and staff.
    if !(actor.is(Role::Employer) || actor.role.is_staff()) {
        view.materials.clear();
    }
    match actor.role {
        Role::Employer if view.case.employer_credit_code == actor.subject => Ok(()),
        Role::Ops | Role::Admin => Ok(()),
        Role::Reviewer | Role::Officer => {
            view.items.retain(|i| i.department == actor.department_str());
            if view.items.is_empty() {
                return Err(ServiceError::PermissionDenied("this case has no item of your department".into()));
            }
            // Staff see their own items' history and ratings, not another department's.
            let own: Vec<String> = view.items.iter().map(|i| i.item.clone()).collect();
            view.timeline.retain(|t| t.item.is_empty() || own.contains(&t.item));
            view.evaluations.retain(|e| own.contains(&e.item));
            Ok(())
        }
        Role::Foreigner => {
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

/// The key of a case in the list's order (newest first): `submitted_at` in epoch ms, then
/// the id.
pub fn cursor_key(v: &CaseView) -> Vec<String> {
    vec![v.case.submitted_at.to_string(), v.case.id.clone()]
}

/// A request for one page of cases.
#[derive(Debug, Clone, Default)]
pub struct ListRequest<'a> {
    pub status: &'a str,
    pub department: &'a str,
    pub limit: i32,
    pub cursor: &'a str,
}

/// One page of the cases the caller may see, newest first, as summaries (items, no
/// timeline, notices, messages or evaluations), and the cursor of the next page. Every
/// problem of `status`, `department`, `limit` and `cursor` is reported at once.
pub async fn list(
    base: &Base,
    actor: &Actor,
    req: &ListRequest<'_>,
) -> Result<(Vec<CaseView>, Option<String>), ServiceError> {
    let mut v = domain::Violations::new();
    let status = known(&mut v, "status", req.status, CaseStatus::ALL);
    let department = known(&mut v, "department", req.department, Department::ALL).map(Department::as_str);
    let page = Page::read(&mut v, req.limit, req.cursor, 2, platform::paging::ms_and_id);
    let Some((page, after)) = page.filter(|_| v.is_empty()) else { return Err(v.into()) };
    let department = department.unwrap_or_default();
    let mut filter = ListFilter { status, after, fetch: page.fetch(), ..ListFilter::default() };
    match actor.role {
        Role::Employer => filter.employer = Some(actor.subject.clone()),
        Role::Reviewer | Role::Officer => {
            if !department.is_empty() && department != actor.department_str() {
                return Err(ServiceError::PermissionDenied("you may list only your own department's cases".into()));
            }
            filter.department = Some(actor.department_str().to_string());
        }
        Role::Ops | Role::Admin => filter.department = Some(department.to_string()).filter(|d| !d.is_empty()),
        // A foreigner's subject is their work permit number (letters and digits only).
        Role::Foreigner if !actor.subject.is_empty() && actor.subject.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            filter.permit_number = Some(actor.subject.clone())
        }
        _ => {
            return Err(ServiceError::PermissionDenied("you may not list cases".into()));
        }
    }
    let views = store::list_cases(&base.db.pool, &filter).await?;
    let (mut views, next) = page.finish(views, cursor_key);
    // The filter already selects what the caller may see; this trims each view the same
    // way a single read does, and drops anything it would refuse.
    views.retain_mut(|v| authorize_view(actor, v).is_ok());
    Ok((views, next))
}

/// The employer supplies the materials a supplement request asked for. Every requested
/// material must come with an upload of that kind (all missing ones listed at once); the
/// deadline clock restarts and the permit desk is told (`case-supplemented`).
pub async fn supplement(
    base: &Base,
    actor: &Actor,
    case_id: &str,
    materials: &[(Option<String>, Option<String>)],
) -> Result<CaseView, ServiceError> {
    let view =
        store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))?;
    if !(actor.is(Role::Employer) && view.case.employer_credit_code == actor.subject) {
        return Err(ServiceError::PermissionDenied("only the case's employer supplies materials".into()));
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
        let found: Option<(String,)> = sqlx::query_as("SELECT kind FROM materials WHERE id = $1 AND owner = $2")
            .bind(id)
            .bind(&actor.subject)
            .fetch_optional(&base.db.pool)
            .await?;
        match found {
            Some((k,)) if k == kind => supplied.push((kind.to_string(), id.to_string())),
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
    sqlx::query("UPDATE cases SET supplements = supplements + 1, documents = documents + $1 WHERE id = $2")
        .bind(supplied.len() as i64)
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
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

/// 好差评: the case's employer rates a finished item once (1 to 5, with a comment).
pub async fn evaluate(
    base: &Base,
    actor: &Actor,
    case_id: &str,
    item: &str,
    rating: i32,
    comment: &str,
    idempotency_key: Option<&str>,
) -> Result<store::EvaluationRow, ServiceError> {
    let view =
        store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))?;
    if !(actor.is(Role::Employer) && view.case.employer_credit_code == actor.subject) {
        return Err(ServiceError::PermissionDenied("only the case's employer rates its items".into()));
    }
    let scope = format!("evaluation:{case_id}");
    let fingerprint = format!("{item}|{rating}|{comment}").into_bytes();
    if let Some(rated) = earlier_answer(base, actor, &scope, idempotency_key, &fingerprint).await?
        && let Some(e) = view.evaluations.iter().find(|e| e.item == rated)
    {
        return Ok(e.clone());
    }
    let mut v = domain::Violations::new();
    let parsed = v.take("item", item.parse::<Item>());
    if !(1..=5).contains(&rating) {
        v.push("rating", "out_of_range", "rating is 1 (very dissatisfied) to 5 (very satisfied)");
    }
    if comment.chars().count() > 1000 {
        v.push("comment", "too_long", "comment has at most 1000 characters");
    }
    if !v.is_empty() {
        return Err(ServiceError::InvalidArgument(v));
    }
    let item = parsed.expect("checked above");
    let Some(row) = view.items.iter().find(|i| i.item == item.as_str()) else {
        return Err(ServiceError::not_found("case item", format!("{case_id}/{item}")));
    };
    let finished = matches!(row.status, ItemStatus::Approved | ItemStatus::Completed | ItemStatus::Refused);
    if !finished {
        return Err(ServiceError::conflict(
            "item_not_finished",
            format!("case/{case_id}/{item}"),
            "an item is rated once it is finished",
        ));
    }
    let at = platform::time::now_ms();
    let mut tx = base.db.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO evaluations (case_id, item, rating, comment, rated_by, at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (case_id, item) DO NOTHING",
    )
    .bind(case_id)
    .bind(item.as_str())
    .bind(rating as i64)
    .bind(comment)
    .bind(&actor.subject)
    .bind(at)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        remember_answer(&mut tx, actor, &scope, idempotency_key, &fingerprint, item.as_str()).await?;
    }
    tx.commit().await?;
    if inserted == 0 {
        return Err(ServiceError::conflict(
            "already_rated",
            format!("case/{case_id}/{item}"),
            "this item is already rated",
        ));
    }
    Ok(store::EvaluationRow { item: item.as_str().into(), rating: rating as i64, comment: comment.into(), at })
}

/// Who may write on a case: its employer, its foreigner, operators (who record hotline
/// calls) and staff of a department with an item on it.
fn may_write(actor: &Actor, view: &CaseView) -> bool {
    match actor.role {
        Role::Employer => view.case.employer_credit_code == actor.subject,
        Role::Ops | Role::Admin => true,
        Role::Reviewer | Role::Officer => view.items.iter().any(|i| i.department == actor.department_str()),
        Role::Foreigner => {
            let mut v = view.clone();
            authorize_view(actor, &mut v).is_ok()
        }
        _ => false,
    }
}

pub async fn add_message(
    base: &Base,
    actor: &Actor,
    case_id: &str,
    kind: &str,
    channel: &str,
    text: &str,
    idempotency_key: Option<&str>,
) -> Result<store::MessageRow, ServiceError> {
    let view =
        store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))?;
    if !may_write(actor, &view) {
        return Err(ServiceError::PermissionDenied("you may not write on this case".into()));
    }
    let scope = format!("message:{case_id}");
    let fingerprint = format!("{kind}|{channel}|{text}").into_bytes();
    if let Some(id) = earlier_answer(base, actor, &scope, idempotency_key, &fingerprint).await?
        && let Some(m) = view.messages.iter().find(|m| m.id == id)
    {
        return Ok(m.clone());
    }
    let mut v = domain::Violations::new();
    let message_kind = kind.parse::<MessageKind>().ok();
    if message_kind.is_none() {
        v.push("kind", "unknown_value", "kind is consultation or complaint");
    }
    let message_channel = channel.parse::<MessageChannel>().ok();
    if message_channel.is_none() {
        v.push("channel", "unknown_value", "channel is online or hotline_12345 (0931-12345)");
    }
    if message_channel == Some(MessageChannel::Hotline12345) && !actor.role.is_operator() {
        v.push("channel", "not_allowed", "hotline calls are recorded by the operators of the 12345 hotline");
    }
    if text.trim().is_empty() {
        v.push("text", "required", "text is required");
    } else if text.chars().count() > 4000 {
        v.push("text", "too_long", "text has at most 4000 characters");
    }
    let Some(message_kind) = message_kind.filter(|_| v.is_empty()) else {
        return Err(ServiceError::InvalidArgument(v));
    };
    let row = store::MessageRow {
        id: uuid::Uuid::now_v7().to_string(),
        kind: kind.into(),
        channel: channel.into(),
        body: text.trim().into(),
        author_role: actor.role.as_str().into(),
        at: platform::time::now_ms(),
        answer: None,
        answered_by: None,
        answered_at: None,
    };
    let mut tx = base.db.begin().await?;
    sqlx::query(
        "INSERT INTO case_messages (id, case_id, kind, channel, body, author_role, author, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&row.id)
    .bind(case_id)
    .bind(&row.kind)
    .bind(&row.channel)
    .bind(&row.body)
    .bind(&row.author_role)
    .bind(&actor.subject)
    .bind(row.at)
    .execute(&mut *tx)
    .await?;
    store::add_timeline(&mut tx, case_id, TimelineEvent::message_received(message_kind), "", channel).await?;
    remember_answer(&mut tx, actor, &scope, idempotency_key, &fingerprint, &row.id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Operators and the staff of a department with an item on the case answer.
pub async fn answer_message(
    base: &Base,
    actor: &Actor,
    case_id: &str,
    message_id: &str,
    answer: &str,
) -> Result<store::MessageRow, ServiceError> {
    let view =
        store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))?;
    let staff = (actor.role.is_operator() || actor.role.is_staff()) && may_write(actor, &view);
    if !staff {
        return Err(ServiceError::PermissionDenied(
            "consultations and complaints are answered by operators and department staff".into(),
        ));
    }
    if answer.trim().is_empty() {
        let mut v = domain::Violations::new();
        v.push("answer", "required", "answer is required");
        return Err(ServiceError::InvalidArgument(v));
    }
    let now = platform::time::now_ms();
    let mut tx = base.db.begin().await?;
    let n = sqlx::query(
        "UPDATE case_messages SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND case_id = $5 AND answer IS NULL",
    )
    .bind(answer.trim())
    .bind(format!("{}:{}", actor.role, actor.department_str()))
    .bind(now)
    .bind(message_id)
    .bind(case_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        let exists = view.messages.iter().any(|m| m.id == message_id);
        return Err(if exists {
            ServiceError::conflict(
                "already_answered",
                format!("message/{message_id}"),
                "this message is already answered",
            )
        } else {
            ServiceError::not_found("message", message_id)
        });
    }
    store::add_timeline(&mut tx, case_id, TimelineEvent::MessageAnswered, "", "").await?;
    tx.commit().await?;
    let view =
        store::get_case(&base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("case", case_id))?;
    view.messages.into_iter().find(|m| m.id == message_id).ok_or_else(|| ServiceError::not_found("message", message_id))
}

#[cfg(test)]
mod list_tests {
    use std::sync::Arc;

    use platform::config::{DatabaseSettings, Settings};
    use platform::db::Db;
    use platform::events::outbox::Outbox;

    use super::*;

    struct TestDb(std::path::PathBuf);

    impl Drop for TestDb {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    async fn base_at() -> (TestDb, Base) {
        let dir = std::env::temp_dir().join(format!("service-center-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let settings = DatabaseSettings {
            url: Some(format!("sqlite://{}/cases.db?mode=rwc", dir.display())),
            ..Default::default()
        };
        let db = Db::connect(&settings, "cases", &[(&crate::startup::MIGRATIONS, "_service_center_migrations")])
            .await
            .unwrap();
        let base =
            Base { name: "service-center", settings: Arc::new(Settings::default()), db, outbox: Outbox::new("test") };
        (TestDb(dir), base)
    }

    async fn case(base: &Base, id: &str, submitted_at: i64) {
        let row = CaseRow {
            id: id.into(),
            case_no: format!("GS-{id}"),
            employer_credit_code: "91620100MA00000001".into(),
            employer_name: "Co.".into(),
            category: "B".into(),
            department: "science-tech".into(),
            status: CaseStatus::Accepted,
            submitted_at,
            accepted_on: "2026-12-01".into(),
            due_committed: "2026-12-10".into(),
            due_statutory: "2026-12-20".into(),
            due_estimated: 0,
            clock_paused_on: None,
            classification: None,
        };
        let mut tx = base.db.begin().await.unwrap();
        store::insert_case(&mut tx, &row, "{}").await.unwrap();
        store::insert_item(&mut tx, id, Item::WorkPermit, "science-tech", ItemStatus::Pending).await.unwrap();
        store::add_timeline(&mut tx, id, TimelineEvent::CaseAccepted, "", "accepted").await.unwrap();
        tx.commit().await.unwrap();
    }

    fn ids(views: &[CaseView]) -> Vec<&str> {
        views.iter().map(|v| v.case.id.as_str()).collect()
    }

    #[tokio::test]
    async fn cases_come_newest_first_in_pages_then_an_empty_next_cursor() {
        let (_dir, base) = base_at().await;
        case(&base, "a", 1_000).await;
        case(&base, "b", 2_000).await;
        case(&base, "c", 2_000).await;
        let ops = Actor::parse("ops", "o", "").unwrap();
        let req = ListRequest { limit: 2, ..Default::default() };
        let (first, next) = list(&base, &ops, &req).await.unwrap();
        assert_eq!(ids(&first), ["c", "b"], "newest first, the id breaking the tie");
        assert_eq!(first[0].items.len(), 1, "a summary carries its items");
        assert!(first[0].timeline.is_empty(), "but no timeline");
        let next = next.expect("a second page");
        let (second, last) = list(&base, &ops, &ListRequest { cursor: &next, ..req.clone() }).await.unwrap();
        assert_eq!(ids(&second), ["a"]);
        assert_eq!(last, None);
        let accepted = ListRequest { status: "accepted", department: "science-tech", ..Default::default() };
        assert_eq!(ids(&list(&base, &ops, &accepted).await.unwrap().0), ["c", "b", "a"]);
    }

    #[tokio::test]
    async fn unknown_filters_and_bad_paging_are_one_invalid_argument() {
        let (_dir, base) = base_at().await;
        let ops = Actor::parse("ops", "o", "").unwrap();
        let req = ListRequest { status: "pending", department: "police", limit: -1, cursor: "%%" };
        let Err(ServiceError::InvalidArgument(v)) = list(&base, &ops, &req).await else {
            panic!("InvalidArgument expected")
        };
        let got: Vec<(&str, &str)> = v.0.iter().map(|x| (x.field.as_str(), x.code.as_str())).collect();
        assert_eq!(
            got,
            [
                ("status", "unknown_value"),
                ("department", "unknown_value"),
                ("limit", "out_of_range"),
                ("cursor", "invalid_cursor")
            ]
        );
        assert!(v.0[1].message.contains("science-tech"), "{}", v.0[1].message);
    }
}
