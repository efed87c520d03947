//! Feedback pages (phản ánh, kiến nghị), without JavaScript: the public list of published answers
//! with search (`/phan-anh`), the submission form with an attachment (`/phan-anh/gui`), the
//! lookup by code + secret (`/phan-anh/tra-cuu`), and the officers' queue with its action forms
//! (`/can-bo/phan-anh`). The rules are the API's (`api::feedback`).

use std::collections::HashMap;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
pub use motcua_domain::feedback::Status;
use motcua_domain::feedback::{Category, Command, Feedback, SubjectKind, Submission, Submitter};
use serde::Deserialize;

use super::error::UiError;
use super::portal::upload;
use super::{Chrome, SignedIn, Visitor, render, render_status, see_other};
use crate::AppState;
use crate::extract::ApiQuery;
use crate::views::local_display;
use motcua_app::feedback as api;

/// One published item as listed.
pub struct Row {
    pub code: String,
    pub title: String,
    pub content: String,
    pub answer: String,
    pub published: String,
    pub likes: i64,
    pub dislikes: i64,
}

#[derive(Template)]
#[template(path = "feedback/list.html")]
struct ListPage {
    c: Chrome,
    q: String,
    rows: Vec<Row>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    v: Visitor,
    ApiQuery(sq): ApiQuery<SearchQuery>,
) -> Result<Response, UiError> {
    let q = sq.q.unwrap_or_default().chars().take(200).collect::<String>();
    let items = state.store.published_feedback(&q, 50, 0).await.map_err(|e| UiError::from(e).in_lang(v.lang))?;
    let rows = items
        .iter()
        .map(|f| Row {
            code: f.code.clone(),
            title: f.public_title(),
            content: f.public_content(),
            answer: f.public_answer.clone().unwrap_or_default(),
            published: f.closed_at.map(local_display).unwrap_or_default(),
            likes: f.likes,
            dislikes: f.dislikes,
        })
        .collect();
    Ok(render(&ListPage { c: Chrome::new(&v, "/phan-anh", "Phản ánh, kiến nghị", "Citizen feedback"), q, rows }))
}

#[derive(Template)]
#[template(path = "feedback/submit.html")]
struct SubmitPage {
    c: Chrome,
    kinds: Vec<(&'static str, &'static str)>,
    values: HashMap<String, String>,
    problem: String,
}

impl SubmitPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    SubjectKind::ALL.iter().map(|k| (k.as_str(), k.name_vi())).collect()
}

async fn form(v: Visitor) -> Response {
    let c = Chrome::new(&v, "/phan-anh/gui", "Gửi phản ánh, kiến nghị", "Send feedback");
    render(&SubmitPage { c, kinds: kinds(), values: HashMap::new(), problem: String::new() })
}

#[derive(Template)]
#[template(path = "feedback/done.html")]
struct DonePage {
    c: Chrome,
    code: String,
    secret: String,
    answer_due: String,
    files: usize,
}

async fn submit(
    State(state): State<AppState>,
    v: Visitor,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, UiError> {
    let lang = v.lang;
    let mut form = upload::read(mp.map_err(|e| upload::rejected(lang, &e))?, lang).await?;
    v.check_csrf(form.text("csrf"))?;
    let names = ["subject_kind", "subject_ref", "title", "content", "name", "phone", "email", "id_number"];
    let values: HashMap<String, String> =
        names.iter().map(|n| ((*n).to_owned(), form.text(n).trim().to_owned())).collect();
    let opt = |k: &str| values.get(k).filter(|s| !s.is_empty()).cloned();
    let again = |problem: String| {
        let c = Chrome::new(&v, "/phan-anh/gui", "Gửi phản ánh, kiến nghị", "Send feedback");
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SubmitPage { c, kinds: kinds(), values: values.clone(), problem },
        )
    };
    let Some(kind) = SubjectKind::parse(&values["subject_kind"]) else {
        return Ok(again(lang.t("Hãy chọn nội dung phản ánh.", "Choose what the feedback is about.").into()));
    };
    let mut accepted = Vec::new();
    for u in form.take_files("tep").into_iter().take(3) {
        match upload::check(u, "tep", "Tệp đính kèm") {
            Ok(a) => accepted.push(a),
            Err(p) => return Ok(again(p.text(lang).to_owned())),
        }
    }
    if let Some(p) = upload::check_total(&accepted) {
        return Ok(again(p.text(lang).to_owned()));
    }
    let submission = Submission {
        subject_kind: kind,
        subject_ref: opt("subject_ref"),
        title: values["title"].clone(),
        content: values["content"].clone(),
        submitter: Submitter {
            name: values["name"].clone(),
            phone: opt("phone"),
            email: opt("email"),
            id_number: opt("id_number"),
            address: None,
        },
        reraise_of: None,
        location: None,
    };
    if let Err(e) = submission.validate() {
        return Ok(again(lang.t(&e.message_vi, &e.message).to_owned()));
    }
    let files = accepted.len();
    let stored = accepted.into_iter().map(|a| a.into_file(upload::DOCUMENT)).collect();
    let (fb, secret) =
        api::submit_with_files(&state, submission, stored).await.map_err(|e| UiError::from(e).in_lang(lang))?;
    let c = Chrome::new(&v, "/phan-anh/gui", "Đã gửi phản ánh", "Feedback sent");
    let page = DonePage { c, code: fb.code.clone(), secret, answer_due: local_display(fb.due.answer), files };
    let mut res = render_status(StatusCode::CREATED, &page);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// A history line for the citizen.
pub struct Line {
    pub label: &'static str,
    pub at: String,
}

#[derive(Template)]
#[template(path = "feedback/lookup.html")]
struct LookupPage {
    c: Chrome,
    code: String,
    secret: String,
    searched: bool,
    fb: Option<Feedback>,
    status: String,
    due: String,
    overdue: bool,
    answer_due: String,
    history: Vec<Line>,
}

#[derive(Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
    secret: Option<String>,
}

