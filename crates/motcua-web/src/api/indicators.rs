//! `GET /api/v1/indicators`: the QĐ 766 service-quality indicators of a unit over a run of months
//! (public, as the portal's results are public; domain.md §3), from the store's monthly rollups.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_store::format_ts;
use motcua_store::indicators::Scope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::indicators::{Group, groups, parse_by, parse_period, units_of};

#[derive(Deserialize, IntoParams)]
pub struct IndicatorQuery {
    /// Unit code (the resolving authority); the whole province when absent or a province.
    pub unit: Option<String>,
    /// First month: `YYYY-MM`, or the first day of a month `YYYY-MM-01`.
    pub from: String,
    /// Last month: `YYYY-MM`, or the last day of a month (`2025-06-30`). The run of months is one
    /// reporting period: a dossier carried from one month into the next counts once, and running
    /// dossiers are judged at the end of the last month (at "now" for the current month).
    pub to: String,
    /// National procedure code.
    pub procedure: Option<String>,
    /// Field (lĩnh vực), exactly as in the catalog.
    pub field: Option<String>,
    /// `province`, `district` or `commune`.
    pub level: Option<String>,
    /// Group the answer by `unit`, `procedure`, `field`, `level` or `month` (each month its own
    /// period); `total` (default) gives one group.
    pub by: Option<String>,
    /// Also count the units merged into `unit` by restructures.
    pub rollup: Option<bool>,
}

/// The indicators of the period: the total's counts and rates at the top level, plus the groups.
#[derive(Serialize, ToSchema)]
pub struct IndicatorReport {
    pub unit: Option<String>,
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`.
    pub to: String,
    /// When running dossiers of the current month were judged (RFC 3339, UTC).
    pub as_of: String,
    /// The whole scope: `received`, `online`, `online_rate`, `processed`, `finished`, `early`,
    /// `on_time`, `late`, `on_time_rate`, the digitization, payment and satisfaction rates and the
    /// 766 `points`.
    #[serde(flatten)]
    pub total: Group,
    /// One entry per group when `by` is given (empty for `total`).
    pub groups: Vec<Group>,
}

#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", params(IndicatorQuery),
    responses((status = 200, body = IndicatorReport), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn indicators(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> ApiResult<Json<IndicatorReport>> {
    let (first, last) = parse_period(&q.from, &q.to)?;
    let by = parse_by(q.by.as_deref())?;
    let (_, units) = units_of(&state.store, q.unit.as_deref(), q.rollup.unwrap_or(false)).await?;
    let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let scope = Scope { units, procedure: clean(&q.procedure), field: clean(&q.field), level: clean(&q.level) };
    let now = state.now();
    let total = groups(&state.store, &scope, first, last, motcua_store::indicators::By::Total, now)
        .await?
        .pop()
        .unwrap_or_else(|| Group::empty(String::new()));
    let groups = if by == motcua_store::indicators::By::Total {
        Vec::new()
    } else {
        groups(&state.store, &scope, first, last, by, now).await?
    };
    Ok(Json(IndicatorReport {
        unit: q.unit,
        from: first.to_string(),
        to: last.to_string(),
        as_of: format_ts(now),
        total,
        groups,
    }))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/indicators", get(indicators))
}
