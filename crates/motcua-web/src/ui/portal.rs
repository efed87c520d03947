//! The citizen's side of a dossier, without sign-in and without JavaScript:
//!
//! - this file: the online submission form of a procedure (applicant, commune, one upload per
//!   required document), its checks (re-shown with 422 and every problem), and the confirmation
//!   page with the receipt code, the secret (shown only here, once) and a QR code of the lookup;
//! - [`upload`]: reading multipart forms within limits, recognising PDF/JPEG/PNG, storing files;
//! - [`track`]: what the citizen does from the lookup page: answer a supplementation request,
//!   download the e-result, rate, withdraw.
//!
//! Dossier rules stay in [`crate::service`] and the domain; this module only collects input and
//! shows outcomes.

pub mod pay;
pub mod track;
pub mod upload;

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use motcua_domain::catalog::{COMMUNE_AGENCY, Level, OnlineLevel, Procedure};
use motcua_domain::dossier::actions::create::validate_applicant;
use motcua_domain::dossier::{Applicant, Channel, DocumentRecord, Dossier};

use super::error::{UiError, urlencode};
use super::{Chrome, Lang, Visitor, render, render_status};
use crate::AppState;
use motcua_app::dossiers::{self, Submission};
use upload::{Accepted, Problem};

/// Field name of the optional extra document's file input.
const EXTRA: &str = "extra";

/// A text input of the form, ready to render.
struct Input {
    id: &'static str,
    label: String,
    hint: String,
    value: String,
    kind: &'static str,
    autocomplete: &'static str,
    inputmode: &'static str,
    maxlength: usize,
    required: bool,
    error: Option<String>,
}

impl Input {
    /// `aria-describedby` value: the hint and the error, when present.
    fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}

/// A file input for one document.
struct FileInput {
    id: String,
    label: String,
    hint: String,
    required: bool,
    error: Option<String>,
}

impl FileInput {
    fn describedby(&self) -> String {
        match &self.error {
            Some(_) => format!("{0}-hint {0}-error", self.id),
            None => format!("{}-hint", self.id),
        }
    }
}

/// What the citizen typed, kept when the form is shown again.
#[derive(Default)]
struct Values {
    name: String,
    id_number: String,
    phone: String,
    email: String,
    address: String,
    unit: String,
    extra_name: String,
}

impl Values {
    fn from_form(f: &upload::Form) -> Values {
        Values {
            name: f.text("name").to_owned(),
            id_number: f.text("id_number").to_owned(),
            phone: f.text("phone").to_owned(),
            email: f.text("email").to_owned(),
            address: f.text("address").to_owned(),
            unit: f.text("unit").trim().to_owned(),
            extra_name: f.text("extra_name").to_owned(),
        }
    }
    fn applicant(&self) -> Applicant {
        Applicant {
            name: self.name.clone(),
            id_number: self.id_number.clone().into(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            address: self.address.clone(),
        }
        .trimmed()
    }
}

#[derive(Template)]
#[template(path = "portal/submit.html")]
struct SubmitPage {
    c: Chrome,
    p: Procedure,
    inputs: Vec<Input>,
    /// Current commune-level one-stops (code, name) for commune procedures; empty otherwise.
    communes: Vec<(String, String)>,
    unit: String,
    unit_error: Option<String>,
    /// One input per required document (`doc_<index>`).
    files: Vec<FileInput>,
    /// The optional other document and its name.
    extra: FileInput,
    extra_name: String,
    /// Every problem, for the summary at the top.
    problems: Vec<(String, String)>,
    /// Files had been chosen: the browser forgets them when the form comes back.
    reselect: bool,
}

#[derive(Template)]
#[template(path = "portal/offline.html")]
struct OfflinePage {
    c: Chrome,
    p: Procedure,
}

#[derive(Template)]
#[template(path = "portal/done.html")]
struct DonePage {
    c: Chrome,
    d: Dossier,
    p: Procedure,
    secret: String,
    receiving: String,
    lookup_path: String,
    lookup_url: String,
    qr: String,
    /// Files stored with the dossier (in the same transaction: all of them or no dossier).
    uploaded: usize,
}

fn needs_commune(p: &Procedure) -> bool {
    p.agency == COMMUNE_AGENCY
}

fn title(p: &Procedure) -> (String, String) {
    (format!("Nộp hồ sơ trực tuyến: {}", p.name), format!("Apply online: {}", p.name))
}

/// Current commune-level units with their own one-stop, by name.
async fn communes(state: &AppState) -> Result<Vec<(String, String)>, UiError> {
    let mut list: Vec<(String, String)> = state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.level == Level::Commune && u.receives_dossiers() && u.is_current())
        .map(|u| (u.code.into_string(), u.name))
        .collect();
    list.sort_by(|a, b| motcua_domain::text::collate(&a.1, &b.1));
    Ok(list)
}

