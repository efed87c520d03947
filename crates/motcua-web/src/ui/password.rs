//! `GET|POST /can-bo/mat-khau`: an officer changes their own password (issue 14). After an
//! administrator set or reset it, every officer page leads here until it is changed (see
//! [`crate::ui::session::SignedIn`]).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::error::UiError;
use crate::ui::session::{PASSWORD_PATH as PATH, SignedIn};
use crate::ui::{Chrome, render, render_status, see_other};
use motcua_app::error::Kind;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    c: Chrome,
    username: String,
    forced: bool,
    done: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    xong: Option<String>,
}

fn page(s: &SignedIn, done: bool, error: Option<String>) -> PasswordPage {
    PasswordPage {
        c: Chrome::new(&s.visitor, PATH, "Đổi mật khẩu", "Change the password"),
        username: s.user.username.clone(),
        forced: s.user.must_change_password,
        done,
        error,
    }
}

pub(super) async fn form(s: SignedIn, ApiQuery(q): ApiQuery<DoneQuery>) -> Response {
    render(&page(&s, q.xong.is_some(), None))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
}

pub(super) async fn change(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<PasswordForm>,
) -> Result<Response, UiError> {
    s.visitor.check_csrf(&f.csrf)?;
    match motcua_app::accounts::change_password(&state, &s.user, &f.current, &f.new, &f.again).await {
        Ok(()) => Ok(see_other(&format!("{PATH}?xong=1"))),
        Err(e) if matches!(e.kind, Kind::Unprocessable | Kind::Conflict) => {
            let msg = s.visitor.lang.t(&e.message_vi, &e.message).to_owned();
            Ok(render_status(crate::error::status_of(e.kind), &page(&s, false, Some(msg))))
        }
        Err(e) => Err(UiError::from(crate::error::ApiError::from(e)).in_lang(s.visitor.lang)),
    }
}
