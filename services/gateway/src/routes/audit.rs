//! The access log (API.md, Additions): every service keeps its own hash chain of who read
//! or decided what; these routes ask them all at once and merge the answers.
//!
//! - `GET /api/v1/audit?person=&case_id=&actor=&from=&to=&limit=&cursor=` (auditor);
//! - `GET /api/v1/audit/verify` (auditor): every chain walked, the first broken link named;
//! - `GET /api/v1/me/access-log` (foreigner): who read their data, when and why (each
//!   service decides which of its entries are the foreigner's).

use axum::Json;
use axum::extract::State;
use domain::Actor;
use futures::future::try_join_all;
use onething_proto::onething::audit::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Auditors, Auth, Foreigners, ListQuery, Query};
use crate::problem::{ListErrors, Problem, ReadErrors};
use crate::startup::AppState;
use crate::views::{Page, opt};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Whose data: the applicant's person key.
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub case_id: String,
    /// The actor's subject (an employer's credit code, a staff id, a service's name).
    #[serde(default)]
    pub actor: String,
    /// From this RFC 3339 time, or from the start of this date in Beijing.
    #[serde(default)]
    pub from: String,
    /// Up to this RFC 3339 time, or to the end of this date in Beijing.
    #[serde(default)]
    pub to: String,
    /// Page size: 1 to 200, 50 when absent.
    #[serde(default)]
    pub limit: Option<i32>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size: 1 to 200, 50 when absent.
    #[serde(default)]
    pub limit: Option<i32>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: String,
}

/// Who acted.
#[derive(Serialize, ToSchema)]
pub struct AuditActor {
    pub role: String,
    pub subject: String,
    pub department: Option<String>,
}

/// One entry of a service's access log.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    /// The entry's id (what `verify` names when the link is broken).
    pub id: String,
    /// Its number in the service's chain.
    pub seq: i64,
    /// RFC 3339 (UTC).
    pub at: String,
    pub service: String,
    pub actor: AuditActor,
    pub action: String,
    pub resource: String,
    pub case_id: Option<String>,
    /// The applicant's person key.
    pub person: Option<String>,
    /// The fields read or shared; empty for a whole record or none.
    pub fields: Vec<String>,
    pub purpose: Option<String>,
    /// `allowed`, `denied`, `not_found`, or a decision's result.
    pub outcome: String,
    pub hash: String,
    pub prev_hash: String,
}

impl From<pb::AuditEntry> for AuditEntry {
    fn from(e: pb::AuditEntry) -> Self {
        AuditEntry {
            id: e.id,
            seq: e.seq,
            at: platform::time::rfc3339(e.at_ms),
            service: e.service,
            actor: AuditActor { role: e.role, subject: e.subject, department: opt(&e.department) },
            action: e.action,
            resource: e.resource,
            case_id: opt(&e.case_id),
            person: opt(&e.person),
            fields: e.fields,
            purpose: opt(&e.purpose),
            outcome: e.outcome,
            hash: e.hash,
            prev_hash: e.prev_hash,
        }
    }
}

/// One read of the foreigner's data as they see it: which department, in which role, did
/// what, when and why (staff ids stay internal).
#[derive(Serialize, ToSchema)]
pub struct AccessLogEntry {
    /// RFC 3339 (UTC).
    pub at: String,
    pub service: String,
    pub role: String,
    pub department: Option<String>,
    pub action: String,
    pub case_id: Option<String>,
    pub fields: Vec<String>,
    pub purpose: Option<String>,
    pub outcome: String,
}

impl From<pb::AuditEntry> for AccessLogEntry {
    fn from(e: pb::AuditEntry) -> Self {
        AccessLogEntry {
            at: platform::time::rfc3339(e.at_ms),
            service: e.service,
            role: e.role,
            department: opt(&e.department),
            action: e.action,
            case_id: opt(&e.case_id),
            fields: e.fields,
            purpose: opt(&e.purpose),
            outcome: e.outcome,
        }
    }
}

