//! `GET /api/v1/alerts`: the calling officer's daily alerts — dossiers due within 1 working day,
//! overdue, with an overdue step, idle for N working days; feedback near its deadline; failed
//! deliveries — for their own dossiers, their units, and the escalations that reach them.
//! Grouped by kind, most urgent first.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::Officer;
use crate::notify::alerts::{AlertGroup, officer_alerts};

#[derive(Serialize, ToSchema)]
pub struct Alerts {
    /// When the alerts were computed (RFC 3339, UTC+7).
    pub generated_at: String,
    /// Number of items over all groups.
    pub total: usize,
    pub groups: Vec<AlertGroup>,
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", security(("bearer" = [])),
    responses((status = 200, body = Alerts), (status = 401, body = crate::error::ErrorBody)))]
pub async fn alerts(State(state): State<AppState>, officer: Officer) -> ApiResult<Json<Alerts>> {
    let t = state.now();
    let groups = officer_alerts(&state, &officer.0, t).await?;
    let total = groups.iter().map(|g| g.items.len()).sum();
    Ok(Json(Alerts { generated_at: crate::views::local(t), total, groups }))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/alerts", get(alerts))
}
