//! `OpsService`: the overview (ops, admin), the dead letters and their replay (admin).

use domain::{Actor, Role, Violations};
use onething_proto::onething::ops::v1 as pb;
use onething_proto::onething::ops::v1::ops_service_server::OpsService;
use platform::ServiceError;
use platform::audit::Audit;
use platform::identity::caller;
use platform::paging::{Page, ms_and_id};
use platform::time::{now_ms, rfc3339};
use tonic::{Request, Response, Status};
use tracing::{info, instrument};

use crate::overview::Overviews;
use crate::replay::{self, ReplayError};
use crate::store::{self, DeadLetterRow};

#[derive(Clone)]
pub struct Ops {
    pub overviews: Overviews,
}

fn operator(actor: &Actor) -> Result<(), ServiceError> {
    if actor.role.is_operator() {
        Ok(())
    } else {
        Err(ServiceError::PermissionDenied("the operations overview is for operators".into()))
    }
}

fn admin(actor: &Actor) -> Result<(), ServiceError> {
    if actor.is(Role::Admin) {
        Ok(())
    } else {
        Err(ServiceError::PermissionDenied("dead letters are handled by administrators".into()))
    }
}

pub fn dead_letter_pb(d: &DeadLetterRow) -> pb::DeadLetter {
    pb::DeadLetter {
        id: d.id.clone(),
        topic: d.topic.clone(),
        dlq_topic: d.dlq_topic.clone(),
        partition: d.partition_no as i32,
        offset: d.offset_no,
        key: d.record_key.clone(),
        ce_type: d.ce_type.clone(),
        ce_id: d.ce_id.clone(),
        reason: d.reason.clone(),
        consumer_group: d.consumer_group.clone(),
        payload_bytes: d.payload_bytes,
        dead_lettered_at: rfc3339(d.dead_lettered_at),
        replayed_at: d.replayed_at.map(rfc3339).unwrap_or_default(),
        replayed_by: d.replayed_by.clone().unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl OpsService for Ops {
    #[instrument(skip_all, name = "GetOverview")]
    async fn get_overview(
        &self,
        request: Request<pb::GetOverviewRequest>,
    ) -> Result<Response<pb::GetOverviewResponse>, Status> {
        let actor = caller(&request)?;
        operator(&actor)?;
        let minutes = match request.into_inner().minutes {
            0 => crate::overview::DEFAULT_WINDOW,
            m => i64::from(m),
        };
        let overview = self.overviews.get(minutes).await.map_err(ServiceError::from)?;
        let json = serde_json::to_string(&overview).map_err(|e| ServiceError::Internal(e.into()))?;
        Ok(Response::new(pb::GetOverviewResponse { json }))
    }

    #[instrument(skip_all, name = "ListDeadLetters")]
    async fn list_dead_letters(
        &self,
        request: Request<pb::ListDeadLettersRequest>,
    ) -> Result<Response<pb::ListDeadLettersResponse>, Status> {
        let actor = caller(&request)?;
        admin(&actor)?;
        let req = request.into_inner();
        let mut v = Violations::new();
        let topic = req.topic.trim();
        if !topic.is_empty() && !platform::events::ALL_TOPICS.contains(&topic) {
            v.push(
                "topic",
                "unknown_value",
                format!("topic must be one of {}", platform::events::ALL_TOPICS.join(", ")),
            );
        }
        let page = Page::read(&mut v, req.limit, &req.cursor, 2, ms_and_id);
        let Some((page, after)) = page.filter(|_| v.is_empty()) else { return Err(ServiceError::from(v).into()) };
        let rows = store::dead_letters(&self.overviews.base().db.pool, Some(topic), after, page.fetch())
            .await
            .map_err(ServiceError::from)?;
        let (rows, next) = page.finish(rows, |d| vec![d.dead_lettered_at.to_string(), d.id.clone()]);
        Ok(Response::new(pb::ListDeadLettersResponse {
            dead_letters: rows.iter().map(dead_letter_pb).collect(),
            next_cursor: next.unwrap_or_default(),
        }))
    }

    #[instrument(skip_all, name = "ReplayDeadLetter")]
    async fn replay_dead_letter(
        &self,
        request: Request<pb::ReplayDeadLetterRequest>,
    ) -> Result<Response<pb::ReplayDeadLetterResponse>, Status> {
        let actor = caller(&request)?;
        let id = request.into_inner().id;
        let base = self.overviews.base();
        let resource = format!("dead-letter/{id}");
        if let Err(e) = admin(&actor) {
            actor.audit(&base.db, "dead_letter.replay", &resource, "denied").await?;
            return Err(e.into());
        }
        let Some(row) = store::dead_letter(&base.db.pool, &id).await.map_err(ServiceError::from)? else {
            actor.audit(&base.db, "dead_letter.replay", &resource, "not_found").await?;
            return Err(ServiceError::not_found("dead letter", id).into());
        };
        if let Some(at) = row.replayed_at {
            actor.audit(&base.db, "dead_letter.replay", &resource, "already_replayed").await?;
            return Err(ServiceError::conflict(
                "already_replayed",
                resource,
                format!("dead letter {id} was replayed at {}", rfc3339(at)),
            )
            .into());
        }
        // Claimed, sent and (on failure) freed in a task of its own: a caller that goes away
        // (a timeout, a closed browser) cannot leave the dead letter claimed and unsent.
        let (base, who) = (base.clone(), actor.clone());
        let outcome = tokio::spawn(async move {
            if !store::mark_replayed(&base.db.pool, &row, now_ms(), &who.subject).await? {
                return Err(ServiceError::Aborted(format!("dead letter {} is being replayed by someone else", row.id)));
            }
            if let Err(e) = replay::replay(&base.settings.kafka, &row).await {
                store::unmark_replayed(&base.db.pool, &row.id).await?;
                who.audit(&base.db, "dead_letter.replay", &format!("dead-letter/{}", row.id), "failed").await?;
                return Err(match e {
                    ReplayError::Gone(_) => {
                        ServiceError::conflict("record_gone", format!("dead-letter/{}", row.id), e.to_string())
                    }
                    ReplayError::Broker(_) => ServiceError::Unavailable(e.to_string()),
                });
            }
            who.audit(&base.db, "dead_letter.replay", &format!("dead-letter/{}", row.id), "allowed").await?;
            info!(id = %row.id, topic = %row.topic, by = %who.subject, "dead letter replayed");
            Ok(store::dead_letter(&base.db.pool, &row.id).await?.unwrap_or(row))
        })
        .await
        .map_err(|e| ServiceError::Internal(e.into()))??;
        Ok(Response::new(pb::ReplayDeadLetterResponse { dead_letter: Some(dead_letter_pb(&outcome)) }))
    }
}
