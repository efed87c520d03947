//! Publication decisions (quyết định công bố, NĐ 63/2010 Art. 13–15 as amended; domain.md §5.5):
//! record and apply one, list them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use motcua_domain::catalog::decision::Decision;
use utoipa::ToSchema;

use motcua_app::accounts::Authority;

use crate::AppState;
use crate::api::procedures::ProcedureSchema;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Officer};

/// A publication decision and the procedures it publishes.
#[derive(ToSchema)]
#[schema(as = Decision)]
#[allow(dead_code)]
pub struct DecisionSchema {
    /// Decision number, e.g. "1234/QĐ-UBND"; unique.
    pub number: String,
    /// YYYY-MM-DD
    pub signed_on: String,
    /// YYYY-MM-DD, not before signed_on; versions apply from this date.
    pub effective_from: String,
    pub signer: String,
    /// New procedures, full objects as GET /api/v1/procedures/{code} returns them.
    pub new: Vec<ProcedureSchema>,
    /// Amended or replaced procedures (same code), full objects.
    pub amended: Vec<ProcedureSchema>,
    /// Codes of abolished procedures.
    pub abolished: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/decisions", tag = "catalog", request_body = DecisionSchema, security(("bearer" = [])),
    responses((status = 201, body = DecisionSchema, description = "recorded; procedures carry their new version numbers"),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody, description = "decision_exists, procedure_exists, unknown_procedure, unknown_unit, procedure_abolished")))]
pub async fn create(
    State(state): State<AppState>,
    officer: Officer,
    ApiJson(d): ApiJson<Decision>,
) -> ApiResult<(StatusCode, Json<Decision>)> {
    let d = motcua_app::catalog::record_decision(&state, Authority::Account(&officer.0), d).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[utoipa::path(get, path = "/api/v1/decisions", tag = "catalog",
    responses((status = 200, body = [DecisionSchema], description = "latest effective date first")))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<Decision>>> {
    Ok(Json(state.store.decisions().await?))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/decisions", get(list).post(create))
}
