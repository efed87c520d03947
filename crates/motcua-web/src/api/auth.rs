//! `POST /api/v1/auth/login`, `POST /api/v1/auth/password` and `GET /api/v1/me`.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Officer};

/// Token lifetime.

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

/// An officer's own new password, proved by the current one.
#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub username: String,
    /// The current password (a temporary one an administrator set, or the officer's own).
    pub password: String,
    /// At least 10 characters, different from the current one.
    pub new_password: String,
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
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::ErrorBody),
        (status = 403, description = "`password_change_required`: a temporary password; change it first", body = crate::error::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let user = motcua_app::accounts::authenticate(&state, &req.username, &req.password).await?;
    let (token, expires) = motcua_app::accounts::issue_token(&state, &user).await?;
    Ok(Json(LoginResponse { token, expires_at: crate::views::local(expires), username: user.username }))
}

/// Changes the officer's password. The way an integration's account leaves a temporary password
/// (login answers 403 `password_change_required` until then); the officer's other sign-ins stay.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204, description = "Changed; sign in with the new password"),
        (status = 401, body = crate::error::ErrorBody), (status = 409, description = "`password_changed_meanwhile`: another change won", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<axum::http::StatusCode> {
    let user = motcua_app::accounts::authenticate(&state, &req.username, &req.password).await?;
    motcua_app::accounts::change_password(&state, &user, &req.password, &req.new_password, &req.new_password).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(officer: Officer) -> Json<Me> {
    let u = officer.0;
    Json(Me {
        username: u.username,
        full_name: u.full_name,
        roles: u.roles.into_iter().map(|(unit, r)| (unit.into_string(), r.as_str().to_owned())).collect(),
    })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/password", post(change_password))
        .route("/api/v1/me", get(me))
}
