//! The versions of a procedure (which decision published each, from when) and the difference
//! between two of them.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use motcua_domain::catalog::ProcedureCode;
use motcua_domain::catalog::diff::{FieldChange, diff};
use motcua_store::StoreError;
use motcua_store::catalog::VersionInfo;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;

/// One version of a procedure.
#[derive(ToSchema)]
#[schema(as = ProcedureVersion)]
#[allow(dead_code)]
pub struct VersionSchema {
    pub version: i64,
    /// YYYY-MM-DD (0001-01-01: before decisions were recorded)
    pub effective_from: String,
    /// Number of the publication decision, if any.
    pub decision: Option<String>,
    /// published | new | amended | abolished
    pub status: String,
}

/// A top-level field that differs between two versions.
#[derive(ToSchema)]
#[schema(as = FieldChange)]
#[allow(dead_code)]
pub struct FieldChangeSchema {
    pub field: String,
    #[schema(value_type = Object)]
    pub before: (),
    #[schema(value_type = Object)]
    pub after: (),
}

#[derive(Deserialize, IntoParams)]
pub struct DiffQuery {
    /// Earlier version number.
    pub from: i64,
    /// Later version number.
    pub to: i64,
}

/// Every stored version of `code`, oldest first; `NotFound` when the procedure was never stored.
/// Shared by the API and the administration page.
pub(crate) async fn versions_of(state: &AppState, code: &str) -> Result<Vec<VersionInfo>, StoreError> {
    let versions = state.store.versions(code).await?;
    if versions.is_empty() {
        return Err(StoreError::NotFound);
    }
    Ok(versions)
}

/// The fields that differ from version `from` to version `to` of `code`; `NotFound` when either
/// version is not stored.
pub(crate) async fn changes_between(
    state: &AppState,
    code: &str,
    from: i64,
    to: i64,
) -> Result<Vec<FieldChange>, StoreError> {
    let a = state.store.procedure_version(code, from).await?;
    let b = state.store.procedure_version(code, to).await?;
    Ok(diff(&a, &b))
}

fn not_found(code: &str) -> impl Fn(StoreError) -> ApiError + '_ {
    move |e| match e {
        StoreError::NotFound => ApiError::not_found(&format!("procedure {code}"), &format!("thủ tục {code}")),
        e => e.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/procedures/{code}/versions", tag = "catalog",
    params(("code" = String, Path, description = "national procedure code")),
    responses((status = 200, body = [VersionSchema], description = "oldest first"), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Vec<VersionInfo>>> {
    ProcedureCode::parse(&code)?;
    Ok(Json(versions_of(&state, &code).await.map_err(not_found(&code))?))
}

#[utoipa::path(get, path = "/api/v1/procedures/{code}/diff", tag = "catalog",
    params(("code" = String, Path, description = "national procedure code"), DiffQuery),
    responses((status = 200, body = [FieldChangeSchema]), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn changes(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> ApiResult<Json<Vec<FieldChange>>> {
    ProcedureCode::parse(&code)?;
    Ok(Json(changes_between(&state, &code, q.from, q.to).await.map_err(not_found(&code))?))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/procedures/{code}/versions", get(list))
        .route("/api/v1/procedures/{code}/diff", get(changes))
}
