//! `GET /van-ban/{id}`: one document — metadata, history, the exchange trace per recipient,
//! attachments, and one form per action `office::allowed_actions` gives this officer now.
//! `POST /van-ban/{id}/thao-tac`: the action forms (CSRF and version first; an action the domain
//! does not offer is refused with 422 before anything is written; then `api::documents::apply`).
//! `POST /van-ban/{id}/tep`: attach files while `office::may_attach`. `GET /van-ban/tep/{file}`:
//! download an attachment of a document the officer may see (anything else is "not found").

use std::collections::HashMap;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::dossier::Role;
use motcua_domain::office::{self, Command, Document};
use serde::Deserialize;

use super::attachments::{self, FIELD};
use super::{date, slug, status_label};
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::console::{Opt, bad_request, ui};
use crate::ui::error::UiError;
use crate::ui::portal::upload;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, Lang, render, see_other};
use crate::views::local_display;
use motcua_app::documents::{ATTACHMENT_KIND, apply, load, store_attachments};

#[derive(Deserialize)]
pub struct Params {
    done: Option<String>,
}

struct EventRow {
    at: String,
    label: String,
    by: String,
}

struct TraceRow {
    at: String,
    organ: String,
    status: String,
    description: String,
}

struct FileRow {
    href: String,
    name: String,
    size: String,
}

/// What the action forms need: `None`/`false` when the domain does not offer the action.
#[derive(Default)]
struct Forms {
    assign: Option<Vec<Opt>>,
    start: bool,
    complete: bool,
    reject: bool,
    recall: bool,
    link_dossier: bool,
    issue: bool,
    send: bool,
    attach: bool,
}

impl Forms {
    fn any(&self) -> bool {
        self.assign.is_some()
            || self.start
            || self.complete
            || self.reject
            || self.recall
            || self.link_dossier
            || self.issue
            || self.send
            || self.attach
    }
}

#[derive(Template)]
#[template(path = "office/document.html")]
struct DocumentPage {
    c: Chrome,
    d: Document,
    register: &'static str,
    slug: &'static str,
    status: String,
    facts: Vec<(&'static str, String)>,
    history: Vec<EventRow>,
    trace: Vec<TraceRow>,
    files: Vec<FileRow>,
    forms: Forms,
    recall: Option<super::exchange::RecallPanel>,
    done: Option<&'static str>,
}

/// The confirmation line of an action just done.
fn done_label(k: &str) -> Option<&'static str> {
    Some(match k {
        "registered" => "Đã vào sổ văn bản đến",
        "drafted" => "Đã lưu dự thảo",
        "assign" => "Đã phân công",
        "start" => "Đã bắt đầu xử lý",
        "complete" => "Đã hoàn thành",
        "reject" => "Đã từ chối tiếp nhận",
        "recall" => "Đã hủy văn bản bị thu hồi",
        "recall_requested" => "Đã gửi yêu cầu thu hồi đến nơi nhận",
        "recall_accepted" => "Đã đồng ý thu hồi; văn bản đã được hủy trong sổ",
        "recall_refused" => "Đã từ chối thu hồi",
        "link_dossier" => "Đã liên kết hồ sơ",
        "issue" => "Đã cấp số",
        "send" => "Đã gửi",
        "attach" => "Đã đính kèm tệp",
        _ => return None,
    })
}

fn size(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (n + 1023) / 1024)
    }
}

/// Active officers of `unit` as options for assignment.
async fn officers(state: &AppState, unit: &str, current: Option<&str>) -> Result<Vec<Opt>, UiError> {
    let mut names: Vec<String> = Vec::new();
    for role in [Role::Specialist, Role::Leader, Role::Clerk, Role::Receiver, Role::CenterAdmin] {
        names.extend(state.store.users_with_role(unit, role).await?);
    }
    names.sort();
    names.dedup();
    let mut out = Vec::new();
    for username in names {
        let Some(u) = state.store.user(&username).await?.filter(|u| u.active) else { continue };
        let label = if u.full_name == username { username.clone() } else { format!("{} ({username})", u.full_name) };
        out.push(Opt { selected: current == Some(username.as_str()), value: username, label });
    }
    Ok(out)
}

