//! `POST /api/v1/restructures`: applies (or, with `dry_run`, previews) a restructure of
//! organisational units — merges, renames, moves — re-homing open dossiers and officers' roles to
//! the successor units (two-level reform, domain.md §13).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use motcua_domain::org::RestructurePlan;
use motcua_store::restructure::RestructureReport;
use serde::Deserialize;
use utoipa::ToSchema;

use motcua_app::accounts::Authority;

use crate::AppState;
use crate::api::units::UnitSchema;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Officer};

/// The body: a restructure plan and whether only to preview it.
#[derive(Deserialize)]
pub struct RestructureRequest {
    #[serde(flatten)]
    plan: RestructurePlan,
    #[serde(default)]
    dry_run: bool,
}

/// One operation of a plan; `op` says which fields apply.
#[derive(ToSchema)]
#[schema(as = RestructureOperation)]
#[allow(dead_code)]
pub struct OperationSchema {
    /// merge | rename | move
    pub op: String,
    /// merge: codes of the units that end.
    pub from: Option<Vec<String>>,
    /// merge: the successor, new or existing (code as in QĐ 19/2025/QĐ-TTg).
    pub into: Option<UnitSchema>,
    /// rename, move: the unit concerned.
    pub code: Option<String>,
    /// rename: the new name.
    pub new_name: Option<String>,
    /// move: the new parent's code.
    pub new_parent: Option<String>,
}

/// A restructure plan.
#[derive(ToSchema)]
#[schema(as = RestructureRequest)]
#[allow(dead_code)]
pub struct RequestSchema {
    /// YYYY-MM-DD, first day of the new structure; merged units end the day before.
    pub effective_on: String,
    /// e.g. "NQ 1654/NQ-UBTVQH15"; recorded in every re-homed dossier's history.
    pub legal_basis: String,
    pub operations: Vec<OperationSchema>,
    /// Only report what would move; write nothing.
    pub dry_run: bool,
}

/// A dossier moved to a successor unit.
#[derive(ToSchema)]
#[schema(as = RehomedDossier)]
#[allow(dead_code)]
pub struct RehomedSchema {
    pub code: String,
    pub from_unit: String,
    pub to_unit: String,
}

/// An officer's role moved to a successor unit.
#[derive(ToSchema)]
#[schema(as = GrantMoved)]
#[allow(dead_code)]
pub struct GrantSchema {
    pub username: String,
    pub role: String,
    pub from_unit: String,
    pub to_unit: String,
}

/// What the restructure changed (or would change).
#[derive(ToSchema)]
#[schema(as = RestructureReport)]
#[allow(dead_code)]
pub struct ReportSchema {
    pub dry_run: bool,
    pub units_ended: Vec<String>,
    pub units_created: Vec<String>,
    pub dossiers_rehomed: Vec<RehomedSchema>,
    pub grants_moved: Vec<GrantSchema>,
}

#[utoipa::path(post, path = "/api/v1/restructures", tag = "units", request_body = RequestSchema, security(("bearer" = [])),
    responses((status = 200, body = ReportSchema),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody, description = "unknown_unit, unit_already_ended, merged_twice, merge_into_itself, merge_target_merged, unit_ended_by_plan, parent_cycle, effective_date_too_early")))]
pub async fn apply(
    State(state): State<AppState>,
    officer: Officer,
    ApiJson(req): ApiJson<RestructureRequest>,
) -> ApiResult<Json<RestructureReport>> {
    Ok(Json(motcua_app::units::restructure(&state, Authority::Account(&officer.0), &req.plan, req.dry_run).await?))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/restructures", post(apply))
}
