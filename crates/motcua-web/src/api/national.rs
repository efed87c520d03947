//! The national portal (DVCQG; issue 15, docs/NATIONAL_PORTAL.md):
//!
//! - `GET /api/v1/national-sync`: what the portal has of the dossiers — counts, the acknowledged
//!   share (QĐ 766 row 1.4 as the portal's answers show it), refusals and retries, and what the
//!   intake took in from it. For administrators.
//! - `GET /api/v1/dossiers/{code}/national-sync`: what the portal has of one dossier, for the
//!   officers who may see it.
//! - `POST /api/v1/national/inbound`: the portal pushes one dossier a citizen submitted there,
//!   with the province's inbound token; it becomes an online dossier waiting for reception.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_app::national::inbound::{Intaken, Via, import};
use motcua_app::national::{DossierSync, Overview, dossier_sync, overview};

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

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/national-sync", tag = "national portal", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = DossierSync), (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn one_dossier(
    State(state): State<AppState>,
    officer: Officer,
    Path(code): Path<String>,
) -> ApiResult<Json<DossierSync>> {
    let d = motcua_app::dossiers::load_for_officer(&state, &officer.actor(), &code).await?;
    Ok(Json(dossier_sync(&state, d.code.as_str()).await?))
}

/// Largest pushed record: 30 MB of files in base64 and the fields.
const MAX_PUSH: usize = 42 * 1024 * 1024;

/// Whether the request carries the province's inbound token (compared as digests, so the time
/// taken says nothing about the token).
fn portal_authorized(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(expected) = state.portal_inbound_token.as_deref() else { return false };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let digest = |s: &str| motcua_domain::audit::sha256_hex(&[s.as_bytes()]);
    !given.is_empty() && digest(given) == digest(expected)
}

/// One dossier submitted on the national portal, pushed by the portal (the same record its
/// list of new dossiers gives the pull). 201 with the center's dossier code when taken in; 200
/// when it had come before (nothing written); 422 `invalid_national_record` naming every wrong
/// field, and the refusal recorded; 401 without the province's inbound token.
#[utoipa::path(post, path = "/api/v1/national/inbound", tag = "national portal", security(("bearer" = [])),
    request_body(content = String, content_type = "application/json",
        description = "The portal's record: MaHoSo, MaTTHC, MaDonViTiepNhan, NgayNopHoSo (yyyyMMddHHmmss), ChuHoSo, SoGiayToChuHoSo, SoDienThoai, Email, DiaChi, TaiLieuNop [{TenGiayTo, TenTepDinhKem, NoiDungTep (base64), DuocLayTuKhoDMQG}], DanhSachLePhi [{STT, SoLuong, SoBan, ApDung, MienGiam, LyDoMienGiam}]"),
    responses((status = 201, body = Intaken), (status = 200, body = Intaken),
        (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn inbound(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: String,
) -> ApiResult<(StatusCode, Json<Intaken>)> {
    if !portal_authorized(&state, &headers) {
        return Err(motcua_app::error::Error::unauthorized().into());
    }
    let i = import(&state, &body, Via::Push).await?;
    Ok((if i.created { StatusCode::CREATED } else { StatusCode::OK }, Json(i)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/national-sync", get(national_sync))
        .route("/api/v1/dossiers/{code}/national-sync", get(one_dossier))
        .route("/api/v1/national/inbound", post(inbound).layer(DefaultBodyLimit::max(MAX_PUSH)))
}
