//! Queue tickets (lấy số thứ tự) and counter ratings (domain.md §11): the kiosk issues tickets,
//! counters call them in the fair order of `motcua_domain::queue::order`, the board shows the
//! numbers called, leaders read waiting/service times and ratings per officer.
//!
//! The functions under the handlers are shared with the pages (`crate::ui::queue`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use motcua_domain::ErrorCode;
use motcua_domain::dossier::{Actor, Role};
use motcua_domain::queue::metrics::QueueMetrics;
use motcua_domain::queue::rating::OfficerRating;
use motcua_domain::queue::{Counter, CounterGroup, Step, Ticket};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{parse_date, parse_instant};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Officer};
use motcua_app::queue;

pub use motcua_app::queue::RATING_TOKEN_MINUTES;

/// A ticket as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub id: String,
    /// Printed number, e.g. A001.
    pub number: String,
    pub group: String,
    /// elderly | disability | pregnant | young_child, or null.
    pub priority: Option<String>,
    /// RFC 3339 UTC.
    pub issued_at: String,
    /// waiting | called | serving | done | skipped
    pub state: String,
    pub counter: Option<String>,
    pub officer: Option<String>,
    pub called_at: Option<String>,
    pub done_at: Option<String>,
    pub calls: u32,
    pub transferred_from: Option<String>,
    pub dossier: Option<String>,
    /// On issue: tickets of the same class waiting ahead (an estimate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_before: Option<i64>,
    /// On `done` for a returned, unrated dossier: the one-time tablet rating address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating_url: Option<String>,
}

impl TicketView {
    pub fn of(t: &Ticket) -> TicketView {
        TicketView {
            id: t.id.clone(),
            number: t.number.clone(),
            group: t.group.clone(),
            priority: t.priority.map(|p| p.as_str().to_owned()),
            issued_at: motcua_store::format_ts(t.issued_at),
            state: t.state.as_str().to_owned(),
            counter: t.counter.clone(),
            officer: t.officer.clone(),
            called_at: t.called_at.map(motcua_store::format_ts),
            done_at: t.done_at.map(motcua_store::format_ts),
            calls: t.calls,
            transferred_from: t.transferred_from.clone(),
            dossier: t.dossier.as_ref().map(ToString::to_string),
            waiting_before: None,
            rating_url: None,
        }
    }
}

/// Kiosk request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// Counter group code.
    pub group: String,
    /// elderly | disability | pregnant | young_child; absent for a normal ticket.
    #[serde(default)]
    pub priority: Option<String>,
}

/// Issues a ticket (shared with the kiosk page).
pub(crate) async fn issue(state: &AppState, group: &str, priority: &str) -> ApiResult<TicketView> {
    let (t, ahead) = queue::issue(state, group, priority).await?;
    let mut v = TicketView::of(&t);
    v.waiting_before = Some(ahead);
    Ok(v)
}

#[utoipa::path(post, path = "/api/v1/queue/tickets", tag = "queue", request_body = IssueRequest,
    responses((status = 201, body = TicketView, description = "the ticket, with waiting_before"),
        (status = 400, body = crate::error::ErrorBody, description = "invalid_priority, invalid_json"),
        (status = 404, body = crate::error::ErrorBody, description = "unknown group")))]
pub async fn create_ticket(
    State(state): State<AppState>,
    ApiJson(r): ApiJson<IssueRequest>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    Ok((StatusCode::CREATED, Json(issue(&state, &r.group, r.priority.as_deref().unwrap_or("")).await?)))
}

#[utoipa::path(get, path = "/api/v1/queue/tickets/{id}", tag = "queue", params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_ticket(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<TicketView>> {
    Ok(Json(TicketView::of(&state.store.ticket(&id).await?)))
}

#[utoipa::path(post, path = "/api/v1/queue/counters/{id}/call", tag = "queue", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = TicketView, description = "the ticket called"),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody, description = "queue_empty, or unknown counter"),
        (status = 422, body = crate::error::ErrorBody, description = "counter_busy")))]
pub async fn call_next(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(TicketView::of(&queue::call(&state, &officer.actor(), &id).await?)))
}

/// An action on a called ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketAction {
    /// recall | serve | skip | requeue | transfer | done
    pub action: String,
    /// The counter the officer works at.
    pub counter: String,
    /// transfer: the target group.
    #[serde(default)]
    pub group: Option<String>,
    /// done: the dossier received from this ticket (or whose result was returned).
    #[serde(default)]
    pub dossier: Option<String>,
}

