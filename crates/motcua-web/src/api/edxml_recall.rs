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
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_edxml::StatusMessage;
use serde::Deserialize;
use utoipa::ToSchema;

use super::edxml::{PackageDetail, detail, own_package};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::exchange::recall;
use crate::extract::{ApiJson, Officer};

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

/// A recall request (13) arrived in the inbox: the question opens on the packages registered
/// from its sender, and it is passed on for packages this system relayed.
pub(crate) async fn recall_arrived(
    state: &AppState,
    s: &StatusMessage,
    body: &[u8],
    t: time::OffsetDateTime,
) -> Result<Response, ApiError> {
    let rf = &s.response_for;
    let n = state
        .store
        .recall_arrived(&rf.document_id, rf.organ_id.as_str(), s.description.as_deref(), &s.digest_hex(), t)
        .await?;
    let relayed = crate::exchange::relay::pass_status_back(state, s, body, t).await?;
    if n == 0 && relayed == 0 {
        return Err(ApiError::unprocessable(
            "unknown_document",
            "no package from this sender has this DocumentId (Status/ResponseFor/DocumentId)",
            "không có văn bản nào của nơi gửi có DocumentId này (Status/ResponseFor/DocumentId)",
        ));
    }
    Ok((StatusCode::OK, Json(serde_json::json!({"applied": n, "relayed": relayed}))).into_response())
}
