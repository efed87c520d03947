//! The HTTP side of errors (realworld-axum-sqlx shape): every failure becomes
//! `{"code", "message", "message_vi"}` with a 4xx status, or a logged 500 that never shows
//! internals. Use cases fail with [`motcua_app::error::Error`]; [`status_of`] maps its kind to a
//! status, once. Adapters' own input errors (a malformed query) are built here directly.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_app::error::{Error, Kind};
use motcua_domain::{DomainError, ErrorCode};
use motcua_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The JSON body of every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code for programs: one of [`ErrorCode::ALL`], listed as an enum in the
    /// OpenAPI document.
    #[schema(schema_with = error_code_schema)]
    pub code: ErrorCode,
    /// English message.
    pub message: String,
    /// Vietnamese message for the UI.
    pub message_vi: String,
}

/// The schema of an error's `code`: a string, one of every code Motcua answers with.
pub fn error_code_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some("Stable snake_case error code"))
        .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
        .build()
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, en: impl Into<String>, vi: impl Into<String>) -> Self {
        ApiError { status, body: ErrorBody { code, message: en.into(), message_vi: vi.into() } }
    }
    pub fn bad_request(code: ErrorCode, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Error::bad_request(code, en, vi).into()
    }
    pub fn unprocessable(code: ErrorCode, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Error::unprocessable(code, en, vi).into()
    }
    pub fn unauthorized() -> Self {
        Error::unauthorized().into()
    }
    pub fn forbidden(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Error::forbidden(en, vi).into()
    }
    pub fn not_found(what: &str, what_vi: &str) -> Self {
        Error::not_found(what, what_vi).into()
    }
    pub fn internal() -> Self {
        Error::internal().into()
    }
}

/// The HTTP status of each kind of application error: the one place it is chosen.
pub fn status_of(kind: Kind) -> StatusCode {
    match kind {
        Kind::Invalid => StatusCode::BAD_REQUEST,
        Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::Gone => StatusCode::GONE,
        Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError {
            status: status_of(e.kind),
            body: ErrorBody { code: e.code, message: e.message, message_vi: e.message_vi },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Error::from(e).into()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Error::from(e).into()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
