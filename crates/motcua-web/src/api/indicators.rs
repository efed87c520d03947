//! `GET /api/v1/indicators`: basic service-quality counts for a unit and period (public, as the
//! Decision 766 results are public).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::org::UnitKind;
use motcua_store::format_ts;
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, Time};
use utoipa::{IntoParams, ToSchema};

use super::parse_date;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;

#[derive(Deserialize, IntoParams)]
pub struct IndicatorQuery {
    /// Unit code; the whole province when absent or a province.
    pub unit: Option<String>,
    /// First day (YYYY-MM-DD, local), inclusive.
    pub from: String,
    /// Last day (YYYY-MM-DD, local), inclusive.
    pub to: String,
    /// Also count the units merged into `unit` by restructures (figures of the units as they were,
    /// rolled up under their successor). Without it a unit reports only its own dossiers.
    pub rollup: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct Indicators {
    pub unit: Option<String>,
    pub from: String,
    pub to: String,
    /// Dossiers received in the period.
    pub received: i64,
    pub online: i64,
    /// online ÷ received, percent (2 decimals; 0 when nothing was received).
    pub online_rate: f64,
    pub finished: i64,
    pub early: i64,
    pub on_time: i64,
    /// Finished late, plus unfinished and past due at the end of the period.
    pub late: i64,
    /// (received − late) ÷ received, percent (766 formula 2.1).
    pub on_time_rate: f64,
}

fn rate(n: i64, d: i64) -> f64 {
    if d == 0 { 0.0 } else { (n as f64 * 10_000.0 / d as f64).round() / 100.0 }
}

#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", params(IndicatorQuery),
    responses((status = 200, body = Indicators), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn indicators(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> ApiResult<Json<Indicators>> {
    let (from, to) = (parse_date("from", &q.from)?, parse_date("to", &q.to)?);
    if to < from {
        return Err(ApiError::bad_request("invalid_period", "'to' is before 'from'", "'to' trước 'from'"));
    }
    let start = OffsetDateTime::new_in_offset(from, Time::MIDNIGHT, VN_OFFSET);
    let end = OffsetDateTime::new_in_offset(to.next_day().unwrap_or(to), Time::MIDNIGHT, VN_OFFSET);
    let scope = match q.unit.as_deref().filter(|u| !u.is_empty()) {
        None => None,
        Some(code) => {
            let unit = state
                .store
                .unit(code)
                .await
                .map_err(|_| ApiError::not_found(&format!("unit '{code}'"), &format!("đơn vị '{code}'")))?;
            if unit.kind == UnitKind::Province {
                None
            } else if q.rollup.unwrap_or(false) {
                let all = state.store.units().await?;
                let mut scope = motcua_domain::org::restructure::predecessors_of(&all, &unit.code);
                scope.push(unit.code);
                Some(scope)
            } else {
                Some(vec![unit.code])
            }
        }
    };
    let c = state.store.counts(scope.as_deref(), &format_ts(start), &format_ts(end)).await?;
    Ok(Json(Indicators {
        unit: q.unit,
        from: from.to_string(),
        to: to.to_string(),
        online_rate: rate(c.online, c.received),
        on_time_rate: rate(c.received - c.late, c.received),
        received: c.received,
        online: c.online,
        finished: c.finished,
        early: c.early,
        on_time: c.on_time,
        late: c.late,
    }))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/indicators", get(indicators))
}
