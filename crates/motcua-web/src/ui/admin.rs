//! Administration pages (center_admin, system_admin; anyone else gets 403): accounts with their
//! roles per unit, the units, and the working calendar with its yearly announcements.
//!
//! - [`users`]: `GET/POST /quan-tri/nguoi-dung` — list, create, update accounts; a center
//!   administrator grants roles only in the units they administer, a system administrator
//!   anywhere.
//! - [`units`]: `GET /quan-tri/don-vi` — the units with codes, validity and successors;
//!   `GET/POST /quan-tri/don-vi/{code}` — a unit's name, office hours, code template, organ id.
//! - [`process`]: `GET/POST /quan-tri/quy-trinh/{code}` — a procedure's internal process (steps,
//!   roles, units, budgets, parallel liên thông groups), saved as a new procedure version.
//! - [`procedure`]: `GET/POST /quan-tri/thu-tuc/moi[?sua=<code>]` — publish a procedure or a new
//!   version of one with its publication decision.
//! - [`decisions`]: `GET /quan-tri/quyet-dinh` — publication decisions, latest first;
//!   `GET /quan-tri/thu-tuc/{code}/phien-ban` — a procedure's versions and the diff of two.
//! - [`report`]: `GET /quan-tri/bao-cao[.xlsx|.html]` — the progress report (also open to
//!   leaders).
//! - [`restructure`]: `GET/POST /quan-tri/sap-xep` — a restructure plan of units, dry run first.
//! - [`disclosures`]: `GET/POST /quan-tri/cong-khai` — publish a month's indicators or a
//!   correction (a new revision).
//! - [`counters`]: `GET /quan-tri/hang-doi`, `POST /quan-tri/hang-doi/nhom|quay` — counter groups
//!   and counters of the one-stops.
//! - [`calendar`]: `GET/POST /quan-tri/lich` — a year's days off and swapped working days, and a
//!   new yearly announcement in TOML.

mod calendar;
mod counters;
mod decisions;
mod disclosures;
mod national;
mod payments;
mod procedure;
mod process;
mod report;
mod restructure;
mod units;
mod users;

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use super::error::UiError;
use super::session::SignedIn;
use super::{Chrome, render};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quan-tri", get(home))
        .route("/quan-tri/nguoi-dung", get(users::page).post(users::save))
        .route("/quan-tri/don-vi", get(units::page).post(units::create))
        .route("/quan-tri/don-vi/{code}", get(units::edit).post(units::save))
        .route("/quan-tri/lich", get(calendar::page).post(calendar::add))
        .route("/quan-tri/cong-khai", get(disclosures::list).post(disclosures::publish))
        .route("/quan-tri/sap-xep", get(restructure::form).post(restructure::run))
        .route("/quan-tri/dong-bo", get(national::page))
        .route("/quan-tri/doi-soat", get(payments::page))
        .route("/quan-tri/hang-doi", get(counters::list))
        .route("/quan-tri/hang-doi/nhom", axum::routing::post(counters::save_group))
        .route("/quan-tri/hang-doi/quay", axum::routing::post(counters::save_counter))
        .route("/quan-tri/quyet-dinh", get(decisions::list))
        .route("/quan-tri/thu-tuc/moi", get(procedure::form).post(procedure::save))
        .route("/quan-tri/thu-tuc/{code}/phien-ban", get(decisions::versions))
        .route("/quan-tri/quy-trinh", get(process::open))
        .route("/quan-tri/quy-trinh/{code}", get(process::edit).post(process::save_form))
        .route("/quan-tri/bao-cao", get(report::page))
        .route("/quan-tri/bao-cao.xlsx", get(report::xlsx))
        .route("/quan-tri/bao-cao.html", get(report::print))
}

/// Who administers what (the application's rule).
pub(crate) use motcua_app::accounts::AdminScope as Admin;

/// A posted administration form whose CSRF token was checked; values are read trimmed.
pub(crate) struct Posted(Vec<(String, String)>);

impl Posted {
    /// The first value of `name`, trimmed, or "".
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim()).unwrap_or_default()
    }
    /// Every non-empty value of `name` (a multiple select), trimmed.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }
    /// The field is present (even empty).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }
}

/// The administrator's posted form: 403 for anyone else, 400 for a malformed body, the CSRF
/// token checked.
pub(crate) fn posted(
    s: &SignedIn,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<(Admin, Posted), UiError> {
    let admin = admin_of(s)?;
    let lang = s.visitor.lang;
    let axum::Form(f) =
        form.map_err(|_| super::console::bad_request(lang, "Biểu mẫu không hợp lệ.", "The form is malformed."))?;
    let f = Posted(f);
    s.visitor.check_csrf(f.get("csrf"))?;
    Ok((admin, f))
}

/// What an administration form shows of a refused use case: the reason in the page language, to
/// show beside the form (422); a 403 or a 5xx page for a refusal that is not about the form.
pub(crate) fn form_refusal(e: motcua_app::error::Error, lang: super::Lang) -> Result<String, UiError> {
    use motcua_app::error::Kind;
    match e.kind {
        Kind::Forbidden => Err(UiError::forbidden(lang)),
        Kind::Internal => Err(UiError::from(crate::error::ApiError::from(e)).in_lang(lang)),
        _ => Ok(lang.t(&e.message_vi, &e.message).to_owned()),
    }
}

/// The signed-in officer's administration rights, or a 403 page.
pub(crate) fn admin_of(s: &SignedIn) -> Result<Admin, UiError> {
    Admin::of(&s.user).ok_or_else(|| UiError::forbidden(s.visitor.lang))
}

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage {
    c: Chrome,
}

async fn home(s: SignedIn) -> Result<Response, UiError> {
    admin_of(&s)?;
    let c = Chrome::new(&s.visitor, "/quan-tri", "Quản trị hệ thống", "Administration");
    Ok(render(&HomePage { c }))
}