async fn lookup(
    State(state): State<AppState>,
    v: Visitor,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> Result<Response, UiError> {
    let code = q.code.unwrap_or_default().trim().to_owned();
    let secret = q.secret.unwrap_or_default().trim().to_owned();
    let mut page = LookupPage {
        c: Chrome::new(&v, "/phan-anh/tra-cuu", "Tra cứu phản ánh", "Track feedback"),
        searched: !code.is_empty(),
        code,
        secret,
        fb: None,
        status: String::new(),
        due: String::new(),
        overdue: false,
        answer_due: String::new(),
        history: Vec::new(),
    };
    if page.searched
        && let Ok(fb) = api::load_with_secret(&state, &page.code, Some(&page.secret)).await
    {
        let now = state.now();
        page.status = fb.status.name_vi().into();
        page.due = fb.current_deadline().map(|(_, d)| local_display(d)).unwrap_or_default();
        page.overdue = fb.overdue_at(now);
        page.answer_due = local_display(fb.due.answer);
        page.history = state
            .store
            .feedback_events(&fb.code)
            .await?
            .iter()
            .map(|e| Line { label: e.event.what.name_vi(), at: local_display(e.event.at) })
            .collect();
        page.fb = Some(fb);
    }
    let mut res = render(&page);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// One item of the officer's queue.
pub struct QueueRow {
    pub code: String,
    pub title: String,
    pub status: Status,
    pub unit: String,
    pub due: String,
    pub overdue: bool,
    pub answer: String,
    pub question: String,
    pub content: String,
}

#[derive(Template)]
#[template(path = "feedback/console.html")]
struct ConsolePage {
    c: Chrome,
    rows: Vec<QueueRow>,
    units: Vec<(String, String)>,
    message: String,
}

#[derive(Deserialize)]
pub struct ConsoleQuery {
    ok: Option<String>,
}

async fn console(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<ConsoleQuery>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let units: Vec<String> = s.user.roles.iter().map(|(u, _)| u.to_string()).collect();
    let items = state
        .store
        .feedback_list(&motcua_store::feedback::FeedbackFilter { units, status: None, limit: 200 })
        .await
        .map_err(|e| UiError::from(e).in_lang(lang))?;
    let now = state.now();
    let rows = items
        .into_iter()
        .filter(|f| !f.status.is_final())
        .map(|f| QueueRow {
            title: f.submission.title.clone(),
            status: f.status,
            unit: f.unit.as_ref().map(ToString::to_string).unwrap_or_default(),
            due: f.current_deadline().map(|(_, d)| local_display(d)).unwrap_or_default(),
            overdue: f.overdue_at(now),
            answer: f.answer.clone().unwrap_or_default(),
            question: f.question.clone().unwrap_or_default(),
            content: f.submission.content.clone(),
            code: f.code,
        })
        .collect();
    let units = state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.is_current())
        .map(|u| (u.code.into_string(), u.name))
        .collect();
    let c = Chrome::new(&s.visitor, "/can-bo/phan-anh", "Xử lý phản ánh, kiến nghị", "Feedback queue");
    let message = if q.ok.is_some() { lang.t("Đã ghi nhận.", "Done.").to_owned() } else { String::new() };
    Ok(render(&ConsolePage { c, rows, units, message }))
}

async fn console_act(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    s.visitor.check_csrf(f.get("csrf").map(String::as_str).unwrap_or(""))?;
    let text = |k: &str| f.get(k).cloned().unwrap_or_default();
    let cmd = match text("action").as_str() {
        "accept" => Command::Accept,
        "reject" => Command::Reject { reason: text("text") },
        "assign" => Command::Assign {
            unit: text("unit"),
            category: Category::parse(&text("category")).unwrap_or(Category::RulesProcedures),
        },
        "forward" => Command::Forward { to: text("unit"), reason: text("text") },
        "request_info" => Command::RequestInfo { question: text("text") },
        "answer" => Command::Answer { answer: text("text") },
        "return" => Command::Return { reason: text("text") },
        "approve" => Command::Approve,
        "publish" => Command::Publish,
        _ => return Err(UiError::new(StatusCode::BAD_REQUEST, lang, "Thao tác không hợp lệ.", "Unknown action.")),
    };
    let (fb, _) = state.store.feedback(&code).await.map_err(|_| UiError::not_found(lang))?;
    let actor = s.actor();
    if !(actor.in_unit(&fb.center) || fb.unit.as_deref().is_some_and(|u| actor.in_unit(u))) {
        return Err(UiError::not_found(lang));
    }
    api::act(&state, &actor, &fb, cmd).await.map_err(|e| UiError::from(e).in_lang(lang))?;
    Ok(see_other("/can-bo/phan-anh?ok=1"))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/phan-anh", get(list))
        .route("/phan-anh/gui", get(form).post(submit).layer(DefaultBodyLimit::max(upload::MAX_BODY)))
        .route("/phan-anh/tra-cuu", get(lookup))
        .route("/can-bo/phan-anh", get(console))
        .route("/can-bo/phan-anh/{code}", post(console_act))
}
