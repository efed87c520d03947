//! Online payment of fees (issue 15 item 5; docs/FEES.md §"Online payment"):
//!
//! - `POST /api/v1/dossiers/{code}/payments`: the applicant (code + secret) starts a payment
//!   and gets the platform's checkout page to go to;
//! - `GET /api/v1/dossiers/{code}/payments`: a dossier's payments, for officers who see it;
//! - `POST /api/v1/payments/callback`: the platform's signed notice of a result;
//! - `GET /api/v1/payments/reconciliation?date=`: a day's transactions at the platform against
//!   Motcua's records, for administrators.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_app::payments::{PaymentView, Reconciliation, Started, platform};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Officer};

#[derive(Deserialize, ToSchema)]
pub struct StartPayment {
    /// The lookup secret printed on the receipt.
    pub secret: String,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/payments", tag = "payments", params(("code" = String, Path)),
    request_body = StartPayment,
    description = "The applicant pays the dossier's fees online: answers the payment platform's page to send the applicant to. Clicking twice within 15 minutes is one payment.",
    responses((status = 201, body = Started), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody),
        (status = 503, body = crate::error::ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<StartPayment>,
) -> ApiResult<(StatusCode, Json<Started>)> {
    let origin = crate::extract::origin(&headers).unwrap_or_default();
    let s = motcua_app::payments::start(&state, &code, &req.secret, &origin).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/payments", tag = "payments", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<PaymentView>), (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn of_dossier(
    State(state): State<AppState>,
    officer: Officer,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<PaymentView>>> {
    let d = motcua_app::dossiers::load_for_officer(&state, &officer.actor(), &code).await?;
    Ok(Json(motcua_app::payments::of_dossier(&state, &d.code).await?))
}

/// Reads a platform message: a JSON object of text or number fields.
fn message(body: &str) -> ApiResult<BTreeMap<String, String>> {
    serde_json::from_str::<serde_json::Value>(body).ok().and_then(|v| platform::fields_of(&v)).ok_or_else(|| {
        ApiError::bad_request(
            motcua_domain::ErrorCode::InvalidPaymentNotice,
            "the payment notice must be a JSON object of fields",
            "thông báo thanh toán phải là một đối tượng JSON",
        )
    })
}

#[utoipa::path(post, path = "/api/v1/payments/callback", tag = "payments",
    request_body(content = String, content_type = "application/json",
        description = "The platform's signed notice: MaDoiTac, MaGiaoDich, MaGiaoDichNenTang, SoTien, KetQua (00 paid), ThongDiep, KenhThanhToan, ThoiGianThanhToan (RFC 3339), ChuKy (HMAC-SHA256 of the other fields sorted, name=value&…)"),
    description = "Records the outcome once. 401 signature_invalid for a forged notice; 409 payment_already_recorded for a replay (nothing changes); 422 payment_amount_mismatch or payment_already_settled for a notice contradicting the record.",
    responses((status = 200, description = "Recorded: {\"error_code\": \"0\"}"), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn callback(State(state): State<AppState>, body: String) -> ApiResult<Json<serde_json::Value>> {
    let fields = message(&body)?;
    let p = motcua_app::payments::notify(&state, &fields).await?;
    Ok(Json(serde_json::json!({"error_code": "0", "message": "Đã ghi nhận", "state": p.state.as_str()})))
}

#[derive(Deserialize, IntoParams)]
pub struct DayQuery {
    /// The day, `YYYY-MM-DD` (Vietnam time); default yesterday.
    pub date: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/payments/reconciliation", tag = "payments", security(("bearer" = [])), params(DayQuery),
    responses((status = 200, body = Reconciliation), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn reconciliation(
    State(state): State<AppState>,
    officer: Officer,
    ApiQuery(q): ApiQuery<DayQuery>,
) -> ApiResult<Json<Reconciliation>> {
    if motcua_app::accounts::AdminScope::of(&officer.0).is_none() {
        return Err(ApiError::forbidden("the reconciliation is for administrators", "đối soát dành cho quản trị viên"));
    }
    let day = motcua_app::payments::day_or_yesterday(&state, q.date.as_deref())?;
    Ok(Json(motcua_app::payments::reconcile(&state, day).await?))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dossiers/{code}/payments", post(start).get(of_dossier))
        .route("/api/v1/payments/callback", post(callback))
        .route("/api/v1/payments/reconciliation", get(reconciliation))
}
