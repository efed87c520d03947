//! `GET /quan-tri/nguoi-dung`: the accounts an administrator manages, with their roles per unit,
//! and the create / update form (`?sua=<username>` opens an account in it).
//! `POST /quan-tri/nguoi-dung`: creates or updates an account. A center administrator sees and
//! edits only accounts whose roles all lie in the units they administer, grants roles only
//! there, and never grants `system_admin`; a system administrator does anything. Passwords are
//! at least 10 characters and hashed with argon2id off the async threads; an account set here
//! does not carry the "default password" flag.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::dossier::Role;
use motcua_store::users::User;
use serde::Deserialize;

use super::Admin;
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::console::{Opt, bad_request, role_label, unit_names};
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, Lang, render_status, see_other};

/// Shortest password an administrator may set.
const MIN_PASSWORD: usize = 10;
/// Role lines offered blank under an account's current roles.
const BLANK_LINES: usize = 2;

#[derive(Deserialize)]
pub struct UsersQuery {
    /// Account to open in the form.
    sua: Option<String>,
    /// Account just saved.
    xong: Option<String>,
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
    form: UserForm,
    error: Option<String>,
    saved: Option<String>,
}

/// A username: 2–64 of `a-z 0-9 . _ -`.
fn valid_username(u: &str) -> bool {
    (2..=64).contains(&u.len())
        && u.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

impl Admin {
    /// Sees the account in the list: a center administrator sees accounts with a role in their
    /// units, and accounts without any role yet.
    fn sees(&self, u: &User) -> bool {
        u.roles.is_empty() || u.roles.iter().any(|(unit, _)| self.covers(unit))
    }
    /// May change the account: every role it holds is in units this administrator covers.
    fn edits(&self, u: &User) -> bool {
        u.roles.iter().all(|(unit, role)| self.covers(unit) && self.may_grant(*role))
    }
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

/// Why a save was refused: shown above the form with this status.
struct Refusal(StatusCode, String);

fn refuse(status: StatusCode, lang: Lang, vi: &str, en: &str) -> Refusal {
    Refusal(status, lang.t(vi, en).to_owned())
}

/// Units whose roles this administrator may grant, as `(code, label)`.
async fn grantable_units(state: &AppState, admin: &Admin) -> Result<Vec<(String, String)>, UiError> {
    Ok(state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.is_current() && admin.covers(&u.code))
        .map(|u| (u.code.clone(), format!("{} ({})", u.name, u.code)))
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
    saved: Option<String>,
) -> Result<UsersPage, UiError> {
    let lang = s.visitor.lang;
    let names = unit_names(state).await?;
    let users = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| admin.sees(u))
        .map(|u| UserRow {
            roles: u
                .roles
                .iter()
                .map(|(unit, r)| {
                    let unit = names.get(unit).map(|n| format!("{n} ({unit})")).unwrap_or_else(|| unit.clone());
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
    Ok(UsersPage { c, users, form: UserForm { editing, username, full_name, active, lines }, error, saved })
}

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<UsersQuery>,
) -> Result<Response, UiError> {
    let admin = Admin::of(&s)?;
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
        let roles = u.roles.iter().map(|(unit, r)| (unit.clone(), r.as_str().to_owned())).collect();
        fill = (u.username, u.full_name, u.active, roles);
        editing = true;
    }
    let saved = q.xong.filter(|u| valid_username(u));
    let page = users_page(&state, &s, &admin, editing, fill, None, saved).await?;
    Ok(render_status(StatusCode::OK, &page))
}

pub(super) async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let admin = Admin::of(&s)?;
    let Form(pairs) = form.map_err(|_| bad_request(lang, "Biểu mẫu không hợp lệ.", "The form is malformed."))?;
    let csrf = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    s.visitor.check_csrf(csrf)?;
    let input = Input::from_pairs(pairs);
    match account(&state, &s, &admin, &input).await? {
        Ok(user) => {
            let username = user.username.clone();
            state.store.put_user(&user).await?;
            tracing::info!(account = %username, by = %s.user.username, "account saved");
            Ok(see_other(&format!("/quan-tri/nguoi-dung?xong={username}")))
        }
        Err(Refusal(status, message)) => {
            let fill = (input.username, input.full_name, input.active, input.pairs);
            let page = users_page(&state, &s, &admin, input.mode == "update", fill, Some(message), None).await?;
            Ok(render_status(status, &page))
        }
    }
}

/// The account to store from the form, or why not.
async fn account(state: &AppState, s: &SignedIn, admin: &Admin, f: &Input) -> Result<Result<User, Refusal>, UiError> {
    let lang = s.visitor.lang;
    let unprocessable = |vi: &str, en: &str| Ok(Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, lang, vi, en)));
    let forbidden = |vi: &str, en: &str| Ok(Err(refuse(StatusCode::FORBIDDEN, lang, vi, en)));
    let creating = match f.mode.as_str() {
        "create" => true,
        "update" => false,
        _ => return Err(bad_request(lang, "Biểu mẫu không hợp lệ.", "The form is malformed.")),
    };
    if !valid_username(&f.username) {
        return unprocessable(
            "Tên đăng nhập gồm 2–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.",
            "The username has 2–64 characters: lowercase letters, digits, dot, underscore, hyphen.",
        );
    }
    if f.full_name.is_empty() || f.full_name.chars().count() > 200 || f.full_name.chars().any(char::is_control) {
        return unprocessable(
            "Cần nhập họ và tên (tối đa 200 ký tự).",
            "Enter the full name (at most 200 characters).",
        );
    }
    let existing = state.store.user(&f.username).await?;
    match (&existing, creating) {
        (Some(_), true) => return unprocessable("Tên đăng nhập này đã có.", "This username is taken."),
        (None, false) => return unprocessable("Không có tài khoản này.", "No such account."),
        (Some(u), false) if !admin.edits(u) => {
            return forbidden(
                "Tài khoản có vai trò ở đơn vị bạn không quản trị; chỉ quản trị các đơn vị đó hoặc quản trị hệ thống được sửa.",
                "The account holds roles in units you do not administer.",
            );
        }
        _ => {}
    }
    let chars = f.password.chars().count();
    if (creating || !f.password.is_empty()) && !(MIN_PASSWORD..=256).contains(&chars) {
        return unprocessable("Mật khẩu phải có ít nhất 10 ký tự.", "The password must have at least 10 characters.");
    }
    let mut roles: Vec<(String, Role)> = Vec::new();
    let known: HashMap<String, String> = unit_names(state).await?;
    for (unit, role) in &f.pairs {
        if unit.is_empty() && role.is_empty() {
            continue;
        }
        let Some(r) = Role::parse(role).filter(|_| !unit.is_empty()) else {
            return unprocessable(
                "Mỗi dòng phân quyền cần chọn cả đơn vị và vai trò.",
                "Choose both a unit and a role on each line.",
            );
        };
        if !known.contains_key(unit) {
            return unprocessable("Đơn vị không có trong danh mục.", "Unknown unit.");
        }
        if !admin.covers(unit) || !admin.may_grant(r) {
            return forbidden(
                "Bạn chỉ được phân quyền tại đơn vị mình quản trị (quyền quản trị hệ thống chỉ do quản trị hệ thống cấp).",
                "You may grant roles only in the units you administer (and only system administrators grant system_admin).",
            );
        }
        if !roles.iter().any(|(u, x)| u == unit && *x == r) {
            roles.push((unit.clone(), r));
        }
    }
    if f.username == s.user.username && !f.active {
        return unprocessable("Không thể tự khóa tài khoản của mình.", "You cannot deactivate your own account.");
    }
    let password_hash = match (&existing, f.password.is_empty()) {
        (Some(u), true) => u.password_hash.clone(),
        _ => {
            let plain = f.password.clone();
            tokio::task::spawn_blocking(move || crate::auth::hash_password(&plain))
                .await
                .ok()
                .and_then(Result::ok)
                .ok_or_else(|| UiError::internal(lang))?
        }
    };
    roles.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
    Ok(Ok(User {
        username: f.username.clone(),
        full_name: f.full_name.clone(),
        password_hash,
        default_password: false,
        active: f.active,
        roles,
    }))
}
