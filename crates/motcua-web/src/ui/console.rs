//! The officer console (specialist, leader): the inbox of the officer's units, the dossier page
//! with its steps, timeline, documents and one form per action the domain allows now, and the
//! leader's overview. Every decision stays in the domain (`allowed_actions`, `dossiers::act`):
//! these pages only show what it allows and forward what the officer chose.
//!
//! - [`inbox`]: `GET /can-bo` — soonest due first, coloured by urgency, 50 a page.
//! - [`dossier`]: `GET /can-bo/ho-so/{code}`, and `GET /can-bo/tep/{id}` for attached files.
//! - [`actions`]: `POST /can-bo/ho-so/{code}/thao-tac` — every action form (approve may carry
//!   the result file).
//! - [`leader`]: `GET /can-bo/lanh-dao` — open work per unit, the overdue list, reassignment.

mod actions;
mod dossier;
mod inbox;
mod leader;

use std::collections::HashMap;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use motcua_domain::calendar::WorkingTime;
use motcua_domain::dossier::{Dossier, Role, Status};
use motcua_store::dossiers::InboxRow;
use motcua_store::parse_ts;
use time::OffsetDateTime;

use super::Lang;
use super::error::UiError;
use super::session::SignedIn;
use crate::AppState;
use crate::error::ApiError;
use crate::views::{Urgency, urgency};

/// Rows on one inbox page.
pub const PAGE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/can-bo", get(inbox::page))
        .route("/can-bo/ho-so/{code}", get(dossier::page))
        .route("/can-bo/ho-so/{code}/thao-tac", post(actions::act).layer(DefaultBodyLimit::max(actions::MAX_UPLOAD)))
        .route("/can-bo/tep/{id}", get(dossier::file))
        .route("/can-bo/lanh-dao", get(leader::page))
}

/// An API-shaped refusal shown as a page in the visitor's language.
pub(crate) fn ui(e: impl Into<ApiError>, lang: Lang) -> UiError {
    UiError::from(Into::<ApiError>::into(e)).in_lang(lang)
}

/// A 400 page for a malformed form or query.
pub(crate) fn bad_request(lang: Lang, vi: &str, en: &str) -> UiError {
    UiError::new(StatusCode::BAD_REQUEST, lang, vi, en)
}

/// Units whose dossiers the officer works on: those where they hold a processing role.
/// Administrators' units are not an inbox (administration holds no dossiers).
pub(crate) fn work_units(s: &SignedIn) -> Vec<String> {
    let mut units: Vec<String> = s
        .user
        .roles
        .iter()
        .filter(|(_, r)| matches!(r, Role::Receiver | Role::Specialist | Role::Leader | Role::Clerk))
        .map(|(u, _)| u.to_string())
        .collect();
    units.sort();
    units.dedup();
    units
}

/// Units where the officer holds `role`.
pub(crate) fn units_with(s: &SignedIn, role: Role) -> Vec<String> {
    let mut units: Vec<String> = s.user.roles.iter().filter(|(_, r)| *r == role).map(|(u, _)| u.to_string()).collect();
    units.sort();
    units.dedup();
    units
}

/// A role as people read it.
pub(crate) fn role_label(role: Role, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => role.label_vi(),
        Lang::En => match role {
            Role::Receiver => "Receiver",
            Role::Specialist => "Specialist",
            Role::Leader => "Leader",
            Role::CenterAdmin => "Center administrator",
            Role::Clerk => "Clerk",
            Role::SystemAdmin => "System administrator",
        },
    }
}

/// A status as people read it.
pub(crate) fn status_label(s: Status, lang: Lang) -> String {
    match lang {
        Lang::Vi => s.label_vi().to_owned(),
        Lang::En => s.as_str().replace('_', " "),
    }
}

/// CSS class (also the `Urgency` JSON name) and text of an urgency: colour is never the only
/// signal.
pub(crate) fn urgency_text(u: Urgency, lang: Lang) -> (&'static str, &'static str) {
    match u {
        Urgency::Overdue => ("overdue", lang.t("Quá hạn", "Overdue")),
        Urgency::DueSoon => ("due_soon", lang.t("Đến hạn trong 1 ngày làm việc", "Due within 1 working day")),
        Urgency::OnTrack => ("on_track", lang.t("Trong hạn", "On time")),
        Urgency::None => ("no_deadline", lang.t("Không tính hạn", "No running deadline")),
    }
}

/// Working time in days, as on process tables: `0,25 ngày làm việc`.
pub(crate) fn working_days(w: WorkingTime, lang: Lang) -> String {
    format!("{} {}", crate::views::decimal(w.days(), lang), lang.t("ngày làm việc", "working days"))
}

