//! A department's permit desk: applications arrive from `case-accepted`, reviewers decide.

use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use domain::Violations;
use domain::case::{Category, Department};
use onething_proto::events as ev;
use platform::ServiceError;
use platform::app::Base;
use platform::events::consumer::{Context, Handler, HandlerError};
use platform::grpc::Actor;
use platform::time::{now_ms, now_rfc3339, today_cst};
use prost::Message;

use crate::rules;
use crate::store::{self, Decision, PermitRow};

#[derive(Clone)]
pub struct PermitDesk {
    pub base: Base,
    pub department: Department,
}

/// A reviewer's decision, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermitDecision {
    Approve,
    Refuse { reasons: Vec<String> },
}

impl PermitDecision {
    pub fn parse(decision: &str, reasons: &[String]) -> Result<PermitDecision, Violations> {
        let mut v = Violations::new();
        match decision {
            "approve" => return Ok(PermitDecision::Approve),
            "refuse" => {
                let reasons: Vec<String> =
                    reasons.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
                if reasons.is_empty() {
                    v.push("reasons", "required", "a refusal states its reasons in writing");
                } else {
                    return Ok(PermitDecision::Refuse { reasons });
                }
            }
            "supplement" => {
                v.push("decision", "not_supported", "supplement requests are not handled by this version yet")
            }
            "" => v.push("decision", "required", "decision is required: approve or refuse"),
            other => {
                v.push("decision", "unknown_value", format!("{other:?} is not one of approve, refuse, supplement"))
            }
        }
        Err(v)
    }
}

impl PermitDesk {
    pub fn new(base: Base, department: Department) -> PermitDesk {
        PermitDesk { base, department }
    }

    fn owns(&self, category: Category) -> bool {
        category.department() == self.department
    }

    pub async fn get(&self, actor: &Actor, case_id: &str) -> Result<PermitRow, ServiceError> {
        if !(actor.is_staff_of(self.department.as_str()) || actor.is("ops") || actor.is("admin")) {
            return Err(ServiceError::PermissionDenied(format!(
                "only staff of {} may read its permits",
                self.department
            )));
        }
        store::get(&self.base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("work permit", case_id))
    }

    /// Records a decision. A reviewer of another department is refused; a decided permit
    /// cannot be decided again.
    pub async fn decide(
        &self,
        actor: &Actor,
        case_id: &str,
        decision: PermitDecision,
    ) -> Result<PermitRow, ServiceError> {
        if !(actor.is("reviewer") && actor.department == self.department.as_str()) {
            actor.audit(&self.base.db, "permit.decide", &format!("case/{case_id}"), "denied").await?;
            return Err(ServiceError::PermissionDenied(format!(
                "only a reviewer of {} may decide this permit",
                self.department
            )));
        }
        let row = store::get(&self.base.db.pool, case_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("work permit", case_id))?;
        if row.status != "in_review" {
            return Err(ServiceError::conflict(
                "already_decided",
                format!("case/{case_id}"),
                format!("the work permit is already {}", row.status),
            ));
        }
        let application = decode_application(&row.application)?;
        let category: Category = row.category.parse().map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
        let now = now_ms();
        let decided_at = platform::time::rfc3339(now);
        let mut tx = self.base.db.pool.begin().await?;
        let won = match &decision {
            PermitDecision::Approve => {
                let (from, until) = validity_of(category, &application)?;
                let year = today_cst().year();
                let serial = store::next_serial(&mut tx, &format!("{}-{year}", self.department)).await?;
                let number = rules::permit_number(category, year, serial);
                let won = store::decide(
                    &mut tx,
                    case_id,
                    &Decision {
                        status: "approved",
                        permit_number: Some(&number),
                        valid_from: Some(from.to_string()),
                        valid_until: Some(until.to_string()),
                        reasons: &[],
                        decided_at: now,
                        decided_by: &actor.subject,
                    },
                )
                .await?;
                let event = ev::PermitApproved {
                    case_id: case_id.into(),
                    department: self.department.as_str().into(),
                    permit_number: number,
                    category: category.as_str().into(),
                    valid_from: from.to_string(),
                    valid_until: until.to_string(),
                    items: application.items.clone(),
                    employer: application.employer.clone(),
                    applicant: application.applicant.clone(),
                    position: application.position.clone(),
                    decided_at: decided_at.clone(),
                };
                self.base.outbox.enqueue(&mut tx, case_id, &event).await?;
                won
            }
            PermitDecision::Refuse { reasons } => {
                let won = store::decide(
                    &mut tx,
                    case_id,
                    &Decision {
                        status: "refused",
                        permit_number: None,
                        valid_from: None,
                        valid_until: None,
                        reasons,
                        decided_at: now,
                        decided_by: &actor.subject,
                    },
                )
                .await?;
                let event = ev::PermitRefused {
                    case_id: case_id.into(),
                    department: self.department.as_str().into(),
                    reasons: reasons.clone(),
                    decided_at: decided_at.clone(),
                };
                self.base.outbox.enqueue(&mut tx, case_id, &event).await?;
                won
            }
        };
        if !won {
            tx.rollback().await?;
            return Err(ServiceError::conflict(
                "already_decided",
                format!("case/{case_id}"),
                "the work permit was decided meanwhile",
            ));
        }
        tx.commit().await?;
        self.base.outbox.wake();
        let outcome = if matches!(decision, PermitDecision::Approve) { "approved" } else { "refused" };
        actor.audit(&self.base.db, "permit.decide", &format!("case/{case_id}"), outcome).await?;
        tracing::info!(case_id, department = %self.department, outcome, "work permit decided");
        store::get(&self.base.db.pool, case_id).await?.ok_or_else(|| ServiceError::not_found("work permit", case_id))
    }
}

