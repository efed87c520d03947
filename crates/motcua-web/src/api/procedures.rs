//! The procedure catalog: search (diacritics-insensitive), one procedure, and new versions.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use motcua_domain::ErrorCode;
use motcua_domain::catalog::Procedure;
use motcua_store::catalog::ProcedureQuery;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use motcua_app::accounts::Authority;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Officer};

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Words to find in the name or code, accents optional ("dang ky ket hon").
    pub q: Option<String>,
    /// Field (lĩnh vực), e.g. "Tư pháp".
    pub field: Option<String>,
    /// province | commune | district
    pub level: Option<String>,
}

/// A procedure as published (one version).
#[derive(ToSchema)]
#[schema(as = Procedure)]
#[allow(dead_code)]
pub struct ProcedureSchema {
    /// National code, e.g. 1.001193.
    pub code: String,
    pub version: i64,
    pub name: String,
    pub field: String,
    /// province | commune | district (history only)
    pub level: String,
    /// Resolving agency's unit code, or COMMUNE for the commune where it is filed.
    pub agency: String,
    pub processing_days: Option<f64>,
    pub processing_hours: Option<f64>,
    /// [{"name", "amount" (đồng)}]
    #[schema(value_type = Vec<Object>)]
    pub fees: Vec<()>,
    /// [{"name", "original", "copies", "form"}]
    #[schema(value_type = Vec<Object>)]
    pub documents: Vec<()>,
    pub results: Vec<String>,
    pub legal_basis: Vec<String>,
    /// full | partial | none
    pub online_level: String,
    /// Internal process: [{"name", "role", "unit": CENTER|AGENCY|COMMUNE|CONSULTED, "days"|"hours", "parallel"?, "unit_code"?, "optional"?}]
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<()>,
}

#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalog", params(ListQuery),
    responses((status = 200, body = [ProcedureSchema]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(State(state): State<AppState>, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Json<Vec<Procedure>>> {
    if let Some(l) = q.level.as_deref()
        && !matches!(l, "province" | "commune" | "district")
    {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidLevel,
            "level must be province, commune or district",
            "cấp phải là province, commune hoặc district",
        ));
    }
    let q = ProcedureQuery {
        q: q.q.filter(|s| !s.trim().is_empty()),
        field: q.field.filter(|s| !s.trim().is_empty()),
        level: q.level,
    };
    Ok(Json(state.store.procedures(&q).await?))
}

#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "catalog", params(("code" = String, Path, description = "national procedure code")),
    responses((status = 200, body = ProcedureSchema), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Procedure>> {
    Ok(Json(motcua_app::catalog::current(&state, &code).await?))
}

#[utoipa::path(post, path = "/api/v1/procedures", tag = "catalog", request_body = ProcedureSchema, security(("bearer" = [])),
    responses((status = 201, body = ProcedureSchema), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    officer: Officer,
    ApiJson(p): ApiJson<Procedure>,
) -> ApiResult<(StatusCode, Json<Procedure>)> {
    let p = motcua_app::catalog::publish(&state, Authority::Account(&officer.0), p).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/procedures", get(list).post(create)).route("/api/v1/procedures/{code}", get(get_one))
}
