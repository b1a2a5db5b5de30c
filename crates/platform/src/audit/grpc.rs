//! `onething.audit.v1.AuditService`, served by every service with an access log
//! ([`crate::app::Base::launch`]): the auditor lists entries with any filter and verifies
//! the chain; a foreigner lists the entries about their own cases, which this service
//! finds with its own query ([`crate::app::Base::foreigner_cases`]).

use chrono::{DateTime, NaiveDate, NaiveTime};
use domain::{Actor, Role, Violations};
use onething_proto::onething::audit::v1 as pb;
use onething_proto::onething::audit::v1::audit_service_server::AuditService;
use tonic::{Request, Response, Status};

use super::{After, Entry, Filter};
use crate::ServiceError;
use crate::db::Db;
use crate::identity::caller;
use crate::paging::Page;

pub struct AuditServer {
    pub db: Db,
    /// Case ids of the foreigner whose work permit number is `$1` (`None`: this service
    /// keeps nothing a foreigner's case is found by).
    pub foreigner_cases: Option<&'static str>,
}

/// Beijing time is UTC+8 all year: a date filter means that day there.
const BEIJING_OFFSET_MS: i64 = 8 * 3600 * 1000;

/// `value` as epoch ms: an RFC 3339 time, or a date meaning the start of that day in
/// Beijing (`end_of_day`: its last millisecond). `None` for "".
fn instant(v: &mut Violations, field: &str, value: &str, end_of_day: bool) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.timestamp_millis());
    }
    if let Ok(d) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        let start = d.and_time(NaiveTime::MIN).and_utc().timestamp_millis() - BEIJING_OFFSET_MS;
        return Some(if end_of_day { start + 86_400_000 - 1 } else { start });
    }
    v.push(field, "invalid_format", format!("{value:?} is neither an RFC 3339 time nor a date (YYYY-MM-DD)"));
    None
}

/// A merged-log cursor: the `(at, service, seq)` of the last entry seen.
pub fn cursor_of(e: &Entry) -> String {
    crate::paging::encode(&[&e.at.to_string(), &e.service, &e.seq.to_string()])
}

fn after(key: &[String]) -> Option<After> {
    Some((key.first()?.parse().ok()?, key.get(1)?.clone(), key.get(2)?.parse().ok()?))
}

pub fn entry_pb((e, hash): (Entry, String)) -> pb::AuditEntry {
    pb::AuditEntry {
        seq: e.seq,
        id: e.id,
        at_ms: e.at,
        service: e.service,
        role: e.actor_role,
        subject: e.actor_subject,
        department: e.actor_department,
        action: e.action,
        resource: e.resource,
        case_id: e.case_id,
        person: e.person,
        fields: e.fields.split(',').filter(|f| !f.is_empty()).map(str::to_string).collect(),
        purpose: e.purpose,
        outcome: e.outcome,
        prev_hash: e.prev_hash,
        hash,
    }
}

impl AuditServer {
    async fn own_cases(&self, actor: &Actor) -> Result<Vec<String>, ServiceError> {
        let Some(sql) = self.foreigner_cases else { return Ok(Vec::new()) };
        // A foreigner's subject is their work permit number: letters and digits only.
        if actor.subject.is_empty() || !actor.subject.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Ok(Vec::new());
        }
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&actor.subject)
            .fetch_all(&self.db.pool)
            .await
            .map_err(ServiceError::from)?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    async fn list(&self, actor: &Actor, req: &pb::ListEntriesRequest) -> Result<pb::ListEntriesResponse, ServiceError> {
        let cases = match actor.role {
            Role::Auditor => None,
            Role::Foreigner => Some(self.own_cases(actor).await?),
            _ => return Err(ServiceError::PermissionDenied("the access log is for auditors".into())),
        };
        let mut v = Violations::new();
        let from_ms = instant(&mut v, "from", &req.from, false);
        let to_ms = instant(&mut v, "to", &req.to, true);
        if let (Some(f), Some(t)) = (from_ms, to_ms)
            && f > t
        {
            v.push("to", "out_of_range", "to is before from");
        }
        let page = Page::read(&mut v, req.limit, &req.cursor, 3, after);
        let Some((page, after)) = page.filter(|_| v.is_empty()) else { return Err(v.into()) };
        let filter = Filter {
            person: req.person.trim().into(),
            case_id: req.case_id.trim().into(),
            actor: req.actor.trim().into(),
            from_ms,
            to_ms,
            cases,
        };
        let mut rows = super::list(&self.db, &filter, after.as_ref(), page.fetch()).await?;
        let more = rows.len() > page.limit as usize;
        rows.truncate(page.limit as usize);
        Ok(pb::ListEntriesResponse { entries: rows.into_iter().map(entry_pb).collect(), more })
    }
}

#[tonic::async_trait]
impl AuditService for AuditServer {
    async fn list_entries(
        &self,
        request: Request<pb::ListEntriesRequest>,
    ) -> Result<Response<pb::ListEntriesResponse>, Status> {
        let actor = caller(&request)?;
        Ok(Response::new(self.list(&actor, request.get_ref()).await?))
    }

    async fn verify_chain(
        &self,
        request: Request<pb::VerifyChainRequest>,
    ) -> Result<Response<pb::VerifyChainResponse>, Status> {
        let actor = caller(&request)?;
        if !actor.is(Role::Auditor) {
            return Err(ServiceError::PermissionDenied("verifying the access log is for auditors".into()).into());
        }
        let r = super::verify(&self.db).await.map_err(ServiceError::from)?;
        let broken = r.broken.unwrap_or_else(|| super::Broken { entry: String::new(), seq: 0, reason: String::new() });
        Ok(Response::new(pb::VerifyChainResponse {
            service: r.head.service,
            ok: broken.entry.is_empty(),
            entries: r.entries,
            head_seq: r.head.seq,
            head_hash: r.head.hash,
            anchor_seq: r.head.anchor_seq,
            broken_entry: broken.entry,
            broken_seq: broken.seq,
            reason: broken.reason,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_beijing_days_and_times_are_rfc_3339() {
        let mut v = Violations::new();
        // 2026-12-01 00:00 in Beijing is 2026-11-30T16:00Z.
        assert_eq!(instant(&mut v, "from", "2026-12-01", false), Some(1_796_054_400_000));
        assert_eq!(instant(&mut v, "to", "2026-12-01", true), Some(1_796_054_400_000 + 86_400_000 - 1));
        assert_eq!(instant(&mut v, "from", "2026-11-30T16:00:00Z", false), Some(1_796_054_400_000));
        assert_eq!(instant(&mut v, "from", "", false), None);
        assert!(v.is_empty());
        assert_eq!(instant(&mut v, "to", "yesterday", true), None);
        assert_eq!(v.0[0].field, "to");
    }
}
