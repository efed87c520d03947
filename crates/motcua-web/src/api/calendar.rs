//! Working-calendar endpoints: deadlines, holidays, working time between instants, and yearly
//! announcements (admin).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_domain::ErrorCode;
use motcua_domain::calendar::WorkingTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::parse_instant;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Officer};
use crate::views::local;

#[derive(Deserialize, IntoParams)]
pub struct DeadlineQuery {
    /// Start instant, RFC 3339 with offset.
    pub start: String,
    /// Duration in working days (fractional allowed; 1 day = 8 working hours).
    pub working_days: Option<f64>,
    /// Duration in working hours.
    pub working_hours: Option<f64>,
    /// Unit whose calendar to use (default: the default center's).
    pub unit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineResponse {
    pub start: String,
    /// When the clock starts (the next working instant at or after `start`).
    pub clock_start: String,
    pub due_at: String,
    pub working_seconds: i64,
}

/// Resolves the calendar for an optional `unit` parameter; an unknown unit is a 404.
async fn calendar_for(
    state: &AppState,
    unit: Option<&str>,
) -> ApiResult<std::sync::Arc<motcua_domain::calendar::Calendar>> {
    if let Some(u) = unit {
        state.store.unit(u).await.map_err(|_| ApiError::not_found(&format!("unit '{u}'"), &format!("đơn vị '{u}'")))?;
    }
    Ok(state.calendars.get(unit))
}

#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar", params(DeadlineQuery),
    responses((status = 200, body = DeadlineResponse), (status = 400, body = crate::error::ErrorBody)))]
pub async fn deadline(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult<Json<DeadlineResponse>> {
    let start = parse_instant("start", &q.start)?;
    let bad = || {
        ApiError::bad_request(
            ErrorCode::InvalidDuration,
            "give exactly one of working_days or working_hours, a non-negative number (at most 10000 days)",
            "cần đúng một trong working_days hoặc working_hours, là số không âm (tối đa 10000 ngày)",
        )
    };
    let d = match (q.working_days, q.working_hours) {
        (Some(d), None) => WorkingTime::from_days(d).map_err(|_| bad())?,
        (None, Some(h)) => WorkingTime::from_hours(h).map_err(|_| bad())?,
        _ => return Err(bad()),
    };
    let cal = calendar_for(&state, q.unit.as_deref()).await?;
    Ok(Json(DeadlineResponse {
        start: local(start),
        clock_start: local(cal.receipt_instant(start)),
        due_at: local(cal.add(start, d)),
        working_seconds: d.seconds(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct HolidayQuery {
    pub year: i32,
    pub unit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HolidayItem {
    pub date: String,
    pub name: String,
    /// `holiday` (day off) or `workday` (swapped working Saturday).
    pub kind: String,
}

#[utoipa::path(get, path = "/api/v1/calendar/holidays", tag = "calendar", params(HolidayQuery),
    responses((status = 200, body = [HolidayItem]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn holidays(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<HolidayQuery>,
) -> ApiResult<Json<Vec<HolidayItem>>> {
    if !(1900..=2199).contains(&q.year) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidYear,
            "year must be between 1900 and 2199",
            "năm phải trong khoảng 1900–2199",
        ));
    }
    let cal = calendar_for(&state, q.unit.as_deref()).await?;
    Ok(Json(
        cal.holidays(q.year)
            .into_iter()
            .map(|h| HolidayItem {
                date: h.date.to_string(),
                name: h.name,
                kind: match h.kind {
                    motcua_domain::calendar::DayKind::Holiday => "holiday".into(),
                    motcua_domain::calendar::DayKind::Workday => "workday".into(),
                },
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct BetweenQuery {
    pub from: String,
    pub to: String,
    pub unit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BetweenResponse {
    pub working_seconds: i64,
    pub working_hours: f64,
    pub working_days: f64,
}

#[utoipa::path(get, path = "/api/v1/calendar/working-time", tag = "calendar", params(BetweenQuery),
    responses((status = 200, body = BetweenResponse), (status = 400, body = crate::error::ErrorBody)))]
pub async fn working_time(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<BetweenQuery>,
) -> ApiResult<Json<BetweenResponse>> {
    let (a, b) = (parse_instant("from", &q.from)?, parse_instant("to", &q.to)?);
    let cal = calendar_for(&state, q.unit.as_deref()).await?;
    let w = cal.between(a, b);
    Ok(Json(BetweenResponse {
        working_seconds: w.seconds(),
        working_hours: w.seconds() as f64 / 3600.0,
        working_days: w.days(),
    }))
}

/// A yearly announcement in TOML (same format as `data/holidays/YYYY.toml`).
#[derive(Deserialize, ToSchema)]
pub struct AnnouncementRequest {
    pub toml: String,
}

#[utoipa::path(post, path = "/api/v1/calendar/announcements", tag = "calendar", request_body = AnnouncementRequest, security(("bearer" = [])),
    responses((status = 201, description = "stored; calendars reloaded"), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn add_announcement(
    State(state): State<AppState>,
    officer: Officer,
    ApiJson(req): ApiJson<AnnouncementRequest>,
) -> ApiResult<StatusCode> {
    motcua_app::calendar::add_announcement(&state, motcua_app::accounts::Authority::Account(&officer.0), &req.toml)
        .await?;
    Ok(StatusCode::CREATED)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calendar/deadline", get(deadline))
        .route("/api/v1/calendar/holidays", get(holidays))
        .route("/api/v1/calendar/working-time", get(working_time))
        .route("/api/v1/calendar/announcements", post(add_announcement))
}
