//! `GET|POST /quay/tiep-nhan`: a dossier handed in at the counter. The receiver chooses the
//! procedure, enters the applicant, ticks each document received and each one scanned, and the
//! dossier is created and received at once ([`motcua_app::dossiers::submit_once`] with
//! `Channel::Counter`; NĐ 61/2018 Art. 15–17, domain.md §1.3). Post/Redirect/Get: the answer
//! redirects to the receipt slip (form 01), which shows the lookup secret once; the form's
//! idempotency key makes a re-sent form (F5 on an old answer, a double click, the back button)
//! lead to the same dossier instead of a second one.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use motcua_domain::ErrorCode;
use motcua_domain::catalog::{COMMUNE_AGENCY, Level, Procedure};
use motcua_domain::dossier::actions::create::missing_documents;
use motcua_domain::dossier::digitization::Provenance;
use motcua_domain::dossier::{Applicant, Channel, DocumentRecord};
use motcua_store::catalog::ProcedureQuery;
use motcua_store::web::NewFile;
use serde::Deserialize;

use super::{Fields, is_form_error, message, receiver_units, ui};
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::error::UiError;
use crate::ui::{Chrome, Lang, SignedIn, render, render_status};
use motcua_app::dossiers::{Submission, Submitted, submit_once};
use motcua_app::files::Label;

const PATH: &str = "/quay/tiep-nhan";

#[derive(Deserialize)]
pub(super) struct ChooseQuery {
    /// Chosen procedure code.
    thu_tuc: Option<String>,
    /// Catalog search words.
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "counter/choose.html")]
struct ChoosePage {
    c: Chrome,
    q: String,
    procedures: Vec<Procedure>,
}

/// What the receiver typed, echoed back when the form is shown again.
#[derive(Default)]
struct Entered {
    name: String,
    id_number: String,
    phone: String,
    email: String,
    address: String,
    unit: String,
    commune: String,
    other: String,
}

/// One required document of the procedure, with its two checkboxes.
struct DocRow {
    index: usize,
    name: String,
    original: bool,
    copies: u32,
    received: bool,
}

#[derive(Template)]
#[template(path = "counter/reception.html")]
struct ReceptionPage {
    c: Chrome,
    p: Procedure,
    /// The fee schedule's lines, with what the receiver stated.
    fee_rows: Vec<super::FeeRow>,
    /// Receiving one-stops to choose from (only when the receiver works at several).
    units: Vec<(String, String)>,
    /// Communes to choose from (commune-level procedures entered outside a commune).
    communes: Vec<(String, String)>,
    v: Entered,
    docs: Vec<DocRow>,
    error: Option<String>,
    /// Refused as incomplete: the page offers the guidance slip (form 02).
    incomplete: bool,
    /// The form's idempotency key (kept when the form comes back with an error).
    key: String,
}

pub(super) async fn form(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<ChooseQuery>,
) -> Result<Response, UiError> {
    receiver_units(&s)?;
    let lang = s.visitor.lang;
    if let Some(code) = q.thu_tuc.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        let p = state.store.procedure(code).await.map_err(|_| UiError::not_found(lang))?;
        let page = reception_page(&state, &s, p, Entered::default(), None, None).await?;
        return Ok(render(&page));
    }
    let words = q.q.clone().unwrap_or_default();
    let query = ProcedureQuery { q: Some(words.clone()).filter(|w| !w.trim().is_empty()), ..Default::default() };
    let procedures = state.store.procedures(&query).await?;
    let c = Chrome::new(&s.visitor, PATH, "Tiếp nhận hồ sơ tại quầy", "Receive a dossier at the counter");
    Ok(render(&ChoosePage { c, q: words, procedures }))
}