/// `dd/mm/yyyy HH:MM` (UTC+7) of a stored instant, or a dash.
fn stored_instant(s: Option<&str>) -> String {
    s.and_then(|s| parse_ts(s).ok()).map(crate::views::local_display).unwrap_or_else(|| "—".into())
}

/// One inbox line as shown.
pub(crate) struct Row {
    pub code: String,
    pub procedure: String,
    pub status: String,
    pub received: String,
    pub due: String,
    pub step: String,
    pub assignee: String,
    pub urgency: Urgency,
    /// CSS class of the row: `overdue`, `due_soon`, `on_track` or `no_deadline`.
    pub class: &'static str,
    pub urgency_label: &'static str,
    /// A running internal-process step is past its own deadline (domain.md §6), whether or not
    /// the dossier is.
    pub step_overdue: bool,
    pub version: i64,
    /// The projection, when it could be read (details and allowed actions).
    pub dossier: Option<Dossier>,
}

/// Inbox rows with their projections read in one statement (procedure name, current step,
/// assignee) and their urgency now, in the holding unit's calendar.
pub(crate) async fn rows(
    state: &AppState,
    inbox: Vec<InboxRow>,
    now: OffsetDateTime,
    lang: Lang,
) -> Result<Vec<Row>, UiError> {
    let codes: Vec<String> = inbox.iter().map(|r| r.code.clone()).collect();
    let mut by_code: HashMap<String, Dossier> =
        state.store.dossiers_by_code(&codes).await?.into_iter().map(|d| (d.code.to_string(), d)).collect();
    Ok(inbox
        .into_iter()
        .map(|r| {
            let status = Status::parse(&r.status).unwrap_or(Status::Submitted);
            let due = if r.due_sort.starts_with("9999") { None } else { parse_ts(&r.due_sort).ok() };
            let u = urgency(&state.calendars.get(Some(&r.holder_unit)), status, due, now);
            let (class, urgency_label) = urgency_text(u, lang);
            let d = by_code.remove(&r.code);
            Row {
                procedure: d.as_ref().map(|d| d.procedure_name.clone()).unwrap_or_else(|| r.procedure_code.clone()),
                step: d
                    .as_ref()
                    .filter(|d| !d.status.is_closed() && d.current_step().is_some())
                    .map(|d| {
                        d.steps
                            .get(d.current_group())
                            .unwrap_or_default()
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(" ∥ ")
                    })
                    .unwrap_or_else(|| "—".into()),
                step_overdue: r.step_due.as_deref().and_then(|t| parse_ts(t).ok()).is_some_and(|t| t < now),
                assignee: d.as_ref().and_then(|d| d.assignee.clone()).unwrap_or_else(|| "—".into()),
                status: status_label(status, lang),
                received: stored_instant(r.received_at.as_deref()),
                due: due.map(crate::views::local_display).unwrap_or_else(|| "—".into()),
                urgency: u,
                class,
                urgency_label,
                version: r.version,
                code: r.code,
                dossier: d,
            }
        })
        .collect())
}

/// `?cursor=` of a console page, checked.
pub(crate) fn cursor(raw: Option<&str>, lang: Lang) -> Result<Option<(String, String)>, UiError> {
    match raw.filter(|c| !c.is_empty()) {
        Some(c) => crate::api::inbox::decode_cursor(c)
            .map(Some)
            .ok_or_else(|| bad_request(lang, "Liên kết phân trang không hợp lệ.", "The page link is not valid.")),
        None => Ok(None),
    }
}

/// The cursor of the page after `rows`, when the page was full.
pub(crate) fn next_cursor(rows: &[InboxRow], limit: i64) -> Option<String> {
    if rows.len() as i64 == limit {
        rows.last().map(|r| crate::api::inbox::encode_cursor(&r.due_sort, &r.code))
    } else {
        None
    }
}

/// `code → name` of every unit, for display.
pub(crate) async fn unit_names(state: &AppState) -> Result<HashMap<String, String>, UiError> {
    Ok(state.store.units().await?.into_iter().map(|u| (u.code.into_string(), u.name)).collect())
}

/// An option of a `<select>`.
pub(crate) struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Specialists of `unit` as select options (full names when known), `current` preselected.
pub(crate) async fn specialists(state: &AppState, unit: &str, current: Option<&str>) -> Result<Vec<Opt>, UiError> {
    let mut out = Vec::new();
    for username in state.store.users_with_role(unit, Role::Specialist).await? {
        let name = state.store.user(&username).await?.filter(|u| u.active).map(|u| u.full_name);
        let Some(name) = name else { continue };
        let label = if name == username { username.clone() } else { format!("{name} ({username})") };
        out.push(Opt { selected: current == Some(username.as_str()), value: username, label });
    }
    Ok(out)
}
