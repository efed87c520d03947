//! `GET /quan-tri/hang-doi`: the counter groups and counters of the one-stops an administrator
//! manages (issue 14), with a form to create or change a group (name, fields it serves, ticket
//! letter) and one to add or rename a counter. `POST /quan-tri/hang-doi/nhom` and
//! `/quan-tri/hang-doi/quay` go through [`motcua_app::queue::put_group`] and `put_counter`, the
//! API's use cases, so the same scope and checks apply; a refusal comes back with its reason (422).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::queue::{Counter, CounterGroup, default_max_priority_run};
use serde::Deserialize;

use super::{Admin, Posted, admin_of};
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render_status, see_other};

const PATH: &str = "/quan-tri/hang-doi";

/// A group with its counters.
struct GroupRow {
    g: CounterGroup,
    unit_name: String,
    counters: Vec<Counter>,
}

#[derive(Template)]
#[template(path = "admin/counters.html")]
struct CountersPage {
    c: Chrome,
    groups: Vec<GroupRow>,
    /// One-stops the administrator may configure: (code, name).
    units: Vec<(String, String)>,
    error: Option<String>,
    saved: bool,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    xong: Option<String>,
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    admin: &Admin,
    error: Option<String>,
    saved: bool,
) -> Result<CountersPage, UiError> {
    let all_units = state.store.units().await?;
    let mut units: Vec<(String, String)> = all_units
        .iter()
        .filter(|u| u.receives_dossiers() && u.is_current() && admin.covers(u.code.as_str()))
        .map(|u| (u.code.to_string(), u.name.clone()))
        .collect();
    units.sort_by(|a, b| motcua_domain::text::collate(&a.1, &b.1));
    let codes: Vec<String> = units.iter().map(|(c, _)| c.clone()).collect();
    let counters = state.store.counters(&codes).await?;
    let groups = state
        .store
        .queue_groups(None)
        .await?
        .into_iter()
        .filter(|g| admin.covers(&g.unit))
        .map(|g| GroupRow {
            unit_name: units
                .iter()
                .find(|(c, _)| *c == g.unit)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| g.unit.clone()),
            counters: counters.iter().filter(|(c, _)| c.group == g.code).map(|(c, _)| c.clone()).collect(),
            g,
        })
        .collect();
    let c = Chrome::new(&s.visitor, PATH, "Nhóm quầy và quầy", "Counter groups and counters");
    Ok(CountersPage { c, groups, units, error, saved })
}

pub(super) async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<SavedQuery>,
) -> Result<Response, UiError> {
    let admin = admin_of(&s)?;
    Ok(render_status(StatusCode::OK, &page(&state, &s, &admin, None, q.xong.is_some()).await?))
}

type Fields = Vec<(String, String)>;

/// Saves through `save`, answering a redirect, or the page with the refusal.
async fn saving<F>(
    state: AppState,
    s: SignedIn,
    form: Result<Form<Fields>, FormRejection>,
    save: F,
) -> Result<Response, UiError>
where
    F: AsyncFnOnce(&AppState, &SignedIn, &Posted) -> Result<(), motcua_app::error::Error>,
{
    let (admin, f) = super::posted(&s, form)?;
    let lang = s.visitor.lang;
    match save(&state, &s, &f).await {
        Ok(()) => Ok(see_other(&format!("{PATH}?xong=1"))),
        Err(e) => {
            let msg = super::form_refusal(e, lang)?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&state, &s, &admin, Some(msg), false).await?))
        }
    }
}

pub(super) async fn save_group(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, UiError> {
    saving(state, s, form, async |state, s, f| {
        let fields = f.get("fields").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
        let g = CounterGroup {
            code: String::new(),
            unit: f.get("unit").to_owned(),
            name: f.get("name").to_owned(),
            fields,
            prefix: f.get("prefix").to_uppercase(),
            max_priority_run: default_max_priority_run(),
        };
        motcua_app::queue::put_group(state, &s.actor(), f.get("code"), g).await.map(|_| ())
    })
    .await
}

pub(super) async fn save_counter(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, UiError> {
    saving(state, s, form, async |state, s, f| {
        let c = Counter { id: String::new(), name: f.get("name").to_owned(), group: f.get("group").to_owned() };
        motcua_app::queue::put_counter(state, &s.actor(), f.get("id"), c).await.map(|_| ())
    })
    .await
}
