//! `POST /api/v1/auth/login` and `GET /api/v1/me`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_domain::ErrorCode;
use serde::{Deserialize, Serialize};
use time::Duration;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Officer};

/// Token lifetime.
const TOKEN_HOURS: i64 = 12;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Use as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: String,
    pub username: String,
}

/// An officer and where they work.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    pub full_name: String,
    /// `[unit, role]` pairs.
    pub roles: Vec<(String, String)>,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let wrong = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "wrong username or password",
            "sai tên đăng nhập hoặc mật khẩu",
        )
    };
    if req.username.len() > 64 || req.password.len() > 256 {
        return Err(wrong());
    }
    let user = state.store.user(req.username.trim()).await?.filter(|u| u.active);
    // Verify against a dummy hash when the user is unknown, so timing does not reveal accounts.
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.to_owned());
    let password = req.password.clone();
    let ok = tokio::task::spawn_blocking(move || crate::auth::verify_password(&password, &hash))
        .await
        .map_err(|_| ApiError::internal())?;
    let user = match (user, ok) {
        (Some(u), true) => u,
        _ => return Err(wrong()),
    };
    let token = crate::auth::new_token();
    let expires = state.now() + Duration::hours(TOKEN_HOURS);
    state.store.put_token(&crate::auth::token_hash(&token), &user.username, expires).await?;
    Ok(Json(LoginResponse { token, expires_at: crate::views::local(expires), username: user.username }))
}

/// argon2id hash of a random string, for constant-ish time on unknown users.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5lqJ3w7p7c9n0Jm1s3mNQ0W8r2yq8P2v3s8xX0b5hYk";

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(officer: Officer) -> Json<Me> {
    let u = officer.0;
    Json(Me {
        username: u.username,
        full_name: u.full_name,
        roles: u.roles.into_iter().map(|(unit, r)| (unit, r.as_str().to_owned())).collect(),
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/auth/login", post(login)).route("/api/v1/me", get(me))
}