/// The entry form for `p`, with what was typed and the ticks (`ticks`: received, digitized).
async fn reception_page(
    state: &AppState,
    s: &SignedIn,
    p: Procedure,
    v: Entered,
    ticks: Option<&Fields>,
    error: Option<String>,
) -> Result<ReceptionPage, UiError> {
    let mine = receiver_units(s)?;
    let all = state.store.units().await?;
    let named = |code: &String| {
        let name = all.iter().find(|u| &u.code == code).map(|u| u.name.clone()).unwrap_or_else(|| code.clone());
        (code.clone(), name)
    };
    let units: Vec<(String, String)> = if mine.len() > 1 { mine.iter().map(named).collect() } else { Vec::new() };
    let at_commune = mine.iter().all(|m| all.iter().any(|u| &u.code == m && u.level == Level::Commune));
    let communes = if p.agency == COMMUNE_AGENCY && !at_commune {
        let mut c: Vec<(String, String)> = all
            .iter()
            .filter(|u| u.level == Level::Commune && u.receives_dossiers() && u.is_current())
            .map(|u| (u.code.to_string(), u.name.clone()))
            .collect();
        c.sort_by(|a, b| motcua_domain::text::collate(&a.1, &b.1));
        c
    } else {
        Vec::new()
    };
    let docs = p
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| DocRow {
            index: i,
            name: d.name.clone(),
            original: d.original,
            copies: d.copies.max(1),
            received: ticks.is_some_and(|f| f.on(&format!("nhan_{i}"))),
        })
        .collect();
    let c = Chrome::new(&s.visitor, PATH, "Tiếp nhận hồ sơ tại quầy", "Receive a dossier at the counter");
    let key =
        ticks.map(|f| f.get("idem").to_owned()).filter(|k| !k.is_empty()).unwrap_or_else(motcua_app::auth::new_token);
    let fee_rows = super::fee_rows(&p.fees, ticks, s.visitor.lang);
    Ok(ReceptionPage { c, fee_rows, p, units, communes, v, docs, error, incomplete: false, key })
}

/// What a posted reception form holds.
struct Read {
    p: Procedure,
    v: Entered,
    documents: Vec<DocumentRecord>,
    /// The scans to store with the dossier (each backs its document).
    files: Vec<NewFile>,
    /// Why a scan was refused (the form comes back with it).
    problem: Option<String>,
}

/// The posted form: the procedure, what was typed, and the documents handed in (ticked, or
/// with their scan attached, `so_N`: a scanned document was obviously handed in), with the other
/// documents typed one per line. A scan backs its document from `by` (the receiver, now).
async fn read(state: &AppState, f: &mut Fields, by: &Provenance, lang: Lang) -> Result<Read, UiError> {
    let p = state.store.procedure(f.get("thu_tuc").trim()).await.map_err(|_| {
        UiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            "Không có thủ tục này. Vui lòng chọn lại thủ tục.",
            "No such procedure. Choose the procedure again.",
        )
    })?;
    let v = Entered {
        name: f.get("name").to_owned(),
        id_number: f.get("id_number").to_owned(),
        phone: f.get("phone").to_owned(),
        email: f.get("email").to_owned(),
        address: f.get("address").to_owned(),
        unit: f.get("unit").trim().to_owned(),
        commune: f.get("commune").trim().to_owned(),
        other: f.get("other").to_owned(),
    };
    let mut documents = Vec::new();
    let mut accepted = Vec::new();
    let mut problem = None;
    for (i, d) in p.documents.iter().enumerate() {
        let scan = f.take_file(&format!("so_{i}"));
        if scan.is_none() && !f.on(&format!("nhan_{i}")) {
            continue;
        }
        match scan.map(|u| u.accept(Label::same(&d.name))) {
            Some(Ok(a)) => {
                documents.push(a.record(&d.name, by.clone()));
                accepted.push(a);
            }
            Some(Err(e)) => {
                problem.get_or_insert_with(|| lang.t(&e.message_vi, &e.message).to_owned());
                documents.push(DocumentRecord::named(d.name.clone()));
            }
            None => documents.push(DocumentRecord::named(d.name.clone())),
        }
    }
    documents.extend(f.lines("other").into_iter().map(DocumentRecord::named));
    if let Err(e) = motcua_app::files::check_total(&accepted) {
        problem.get_or_insert_with(|| lang.t(&e.message_vi, &e.message).to_owned());
    }
    let files = accepted.into_iter().map(|a| a.into_file(motcua_app::files::DOCUMENT)).collect();
    Ok(Read { p, v, documents, files, problem })
}

