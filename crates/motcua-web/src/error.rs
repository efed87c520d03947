//! The one web error type (realworld-axum-sqlx shape): every failure becomes
//! `{"code", "message", "message_vi"}` with a 4xx status, or a logged 500 that never shows
//! internals.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_domain::{DomainError, ErrorKind};
use motcua_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The JSON body of every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code for programs.
    pub code: String,
    /// English message.
    pub message: String,
    /// Vietnamese message for the UI.
    pub message_vi: String,
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, en: impl Into<String>, vi: impl Into<String>) -> Self {
        ApiError { status, body: ErrorBody { code: code.to_owned(), message: en.into(), message_vi: vi.into() } }
    }
    pub fn bad_request(code: &str, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, en, vi)
    }
    pub fn unprocessable(code: &str, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, en, vi)
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first (Authorization: Bearer <token>)",
            "vui lòng đăng nhập",
        )
    }
    pub fn forbidden(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", en, vi)
    }
    pub fn not_found(what: &str, what_vi: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"), format!("không tìm thấy {what_vi}"))
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "internal error; it has been logged",
            "lỗi hệ thống; đã ghi nhận",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let status = match e.kind {
            ErrorKind::Invalid => StatusCode::BAD_REQUEST,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
        };
        ApiError { status, body: ErrorBody { code: e.code.to_owned(), message: e.message, message_vi: e.message_vi } }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d.into(),
            StoreError::NotFound => ApiError::not_found("resource", "dữ liệu"),
            StoreError::Conflict { current } => ApiError::new(
                StatusCode::CONFLICT,
                "version_conflict",
                format!("the dossier changed meanwhile; it is now at version {current}: reload and try again"),
                format!("hồ sơ vừa được cập nhật (phiên bản {current}); vui lòng tải lại và thử lại"),
            ),
            // A bug in one decision (logged where it happened): this request fails, nothing was
            // written, and the writer goes on serving the others.
            StoreError::Panicked => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "decision_failed",
                "the request could not be decided because of an internal error; nothing was changed",
                "yêu cầu không xử lý được do lỗi nội bộ; dữ liệu không thay đổi",
            ),
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::internal()
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