/// The form with the values and problems so far.
fn page(
    v: &Visitor,
    p: Procedure,
    values: Values,
    communes: Vec<(String, String)>,
    problems: &[Problem],
    reselect: bool,
) -> SubmitPage {
    let (tvi, ten) = title(&p);
    let c = Chrome::new(v, &format!("/nop-ho-so/{}", p.code), &tvi, &ten);
    let lang = v.lang;
    let err = |field: &str| {
        let msgs: Vec<&str> = problems.iter().filter(|x| x.field == field).map(|x| x.text(lang)).collect();
        (!msgs.is_empty()).then(|| msgs.join(" "))
    };
    let t = |vi: &str, en: &str| lang.t(vi, en).to_owned();
    let input = |id: &'static str, label: String, hint: String, value: String| Input {
        id,
        label,
        hint,
        value,
        kind: "text",
        autocomplete: "off",
        inputmode: "",
        maxlength: 200,
        required: false,
        error: err(id),
    };
    let inputs = vec![
        Input {
            required: true,
            autocomplete: "name",
            ..input("name", t("Họ và tên người nộp", "Applicant's full name"), String::new(), values.name)
        },
        Input {
            inputmode: "numeric",
            maxlength: 12,
            ..input(
                "id_number",
                t("Số định danh cá nhân (CCCD)", "Personal ID number (CCCD)"),
                t("12 chữ số, in trên căn cước công dân.", "12 digits, printed on the citizen ID card."),
                values.id_number,
            )
        },
        Input {
            kind: "tel",
            autocomplete: "tel",
            maxlength: 15,
            ..input(
                "phone",
                t("Số điện thoại", "Phone number"),
                t("Ví dụ 0912345678.", "For example 0912345678."),
                values.phone,
            )
        },
        Input {
            kind: "email",
            autocomplete: "email",
            maxlength: 254,
            ..input(
                "email",
                t("Thư điện tử", "E-mail"),
                t("Để nhận thông báo về hồ sơ (không bắt buộc).", "To receive news about the dossier (optional)."),
                values.email,
            )
        },
        Input {
            autocomplete: "street-address",
            maxlength: 500,
            ..input("address", t("Địa chỉ liên hệ", "Contact address"), String::new(), values.address)
        },
    ];
    let full = p.online_level == OnlineLevel::Full;
    let limits = t("PDF, JPG hoặc PNG, tối đa 10 MB.", "PDF, JPEG or PNG, at most 10 MB.");
    let files: Vec<FileInput> = p
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let id = format!("doc_{i}");
            let copy = if d.original { t("Bản chính", "Original") } else { t("Bản sao", "Copy") };
            let form = d.form.as_deref().map(|f| format!(" · {f}")).unwrap_or_default();
            let copies =
                if d.copies > 1 { format!(" · {} {}", d.copies, t("bản", "copies")) } else { String::new() };
            FileInput {
                error: err(&id),
                id,
                label: d.name.clone(),
                hint: format!("{copy}{copies}{form}. {limits}"),
                required: full,
            }
        })
        .collect();
    let extra = FileInput {
        id: EXTRA.into(),
        label: t("Tệp giấy tờ khác", "File of the other document"),
        hint: limits.clone(),
        required: false,
        error: err(EXTRA),
    };
    SubmitPage {
        problems: problems.iter().map(|x| (x.field.clone(), x.text(lang).to_owned())).collect(),
        unit_error: err("unit"),
        c,
        p,
        inputs,
        communes,
        unit: values.unit,
        files,
        extra,
        extra_name: values.extra_name,
        reselect,
    }
}

async fn form(State(state): State<AppState>, v: Visitor, Path(code): Path<String>) -> Result<Response, UiError> {
    let p = state.store.procedure(&code).await.map_err(|_| UiError::not_found(v.lang))?;
    if !p.online_level.accepts_online() {
        return Ok(offline(&v, p, StatusCode::OK));
    }
    let communes = if needs_commune(&p) { communes(&state).await.map_err(|e| e.in_lang(v.lang))? } else { Vec::new() };
    Ok(render(&page(&v, p, Values::default(), communes, &[], false)))
}