/// `POST /quay/tiep-nhan/phieu-02`: the guidance slip (form 02, "Phiếu yêu cầu bổ sung, hoàn
/// thiện hồ sơ") for an incomplete dossier handed in at the counter. NĐ 61/2018 Art. 15.2.b
/// (kept by NĐ 118/2025): the receiver does not receive it, but guides the applicant in writing,
/// on form 02, listing every component to add. Nothing is stored: no dossier exists yet, and
/// the same form, completed, is received as usual.
pub(super) async fn guidance(State(state): State<AppState>, s: SignedIn, req: Request) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let mut f = Fields::read(&state, req, lang).await?;
    s.visitor.check_csrf(f.get("csrf"))?;
    let mine = receiver_units(&s)?;
    // Nothing is stored for a guidance slip: the scans only say what was handed in.
    let by = motcua_app::files::handed_in(&s.actor(), state.now());
    let Read { p, v, documents, .. } = read(&state, &mut f, &by, lang).await?;
    let missing: Vec<String> = missing_documents(&p, &documents).into_iter().map(str::to_owned).collect();
    if missing.is_empty() || v.name.trim().is_empty() {
        let error = if missing.is_empty() {
            lang.t("Hồ sơ đã đủ thành phần: hãy tiếp nhận.", "The dossier is complete: receive it.")
        } else {
            lang.t("Nhập họ và tên người nộp để in phiếu.", "Enter the applicant's name to print the slip.")
        };
        let page = reception_page(&state, &s, p, v, Some(&f), Some(error.to_owned())).await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    // The one-stop the receiver chose (or works at) issues the slip.
    let unit = Some(v.unit.clone()).filter(|u| mine.contains(u)).or_else(|| mine.first().cloned()).unwrap_or_default();
    super::slips::guidance(&state, &s, &unit, &p, v.name.trim(), missing).await
}

/// 303 to the receipt slip of `code`.
fn see_other(code: &str) -> Response {
    axum::response::Redirect::to(&format!("/quay/ho-so/{code}/phieu/01")).into_response()
}

pub(super) async fn submit(State(state): State<AppState>, s: SignedIn, req: Request) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let mut f = Fields::read(&state, req, lang).await?;
    s.visitor.check_csrf(f.get("csrf"))?;
    receiver_units(&s)?;
    let by = motcua_app::files::handed_in(&s.actor(), state.now());
    let Read { p, v, documents, files, problem } = read(&state, &mut f, &by, lang).await?;
    if let Some(problem) = problem {
        let page = reception_page(&state, &s, p, v, Some(&f), Some(problem)).await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let unit = Some(if p.agency == COMMUNE_AGENCY && !v.commune.is_empty() { &v.commune } else { &v.unit })
        .filter(|u| !u.is_empty())
        .cloned();
    let submission = Submission {
        procedure_code: p.code.to_string(),
        channel: Channel::Counter,
        applicant: Applicant {
            name: v.name.clone(),
            id_number: v.id_number.clone().into(),
            phone: v.phone.clone(),
            email: v.email.clone(),
            address: v.address.clone(),
        },
        fees: super::fee_facts(&f, &p.fees),
        documents,
        unit,
    };
    match submit_once(&state, &s.user, submission, files, f.get("idem")).await.map_err(crate::error::ApiError::from) {
        Ok(Submitted::New(d, secret)) => {
            state.receipts.put(&s.user.username, &d.code, secret);
            Ok(see_other(&d.code))
        }
        // Sent again: the dossier the first sending created.
        Ok(Submitted::Already(code)) => Ok(see_other(&code)),
        Err(e) if is_form_error(&e) => {
            let mut page = reception_page(&state, &s, p, v, Some(&f), Some(message(&e, lang))).await?;
            page.incomplete = e.body.code == ErrorCode::DocumentsMissing.as_str();
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(ui(e, lang)),
    }
}
