//! `/api/v1/ops/*`: the operators' overview (ops, admin), live as server-sent events, and
//! the dead letters with their replay (admin). The figures are the ops service's.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use onething_proto::onething::ops::v1 as pb;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Admins, Auth, ListQuery, Operators, Query};
use crate::problem::{CommandErrors, ListErrors, Problem};
use crate::startup::AppState;
use crate::views::{Page, opt};

/// How often the stream pushes a new overview.
const PUSH_EVERY: Duration = Duration::from_secs(2);
/// A stream ends after this many pushes (10 minutes): the browser's EventSource reconnects
/// at once, and the caller is authenticated and authorised again (a session that ended
/// gets no more figures).
const PUSHES_PER_STREAM: u32 = 300;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// Minutes of event history: 1 to 1440, 60 when absent.
    #[serde(default)]
    pub minutes: Option<i32>,
}

async fn overview_json(state: &AppState, actor: &domain::Actor, minutes: i32) -> Result<Value, Problem> {
    let req = state.clients.request(actor, pb::GetOverviewRequest { minutes }, None);
    let json = state.clients.ops().get_overview(req).await?.into_inner().json;
    serde_json::from_str(&json).map_err(|e| Problem::from(tonic::Status::internal(e.to_string())))
}

fn minutes(q: &OverviewQuery) -> Result<i32, Problem> {
    match q.minutes {
        None => Ok(0),
        Some(m @ 1..=1440) => Ok(m),
        Some(_) => Err(Problem::invalid(vec![crate::problem::FieldError::new(
            "minutes",
            "out_of_range",
            "minutes must be between 1 and 1440",
        )])),
    }
}

/// `GET /api/v1/ops/overview` (ops, admin): event counts per type and minute, consumer lag
/// per group and partition, outbox backlog and oldest age per service, dead letters per
/// topic, and the case figures (by status, near and past due, 联办效能).
#[utoipa::path(get, path = "/api/v1/ops/overview", tag = "operations", params(OverviewQuery),
    responses((status = 200, description = "the overview (generated_at, events, consumer_lag, outbox, dead_letters, cases)", body = Object), ListErrors))]
pub async fn overview(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Operators>,
    Query(q): Query<OverviewQuery>,
) -> Result<Json<Value>, Problem> {
    Ok(Json(overview_json(&state, &actor, minutes(&q)?).await?))
}

/// `GET /api/v1/ops/stream` (ops, admin): the overview as server-sent events (`overview`),
/// pushed every 2 s; an `error` event says when the ops service does not answer, and the
/// stream goes on. It ends after 10 minutes; EventSource reconnects and is authorised anew.
#[utoipa::path(get, path = "/api/v1/ops/stream", tag = "operations", params(OverviewQuery),
    responses((status = 200, description = "text/event-stream: `event: overview` with the overview as data, every 2 s", body = String, content_type = "text/event-stream"), ListErrors))]
pub async fn stream(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Operators>,
    Query(q): Query<OverviewQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Problem> {
    let minutes = minutes(&q)?;
    let events = futures::stream::unfold((state, actor, 0u32), move |(state, actor, sent)| async move {
        if sent == PUSHES_PER_STREAM {
            return None;
        }
        if sent > 0 {
            tokio::time::sleep(PUSH_EVERY).await;
        }
        let event = match overview_json(&state, &actor, minutes).await {
            Ok(v) => Event::default().event("overview").data(v.to_string()),
            Err(p) => Event::default().event("error").data(serde_json::to_string(&p).unwrap_or_default()),
        };
        Some((Ok(event), (state, actor, sent + 1)))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// A record a consumer gave up on, as the ops service keeps it (no payload).
#[derive(Serialize, ToSchema)]
pub struct DeadLetter {
    pub id: String,
    /// The topic it was consumed from, and the dead-letter topic holding it.
    pub topic: String,
    pub dlq_topic: String,
    pub partition: i32,
    pub offset: i64,
    pub key: String,
    pub ce_type: Option<String>,
    pub ce_id: Option<String>,
    pub reason: String,
    pub consumer_group: Option<String>,
    pub payload_bytes: i64,
    pub dead_lettered_at: String,
    pub replayed_at: Option<String>,
    pub replayed_by: Option<String>,
}

impl From<pb::DeadLetter> for DeadLetter {
    fn from(d: pb::DeadLetter) -> Self {
        DeadLetter {
            id: d.id,
            topic: d.topic,
            dlq_topic: d.dlq_topic,
            partition: d.partition,
            offset: d.offset,
            key: d.key,
            ce_type: opt(&d.ce_type),
            ce_id: opt(&d.ce_id),
            reason: d.reason,
            consumer_group: opt(&d.consumer_group),
            payload_bytes: d.payload_bytes,
            dead_lettered_at: d.dead_lettered_at,
            replayed_at: opt(&d.replayed_at),
            replayed_by: opt(&d.replayed_by),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadLetterQuery {
    /// Only those of this original topic (e.g. `item-progressed`).
    #[serde(default)]
    pub topic: String,
    /// Page size: 1 to 200, 50 when absent.
    #[serde(default)]
    pub limit: Option<i32>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: String,
}

/// `GET /api/v1/ops/dead-letters?topic=&limit=&cursor=` (admin): newest first.
#[utoipa::path(get, path = "/api/v1/ops/dead-letters", tag = "operations", params(DeadLetterQuery),
    responses((status = 200, body = Page<DeadLetter>), ListErrors))]
pub async fn dead_letters(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Admins>,
    Query(q): Query<DeadLetterQuery>,
) -> Result<Json<Page<DeadLetter>>, Problem> {
    let list = ListQuery { limit: q.limit, cursor: q.cursor, ..ListQuery::default() };
    let req = pb::ListDeadLettersRequest { topic: q.topic, limit: list.limit(), cursor: list.cursor.clone() };
    let resp = state.clients.ops().list_dead_letters(state.clients.request(&actor, req, None)).await?.into_inner();
    Ok(Json(Page::new(resp.dead_letters.into_iter().map(DeadLetter::from).collect(), &resp.next_cursor)))
}

/// `POST /api/v1/ops/dead-letters/{id}/replay` (admin): the record goes back to its topic,
/// once (409 when already replayed); audited.
#[utoipa::path(post, path = "/api/v1/ops/dead-letters/{id}/replay", tag = "operations",
    params(("id" = String, Path)),
    responses((status = 200, body = DeadLetter), CommandErrors))]
pub async fn replay(
    State(state): State<AppState>,
    Auth(actor, ..): Auth<Admins>,
    Path(id): Path<String>,
) -> Result<Json<DeadLetter>, Problem> {
    let resp = state
        .clients
        .ops()
        .replay_dead_letter(state.clients.request(&actor, pb::ReplayDeadLetterRequest { id }, None))
        .await?;
    Ok(Json(DeadLetter::from(resp.into_inner().dead_letter.unwrap_or_default())))
}
