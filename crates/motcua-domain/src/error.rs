//! The one error type of the domain: every rule that says "no" says it here, in English and
//! Vietnamese, with a stable machine-readable code the HTTP layer passes through.

use serde::Serialize;

/// Why the domain refused something. `kind` tells the HTTP layer which status to use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct DomainError {
    /// Stable snake_case code, e.g. `invalid_transition`.
    pub code: &'static str,
    /// English message.
    pub message: String,
    /// Vietnamese message for the UI.
    pub message_vi: String,
    /// What sort of refusal this is.
    #[serde(skip)]
    pub kind: ErrorKind,
}

/// The family of a refusal, mapped to HTTP status codes by the web layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Malformed or out-of-range input (400).
    Invalid,
    /// The caller may not do this (403).
    Forbidden,
    /// Well-formed but not allowed by the rules in the current state (422).
    Unprocessable,
    /// Nothing the actor may see exists under that name (404).
    NotFound,
}

impl DomainError {
    /// Input that does not parse or is out of range.
    pub fn invalid(code: &'static str, en: impl Into<String>, vi: impl Into<String>) -> Self {
        DomainError { code, message: en.into(), message_vi: vi.into(), kind: ErrorKind::Invalid }
    }
    /// A rule forbids it in the current state.
    pub fn rule(code: &'static str, en: impl Into<String>, vi: impl Into<String>) -> Self {
        DomainError { code, message: en.into(), message_vi: vi.into(), kind: ErrorKind::Unprocessable }
    }
    /// Nothing visible to the actor exists under that name.
    pub fn not_found(en: impl Into<String>, vi: impl Into<String>) -> Self {
        DomainError { code: "not_found", message: en.into(), message_vi: vi.into(), kind: ErrorKind::NotFound }
    }
    /// The actor's role or unit does not allow it.
    pub fn forbidden(en: impl Into<String>, vi: impl Into<String>) -> Self {
        DomainError { code: "forbidden", message: en.into(), message_vi: vi.into(), kind: ErrorKind::Forbidden }
    }
}
