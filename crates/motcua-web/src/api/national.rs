//! `GET /api/v1/national-sync`: what the national portal (DVCQG) has of the dossiers — counts,
//! the acknowledged share (QĐ 766 row 1.4 as the portal's answers show it), refusals and
//! retries (issue 15; docs/NATIONAL_PORTAL.md). For administrators.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_app::national::{Overview, overview};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::Officer;

#[utoipa::path(get, path = "/api/v1/national-sync", tag = "national portal", security(("bearer" = [])),
    responses((status = 200, body = Overview), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn national_sync(State(state): State<AppState>, officer: Officer) -> ApiResult<Json<Overview>> {
    if motcua_app::accounts::AdminScope::of(&officer.0).is_none() {
        return Err(ApiError::forbidden(
            "the national portal's sync state is for administrators",
            "trạng thái đồng bộ với Cổng Dịch vụ công quốc gia dành cho quản trị viên",
        ));
    }
    Ok(Json(overview(&state, state.portal_sync).await?))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/national-sync", get(national_sync))
}