fn decode_application(b64: &str) -> Result<ev::CaseAccepted, ServiceError> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|e| ServiceError::Internal(e.into()))?;
    ev::CaseAccepted::decode(bytes.as_slice()).map_err(|e| ServiceError::Internal(e.into()))
}

fn validity_of(category: Category, a: &ev::CaseAccepted) -> Result<(NaiveDate, NaiveDate), ServiceError> {
    let position = a.position.clone().unwrap_or_default();
    let applicant = a.applicant.clone().unwrap_or_default();
    let parse =
        |s: &str| s.parse::<NaiveDate>().map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored date {s:?}: {e}")));
    Ok(rules::validity(
        category,
        today_cst(),
        parse(&position.start_date)?,
        position.contract_months.max(0) as u32,
        parse(&applicant.passport_expiry)?,
    ))
}

/// Opens the application when the case's category belongs to this department.
#[async_trait]
impl Handler<ev::CaseAccepted> for PermitDesk {
    async fn handle(&self, e: ev::CaseAccepted, cx: Context<'_>) -> Result<(), HandlerError> {
        let category: Category = e.category.parse().map_err(|err| HandlerError::Reject(anyhow::anyhow!("{err}")))?;
        if !self.owns(category) {
            return Ok(());
        }
        use base64::Engine as _;
        let row = PermitRow {
            case_id: e.case_id.clone(),
            case_no: e.case_no.clone(),
            department: self.department.as_str().into(),
            category: category.as_str().into(),
            status: "in_review".into(),
            application: base64::engine::general_purpose::STANDARD.encode(e.encode_to_vec()),
            permit_number: None,
            valid_from: None,
            valid_until: None,
            reasons: "[]".into(),
            opened_at: now_ms(),
            decided_at: None,
        };
        if store::open(cx.tx, &row).await? {
            let opened = ev::PermitApplicationOpened {
                case_id: e.case_id.clone(),
                department: self.department.as_str().into(),
                opened_at: now_rfc3339(),
            };
            cx.outbox.enqueue(cx.tx, &e.case_id, &opened).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_parse_with_every_problem_named() {
        assert_eq!(PermitDecision::parse("approve", &[]).unwrap(), PermitDecision::Approve);
        assert_eq!(
            PermitDecision::parse("refuse", &[" salary below minimum ".into()]).unwrap(),
            PermitDecision::Refuse { reasons: vec!["salary below minimum".into()] }
        );
        assert_eq!(PermitDecision::parse("refuse", &["  ".into()]).unwrap_err().0[0].field, "reasons");
        assert_eq!(PermitDecision::parse("maybe", &[]).unwrap_err().0[0].code, "unknown_value");
    }
}
