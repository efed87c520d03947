//! `GET /quan-tri/nguoi-dung`: the accounts an administrator manages, with their roles per unit,
//! and the create / update form (`?sua=<username>` opens an account in it).
//! `POST /quan-tri/nguoi-dung`: creates or updates an account. A center administrator sees and
//! edits only accounts whose roles all lie in the units they administer, grants roles only
//! there, and never grants `system_admin`; a system administrator does anything. Passwords are
//! at least 10 characters and hashed with argon2id off the async threads; an account set here
//! does not carry the "default password" flag.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::dossier::Role;
use serde::Deserialize;

use motcua_app::accounts::{AccountInput, valid_username};
use motcua_app::error::Kind;
use motcua_domain::text::fold;

use super::{Admin, admin_of};
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::console::{Opt, bad_request, role_label, unit_names};
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, Lang, render_status, see_other};

/// Role lines offered blank under an account's current roles.
const BLANK_LINES: usize = 2;

#[derive(Deserialize)]
pub struct UsersQuery {
    /// Account to open in the form.
    sua: Option<String>,
    /// Account just saved.
    xong: Option<String>,
    /// Search words (username or name, without diacritics).
    q: Option<String>,
    /// Page of the list, from 1.
    trang: Option<String>,
}

/// Accounts per page of the list.
const PAGE: usize = 50;

/// Which accounts the list shows (search words and a page), and the account just saved.
#[derive(Default)]
struct ListQuery {
    q: String,
    page: usize,
    saved: Option<String>,
}

/// One account in the list.
struct UserRow {
    username: String,
    full_name: String,
    roles: Vec<String>,
    active: bool,
    default_password: bool,
    editable: bool,
}

/// One (unit, role) line of the form.
struct RoleLine {
    n: usize,
    units: Vec<Opt>,
    roles: Vec<Opt>,
}

/// The create / update form.
struct UserForm {
    editing: bool,
    username: String,
    full_name: String,
    active: bool,
    lines: Vec<RoleLine>,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserRow>,
    /// The search words, the page shown, the number of pages and of accounts found.
    q: String,
    page: usize,
    pages: usize,
    found: usize,
    form: UserForm,
    error: Option<String>,
    saved: Option<String>,
}

/// The submitted form, as typed.
struct Input {
    mode: String,
    username: String,
    full_name: String,
    password: String,
    active: bool,
    pairs: Vec<(String, String)>,
}

impl Input {
    fn from_pairs(pairs: Vec<(String, String)>) -> Input {
        let first = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let all = |k: &str| pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).collect::<Vec<_>>();
        let (units, roles) = (all("unit"), all("role"));
        let lines = units.len().max(roles.len());
        Input {
            mode: first("mode"),
            username: first("username").trim().to_owned(),
            full_name: first("full_name").trim().to_owned(),
            password: first("password"),
            active: pairs.iter().any(|(n, _)| n == "active"),
            pairs: (0..lines)
                .map(|i| (units.get(i).cloned().unwrap_or_default(), roles.get(i).cloned().unwrap_or_default()))
                .collect(),
        }
    }
}

/// Units whose roles this administrator may grant, as `(code, label)`.
async fn grantable_units(state: &AppState, admin: &Admin) -> Result<Vec<(String, String)>, UiError> {
    Ok(state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.is_current() && admin.covers(&u.code))
        .map(|u| (u.code.to_string(), format!("{} ({})", u.name, u.code)))
        .collect())
}

fn role_line(n: usize, units: &[(String, String)], admin: &Admin, unit: &str, role: &str, lang: Lang) -> RoleLine {
    let mut unit_opts = vec![Opt { value: String::new(), label: "—".into(), selected: unit.is_empty() }];
    unit_opts.extend(units.iter().map(|(code, label)| Opt {
        value: code.clone(),
        label: label.clone(),
        selected: code == unit,
    }));
    let mut role_opts = vec![Opt { value: String::new(), label: "—".into(), selected: role.is_empty() }];
    role_opts.extend(Role::ALL.into_iter().filter(|r| admin.may_grant(*r)).map(|r| Opt {
        value: r.as_str().to_owned(),
        label: role_label(r, lang).to_owned(),
        selected: r.as_str() == role,
    }));
    RoleLine { n, units: unit_opts, roles: role_opts }
}