/// Applies a ticket action (shared with the counter page).
pub(crate) async fn step(state: &AppState, actor: &Actor, id: &str, a: &TicketAction) -> ApiResult<TicketView> {
    let step = match a.action.as_str() {
        "recall" => Step::Recall,
        "serve" => Step::Serve,
        "skip" => Step::Skip,
        "requeue" => Step::Requeue,
        "done" => Step::Done,
        "transfer" => match a.group.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
            Some(g) => Step::Transfer { to: g.to_owned() },
            None => {
                return Err(ApiError::bad_request(
                    ErrorCode::MissingGroup,
                    "transfer needs 'group'",
                    "cần chọn nhóm quầy nhận chuyển",
                ));
            }
        },
        other => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidAction,
                format!("unknown ticket action '{other}'"),
                format!("thao tác '{other}' không hợp lệ"),
            ));
        }
    };
    let done = queue::step(state, actor, id, &a.counter, step, a.dossier.as_deref()).await?;
    let mut v = TicketView::of(&done.ticket);
    v.rating_url = done.rating_token.map(|token| format!("/danh-gia/{}?t={token}", done.ticket.id));
    Ok(v)
}

#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/actions", tag = "queue", params(("id" = String, Path)),
    request_body = TicketAction, security(("bearer" = [])),
    responses((status = 200, body = TicketView),
        (status = 400, body = crate::error::ErrorBody, description = "invalid_action, missing_group, unexpected_dossier"),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody, description = "invalid_ticket_state, not_this_counter, same_group, other_unit, dossier_other_unit")))]
pub async fn ticket_action(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    ApiJson(a): ApiJson<TicketAction>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(step(&state, &officer.actor(), &id, &a).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UnitQuery {
    /// One-stop unit code.
    pub unit: Option<String>,
}

/// One line of the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardLine {
    pub number: String,
    pub priority: Option<String>,
    pub state: String,
    pub counter: String,
    pub counter_name: String,
    pub group: String,
    pub called_at: String,
}

/// Waiting count of a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupWaiting {
    pub group: String,
    pub name: String,
    pub waiting: i64,
}

/// The display board.
#[derive(Debug, Serialize, ToSchema)]
pub struct Board {
    pub unit: String,
    pub called: Vec<BoardLine>,
    pub waiting: Vec<GroupWaiting>,
}