fn offline(v: &Visitor, p: Procedure, status: StatusCode) -> Response {
    let c = Chrome::new(v, &format!("/nop-ho-so/{}", p.code), "Chưa nộp trực tuyến được", "Not available online");
    render_status(status, &OfflinePage { c, p })
}

/// Each applicant field checked on its own by the domain's rule, so every problem is reported
/// at once and next to its field.
fn applicant_problems(a: &Applicant) -> Vec<Problem> {
    let base = Applicant { name: "—".into(), ..Applicant::default() };
    let one = [
        ("name", Applicant { name: a.name.clone(), ..Applicant::default() }),
        ("id_number", Applicant { id_number: a.id_number.clone(), ..base.clone() }),
        ("phone", Applicant { phone: a.phone.clone(), ..base.clone() }),
        ("email", Applicant { email: a.email.clone(), ..base.clone() }),
        ("address", Applicant { address: a.address.clone(), ..base.clone() }),
    ];
    one.into_iter()
        .filter_map(|(field, x)| validate_applicant(&x).err().map(|e| Problem::new(field, e.message_vi, e.message)))
        .collect()
}

/// The field a domain or service refusal is about, to show it next to that field.
fn field_of(code: &str) -> &'static str {
    match code {
        "invalid_applicant_name" => "name",
        "invalid_id_number" => "id_number",
        "invalid_phone" => "phone",
        "invalid_email" => "email",
        "invalid_address" => "address",
        "commune_required" | "unknown_unit" => "unit",
        _ => "",
    }
}

