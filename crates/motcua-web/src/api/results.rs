//! Verifying electronic results (issue 16 item 4; docs/RESULTS.md), for anyone:
//!
//! - `GET /api/v1/results/{sha256}`: the result whose file has that SHA-256, its issuing unit,
//!   date and procedure, and its signature checked;
//! - `GET /api/v1/results/{sha256}/signature`: its detached signature (DER), for OpenSSL;
//! - `POST /api/v1/results/verify`: the same for a file sent as the body (is it a genuine result?);
//! - `GET /api/v1/result-keys/{key_id}`: a unit's public key (PEM), for `openssl dgst -verify`.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_app::results::{Verification, public_key, signature_der, verify_file, verify_hash};
use motcua_domain::ErrorCode;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

fn no_result() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no result issued here has this file",
        "không có kết quả nào do hệ thống cấp trùng với tệp này",
    )
}

#[utoipa::path(get, path = "/api/v1/results/{sha256}", tag = "results", params(("sha256" = String, Path, description = "SHA-256 of the result's file, 64 hex digits")),
    description = "A result issued by the center, found by its file's SHA-256: issuing unit, date, procedure, and the unit's signature checked over the stored file. No personal data.",
    responses((status = 200, body = Verification), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn by_hash(State(state): State<AppState>, Path(sha256): Path<String>) -> ApiResult<Json<Verification>> {
    verify_hash(&state, &sha256, None).await?.map(Json).ok_or_else(no_result)
}

#[utoipa::path(get, path = "/api/v1/results/{sha256}/signature", tag = "results", params(("sha256" = String, Path)),
    description = "The result's detached signature, DER (`openssl dgst -sha256 -verify <key>.pem -signature <this> <file>`).",
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn signature(State(state): State<AppState>, Path(sha256): Path<String>) -> ApiResult<Response> {
    let der = signature_der(&state, &sha256).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"ket-qua.sig\""),
        ],
        der,
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/results/verify", tag = "results",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file to check (at most 10 MB)"),
    description = "Whether a file is a result issued by the center: 200 with the result and its signature checked over the bytes sent (status valid, unsigned or invalid), 404 when no result has these bytes.",
    responses((status = 200, body = Verification), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody)))]
pub async fn verify(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Verification>> {
    if body.is_empty() {
        return Err(ApiError::bad_request(
            ErrorCode::FileEmpty,
            "send the file to check as the request body",
            "hãy gửi tệp cần kiểm tra trong nội dung yêu cầu",
        ));
    }
    verify_file(&state, &body).await?.map(Json).ok_or_else(no_result)
}

#[utoipa::path(get, path = "/api/v1/result-keys/{key_id}", tag = "results", params(("key_id" = String, Path)),
    description = "A unit's public key results are signed with (SubjectPublicKeyInfo PEM).",
    responses((status = 200, content_type = "application/x-pem-file", body = String),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn key(State(state): State<AppState>, Path(key_id): Path<String>) -> ApiResult<Response> {
    let key_id = key_id.strip_suffix(".pem").unwrap_or(&key_id).to_owned();
    let (_, pem) = public_key(&state, &key_id).await?;
    Ok(([(header::CONTENT_TYPE, "application/x-pem-file")], pem).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/results/{sha256}", get(by_hash))
        .route("/api/v1/results/{sha256}/signature", get(signature))
        .route("/api/v1/results/verify", post(verify).layer(DefaultBodyLimit::max(motcua_app::files::MAX_FILE)))
        .route("/api/v1/result-keys/{key_id}", get(key))
}
