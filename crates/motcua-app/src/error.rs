//! The application layer's one error type. A use case fails with an [`Error`]: what kind of
//! failure it is ([`Kind`]), a stable snake_case code for programs, and a message in English and
//! Vietnamese. The adapters map it once each: `motcua_web::error` to an HTTP status and JSON body,
//! `motcua_web::ui::error` to a page in the visitor's language. Internals (store errors, panics)
//! are logged here and never shown.

use motcua_domain::ErrorCode;
use motcua_domain::{DomainError, ErrorKind};
use motcua_store::StoreError;

/// What kind of failure: the adapters choose the HTTP status (or page) from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Malformed input (400).
    Invalid,
    /// Not signed in (401).
    Unauthenticated,
    /// Signed in, but not allowed (403).
    Forbidden,
    /// No such record, or not one the caller may see (404).
    NotFound,
    /// The record changed meanwhile, or already exists (409).
    Conflict,
    /// A record that existed is gone for good (410).
    Gone,
    /// Well-formed, but breaks a rule (422).
    Unprocessable,
    /// Too large to accept (413).
    TooLarge,
    /// A service the use case needs is not available now (503).
    Unavailable,
    /// A bug or an outage; logged where it happened (500).
    Internal,
}

/// A failed use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: Kind,
    /// Stable snake_case code for programs.
    pub code: ErrorCode,
    /// English message.
    pub message: String,
    /// Vietnamese message.
    pub message_vi: String,
}

/// What every use case returns.
pub type AppResult<T> = Result<T, Error>;

impl Error {
    pub fn new(kind: Kind, code: ErrorCode, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Error { kind, code, message: en.into(), message_vi: vi.into() }
    }
    pub fn bad_request(code: ErrorCode, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(Kind::Invalid, code, en, vi)
    }
    pub fn unprocessable(code: ErrorCode, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(Kind::Unprocessable, code, en, vi)
    }
    pub fn unauthorized() -> Self {
        Self::new(
            Kind::Unauthenticated,
            ErrorCode::Unauthenticated,
            "sign in first (Authorization: Bearer <token>)",
            "vui lòng đăng nhập",
        )
    }
    pub fn forbidden(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Self::new(Kind::Forbidden, ErrorCode::Forbidden, en, vi)
    }
    pub fn not_found(what: &str, what_vi: &str) -> Self {
        Self::new(Kind::NotFound, ErrorCode::NotFound, format!("{what} not found"), format!("không tìm thấy {what_vi}"))
    }
    pub fn internal() -> Self {
        Self::new(
            Kind::Internal,
            ErrorCode::InternalError,
            "internal error; it has been logged",
            "lỗi hệ thống; đã ghi nhận",
        )
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}) [{}]", self.message_vi, self.message, self.code)
    }
}

impl std::error::Error for Error {}

impl From<DomainError> for Error {
    fn from(e: DomainError) -> Self {
        let kind = match e.kind {
            ErrorKind::Invalid => Kind::Invalid,
            ErrorKind::Forbidden => Kind::Forbidden,
            ErrorKind::Unprocessable => Kind::Unprocessable,
            ErrorKind::NotFound => Kind::NotFound,
        };
        Error { kind, code: e.code, message: e.message, message_vi: e.message_vi }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d.into(),
            StoreError::NotFound => Error::not_found("resource", "dữ liệu"),
            StoreError::Conflict { current } => Error::new(
                Kind::Conflict,
                ErrorCode::VersionConflict,
                format!("the dossier changed meanwhile; it is now at version {current}: reload and try again"),
                format!("hồ sơ vừa được cập nhật (phiên bản {current}); vui lòng tải lại và thử lại"),
            ),
            StoreError::AlreadySubmitted { code } => Error::new(
                Kind::Conflict,
                ErrorCode::AlreadySubmitted,
                format!("this submission was already made: dossier {code}"),
                format!("hồ sơ này đã được nộp: mã hồ sơ {code}"),
            ),
            StoreError::KeyTaken => Error::new(
                Kind::Conflict,
                ErrorCode::SubmissionKeyUsed,
                "the form was already used by another officer; open a new form",
                "biểu mẫu đã được cán bộ khác sử dụng; vui lòng mở biểu mẫu mới",
            ),
            // A bug in one decision (logged where it happened): this request fails, nothing was
            // written, and the writer goes on serving the others.
            StoreError::Panicked => Error::new(
                Kind::Internal,
                ErrorCode::DecisionFailed,
                "the request could not be decided because of an internal error; nothing was changed",
                "yêu cầu không xử lý được do lỗi nội bộ; dữ liệu không thay đổi",
            ),
            other => {
                tracing::error!(error = %other, "store error");
                Error::internal()
            }
        }
    }
}
