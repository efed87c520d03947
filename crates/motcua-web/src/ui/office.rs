//! The electronic office pages (văn phòng điện tử) for officers: each unit's incoming and
//! outgoing registers, the forms that register a paper document or draft/issue/send an outgoing
//! one, the document page with its history, exchange trace, attachments and action forms, and
//! the printable register. Every rule stays where the API keeps it (`api::documents` and
//! `motcua_domain::office`): these pages call the same functions and show only what they allow.
//!
//! - [`register`]: `GET /van-ban?direction=den|di&q=&status=`, `GET /van-ban/so` (print, A4).
//! - [`forms`]: `GET|POST /van-ban/moi-den` (clerk registers a paper document),
//!   `GET|POST /van-ban/moi-di` (draft, issue or send an outgoing document).
//! - [`document`]: `GET /van-ban/{id}`, `POST /van-ban/{id}/thao-tac` (actions),
//!   `POST /van-ban/{id}/tep` (attach files), `GET /van-ban/tep/{file}` (download).
//! - [`exchange`]: `POST /van-ban/{id}/thu-hoi`, `POST /van-ban/{id}/tra-loi-thu-hoi` (recall of
//!   a document exchanged by edXML, and its answer).
//! - [`attachments`]: which files are accepted (PDF, JPEG, PNG, DOCX; at most 10 MB each).

mod attachments;
mod document;
mod exchange;
mod forms;
mod register;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use motcua_domain::office::{Direction, Document, Status};
use time::OffsetDateTime;

use super::Lang;
use super::error::UiError;
use super::portal::upload::MAX_BODY;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/van-ban", get(register::page))
        .route("/van-ban/so", get(register::print))
        .route(
            "/van-ban/moi-den",
            get(forms::new_incoming).post(forms::create_incoming).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .route(
            "/van-ban/moi-di",
            get(forms::new_outgoing).post(forms::create_outgoing).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .route("/van-ban/tep/{file}", get(document::download))
        .route("/van-ban/{id}", get(document::page))
        .route("/van-ban/{id}/thao-tac", post(document::act))
        .route("/van-ban/{id}/thu-hoi", post(exchange::request))
        .route("/van-ban/{id}/tra-loi-thu-hoi", post(exchange::answer))
        .route("/van-ban/{id}/tep", post(document::upload).layer(DefaultBodyLimit::max(MAX_BODY)))
}

/// A posted form, or why axum could not read it.
pub(crate) type Posted = Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>;

/// The fields of a posted form, once its CSRF token is this session's.
pub(crate) fn checked_form(
    s: &super::session::SignedIn,
    form: Posted,
) -> Result<std::collections::HashMap<String, String>, UiError> {
    let lang = s.visitor.lang;
    let axum::Form(pairs) =
        form.map_err(|_| super::console::bad_request(lang, "Biểu mẫu không hợp lệ.", "The form is malformed."))?;
    let f: std::collections::HashMap<String, String> = pairs.into_iter().collect();
    s.visitor.check_csrf(f.get("csrf").map(String::as_str).unwrap_or(""))?;
    Ok(f)
}

/// The register named in a URL: `den` (incoming, the default) or `di` (outgoing).
pub(crate) fn direction(raw: Option<&str>, lang: Lang) -> Result<Direction, UiError> {
    match raw.map(str::trim).unwrap_or("") {
        "" | "den" | "incoming" => Ok(Direction::Incoming),
        "di" | "outgoing" => Ok(Direction::Outgoing),
        _ => Err(super::console::bad_request(lang, "Sổ văn bản không hợp lệ.", "Unknown register.")),
    }
}

/// The URL name of a register.
pub(crate) fn slug(d: Direction) -> &'static str {
    match d {
        Direction::Incoming => "den",
        Direction::Outgoing => "di",
    }
}

/// A register's name.
pub(crate) fn register_name(d: Direction, lang: Lang) -> &'static str {
    match d {
        Direction::Incoming => lang.t("Sổ văn bản đến", "Incoming register"),
        Direction::Outgoing => lang.t("Sổ văn bản đi", "Outgoing register"),
    }
}

/// A status as people read it.
pub(crate) fn status_label(s: Status, lang: Lang) -> String {
    match lang {
        Lang::Vi => s.name_vi().to_owned(),
        Lang::En => s.as_str().to_owned(),
    }
}

pub(crate) use crate::views::{date, local_date};

/// One line of a register as shown (list and print).
pub(crate) struct Row {
    pub id: String,
    /// Register number with its year ("01/2026"), or a dash for drafts.
    pub number: String,
    pub notation: String,
    /// The day it entered the register (arrival or issue), `dd/mm/yyyy`.
    pub entered: String,
    /// The document's own date (ngày tháng văn bản).
    pub doc_date: String,
    /// Sender (incoming) or recipients (outgoing).
    pub parties: String,
    pub document_type: String,
    pub subject: String,
    pub status: String,
    pub assignee: String,
    pub due: String,
    pub overdue: bool,
    pub signer: String,
}

impl Row {
    pub fn new(d: &Document, lang: Lang, now: OffsetDateTime) -> Row {
        let m = &d.meta;
        let dash = || "—".to_owned();
        let entered = match d.direction {
            Direction::Incoming => d.received_at.unwrap_or(d.created_at),
            Direction::Outgoing => d.issued_at.unwrap_or(d.created_at),
        };
        let parties = match d.direction {
            Direction::Incoming => m.sender.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
            Direction::Outgoing => m.recipients.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join("; "),
        };
        Row {
            id: d.id.clone(),
            number: match (d.register_number, d.register_year) {
                (Some(_), Some(y)) => format!("{}/{y}", d.register_label()),
                _ => dash(),
            },
            notation: Some(m.number_notation()).filter(|n| !n.trim().is_empty()).unwrap_or_else(dash),
            entered: local_date(entered),
            doc_date: m.promulgation_date.map(date).unwrap_or_else(dash),
            parties: if parties.is_empty() { dash() } else { parties },
            document_type: m.document_type.clone(),
            subject: m.subject.clone(),
            status: status_label(d.status, lang),
            assignee: d.assignee.clone().unwrap_or_else(dash),
            due: d.handling_due.map(crate::views::local_display).unwrap_or_else(dash),
            overdue: d.is_overdue(now),
            signer: m.signer.as_ref().map(|s| s.full_name.clone()).unwrap_or_else(dash),
        }
    }
}