/// The board of a unit (default: the provincial center).
pub(crate) async fn board_of(state: &AppState, unit: Option<&str>) -> ApiResult<Board> {
    let (unit, called, waiting) = queue::board(state, unit).await?;
    Ok(Board {
        unit,
        called: called
            .into_iter()
            .map(|r| BoardLine {
                number: r.number,
                priority: r.priority.map(|p| p.as_str().to_owned()),
                state: r.state.as_str().to_owned(),
                counter: r.counter,
                counter_name: r.counter_name,
                group: r.group,
                called_at: motcua_store::format_ts(r.called_at),
            })
            .collect(),
        waiting: waiting
            .into_iter()
            .map(|w| GroupWaiting { group: w.group, name: w.name, waiting: w.waiting })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/queue/board", tag = "queue", params(UnitQuery),
    responses((status = 200, body = Board, description = "numbers being called or served today, latest first")))]
pub async fn board(State(state): State<AppState>, ApiQuery(q): ApiQuery<UnitQuery>) -> ApiResult<Json<Board>> {
    Ok(Json(board_of(&state, q.unit.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/queue/groups", tag = "queue", params(UnitQuery),
    responses((status = 200, body = [Object], description = "counter groups {code, unit, name, fields, prefix, max_priority_run}")))]
pub async fn groups(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> ApiResult<Json<Vec<CounterGroup>>> {
    Ok(Json(state.store.queue_groups(q.unit.as_deref()).await?))
}

#[utoipa::path(put, path = "/api/v1/queue/groups/{code}", tag = "queue", params(("code" = String, Path)),
    request_body = Object, security(("bearer" = [])),
    responses((status = 200, body = Object, description = "the group"), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn put_group(
    State(state): State<AppState>,
    officer: Officer,
    Path(code): Path<String>,
    ApiJson(g): ApiJson<CounterGroup>,
) -> ApiResult<Json<CounterGroup>> {
    Ok(Json(queue::put_group(&state, &officer.actor(), &code, g).await?))
}

#[utoipa::path(put, path = "/api/v1/queue/counters/{id}", tag = "queue", params(("id" = String, Path)),
    request_body = Object, security(("bearer" = [])),
    responses((status = 200, body = Object, description = "the counter {id, name, group}"),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn put_counter(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    ApiJson(c): ApiJson<Counter>,
) -> ApiResult<Json<Counter>> {
    Ok(Json(queue::put_counter(&state, &officer.actor(), &id, c).await?))
}

/// Units whose figures `o` may read, with `roles`; empty = everything (system administrator).
pub(crate) fn readable_units(o: &Officer, roles: &[Role]) -> ApiResult<Vec<String>> {
    if o.has_role(Role::SystemAdmin) {
        return Ok(vec![]);
    }
    let mut units: Vec<String> =
        o.0.roles.iter().filter(|(_, r)| roles.contains(r)).map(|(u, _)| u.to_string()).collect();
    units.sort();
    units.dedup();
    if units.is_empty() {
        return Err(ApiError::forbidden("you may not read these figures", "bạn không có quyền xem số liệu này"));
    }
    Ok(units)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MetricsQuery {
    /// Local date YYYY-MM-DD (default today in UTC+7).
    pub date: Option<String>,
}

/// Queue metrics of a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct Metrics {
    pub date: String,
    /// {total, by_counter, by_officer, by_hour}: each {tickets, called, done, skipped, waiting,
    /// avg_wait_seconds, max_wait_seconds, avg_service_seconds}.
    #[schema(value_type = Object)]
    pub metrics: QueueMetrics,
}

#[utoipa::path(get, path = "/api/v1/queue/metrics", tag = "queue", params(MetricsQuery), security(("bearer" = [])),
    responses((status = 200, body = Metrics), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    officer: Officer,
    ApiQuery(q): ApiQuery<MetricsQuery>,
) -> ApiResult<Json<Metrics>> {
    let units = readable_units(&officer, &[Role::Receiver, Role::Leader, Role::CenterAdmin])?;
    let day = match q.date.as_deref() {
        Some(d) => parse_date("date", d)?,
        None => state.today(),
    };
    Ok(Json(Metrics { date: motcua_store::format_date(day), metrics: state.store.queue_metrics(&units, day).await? }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RatingsQuery {
    /// RFC 3339 instant (inclusive).
    pub from: String,
    /// RFC 3339 instant (exclusive).
    pub to: String,
}

/// Ratings per officer.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficerRatings {
    pub from: String,
    pub to: String,
    /// Each {officer, ratings, average, satisfied, disliked, attitude_points, attitude_max,
    /// satisfaction_rate}.
    #[schema(value_type = Vec<Object>)]
    pub officers: Vec<OfficerRating>,
}

#[utoipa::path(get, path = "/api/v1/ratings/officers", tag = "queue", params(RatingsQuery), security(("bearer" = [])),
    responses((status = 200, body = OfficerRatings), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn ratings(
    State(state): State<AppState>,
    officer: Officer,
    ApiQuery(q): ApiQuery<RatingsQuery>,
) -> ApiResult<Json<OfficerRatings>> {
    let units = readable_units(&officer, &[Role::Leader, Role::CenterAdmin])?;
    let from = parse_instant("from", &q.from)?;
    let to = parse_instant("to", &q.to)?;
    if to <= from {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidPeriod,
            "'to' must be after 'from'",
            "'to' phải sau 'from'",
        ));
    }
    Ok(Json(OfficerRatings {
        from: motcua_store::format_ts(from),
        to: motcua_store::format_ts(to),
        officers: queue::officer_ratings(&state, &units, from, to).await?,
    }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/queue/groups", get(groups))
        .route("/api/v1/queue/groups/{code}", put(put_group))
        .route("/api/v1/queue/counters/{id}", put(put_counter))
        .route("/api/v1/queue/counters/{id}/call", post(call_next))
        .route("/api/v1/queue/tickets", post(create_ticket))
        .route("/api/v1/queue/tickets/{id}", get(get_ticket))
        .route("/api/v1/queue/tickets/{id}/actions", post(ticket_action))
        .route("/api/v1/queue/board", get(board))
        .route("/api/v1/queue/metrics", get(metrics))
        .route("/api/v1/ratings/officers", get(ratings))
}
