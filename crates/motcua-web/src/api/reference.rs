//! Catalog reference data (issue 4 item 5): fields (lĩnh vực) and levels of authority.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_domain::catalog::reference::{FIELDS, LEVELS};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;

/// A field (lĩnh vực).
#[derive(Serialize, ToSchema)]
pub struct FieldItem {
    /// Government Office sector code, when known (none sourced yet).
    pub code: Option<String>,
    pub name: String,
}

/// A level of authority.
#[derive(Serialize, ToSchema)]
pub struct LevelItem {
    /// province | commune | district
    pub level: String,
    pub name_vi: String,
    /// True for the district level, which ended on 1/7/2025 (pre-2025 data only).
    pub historical: bool,
}

#[utoipa::path(get, path = "/api/v1/reference/fields", tag = "catalog",
    responses((status = 200, description = "the known fields, plus any other field used by a current procedure", body = [FieldItem])))]
pub async fn fields(State(state): State<AppState>) -> ApiResult<Json<Vec<FieldItem>>> {
    let mut out: Vec<FieldItem> =
        FIELDS.iter().map(|f| FieldItem { code: f.code.map(str::to_owned), name: f.name.to_owned() }).collect();
    for name in state.store.fields().await? {
        if !out.iter().any(|f| f.name == name) {
            out.push(FieldItem { code: None, name });
        }
    }
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/v1/reference/levels", tag = "catalog", responses((status = 200, body = [LevelItem])))]
pub async fn levels() -> Json<Vec<LevelItem>> {
    Json(
        LEVELS
            .iter()
            .map(|l| LevelItem {
                level: l.level.as_str().to_owned(),
                name_vi: l.name_vi.to_owned(),
                historical: l.historical,
            })
            .collect(),
    )
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/reference/fields", get(fields)).route("/api/v1/reference/levels", get(levels))
}