/// Asks every service for a page and merges them newest first (then by service and seq,
/// the order the cursor names); the page ends where the first service's answer does.
async fn merged<T: ToSchema + From<pb::AuditEntry>>(
    state: &AppState,
    actor: &Actor,
    req: pb::ListEntriesRequest,
) -> Result<Page<T>, Problem> {
    let calls = state.clients.audit_logs().into_iter().map(|client| {
        let req = state.clients.request(actor, req.clone(), None);
        let mut client = client;
        async move { client.list_entries(req).await.map(tonic::Response::into_inner) }
    });
    let answers = try_join_all(calls).await?;
    let mut more = answers.iter().any(|a| a.more);
    let mut entries: Vec<pb::AuditEntry> = answers.into_iter().flat_map(|a| a.entries).collect();
    entries.sort_by(|a, b| (b.at_ms, &b.service, b.seq).cmp(&(a.at_ms, &a.service, a.seq)));
    let limit = if req.limit > 0 { req.limit as usize } else { platform::paging::DEFAULT_LIMIT as usize };
    more |= entries.len() > limit;
    entries.truncate(limit);
    let next = match entries.last() {
        Some(e) if more => platform::paging::encode(&[&e.at_ms.to_string(), &e.service, &e.seq.to_string()]),
        _ => String::new(),
    };
    Ok(Page::new(entries.into_iter().map(T::from).collect(), &next))
}

/// `GET /api/v1/audit` (auditor): the entries of every service's access log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), ListErrors))]
pub async fn list(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Auditors>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Page<AuditEntry>>, Problem> {
    let paging = ListQuery { limit: q.limit, cursor: q.cursor, ..ListQuery::default() };
    let req = pb::ListEntriesRequest {
        person: q.person,
        case_id: q.case_id,
        actor: q.actor,
        from: q.from,
        to: q.to,
        limit: paging.limit(),
        cursor: paging.cursor.clone(),
    };
    Ok(Json(merged(&state, &actor, req).await?))
}

/// `GET /api/v1/me/access-log` (foreigner): who read the foreigner's data, when and why.
#[utoipa::path(get, path = "/api/v1/me/access-log", tag = "foreigner", params(PageQuery),
    responses((status = 200, body = Page<AccessLogEntry>), ListErrors))]
pub async fn mine(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Foreigners>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<AccessLogEntry>>, Problem> {
    let paging = ListQuery { limit: q.limit, cursor: q.cursor, ..ListQuery::default() };
    let req = pb::ListEntriesRequest { limit: paging.limit(), cursor: paging.cursor.clone(), ..Default::default() };
    Ok(Json(merged(&state, &actor, req).await?))
}

/// One service's chain as verify found it.
#[derive(Serialize, ToSchema)]
pub struct Chain {
    pub service: String,
    pub ok: bool,
    /// Entries checked (those kept after pruning).
    pub entries: i64,
    /// The last entry's number and hash.
    pub head_seq: i64,
    pub head_hash: String,
    /// Entries up to this number were pruned past the retention period.
    pub anchor_seq: i64,
}

/// The first broken link of a chain.
#[derive(Serialize, ToSchema)]
pub struct BrokenLink {
    pub service: String,
    /// The entry's id, or `head` when the chain ends before its head.
    pub entry: String,
    pub seq: i64,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Verification {
    /// Every chain is whole.
    pub ok: bool,
    pub chains: Vec<Chain>,
    pub broken: Vec<BrokenLink>,
}

/// `GET /api/v1/audit/verify` (auditor): walks every service's chain; names each chain's
/// first broken link.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = Verification), ReadErrors))]
pub async fn verify(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Auditors>,
) -> Result<Json<Verification>, Problem> {
    let calls = state.clients.audit_logs().into_iter().map(|mut client| {
        let req = state.clients.request(&actor, pb::VerifyChainRequest {}, None);
        async move { client.verify_chain(req).await.map(tonic::Response::into_inner) }
    });
    let answers = try_join_all(calls).await?;
    let broken = answers
        .iter()
        .filter(|a| !a.ok)
        .map(|a| BrokenLink {
            service: a.service.clone(),
            entry: a.broken_entry.clone(),
            seq: a.broken_seq,
            reason: a.reason.clone(),
        })
        .collect::<Vec<_>>();
    let chains = answers
        .into_iter()
        .map(|a| Chain {
            service: a.service,
            ok: a.ok,
            entries: a.entries,
            head_seq: a.head_seq,
            head_hash: a.head_hash,
            anchor_seq: a.anchor_seq,
        })
        .collect();
    Ok(Json(Verification { ok: broken.is_empty(), chains, broken }))
}
