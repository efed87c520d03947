//! Recall and its answers (domain.md §9: status 13 recall request, 15 accepted, 16 refused;
//! docs/EXCHANGE.md "Recall, update, replacement"):
//!
//! - `POST /api/v1/edxml/packages/{id}/recall` `{"reason"}` (clerk of the sending unit): asks
//!   every recipient of an outgoing package to give it back — a status message 13 to each, once.
//! - `POST /api/v1/edxml/packages/{id}/recall-answer` `{"accept", "reason"}` (clerk of the
//!   receiving unit): answers the open question on an incoming package — a recall request, or an
//!   update/replacement package (business type 2/3) — with 15 (accepted) or 16 (refused, reason
//!   required), once.
//! - A 13 arriving in the inbox opens the question on the packages registered from that sender.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

use super::edxml::{PackageDetail, detail, own_package};
use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Officer};
use motcua_app::edxml::recall;

/// A recall request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecallInput {
    /// Why the document is recalled (sent to the recipients).
    pub reason: String,
}

/// The receiver's answer to a recall, update or replacement.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecallAnswer {
    /// true: 15 (đồng ý thu hồi / cập nhật); false: 16 (từ chối), with a reason.
    pub accept: bool,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/edxml/packages/{id}/recall", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RecallInput,
    responses((status = 200, body = PackageDetail), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn recall(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RecallInput>,
) -> ApiResult<Json<PackageDetail>> {
    let p = own_package(&state, &officer, &id).await?;
    recall::request(&state, &p, &input.reason).await?;
    detail(State(state), officer, Path(id)).await
}

#[utoipa::path(post, path = "/api/v1/edxml/packages/{id}/recall-answer", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RecallAnswer,
    responses((status = 200, body = PackageDetail), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RecallAnswer>,
) -> ApiResult<Json<PackageDetail>> {
    let p = own_package(&state, &officer, &id).await?;
    recall::answer(&state, &officer.0, &p, input.accept, input.reason.as_deref()).await?;
    detail(State(state), officer, Path(id)).await
}
