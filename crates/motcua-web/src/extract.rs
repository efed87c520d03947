//! Extractors that answer bad input in our error format: JSON bodies, query strings, the
//! signed-in officer, and `If-Match`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use motcua_domain::ErrorCode;
use motcua_domain::dossier::{Actor, Role};
use motcua_store::users::User;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;

/// A JSON body; malformed, oversize or wrongly typed bodies get a clear 4xx.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::BytesRejection(_)) => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "the request body is too large",
                "dữ liệu gửi lên quá lớn",
            )),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::bad_request(
                ErrorCode::JsonRequired,
                "send the body as JSON (Content-Type: application/json)",
                "dữ liệu phải ở dạng JSON (Content-Type: application/json)",
            )),
            Err(e) => Err(ApiError::bad_request(
                ErrorCode::InvalidJson,
                format!("invalid JSON body: {}", e.body_text()),
                format!("dữ liệu JSON không hợp lệ: {}", e.body_text()),
            )),
        }
    }
}

/// Largest JSON body ([`crate::MAX_BODY`]), also on the routes whose limit is raised for uploads.
pub const JSON_LIMIT: usize = crate::MAX_BODY;

/// Name of the multipart part that carries the JSON body.
pub const BODY_PART: &str = "body";

/// A JSON body ([`ApiJson`]), or a `multipart/form-data` request whose `body` part is that JSON
/// with file parts beside it (a submission's documents, an action's files). `files` is empty for
/// a JSON request.
pub struct ApiBody<T> {
    pub value: T,
    pub files: Vec<crate::multipart::Upload>,
}

/// Whether the request is `multipart/form-data`.
pub fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        use crate::multipart::FormError;
        if !is_multipart(req.headers()) {
            // A JSON body keeps the JSON limit on the routes whose limit is raised for uploads.
            let req = req.map(|b| axum::body::Body::new(http_body_util::Limited::new(b, JSON_LIMIT)));
            let ApiJson(value) = ApiJson::<T>::from_request(req, state).await?;
            return Ok(ApiBody { value, files: Vec::new() });
        }
        let unreadable = || {
            ApiError::bad_request(
                ErrorCode::InvalidMultipart,
                "the multipart/form-data body could not be read",
                "không đọc được dữ liệu multipart/form-data",
            )
        };
        let mp = axum::extract::Multipart::from_request(req, state).await.map_err(|_| unreadable())?;
        let mut form = crate::multipart::read(mp, JSON_LIMIT).await.map_err(|e| match e {
            FormError::TooLarge => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "the request body is too large (at most 10 MB per file and 30 MB in all)",
                "dữ liệu gửi lên quá lớn (mỗi tệp tối đa 10 MB, tổng cộng tối đa 30 MB)",
            ),
            FormError::TooManyParts | FormError::Unreadable => unreadable(),
        })?;
        if let Some(other) = form.text_names().find(|n| *n != BODY_PART) {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidMultipart,
                format!("unexpected part '{other}': send the JSON as the '{BODY_PART}' part and files as file parts"),
                format!("phần '{other}' không hợp lệ: gửi JSON trong phần '{BODY_PART}' và các tệp ở các phần tệp"),
            ));
        }
        if !form.has_text(BODY_PART) {
            return Err(ApiError::bad_request(
                ErrorCode::JsonRequired,
                format!("send the JSON body as the '{BODY_PART}' part of the multipart/form-data request"),
                format!("cần gửi dữ liệu JSON trong phần '{BODY_PART}' của yêu cầu multipart/form-data"),
            ));
        }
        let value = serde_json::from_str(form.text(BODY_PART)).map_err(|e| {
            ApiError::bad_request(
                ErrorCode::InvalidJson,
                format!("invalid JSON in the '{BODY_PART}' part: {e}"),
                format!("dữ liệu JSON trong phần '{BODY_PART}' không hợp lệ: {e}"),
            )
        })?;
        Ok(ApiBody { value, files: std::mem::take(&mut form.files) })
    }
}

/// A query string; bad values get a clear 400.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e @ QueryRejection::FailedToDeserializeQueryString(_)) => Err(ApiError::bad_request(
                ErrorCode::InvalidQuery,
                format!("invalid query parameters: {}", e.body_text()),
                format!("tham số truy vấn không hợp lệ: {}", e.body_text()),
            )),
            Err(e) => {
                Err(ApiError::bad_request(ErrorCode::InvalidQuery, e.body_text(), "tham số truy vấn không hợp lệ"))
            }
        }
    }
}

/// The signed-in officer (bearer token).
pub struct Officer(pub User);

impl Officer {
    /// The domain's view of this officer.
    pub fn actor(&self) -> Actor {
        self.0.actor()
    }
    /// Holds `role` in any unit.
    pub fn has_role(&self, role: Role) -> bool {
        self.0.roles.iter().any(|(_, r)| *r == role)
    }
    /// Units where the officer holds `role`.
    pub fn units_with(&self, role: Role) -> Vec<String> {
        self.0.roles.iter().filter(|(_, r)| *r == role).map(|(u, _)| u.to_string()).collect()
    }
}

/// The bearer token in `Authorization`, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    parts.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

impl FromRequestParts<AppState> for Officer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(ApiError::unauthorized)?;
        let hash = crate::auth::token_hash(token);
        let now = state.now();
        if let Some(u) = state.tokens.get(&hash, now) {
            return Ok(Officer(u));
        }
        let user = state.store.token_user(&hash, now).await?;
        if let Some(u) = &user {
            state.tokens.put(hash, u.clone(), now);
        }
        user.map(Officer).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidToken,
                "the token is unknown or expired; sign in again",
                "phiên đăng nhập không hợp lệ hoặc đã hết hạn",
            )
        })
    }
}

/// An officer if a bearer token is present (a bad token is still an error).
pub struct MaybeOfficer(pub Option<Officer>);

impl FromRequestParts<AppState> for MaybeOfficer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if bearer(parts).is_none() {
            return Ok(MaybeOfficer(None));
        }
        Ok(MaybeOfficer(Some(Officer::from_request_parts(parts, state).await?)))
    }
}

/// Parses `If-Match: 3` or `If-Match: "3"` (also weak `W/"3"`).
pub fn if_match(parts: &axum::http::HeaderMap) -> Result<i64, ApiError> {
    let missing = || {
        ApiError::bad_request(
            ErrorCode::IfMatchRequired,
            "send the dossier version you are acting on in the If-Match header (e.g. If-Match: 3)",
            "cần gửi phiên bản hồ sơ trong tiêu đề If-Match (ví dụ If-Match: 3)",
        )
    };
    let v = parts.get(axum::http::header::IF_MATCH).ok_or_else(missing)?.to_str().map_err(|_| missing())?;
    let v = v.trim().trim_start_matches("W/").trim_matches('"');
    v.parse::<i64>().map_err(|_| missing())
}

/// The address the caller reached Motcua at (`https://host[:port]`), from `Host` (checked to be a
/// host name) and `X-Forwarded-Proto`; none without a usable `Host`. Plain HTTP is assumed only
/// for a local host or when the proxy says so.
pub fn origin(headers: &axum::http::HeaderMap) -> Option<String> {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.len() <= 255)
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b)))?;
    let scheme = match headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
        Some("http") => "http",
        Some("https") => "https",
        _ if host.starts_with("localhost") || host.starts_with("127.") => "http",
        _ => "https",
    };
    Some(format!("{scheme}://{host}"))
}