fn facts(d: &Document) -> Vec<(&'static str, String)> {
    let m = &d.meta;
    let mut f: Vec<(&'static str, String)> = Vec::new();
    let mut push = |k: &'static str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            f.push((k, v));
        }
    };
    push("Số đến/đi", d.register_number.map(|_| d.register_label()));
    push("Năm của sổ", d.register_year.map(|y| y.to_string()));
    push("Số, ký hiệu", Some(m.number_notation()));
    push("Loại văn bản", Some(m.document_type.clone()));
    push("Ngày văn bản", m.promulgation_date.map(date));
    push("Nơi ban hành", m.promulgation_place.clone());
    push("Cơ quan gửi", m.sender.as_ref().map(|s| s.name.clone()));
    push("Nơi nhận", Some(m.recipients.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join("; ")));
    push("Người ký", m.signer.as_ref().map(|s| s.full_name.clone()));
    push("Độ khẩn", Some(m.priority.name_vi().to_owned()));
    push("Ngày đến", d.received_at.map(local_display));
    push("Ngày cấp số", d.issued_at.map(local_display));
    push("Người xử lý", d.assignee.clone());
    push("Hạn xử lý", d.handling_due.map(local_display));
    push("Hạn trả lời (theo nơi gửi)", m.due_date.map(date));
    push("Hồ sơ liên quan", d.dossier_code.as_ref().map(ToString::to_string));
    push("Lý do từ chối", d.rejection_reason.clone());
    push("Mã văn bản liên thông", d.external_id.clone());
    push("Nội dung", m.content.clone());
    f
}

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let actor = s.actor();
    let d = load(&state, &actor, &id).await.map_err(|e| ui(e, lang))?;
    let allowed = office::allowed_actions(&d, &actor);
    let mut forms = Forms {
        start: allowed.contains(&"start"),
        complete: allowed.contains(&"complete"),
        reject: allowed.contains(&"reject"),
        recall: allowed.contains(&"recall"),
        link_dossier: allowed.contains(&"link_dossier"),
        issue: allowed.contains(&"issue"),
        send: allowed.contains(&"send"),
        attach: office::may_attach(&d, &actor),
        ..Forms::default()
    };
    if allowed.contains(&"assign") {
        forms.assign = Some(officers(&state, &d.unit, d.assignee.as_deref()).await?);
    }
    let history = state
        .store
        .document_events(&d.id)
        .await?
        .into_iter()
        .map(|e| EventRow { at: local_display(e.event.at), label: e.event.what.name_vi().to_owned(), by: e.event.by })
        .collect();
    let trace = state
        .store
        .document_traces(&d.id)
        .await?
        .into_iter()
        .map(|t| TraceRow {
            at: local_display(t.at),
            organ: if t.organ_id.is_empty() { "—".to_owned() } else { t.organ_id },
            status: t.status.label_vi().to_owned(),
            description: t.description.unwrap_or_default(),
        })
        .collect();
    let files = state
        .store
        .files_of(&d.id)
        .await?
        .into_iter()
        .filter(|f| f.kind == ATTACHMENT_KIND)
        .map(|f| FileRow { href: format!("/van-ban/tep/{}", f.id), name: f.name, size: size(f.size) })
        .collect();
    let c = Chrome::new(&s.visitor, &format!("/van-ban/{}", d.id), "Văn bản", "Document");
    let c = Chrome { title: d.meta.subject.clone(), ..c };
    Ok(render(&DocumentPage {
        c,
        register: super::register_name(d.direction, lang),
        slug: slug(d.direction),
        status: status_label(d.status, lang),
        facts: facts(&d),
        history,
        trace,
        files,
        forms,
        recall: super::exchange::panel(&state, &d, &s.user).await,
        done: p.done.as_deref().and_then(done_label),
        d,
    }))
}

