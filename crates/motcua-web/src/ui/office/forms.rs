//! `GET|POST /van-ban/moi-den`: the clerk (văn thư) registers a paper document arriving at the
//! unit, with its scans. `GET|POST /van-ban/moi-di`: an officer drafts an outgoing document; the
//! clerk may also issue (number) it and send it at once. Recipients are the units with an
//! electronic organ id (sent over edXML) and, one per line, others on paper. Both forms are
//! multipart (attachments); both call `api::documents`, which decides and records.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;
use motcua_domain::office::{Organ, Priority, Signer};

use super::attachments::{self, FIELD};
use crate::AppState;
use crate::api::documents::DocumentFields;
use crate::ui::console::{Opt, ui};
use crate::ui::error::UiError;
use crate::ui::portal::upload::{self, Form};
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render, see_other};
use motcua_app::documents::{create_outgoing as api_create_outgoing, register_incoming};

/// A unit that can receive documents electronically.
struct Recipient {
    /// The form field (`nhan_{code}`).
    field: String,
    name: String,
    organ_id: String,
}

#[derive(Template)]
#[template(path = "office/new_incoming.html")]
struct IncomingPage {
    c: Chrome,
    units: Vec<Opt>,
    priorities: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "office/new_outgoing.html")]
struct OutgoingPage {
    c: Chrome,
    units: Vec<Opt>,
    priorities: Vec<Opt>,
    recipients: Vec<Recipient>,
}

/// The officer's units as options (the API asks for one when there are several).
async fn unit_options(state: &AppState, s: &SignedIn) -> Result<Vec<Opt>, UiError> {
    let names = crate::ui::console::unit_names(state).await?;
    let mut codes: Vec<String> = s.user.roles.iter().map(|(u, _)| u.to_string()).collect();
    codes.sort();
    codes.dedup();
    Ok(codes
        .into_iter()
        .map(|code| Opt {
            label: names.get(&code).map(|n| format!("{n} ({code})")).unwrap_or_else(|| code.clone()),
            value: code,
            selected: false,
        })
        .collect())
}

fn priority_options() -> Vec<Opt> {
    Priority::ALL
        .into_iter()
        .map(|p| Opt { value: p.as_str().to_owned(), label: p.name_vi().to_owned(), selected: p == Priority::Normal })
        .collect()
}

pub(super) async fn new_incoming(State(state): State<AppState>, s: SignedIn) -> Result<Response, UiError> {
    let c = Chrome::new(&s.visitor, "/van-ban/moi-den", "Vào sổ văn bản đến", "Register an incoming document");
    Ok(render(&IncomingPage { c, units: unit_options(&state, &s).await?, priorities: priority_options() }))
}

pub(super) async fn new_outgoing(State(state): State<AppState>, s: SignedIn) -> Result<Response, UiError> {
    let recipients = state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.is_current())
        .filter_map(|u| {
            let organ_id = u.organ_id.clone().filter(|o| !o.trim().is_empty())?;
            Some(Recipient { field: format!("nhan_{}", u.code), name: u.name, organ_id })
        })
        .collect();
    let c = Chrome::new(&s.visitor, "/van-ban/moi-di", "Soạn văn bản đi", "Draft an outgoing document");
    Ok(render(&OutgoingPage { c, units: unit_options(&state, &s).await?, priorities: priority_options(), recipients }))
}

/// A trimmed value, `None` when empty.
fn opt(f: &Form, name: &str) -> Option<String> {
    Some(f.text(name).trim().to_owned()).filter(|v| !v.is_empty())
}

/// The fields both directions share.
fn fields(f: &Form) -> DocumentFields {
    DocumentFields {
        unit: opt(f, "unit"),
        code_number: opt(f, "code_number"),
        code_notation: opt(f, "code_notation"),
        document_type: f.text("document_type").trim().to_owned(),
        subject: f.text("subject").trim().to_owned(),
        content: opt(f, "content"),
        promulgation_place: opt(f, "promulgation_place"),
        promulgation_date: opt(f, "promulgation_date"),
        signer: opt(f, "signer_name").map(|full_name| Signer {
            full_name,
            position: opt(f, "signer_position"),
            competence: None,
        }),
        sender: None,
        recipients: Vec::new(),
        due_date: opt(f, "due_date"),
        priority: opt(f, "priority"),
        steering_type: None,
        dossier_code: opt(f, "dossier_code"),
        received_at: None,
        issue: false,
        send: false,
    }
}

/// Reads the multipart form and checks its CSRF token first.
async fn read(s: &SignedIn, mp: Result<Multipart, MultipartRejection>) -> Result<Form, UiError> {
    let lang = s.visitor.lang;
    let mp = mp.map_err(|e| upload::rejected(lang, &e))?;
    let form = upload::read(mp, lang).await?;
    s.visitor.check_csrf(form.text("csrf"))?;
    Ok(form)
}

pub(super) async fn create_incoming(
    State(state): State<AppState>,
    s: SignedIn,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let mut form = read(&s, mp).await?;
    let files = attachments::check(form.take_files(FIELD), lang)?;
    let mut f = fields(&form);
    f.sender = opt(&form, "sender_name").map(|name| Organ { organ_id: opt(&form, "sender_organ_id"), name });
    let doc = register_incoming(&state, &s.actor(), &s.user, f.parsed().map_err(|e| ui(e, lang))?, files)
        .await
        .map_err(|e| ui(e, lang))?;
    Ok(see_other(&format!("/van-ban/{}?done=registered", doc.id)))
}

pub(super) async fn create_outgoing(
    State(state): State<AppState>,
    s: SignedIn,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let mut form = read(&s, mp).await?;
    let files = attachments::check(form.take_files(FIELD), lang)?;
    let mut f = fields(&form);
    for u in state.store.units().await?.into_iter().filter(|u| u.is_current()) {
        if form.text(&format!("nhan_{}", u.code)) == "1"
            && let Some(organ_id) = u.organ_id.filter(|o| !o.trim().is_empty())
        {
            f.recipients.push(Organ { organ_id: Some(organ_id), name: u.name });
        }
    }
    for line in form.text("paper_recipients").lines().map(str::trim).filter(|l| !l.is_empty()) {
        f.recipients.push(Organ { organ_id: None, name: line.to_owned() });
    }
    let then = form.text("then");
    f.issue = then == "issue";
    f.send = then == "send";
    let doc = api_create_outgoing(&state, &s.actor(), &s.user, f.parsed().map_err(|e| ui(e, lang))?, files)
        .await
        .map_err(|e| ui(e, lang))?;
    let done = if f.send {
        "send"
    } else if f.issue {
        "issue"
    } else {
        "drafted"
    };
    Ok(see_other(&format!("/van-ban/{}?done={done}", doc.id)))
}
