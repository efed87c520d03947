//! Signing in: an officer's username and password checked once for both fronts (the API's bearer
//! tokens and the pages' sessions), and the API token issued.

use motcua_domain::ErrorCode;
use motcua_store::users::User;
use time::{Duration, OffsetDateTime};

use crate::Application;
use crate::error::{AppResult, Error, Kind};

/// How long an API token lives.
pub const TOKEN_HOURS: i64 = 12;

/// argon2id hash of a random string: an unknown or disabled account is verified against it, so
/// the answer takes as long as for a real one and timing does not reveal which accounts exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5lqJ3w7p7c9n0Jm1s3mNQ0W8r2yq8P2v3s8xX0b5hYk";

/// The answer to any wrong sign-in (unknown account, disabled account, wrong password, absurd
/// lengths): one message, so it reveals nothing.
pub fn wrong_credentials() -> Error {
    Error::new(
        Kind::Unauthenticated,
        ErrorCode::InvalidCredentials,
        "wrong username or password",
        "sai tên đăng nhập hoặc mật khẩu",
    )
}

/// The active account `username` if `password` is its password (argon2id, verified on a
/// blocking thread).
#[tracing::instrument(skip_all)]
pub async fn authenticate(state: &Application, username: &str, password: &str) -> AppResult<User> {
    if username.len() > 64 || password.len() > 256 {
        return Err(wrong_credentials());
    }
    let user = state.store.user(username.trim()).await?.filter(|u| u.active);
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.to_owned());
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || crate::auth::verify_password(&password, &hash))
        .await
        .map_err(|_| Error::internal())?;
    match (user, ok) {
        (Some(u), true) => Ok(u),
        _ => Err(wrong_credentials()),
    }
}

/// A new bearer token for `user` (stored as its hash), and when it expires.
pub async fn issue_token(state: &Application, user: &User) -> AppResult<(String, OffsetDateTime)> {
    let token = crate::auth::new_token();
    let expires = state.now() + Duration::hours(TOKEN_HOURS);
    state.store.put_token(&crate::auth::token_hash(&token), &user.username, expires).await?;
    Ok((token, expires))
}
