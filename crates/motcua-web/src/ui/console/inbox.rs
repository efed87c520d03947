//! `GET /can-bo`: the dossiers held by the officer's units, soonest due first (the store's keyset
//! inbox: one index range scan per unit, so a page costs the same at 10^6 dossiers), coloured
//! and labelled by urgency, 50 a page with a "next page" link.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use motcua_domain::dossier::Status;
use motcua_store::dossiers::InboxQuery;
use serde::Deserialize;

use super::{Opt, PAGE, Row, bad_request, cursor, next_cursor, rows, status_label, work_units};
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::error::{UiError, urlencode};
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render};

#[derive(Deserialize)]
pub struct InboxParams {
    status: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "console/inbox.html")]
struct InboxPage {
    c: Chrome,
    statuses: Vec<Opt>,
    rows: Vec<Row>,
    next: Option<String>,
    /// No unit to work in (e.g. an administrator).
    no_units: bool,
    first_page: bool,
}

/// Statuses a dossier can have while it sits in an inbox.
const OPEN: [Status; 5] =
    [Status::Submitted, Status::Received, Status::InProgress, Status::SupplementRequested, Status::ResultReady];

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<InboxParams>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => {
            Some(Status::parse(raw).ok_or_else(|| bad_request(lang, "Trạng thái không hợp lệ.", "Unknown status."))?)
        }
        None => None,
    };
    let cursor = cursor(q.cursor.as_deref(), lang)?;
    let first_page = cursor.is_none();
    let units = work_units(&s);
    let query = InboxQuery { units: units.clone(), status, due_before: None, cursor, limit: PAGE };
    let found = state.store.inbox(&query).await?;
    let next = next_cursor(&found, PAGE).map(|c| match status {
        Some(st) => format!("/can-bo?status={}&cursor={c}", urlencode(st.as_str())),
        None => format!("/can-bo?cursor={c}"),
    });
    let rows = rows(&state, found, state.now(), lang).await?;
    let statuses = OPEN
        .into_iter()
        .map(|st| Opt { value: st.as_str().to_owned(), label: status_label(st, lang), selected: status == Some(st) })
        .collect();
    let c = Chrome::new(&s.visitor, "/can-bo", "Hồ sơ cần xử lý", "Dossiers to process");
    Ok(render(&InboxPage { c, statuses, rows, next, no_units: units.is_empty(), first_page }))
}