/// The page with `form` filled from `(username, full_name, active, roles)`.
async fn users_page(
    state: &AppState,
    s: &SignedIn,
    admin: &Admin,
    editing: bool,
    fill: (String, String, bool, Vec<(String, String)>),
    error: Option<String>,
    list: ListQuery,
) -> Result<UsersPage, UiError> {
    let lang = s.visitor.lang;
    let names = unit_names(state).await?;
    let words: Vec<String> = fold(&list.q).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect();
    let matching: Vec<_> = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| admin.sees(u))
        .filter(|u| {
            let text = fold(&format!("{} {}", u.username, u.full_name));
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .collect();
    let found = matching.len();
    let pages = found.div_ceil(PAGE).max(1);
    let page = list.page.clamp(1, pages);
    let users = matching
        .into_iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .map(|u| UserRow {
            roles: u
                .roles
                .iter()
                .map(|(unit, r)| {
                    let unit =
                        names.get(unit.as_str()).map(|n| format!("{n} ({unit})")).unwrap_or_else(|| unit.to_string());
                    format!("{unit}: {}", role_label(*r, lang))
                })
                .collect(),
            editable: admin.edits(&u),
            active: u.active,
            default_password: u.default_password,
            full_name: u.full_name,
            username: u.username,
        })
        .collect();
    let units = grantable_units(state, admin).await?;
    let (username, full_name, active, roles) = fill;
    let mut lines: Vec<RoleLine> = roles
        .iter()
        .filter(|(u, r)| !u.is_empty() || !r.is_empty())
        .enumerate()
        .map(|(i, (u, r))| role_line(i + 1, &units, admin, u, r, lang))
        .collect();
    for _ in 0..BLANK_LINES.max(3usize.saturating_sub(lines.len())) {
        lines.push(role_line(lines.len() + 1, &units, admin, "", "", lang));
    }
    let c = Chrome::new(&s.visitor, "/quan-tri/nguoi-dung", "Tài khoản và vai trò", "Accounts and roles");
    Ok(UsersPage {
        c,
        users,
        q: list.q,
        page,
        pages,
        found,
        form: UserForm { editing, username, full_name, active, lines },
        error,
        saved: list.saved,
    })
}

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<UsersQuery>,
) -> Result<Response, UiError> {
    let admin = admin_of(&s)?;
    let mut fill = (String::new(), String::new(), true, Vec::new());
    let mut editing = false;
    if let Some(name) = q.sua.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        let u = state
            .store
            .user(name)
            .await?
            .filter(|u| admin.sees(u))
            .ok_or_else(|| UiError::not_found(s.visitor.lang))?;
        if !admin.edits(&u) {
            return Err(UiError::forbidden(s.visitor.lang));
        }
        let roles = u.roles.iter().map(|(unit, r)| (unit.to_string(), r.as_str().to_owned())).collect();
        fill = (u.username, u.full_name, u.active, roles);
        editing = true;
    }
    let saved = q.xong.filter(|u| valid_username(u));
    let list = ListQuery {
        q: q.q.unwrap_or_default().chars().take(100).collect(),
        page: q.trang.as_deref().and_then(|p| p.trim().parse().ok()).unwrap_or(1),
        saved,
    };
    let page = users_page(&state, &s, &admin, editing, fill, None, list).await?;
    Ok(render_status(StatusCode::OK, &page))
}

pub(super) async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let admin = admin_of(&s)?;
    let Form(pairs) = form.map_err(|_| bad_request(lang, "Biểu mẫu không hợp lệ.", "The form is malformed."))?;
    let csrf = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    s.visitor.check_csrf(csrf)?;
    let input = Input::from_pairs(pairs);
    let creating = match input.mode.as_str() {
        "create" => true,
        "update" => false,
        _ => return Err(bad_request(lang, "Biểu mẫu không hợp lệ.", "The form is malformed.")),
    };
    let account = AccountInput {
        creating,
        username: input.username.clone(),
        full_name: input.full_name.clone(),
        password: input.password.clone(),
        active: input.active,
        grants: input.pairs.clone(),
    };
    match motcua_app::accounts::save_account(&state, &s.user, account).await {
        Ok(user) => {
            // The cached account of its tokens is stale now (roles, password, disabled).
            state.tokens.forget_user(&user.username);
            Ok(see_other(&format!("/quan-tri/nguoi-dung?xong={}", user.username)))
        }
        Err(e) if matches!(e.kind, Kind::Unprocessable | Kind::Forbidden) => {
            let status = crate::error::status_of(e.kind);
            let message = lang.t(&e.message_vi, &e.message).to_owned();
            let fill = (input.username, input.full_name, input.active, input.pairs);
            let page =
                users_page(&state, &s, &admin, input.mode == "update", fill, Some(message), ListQuery::default())
                    .await?;
            Ok(render_status(status, &page))
        }
        Err(e) => Err(UiError::from(e).in_lang(lang)),
    }
}
