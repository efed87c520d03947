//! `POST /api/v1/auth/login` and `GET /api/v1/me`.

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
    let user = motcua_app::accounts::authenticate(&state, &req.username, &req.password).await?;
    let (token, expires) = motcua_app::accounts::issue_token(&state, &user).await?;
    Ok(Json(LoginResponse { token, expires_at: crate::views::local(expires), username: user.username }))
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
    Router::new().route("/api/v1/auth/login", post(login)).route("/api/v1/me", get(me))
}
