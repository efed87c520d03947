//! Officer sign-in / sign-out for the pages, and the language switch.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use motcua_domain::ErrorCode;
use motcua_store::web::WebSession;
use serde::Deserialize;

use super::error::UiError;
use super::session::{LANG, SESSION_SECONDS, sid_cookie, sid_hash};
use super::{Chrome, Visitor, render, render_status, see_other};
use crate::AppState;
use crate::extract::ApiQuery;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    username: String,
    error: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after sign-in (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/can-bo".to_owned(),
    }
}

async fn login_form(v: Visitor, ApiQuery(q): ApiQuery<NextQuery>) -> Response {
    let c = Chrome::new(&v, "/dang-nhap", "Đăng nhập cán bộ", "Officer sign-in");
    render(&LoginPage { c, next: safe_next(q.next.as_deref()), username: String::new(), error: false })
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(State(state): State<AppState>, v: Visitor, Form(f): Form<LoginForm>) -> Result<Response, UiError> {
    v.check_csrf(&f.csrf)?;
    let user = match motcua_app::accounts::authenticate(&state, &f.username, &f.password).await {
        Ok(u) => u,
        Err(e) if e.code == ErrorCode::InvalidCredentials => {
            let c = Chrome::new(&v, "/dang-nhap", "Đăng nhập cán bộ", "Officer sign-in");
            let page = LoginPage { c, next: safe_next(f.next.as_deref()), username: f.username, error: true };
            return Ok(render_status(StatusCode::UNAUTHORIZED, &page));
        }
        Err(e) => return Err(UiError::from(e).in_lang(v.lang)),
    };
    // A new session id at sign-in (no fixation); the old anonymous one is simply dropped.
    let sid = crate::auth::new_token();
    let expires = state.now() + time::Duration::seconds(SESSION_SECONDS);
    state
        .store
        .put_session(
            &WebSession {
                id_hash: sid_hash(&sid),
                username: Some(user.username.clone()),
                csrf: String::new(),
                lang: v.lang.code().to_owned(),
                expires_at: motcua_store::format_ts(expires),
            },
            state.now(),
        )
        .await?;
    let mut res = see_other(&safe_next(f.next.as_deref()));
    res.headers_mut().append(header::SET_COOKIE, sid_cookie(&sid));
    Ok(res)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

async fn logout(State(state): State<AppState>, v: Visitor, Form(f): Form<CsrfForm>) -> Result<Response, UiError> {
    v.check_csrf(&f.csrf)?;
    state.store.delete_session(&sid_hash(&v.sid)).await?;
    Ok(see_other("/"))
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
    next: Option<String>,
}

async fn switch_lang(ApiQuery(q): ApiQuery<LangQuery>) -> Response {
    let lang = if q.lang.as_deref() == Some("en") { "en" } else { "vi" };
    let next = match q.next.as_deref() {
        Some(n) if n.starts_with('/') && !n.starts_with("//") => n.to_owned(),
        _ => "/".to_owned(),
    };
    let mut res = see_other(&next);
    if let Ok(v) = HeaderValue::from_str(&format!("{LANG}={lang}; Path=/; SameSite=Lax; Max-Age=31536000")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.into_response()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dang-nhap", get(login_form).post(login))
        .route("/dang-xuat", post(logout))
        .route("/ngon-ngu", get(switch_lang))
        .route(super::session::PASSWORD_PATH, get(super::password::form).post(super::password::change))
}