/// 422: the action is not offered to this officer on this document now.
fn not_allowed(lang: Lang) -> UiError {
    UiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        lang,
        "Thao tác không phù hợp với trạng thái văn bản hoặc vai trò của bạn.",
        "This action is not possible on this document now, or not with your role.",
    )
}

/// The domain's command from an action form.
fn command(f: &HashMap<String, String>, lang: Lang) -> Result<Command, UiError> {
    let text = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let opt = |k: &str| Some(text(k)).filter(|v| !v.is_empty());
    Ok(match text("action").as_str() {
        "assign" => {
            let working_days = match opt("working_days") {
                None => None,
                Some(v) => {
                    Some(v.replace(',', ".").parse::<f64>().ok().filter(|n| n.is_finite()).ok_or_else(|| {
                        bad_request(lang, "Số ngày làm việc không hợp lệ.", "The number of working days is not valid.")
                    })?)
                }
            };
            Command::Assign { assignee: text("assignee"), working_days, due_at: None, note: opt("note") }
        }
        "start" => Command::Start,
        "complete" => Command::Complete { note: opt("note") },
        "reject" => Command::Reject { reason: text("reason") },
        "recall" => Command::Recall { reason: text("reason") },
        "link_dossier" => Command::LinkDossier { dossier_code: text("dossier_code") },
        "issue" => Command::Issue,
        "send" => Command::Send,
        _ => return Err(bad_request(lang, "Thao tác không hợp lệ.", "Unknown action.")),
    })
}

pub(super) async fn act(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: super::Posted,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let f = super::checked_form(&s, form)?;
    let version: i64 = f
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| bad_request(lang, "Thiếu phiên bản văn bản.", "The document version is missing."))?;
    let cmd = command(&f, lang)?;
    let actor = s.actor();
    let d = load(&state, &actor, &id).await.map_err(|e| ui(e, lang))?;
    if d.version != version {
        return Err(ui(motcua_store::StoreError::Conflict { current: d.version }, lang));
    }
    if !office::allowed_actions(&d, &actor).contains(&cmd.name()) {
        return Err(not_allowed(lang));
    }
    let name = cmd.name();
    let d = apply(&state, &actor, &d, cmd).await.map_err(|e| ui(e, lang))?;
    Ok(see_other(&format!("/van-ban/{}?done={name}", d.id)))
}

pub(super) async fn upload(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let mp = mp.map_err(|e| upload::rejected(lang, &e))?;
    let mut form = upload::read(mp, lang).await?;
    s.visitor.check_csrf(form.text("csrf"))?;
    let actor = s.actor();
    let d = load(&state, &actor, &id).await.map_err(|e| ui(e, lang))?;
    if !office::may_attach(&d, &actor) {
        return Err(not_allowed(lang));
    }
    let files = attachments::check(form.take_files(FIELD), lang)?;
    if files.is_empty() {
        return Err(bad_request(lang, "Chưa chọn tệp.", "No file chosen."));
    }
    store_attachments(&state, &d.id, files).await.map_err(|e| ui(e, lang))?;
    Ok(see_other(&format!("/van-ban/{}?done=attach", d.id)))
}

pub(super) async fn download(
    State(state): State<AppState>,
    s: SignedIn,
    Path(file): Path<String>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let not_found = || UiError::not_found(lang);
    if file.is_empty() || file.len() > 64 || !file.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(not_found());
    }
    let (meta, data) = state.store.file(&file).await?.ok_or_else(not_found)?;
    if meta.kind != ATTACHMENT_KIND {
        return Err(not_found());
    }
    let doc_id = meta.dossier_code.clone().ok_or_else(not_found)?;
    load(&state, &s.actor(), &doc_id).await.map_err(|_| not_found())?;
    Ok(crate::ui::download(&meta, data))
}
