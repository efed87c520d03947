//! Accounts: signing in (an officer's username and password checked once for both fronts, the
//! API's bearer tokens and the pages' sessions), the API token issued, and the administration
//! of accounts and roles (a center administrator only within the units they administer; only a
//! system administrator makes system administrators).

use motcua_domain::ErrorCode;
use motcua_domain::dossier::Role;
use motcua_domain::ids::UnitCode;
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

/// A new bearer token for `user` (stored as its hash), and when it expires. None while the
/// account's password is a temporary one an administrator set: its owner changes it first
/// ([`change_password`]; the page `/can-bo/mat-khau` or `POST /api/v1/auth/password`).
pub async fn issue_token(state: &Application, user: &User) -> AppResult<(String, OffsetDateTime)> {
    if user.must_change_password {
        return Err(Error::new(
            Kind::Forbidden,
            ErrorCode::PasswordChangeRequired,
            "this password was set by an administrator: change it first (POST /api/v1/auth/password)",
            "mật khẩu này do quản trị viên đặt: hãy đổi mật khẩu trước (POST /api/v1/auth/password)",
        ));
    }
    let token = crate::auth::new_token();
    let expires = state.now() + Duration::hours(TOKEN_HOURS);
    state.store.put_token(&crate::auth::token_hash(&token), &user.username, state.now(), expires).await?;
    Ok((token, expires))
}

/// Who asks for an administrative change (the catalog, units, the calendar).
#[derive(Debug, Clone, Copy)]
pub enum Authority<'a> {
    /// A signed-in account: allowed what its grants allow.
    Account(&'a User),
    /// Whoever runs a `motcua` command on the server, by the name they give (`cli` by default):
    /// holding the database's address, they may do what a system administrator may.
    Operator(&'a str),
}

impl Authority<'_> {
    /// The administration rights, or 403 with the message given (what only an administrator
    /// may do).
    pub fn admin(&self, en: &str, vi: &str) -> AppResult<AdminScope> {
        let scope = match self {
            Authority::Account(u) => AdminScope::of(u),
            Authority::Operator(_) => Some(AdminScope::System),
        };
        scope.ok_or_else(|| Error::forbidden(en, vi))
    }

    /// Holds `role` somewhere (the operator holds every role).
    pub fn holds(&self, role: Role) -> bool {
        match self {
            Authority::Account(u) => u.roles.iter().any(|(_, r)| *r == role),
            Authority::Operator(_) => true,
        }
    }

    /// The name recorded as the author: the username, or the operator's name.
    pub fn name(&self) -> &str {
        match self {
            Authority::Account(u) => &u.username,
            Authority::Operator(name) => name,
        }
    }
}

/// Who administers what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminScope {
    /// Anywhere.
    System,
    /// The units where the officer holds `center_admin`.
    Center(Vec<String>),
}

impl AdminScope {
    /// `user`'s administration rights, if any.
    pub fn of(user: &User) -> Option<AdminScope> {
        AdminScope::of_grants(&user.roles)
    }

    /// The administration rights of these (unit, role) grants, if any.
    pub fn of_grants(grants: &[(UnitCode, Role)]) -> Option<AdminScope> {
        if grants.iter().any(|(_, r)| *r == Role::SystemAdmin) {
            return Some(AdminScope::System);
        }
        let mut units: Vec<String> =
            grants.iter().filter(|(_, r)| *r == Role::CenterAdmin).map(|(u, _)| u.to_string()).collect();
        units.sort();
        units.dedup();
        (!units.is_empty()).then_some(AdminScope::Center(units))
    }

    /// May grant roles in `unit`.
    pub fn covers(&self, unit: &str) -> bool {
        match self {
            AdminScope::System => true,
            AdminScope::Center(units) => units.iter().any(|u| u == unit),
        }
    }

    /// May grant `role` at all: only a system administrator makes system administrators.
    pub fn may_grant(&self, role: Role) -> bool {
        matches!(self, AdminScope::System) || role != Role::SystemAdmin
    }