async fn submit(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    Path(code): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, UiError> {
    let lang = v.lang;
    let p = state.store.procedure(&code).await.map_err(|_| UiError::not_found(lang))?;
    let mut form = upload::read(mp.map_err(|e| upload::rejected(lang, &e))?, lang).await?;
    v.check_csrf(form.text("csrf"))?;
    if !p.online_level.accepts_online() {
        return Ok(offline(&v, p, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let values = Values::from_form(&form);
    let applicant = values.applicant();
    let mut problems = applicant_problems(&applicant);
    let communes = if needs_commune(&p) { communes(&state).await.map_err(|e| e.in_lang(lang))? } else { Vec::new() };
    if needs_commune(&p) && !communes.iter().any(|(c, _)| *c == values.unit) {
        problems.push(Problem::new(
            "unit",
            "Đây là thủ tục cấp xã: hãy chọn xã, phường hoặc đặc khu giải quyết hồ sơ.",
            "This is a commune-level procedure: choose the commune, ward or special zone that resolves it.",
        ));
    }
    let reselect = !form.files.is_empty();
    let full = p.online_level == OnlineLevel::Full;
    let mut accepted: Vec<Accepted> = Vec::new();
    let mut documents: Vec<DocumentRecord> = Vec::new();
    let by = motcua_app::files::handed_in(&motcua_domain::dossier::Actor::Applicant, state.now());
    for (i, d) in p.documents.iter().enumerate() {
        let field = format!("doc_{i}");
        let mut record = DocumentRecord::named(d.name.clone());
        match form.take_files(&field).into_iter().next() {
            Some(u) => match upload::check(u, &field, &d.name) {
                Ok(a) => {
                    record = a.record(&d.name, by.clone());
                    accepted.push(a);
                }
                Err(problem) => problems.push(problem),
            },
            // Fully online (toàn trình): no paper at any step, so every component comes as a file
            // (domain.md §4).
            None if full => problems.push(Problem::new(
                &field,
                format!("{}: cần tải lên tệp (thủ tục trực tuyến toàn trình không nhận bản giấy).", d.name),
                format!("{}: upload a file (a fully online procedure takes no paper).", d.name),
            )),
            None => {}
        }
        documents.push(record);
    }
    if let Some(u) = form.take_files(EXTRA).into_iter().next() {
        let name = match values.extra_name.trim() {
            // The dossier's records are in Vietnamese whatever the page language.
            "" => "Giấy tờ khác".to_owned(),
            n => n.chars().take(200).collect(),
        };
        match upload::check(u, EXTRA, &name) {
            Ok(a) => {
                documents.push(a.record(&name, by.clone()));
                accepted.push(a);
            }
            Err(problem) => problems.push(problem),
        }
    }
    problems.extend(upload::check_total(&accepted));
    if !problems.is_empty() {
        let page = page(&v, p, values, communes, &problems, reselect);
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let submission = Submission {
        procedure_code: p.code.to_string(),
        channel: Channel::Online,
        applicant,
        documents,
        unit: needs_commune(&p).then(|| values.unit.clone()),
        fees: Vec::new(),
    };
    let uploaded = accepted.len();
    let files = accepted.into_iter().map(|a| a.into_file(upload::DOCUMENT)).collect();
    let (d, secret) = match dossiers::submit_with_files(&state, None, submission, files)
        .await
        .map_err(crate::error::ApiError::from)
    {
        Ok(x) => x,
        Err(e) if e.status.is_client_error() && e.status != StatusCode::CONFLICT => {
            let problem = Problem::new(field_of(e.body.code.as_str()), e.body.message_vi, e.body.message);
            let page = page(&v, p, values, communes, &[problem], reselect);
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(e) => return Err(UiError::from(e).in_lang(lang)),
    };
    let receiving =
        state.store.unit(&d.receiving_unit).await.map(|u| u.name).unwrap_or_else(|_| d.receiving_unit.to_string());
    let lookup_path = format!("/tra-cuu?code={}&secret={}", urlencode(&d.code), urlencode(&secret));
    let lookup_url = absolute(&headers, &lookup_path);
    let c = Chrome::new(&v, "/tra-cuu", "Đã nộp hồ sơ", "Dossier submitted");
    let page =
        DonePage { qr: qr_svg(&lookup_url, lang), c, d, p, secret, receiving, lookup_path, lookup_url, uploaded };
    let mut res = render(&page);
    // The secret appears only on this page: no cache may keep it.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// `path` as an absolute URL on the host the citizen used (for the QR code), or the path alone
/// when the request names no plausible host.
fn absolute(headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.len() <= 255)
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)));
    let https = headers.get("x-forwarded-proto").is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
    match host {
        Some(h) => format!("{}://{h}{path}", if https { "https" } else { "http" }),
        None => path.to_owned(),
    }
}

/// The QR code of the lookup `url`.
fn qr_svg(url: &str, lang: Lang) -> String {
    crate::views::qr_svg(url, lang.t("Mã QR để tra cứu hồ sơ", "QR code to look up the dossier"))
}

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route("/nop-ho-so/{code}", get(form).post(submit))
        .route("/tra-cuu/{code}/bo-sung", post(track::supplement))
        .layer(DefaultBodyLimit::max(upload::MAX_BODY));
    Router::new()
        .merge(uploads)
        .route("/tra-cuu/{code}/ket-qua/{file}", get(track::result_file))
        .route("/tra-cuu/{code}/danh-gia", post(track::rate))
        .route("/tra-cuu/{code}/rut-ho-so", post(track::withdraw))
        .route("/tra-cuu/{code}/thanh-toan", post(pay::start))
        .route("/thanh-toan/ket-qua", get(pay::back))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_applicant_problem_is_reported_next_to_its_field() {
        let a = Applicant {
            name: " ".into(),
            id_number: "12345".into(),
            phone: "abc".into(),
            email: "not-an-email".into(),
            address: String::new(),
        };
        let fields: Vec<String> = applicant_problems(&a).into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "id_number", "phone", "email"]);
        let ok =
            Applicant { name: "Nguyễn Văn An".into(), id_number: "091234567890".into(), ..Applicant::default() };
        assert!(applicant_problems(&ok).is_empty());
    }

    #[test]
    fn the_qr_url_uses_a_plausible_host_only() {
        let mut h = HeaderMap::new();
        assert_eq!(absolute(&h, "/tra-cuu?code=A"), "/tra-cuu?code=A");
        h.insert(header::HOST, HeaderValue::from_static("motcua.example.vn:8080"));
        assert_eq!(absolute(&h, "/tra-cuu?code=A"), "http://motcua.example.vn:8080/tra-cuu?code=A");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(absolute(&h, "/x"), "https://motcua.example.vn:8080/x");
        h.insert(header::HOST, HeaderValue::from_static("evil\"><script>"));
        assert_eq!(absolute(&h, "/x"), "/x");
    }
}
