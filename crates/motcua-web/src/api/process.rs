//! The internal process designer's API (quy trình nội bộ, TT 01/2018 Art. 8; domain.md §6):
//! read a procedure's step table with its budgets against the legal time, and replace it. A
//! saved process is stored as a new version of the procedure, so every process version is bound
//! to the procedure version dossiers freeze at submission.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use motcua_domain::catalog::Procedure;
use motcua_domain::process::{ProcessStep, total_time};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Officer};

/// A procedure's internal process: its steps, the time they take (a parallel group counting as
/// its longest step) and the legal time they must fit in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProcessView {
    /// National procedure code.
    pub code: String,
    /// The procedure version this process belongs to.
    pub version: i64,
    /// [{"name", "role", "unit": CENTER|AGENCY|COMMUNE|CONSULTED, "days"|"hours", "parallel"?, "unit_code"?, "optional"?}]
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<ProcessStep>,
    /// Working days the process takes.
    pub total_days: f64,
    /// Legal processing time in working days.
    pub legal_days: f64,
}

impl ProcessView {
    /// The view of a stored procedure version.
    pub fn of(p: &Procedure) -> ApiResult<ProcessView> {
        Ok(ProcessView {
            code: p.code.to_string(),
            version: p.version,
            steps: p.steps.clone(),
            total_days: total_time(&p.steps)?.days(),
            legal_days: p.legal_time()?.days(),
        })
    }
}

/// Whether the officer may change internal processes (center or system administrator).
pub fn may_design(officer: &Officer) -> bool {
    officer.has_role(motcua_domain::dossier::Role::CenterAdmin)
        || officer.has_role(motcua_domain::dossier::Role::SystemAdmin)
}

/// The procedure version that applies today, or 404 ([`motcua_app::catalog::current`]).
pub async fn current(state: &AppState, code: &str) -> ApiResult<Procedure> {
    Ok(motcua_app::catalog::current(state, code).await?)
}

/// Stores `steps` as a new version of the procedure ([`motcua_app::catalog::save_process`], the
/// one code path of the API and the admin page) and answers its view.
pub async fn save(state: &AppState, code: &str, steps: Vec<ProcessStep>) -> ApiResult<ProcessView> {
    ProcessView::of(&motcua_app::catalog::save_process(state, code, steps).await?)
}

#[utoipa::path(get, path = "/api/v1/procedures/{code}/process", tag = "catalog",
    params(("code" = String, Path, description = "national procedure code")),
    responses((status = 200, body = ProcessView), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_process(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<ProcessView>> {
    ProcessView::of(&current(&state, &code).await?).map(Json)
}

#[utoipa::path(put, path = "/api/v1/procedures/{code}/process", tag = "catalog", security(("bearer" = [])),
    params(("code" = String, Path, description = "national procedure code")),
    request_body(content = Vec<Object>, description = "the steps, in order"),
    responses((status = 200, body = ProcessView), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_process(
    State(state): State<AppState>,
    officer: Officer,
    Path(code): Path<String>,
    ApiJson(steps): ApiJson<Vec<ProcessStep>>,
) -> ApiResult<Json<ProcessView>> {
    if !may_design(&officer) {
        return Err(ApiError::forbidden(
            "only a center administrator can change internal processes",
            "chỉ quản trị trung tâm được sửa quy trình nội bộ",
        ));
    }
    save(&state, &code, steps).await.map(Json)
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/procedures/{code}/process", get(get_process).put(put_process))
}
