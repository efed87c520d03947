//! `GET /api/v1/units`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;

/// A unit (see motcua_domain::org::Unit).
#[derive(ToSchema)]
#[schema(as = Unit)]
#[allow(dead_code)]
pub struct UnitSchema {
    pub code: String,
    pub name: String,
    /// province | center | agency | district | commune | ward | special_zone
    pub kind: String,
    /// province | district | commune
    pub level: String,
    pub parent: Option<String>,
    pub slug: Option<String>,
    /// Electronic organ identifier (QĐ 20/2020/QĐ-TTg).
    pub organ_id: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub successor: Option<String>,
    pub predecessors: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/units", tag = "units", responses((status = 200, body = [UnitSchema])))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<motcua_domain::org::Unit>>> {
    Ok(Json(state.store.units().await?))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/units", get(list))
}
