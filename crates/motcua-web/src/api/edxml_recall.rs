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
use motcua_domain::office::{EdxmlStatus, TraceStatus};
use motcua_edxml::{Package, StatusCode as Code, StatusMessage};
use serde::Deserialize;
use utoipa::ToSchema;

use super::edxml::{PackageDetail, detail, own_package};
use super::now;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::exchange::{local_organ, status_reply, status_to};
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

fn conflict(code: &str, en: &str, vi: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, en, vi)
}

fn stored_package(xml: &str) -> ApiResult<Package> {
    Package::from_xml(xml.as_bytes()).map_err(|e| {
        tracing::error!(code = %e.code, path = %e.path, "a stored package no longer decodes");
        ApiError::internal()
    })
}

fn edxml_invalid(e: motcua_edxml::EdxmlError) -> ApiError {
    ApiError::unprocessable(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi)
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
    if p.direction != "out" {
        return Err(ApiError::unprocessable(
            "not_outgoing",
            "only a package this unit sent can be recalled",
            "chỉ thu hồi được văn bản đơn vị đã gửi",
        ));
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::unprocessable("reason_required", "a recall needs a reason", "thu hồi phải nêu lý do"));
    }
    let package = stored_package(&p.xml)?;
    let unit = state.store.unit(&p.unit).await?;
    let organ = local_organ(&unit).ok_or_else(ApiError::internal)?;
    let t = now();
    let mut messages = Vec::new();
    for to in package.header.to.iter().map(|o| o.id.as_str().to_owned()) {
        let key = format!("edxml-status:{}:13:{to}", p.id);
        let m = status_to(key, to, &package, &organ, Code::RecallRequested, Some(reason.to_owned()), t)
            .map_err(edxml_invalid)?;
        messages.push(m);
    }
    if !state.store.request_recall(&p.id, reason, &messages, t).await? {
        return Err(conflict(
            "recall_already_requested",
            "a recall of this package was already requested",
            "đã yêu cầu thu hồi văn bản này",
        ));
    }
    for m in &messages {
        let status = TraceStatus::Edxml(EdxmlStatus::RecallRequested);
        crate::exchange::office::mirror_trace(&state.store, &p.document_id, &m.recipient, status, Some(reason)).await;
    }
    tracing::info!(package = %p.id, "edXML recall requested");
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
    if p.direction != "in" || p.recall.as_deref() != Some(motcua_store::edxml::REQUESTED) {
        return Err(conflict(
            "no_open_recall",
            "this package has no recall or update waiting for an answer",
            "văn bản không có yêu cầu thu hồi hoặc cập nhật đang chờ trả lời",
        ));
    }
    let reason = input.reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if !input.accept && reason.is_none() {
        return Err(ApiError::unprocessable("reason_required", "a refusal needs a reason", "từ chối phải nêu lý do"));
    }
    let package = stored_package(&p.xml)?;
    let unit = state.store.unit(&p.unit).await?;
    let organ = local_organ(&unit).ok_or_else(ApiError::internal)?;
    let t = now();
    let code = if input.accept { Code::RecallAccepted } else { Code::RecallRefused };
    let reply = status_reply(&p.id, &package, &organ, code, reason.clone(), t).map_err(edxml_invalid)?;
    if !state.store.answer_recall(&p.id, input.accept, reason.as_deref(), &reply, t).await? {
        return Err(conflict("no_open_recall", "the question was answered meanwhile", "yêu cầu đã được trả lời"));
    }
    tracing::info!(package = %p.id, accept = input.accept, "edXML recall answered");
    if input.accept {
        cancel_register_entry(&state, &officer, &p).await;
    }
    detail(State(state), officer, Path(id)).await
}

/// An accepted recall cancels the document in the unit's incoming register ("bên nhận hủy bỏ
/// văn bản điện tử bị thu hồi trên Hệ thống", NĐ 30/2020/NĐ-CP Art. 18 khoản 4 điểm b): the
/// recalled package itself for a 13 or a revoke package, the earlier one it names for an
/// update/replacement is left to the clerk. Failures are logged: the answer stands.
async fn cancel_register_entry(state: &AppState, officer: &Officer, p: &motcua_store::edxml::StoredPackage) {
    if matches!(p.business_type, 2 | 3) {
        return;
    }
    let trace = state.store.edxml_trace(&p.id).await.unwrap_or_default();
    let notice = trace
        .iter()
        .rev()
        .find(|t| t.event == "status:13")
        .and_then(|t| t.description.clone())
        .filter(|d| !d.trim().is_empty());
    let reason =
        format!("Nơi gửi {} thu hồi văn bản{}", p.from_organ, notice.map(|n| format!(": {n}")).unwrap_or_default());
    let actor = motcua_domain::dossier::Actor::Officer {
        username: officer.0.username.clone(),
        grants: officer.0.roles.clone(),
    };
    match state.store.document_by_package(&p.unit, &p.idem).await {
        Ok(Some(doc)) => {
            let cmd = motcua_domain::office::Command::Recall { reason };
            if let Err(e) = super::documents::apply(state, &actor, &doc, cmd).await {
                tracing::warn!(document = %doc.id, code = %e.body.code, "recalled document not cancelled in the register");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::error!(error = %e, "reading the register entry of a recalled package"),
    }
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
