//! Showing cases: one case ([`get`]) or a page of them ([`list`]), each trimmed to what the
//! caller may see ([`authorize_view`]).

use std::collections::BTreeMap;

use domain::case::{CaseStatus, Department, Item};
use domain::{Actor, Role};
use platform::ServiceError;
use platform::app::Base;
use platform::audit::{Access, Audit, Purpose};
use platform::paging::{Page, known};

use crate::store::{self, CaseView, ListFilter};

/// Who may see a case: its employer, staff of a department that owns one of its items,
/// operators and administrators. Staff see only their own department's items.
pub async fn get(base: &Base, actor: &Actor, id: &str) -> Result<CaseView, ServiceError> {
    let mut view = store::get_case(&base.db.pool, id).await?.ok_or_else(|| ServiceError::not_found("case", id))?;
    authorize_view(actor, &mut view)?;
    audit_reads(base, actor, std::slice::from_ref(&view)).await?;
    Ok(view)
}

/// One access-log entry per case shown (whose data, why), in one transaction.
pub(crate) async fn audit_reads(base: &Base, actor: &Actor, views: &[CaseView]) -> Result<(), ServiceError> {
    let purpose = Purpose::of(actor.role).as_str();
    let resources: Vec<String> = views.iter().map(|v| format!("case/{}", v.case.id)).collect();
    let accesses: Vec<Access> = views
        .iter()
        .zip(&resources)
        .map(|(v, resource)| Access {
            action: "case.read",
            resource,
            case_id: Some(&v.case.id),
            person: Some(&v.case.person_key).filter(|k| !k.is_empty()).map(String::as_str),
            purpose: Some(purpose),
            outcome: "allowed",
            ..Access::default()
        })
        .collect();
    actor.audit_accesses(&base.db, &accesses).await
}

/// Trims `view` to what `actor` may see, or refuses it: a case that is not the caller's
/// (another employer's, one without an item of the caller's department, another
/// foreigner's) is NOT_FOUND, exactly like one that does not exist.
pub(super) fn authorize_view(actor: &Actor, view: &mut CaseView) -> Result<(), ServiceError> {
    let id = view.case.id.clone();
    let not_yours = || ServiceError::not_found("case", &id);
    // Files are listed to those who may read them (materials::open): the employer and staff.
    if !(actor.is(Role::Employer) || actor.role.is_staff()) {
        view.materials.clear();
    }
    match actor.role {
        Role::Employer if view.case.employer_credit_code == actor.subject => Ok(()),
        Role::Employer => Err(not_yours()),
        Role::Ops | Role::Admin => Ok(()),
        Role::Reviewer | Role::Officer => {
            if !view.items.iter().any(|i| i.department == actor.department_str()) {
                return Err(not_yours());
            }
            view.items.retain(|i| i.department == actor.department_str());
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
            if own { Ok(()) } else { Err(not_yours()) }
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
    audit_reads(base, actor, &views).await?;
    Ok((views, next))
}

#[cfg(test)]
mod list_tests {

    use domain::case::{ItemStatus, TimelineEvent};
    use platform::config::DatabaseSettings;
    use platform::db::Db;

    use super::*;
    use crate::store::CaseRow;

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
        let base = Base::with_db("service-center", db);
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
            person_key: "p".into(),
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