    /// Sees the account in the list: it has no role yet, or one in a unit covered here.
    pub fn sees(&self, u: &User) -> bool {
        u.roles.is_empty() || u.roles.iter().any(|(unit, _)| self.covers(unit))
    }

    /// May change the account: every role it holds is in units this administrator covers.
    pub fn edits(&self, u: &User) -> bool {
        u.roles.iter().all(|(unit, role)| self.covers(unit) && self.may_grant(*role))
    }
}

/// Shortest password an administrator may set.
pub const MIN_PASSWORD: usize = 10;

/// A username: 2–64 lowercase letters, digits, `.`, `_`, `-`.
pub fn valid_username(u: &str) -> bool {
    (2..=64).contains(&u.len())
        && u.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// An account as an administrator submits it.
pub struct AccountInput {
    /// A new account (else an existing one is changed).
    pub creating: bool,
    pub username: String,
    pub full_name: String,
    /// Empty on a change: the password stays.
    pub password: String,
    pub active: bool,
    /// (unit, role) lines as typed; fully empty lines are ignored.
    pub grants: Vec<(String, String)>,
}

/// Creates or changes an account as `by` (an administrator). Answers the stored account.
#[tracing::instrument(skip_all, fields(account = %f.username))]
pub async fn save_account(state: &Application, by: &User, f: AccountInput) -> AppResult<User> {
    let unprocessable = |code, en: &str, vi: &str| Err(Error::new(Kind::Unprocessable, code, en, vi));
    let forbidden = |code, en: &str, vi: &str| Err(Error::new(Kind::Forbidden, code, en, vi));
    let Some(admin) = AdminScope::of(by) else {
        return Err(Error::forbidden("only administrators manage accounts", "chỉ quản trị được quản lý tài khoản"));
    };
    if !valid_username(&f.username) {
        return unprocessable(
            ErrorCode::InvalidUsername,
            "The username has 2–64 characters: lowercase letters, digits, dot, underscore, hyphen.",
            "Tên đăng nhập gồm 2–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.",
        );
    }
    if f.full_name.is_empty() || f.full_name.chars().count() > 200 || f.full_name.chars().any(char::is_control) {
        return unprocessable(
            ErrorCode::InvalidFullName,
            "Enter the full name (at most 200 characters).",
            "Cần nhập họ và tên (tối đa 200 ký tự).",
        );
    }
    let existing = state.store.user(&f.username).await?;
    match (&existing, f.creating) {
        (Some(_), true) => {
            return unprocessable(ErrorCode::UsernameTaken, "This username is taken.", "Tên đăng nhập này đã có.");
        }
        (None, false) => {
            return unprocessable(ErrorCode::UnknownAccount, "No such account.", "Không có tài khoản này.");
        }
        (Some(u), false) if !admin.edits(u) => {
            return forbidden(
                ErrorCode::AccountOutOfScope,
                "The account holds roles in units you do not administer.",
                "Tài khoản có vai trò ở đơn vị bạn không quản trị; chỉ quản trị các đơn vị đó hoặc quản trị hệ thống được sửa.",
            );
        }
        _ => {}
    }
    let chars = f.password.chars().count();
    if (f.creating || !f.password.is_empty()) && !(MIN_PASSWORD..=256).contains(&chars) {
        return unprocessable(
            ErrorCode::WeakPassword,
            "The password must have at least 10 characters.",
            "Mật khẩu phải có ít nhất 10 ký tự.",
        );
    }
    let units = state.store.units().await?;
    let mut roles: Vec<(UnitCode, Role)> = Vec::new();
    for (unit, role) in &f.grants {
        if unit.is_empty() && role.is_empty() {
            continue;
        }
        let Some(r) = Role::parse(role).filter(|_| !unit.is_empty()) else {
            return unprocessable(
                ErrorCode::IncompleteGrant,
                "Choose both a unit and a role on each line.",
                "Mỗi dòng phân quyền cần chọn cả đơn vị và vai trò.",
            );
        };
        let Some(code) = units.iter().find(|u| u.code == *unit).map(|u| u.code.clone()) else {
            return unprocessable(ErrorCode::UnknownUnit, "Unknown unit.", "Đơn vị không có trong danh mục.");
        };
        if !admin.covers(unit) || !admin.may_grant(r) {
            return forbidden(
                ErrorCode::GrantOutOfScope,
                "You may grant roles only in the units you administer (and only system administrators grant system_admin).",
                "Bạn chỉ được phân quyền tại đơn vị mình quản trị (quyền quản trị hệ thống chỉ do quản trị hệ thống cấp).",
            );
        }
        if !roles.iter().any(|(u, x)| *u == code && *x == r) {
            roles.push((code, r));
        }
    }
    if f.username == by.username && !f.active {
        return unprocessable(
            ErrorCode::CannotDeactivateSelf,
            "You cannot deactivate your own account.",
            "Không thể tự khóa tài khoản của mình.",
        );
    }
    let password_hash = match (&existing, f.password.is_empty()) {
        (Some(u), true) => u.password_hash.clone(),
        _ => {
            let plain = f.password.clone();
            tokio::task::spawn_blocking(move || crate::auth::hash_password(&plain))
                .await
                .ok()
                .and_then(Result::ok)
                .ok_or_else(Error::internal)?
        }
    };
    roles.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
    // A password set by someone else (a new account, an administrator's reset) is temporary:
    // its owner chooses their own at the next sign-in (issue 14).
    let must_change_password = match (&existing, f.password.is_empty()) {
        (Some(u), true) => u.must_change_password,
        _ => f.username != by.username,
    };
    let user = User {
        username: f.username,
        full_name: f.full_name,
        password_hash,
        default_password: false,
        must_change_password,
        active: f.active,
        roles,
    };
    state.store.put_user(&user, state.now()).await?;
    // A new password set by an administrator, or an account disabled: whoever was signed in
    // with the old one is signed out (a reset usually answers a leaked password).
    if existing.is_some() && (!f.password.is_empty() || !user.active) && user.username != by.username {
        state.store.revoke_sign_ins(&user.username).await?;
    }
    tracing::info!(by = %by.username, "account saved");
    Ok(user)
}

/// An officer changes their own password: the current one proves it is them, the new one is
/// typed twice, at least [`MIN_PASSWORD`] characters and different from the current one. It
/// clears a temporary password's "change at next sign-in" and a default password's flag.
#[tracing::instrument(skip_all)]
pub async fn change_password(state: &Application, user: &User, current: &str, new: &str, again: &str) -> AppResult<()> {
    let unprocessable = |code, en: &str, vi: &str| Err(Error::new(Kind::Unprocessable, code, en, vi));
    let Ok(verified) = authenticate(state, &user.username, current).await else {
        return unprocessable(
            ErrorCode::WrongPassword,
            "The current password is wrong.",
            "Mật khẩu hiện tại không đúng.",
        );
    };
    if new != again {
        return unprocessable(
            ErrorCode::PasswordMismatch,
            "The two new passwords differ.",
            "Hai lần nhập mật khẩu mới không khớp nhau.",
        );
    }
    if !(MIN_PASSWORD..=256).contains(&new.chars().count()) {
        return unprocessable(
            ErrorCode::WeakPassword,
            "The password must have at least 10 characters.",
            "Mật khẩu phải có ít nhất 10 ký tự.",
        );
    }
    if new == current {
        return unprocessable(
            ErrorCode::PasswordUnchanged,
            "Choose a password different from the current one.",
            "Hãy chọn mật khẩu khác mật khẩu hiện tại.",
        );
    }
    let plain = new.to_owned();
    let hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&plain))
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(Error::internal)?;
    if !state.store.replace_password(&user.username, &verified.password_hash, &hash).await? {
        return Err(Error::new(
            Kind::Conflict,
            ErrorCode::PasswordChangedMeanwhile,
            "The password was changed meanwhile; sign in with the new one.",
            "Mật khẩu vừa được đổi ở nơi khác; hãy đăng nhập bằng mật khẩu mới.",
        ));
    }
    tracing::info!("password changed");
    Ok(())
}
