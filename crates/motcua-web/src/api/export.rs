//! Catalog export (issue 4 item 2): the current catalog as a JSON (national field names), CSV
//! or XLSX download.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use motcua_domain::ErrorCode;
use motcua_store::catalog::ProcedureQuery;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::catalog_files::{Format, encode};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// json (national portal field names, the default) | csv | xlsx
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/procedures/export", tag = "catalog", params(ExportQuery),
    responses(
        (status = 200, description = "the current catalog as a file (Content-Disposition: attachment)",
            content(("application/json"), ("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = crate::error::ErrorBody)))]
pub async fn export(State(state): State<AppState>, ApiQuery(q): ApiQuery<ExportQuery>) -> ApiResult<Response> {
    let format = Format::parse(q.format.as_deref().unwrap_or("json")).ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::InvalidFormat,
            "format must be json, csv or xlsx",
            "định dạng phải là json, csv hoặc xlsx",
        )
    })?;
    let procedures = state.store.procedures(&ProcedureQuery::default()).await?;
    let bytes = tokio::task::spawn_blocking(move || encode(format, &procedures))
        .await
        .map_err(|e| {
            tracing::error!("export task: {e}");
            ApiError::internal()
        })?
        .map_err(|e| {
            tracing::error!("export encoding: {e}");
            ApiError::internal()
        })?;
    let disposition = format!("attachment; filename=\"thu-tuc.{}\"", format.extension());
    Ok(([(header::CONTENT_TYPE, format.content_type().to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/procedures/export", get(export))
}
