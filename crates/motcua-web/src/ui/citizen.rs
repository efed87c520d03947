//! The citizen portal: catalog with diacritics-insensitive search and filters, the procedure
//! page, and the public lookup by code + secret (status, appointment, documents, timeline, and
//! the forms of [`super::portal::track`] that the applicant may use now). No sign-in, no
//! JavaScript needed.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use motcua_domain::catalog::Procedure;
use motcua_domain::dossier::actions::{ActionKind, allowed_actions};
use motcua_domain::dossier::event::EventData;
use motcua_domain::dossier::{Actor, Dossier, Role, Status};
use motcua_store::catalog::ProcedureQuery;
use motcua_store::dossiers::StoredEvent;
use motcua_store::web::FileMeta;
use serde::Deserialize;

use super::error::UiError;
use super::{Chrome, Visitor, render};
use crate::AppState;
use crate::extract::ApiQuery;

#[derive(Deserialize)]
pub struct CatalogQuery {
    q: Option<String>,
    field: Option<String>,
    level: Option<String>,
}

#[derive(Template)]
#[template(path = "citizen/home.html")]
struct HomePage {
    c: Chrome,
    q: String,
    field: String,
    level: String,
    fields: Vec<String>,
    procedures: Vec<Procedure>,
}

impl Chrome {
    /// Processing time as people read it.
    pub fn ptime(&self, p: &Procedure) -> String {
        processing_time(p, self)
    }
    /// Online level label.
    pub fn online(&self, p: &Procedure) -> String {
        online_label(p, self)
    }
    /// History line label.
    pub fn event_label(&self, action: &str) -> String {
        event_label(action, self)
    }
    /// Status label in the page language.
    pub fn status(&self, s: &motcua_domain::dossier::Status) -> String {
        let s = *s;
        match self.lang {
            super::Lang::Vi => s.label_vi().to_owned(),
            super::Lang::En => s.as_str().replace('_', " "),
        }
    }
}

/// Processing time as people read it.
pub fn processing_time(p: &Procedure, c: &Chrome) -> String {
    let n = |x: f64| crate::views::decimal(x, c.lang);
    match (p.processing_days, p.processing_hours) {
        (Some(d), _) => format!("{} {}", n(d), c.t("ngày làm việc", "working days")),
        (_, Some(h)) => format!("{} {}", n(h), c.t("giờ làm việc", "working hours")),
        _ => String::new(),
    }
}

/// Online level label.
pub fn online_label(p: &Procedure, c: &Chrome) -> String {
    match p.online_level.as_str() {
        "full" => c.t("Trực tuyến toàn trình", "Fully online"),
        "partial" => c.t("Trực tuyến một phần", "Partly online"),
        _ => c.t("Nộp trực tiếp", "In person only"),
    }
    .to_owned()
}

async fn home(
    State(state): State<AppState>,
    v: Visitor,
    ApiQuery(q): ApiQuery<CatalogQuery>,
) -> Result<Response, UiError> {
    let query = ProcedureQuery {
        q: q.q.clone().filter(|s| !s.trim().is_empty()),
        field: q.field.clone().filter(|s| !s.is_empty()),
        level: q.level.clone().filter(|s| matches!(s.as_str(), "province" | "commune")),
    };
    let procedures = state.store.procedures(&query).await?;
    let fields = state.store.fields().await?;
    let c = Chrome::new(&v, "/", "Thủ tục hành chính", "Administrative procedures");
    Ok(render(&HomePage {
        c,
        q: q.q.unwrap_or_default(),
        field: q.field.unwrap_or_default(),
        level: q.level.unwrap_or_default(),
        fields,
        procedures,
    }))
}

#[derive(Template)]
#[template(path = "citizen/procedure.html")]
struct ProcedurePage {
    c: Chrome,
    p: Procedure,
    /// The visitor administers internal processes: link the designer (domain.md §6).
    designer: bool,
}

async fn procedure(State(state): State<AppState>, v: Visitor, Path(code): Path<String>) -> Result<Response, UiError> {
    let p = match state.store.procedure(&code).await {
        Ok(p) => p,
        Err(_) => return Err(abolished_or_missing(&state, &code, v.lang).await),
    };
    let c = Chrome::new(&v, &format!("/thu-tuc/{code}"), &p.name, &p.name);
    let designer = c.roles.iter().any(|r| matches!(r, Role::CenterAdmin | Role::SystemAdmin));
    Ok(render(&ProcedurePage { c, p, designer }))
}

/// A procedure that is not in today's catalog: 410 with the abolishing decision when it was
/// abolished (so citizens with an old link learn why), 404 otherwise.
async fn abolished_or_missing(state: &AppState, code: &str, lang: super::Lang) -> UiError {
    let today = motcua_store::format_date(state.today());
    let abolished = state.store.versions(code).await.ok().and_then(|vs| {
        vs.into_iter().rev().find(|v| v.status == motcua_store::catalog::ABOLISHED && v.effective_from <= today)
    });
    match abolished {
        Some(v) => {
            let decision = v.decision.unwrap_or_default();
            UiError::new(
                axum::http::StatusCode::GONE,
                lang,
                format!("Thủ tục {code} đã bị bãi bỏ từ ngày {} theo Quyết định {decision}.", v.effective_from),
                format!("Procedure {code} was abolished from {} by decision {decision}.", v.effective_from),
            )
        }
        None => UiError::not_found(lang),
    }
}

#[derive(Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
    secret: Option<String>,
}

#[derive(Template)]
#[template(path = "citizen/lookup.html")]
struct LookupPage {
    c: Chrome,
    code: String,
    secret: String,
    searched: bool,
    dossier: Option<Dossier>,
    events: Vec<StoredEvent>,
    /// Name of the one-stop that receives and returns the dossier.
    receiving: String,
    /// Items listed by the pending supplementation request.
    supplement_items: Vec<String>,
    /// E-result files, once the dossier has a result.
    results: Vec<FileMeta>,
    /// What the applicant may do now (only these forms are shown).
    can_supplement: bool,
    can_rate: bool,
    can_withdraw: bool,
    /// The fees the applicant can pay online now (0: none, or no payment platform here).
    pay_online: i64,
}

impl Chrome {
    /// The details of a history line a citizen may read (reasons, new dates), or "".
    pub fn event_detail(&self, data: &EventData) -> String {
        match data {
            EventData::RequestSupplement(e) => e.reason.clone(),
            EventData::Refuse(e) => e.reason.clone(),
            EventData::Reject(e) => e.reason.clone(),
            EventData::Withdraw(e) if e.requested => format!(
                "{} {}",
                self.t(
                    "Đã gửi đề nghị rút hồ sơ, chờ Bộ phận Một cửa xác nhận:",
                    "Withdrawal asked, waiting for the one-stop's answer:"
                ),
                e.reason
            ),
            EventData::Withdraw(e) => e.reason.clone(),
            EventData::DeclineWithdrawal(e) => e.reason.clone(),
            EventData::RequestFees(e) => format!("{} — {}", self.dong(&e.amount), e.note),
            EventData::RecordPayment(e) => format!(
                "{} — {} {}",
                self.dong(&e.paid.amount),
                self.t("biên lai điện tử", "electronic receipt"),
                e.paid.receipt
            ),
            EventData::RecordRefund(e) => format!("{} — {}", self.dong(&e.amount), e.reason),
            EventData::Extend(e) => {
                format!("{} {} — {}", self.t("Hẹn lại:", "New date:"), self.dt(&e.new_due_at), e.reason)
            }
            _ => String::new(),
        }
    }
    /// Satisfaction label of a score (1–5).
    pub fn score_label(&self, score: &u8) -> &'static str {
        match score {
            5 => self.t("Rất hài lòng", "Very satisfied"),
            4 => self.t("Hài lòng", "Satisfied"),
            3 => self.t("Bình thường", "Neutral"),
            2 => self.t("Không hài lòng", "Dissatisfied"),
            _ => self.t("Rất không hài lòng", "Very dissatisfied"),
        }
    }
}

/// Plain-Vietnamese (or English) label of a history line.
pub fn event_label(action: &str, c: &Chrome) -> String {
    let (vi, en) = match action {
        "create" => ("Hồ sơ được nộp", "Dossier submitted"),
        "receive" => ("Bộ phận Một cửa tiếp nhận hồ sơ", "Received by the one-stop"),
        "refuse" => ("Từ chối tiếp nhận", "Refused at reception"),
        "request_supplement" => ("Yêu cầu bổ sung hồ sơ", "Supplement requested"),
        "supplement" => ("Đã bổ sung hồ sơ", "Supplement handed in"),
        "assign" => ("Phân công cán bộ xử lý", "Officer assigned"),
        "complete_step" => ("Hoàn thành một bước xử lý", "A processing step completed"),
        "transfer" => ("Chuyển cơ quan có thẩm quyền", "Transferred to the competent agency"),
        "rehome" => (
            "Chuyển đơn vị kế thừa sau sắp xếp đơn vị hành chính",
            "Moved to the successor unit after the administrative restructure",
        ),
        "approve" => ("Đã có kết quả, chờ trả", "Result ready to collect"),
        "reject" => ("Không giải quyết (có văn bản nêu lý do)", "Not granted (reasons given)"),
        "extend" => ("Xin lỗi và hẹn lại ngày trả kết quả", "Apology and new appointment"),
        "return_result" => ("Đã trả kết quả", "Result returned"),
        "withdraw" => ("Rút hồ sơ", "Withdrawn"),
        "decline_withdrawal" => {
            ("Không dừng giải quyết (hồ sơ đã có quyết định hoặc kết quả)", "Not stopped (a decision or result exists)")
        }
        "rate" => ("Đã đánh giá mức độ hài lòng", "Satisfaction rated"),
        "revoke_result" => ("Đơn vị cấp đã thu hồi kết quả", "The issuing unit revoked the result"),
        "request_fees" => ("Thông báo nộp phí, lệ phí", "Fees to pay"),
        "record_payment" => ("Đã nộp phí, lệ phí trực tuyến", "Fees paid online"),
        "record_refund" => ("Đã hoàn trả phí, lệ phí", "Fees refunded"),
        other => (other, other),
    };
    c.t(vi, en).to_owned()
}

async fn lookup(
    State(state): State<AppState>,
    v: Visitor,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> Result<Response, UiError> {
    let code = q.code.unwrap_or_default().trim().to_owned();
    let secret = q.secret.unwrap_or_default().trim().to_owned();
    let c = Chrome::new(&v, "/tra-cuu", "Tra cứu hồ sơ", "Dossier lookup");
    let mut page = LookupPage {
        c,
        searched: !code.is_empty(),
        code,
        secret,
        dossier: None,
        events: Vec::new(),
        receiving: String::new(),
        supplement_items: Vec::new(),
        results: Vec::new(),
        can_supplement: false,
        can_rate: false,
        can_withdraw: false,
        pay_online: 0,
    };
    if motcua_domain::code::looks_like_code(&page.code)
        && !page.secret.is_empty()
        && let Ok((d, hash)) = state.store.dossier(&page.code).await
        && hash == crate::auth::secret_hash(&page.secret)
    {
        page.events = state.store.events(&page.code).await?;
        page.supplement_items = match page.events.iter().rev().find_map(|e| match &e.event.data {
            EventData::RequestSupplement(r) => Some(r.items.clone()),
            _ => None,
        }) {
            Some(items) if d.status == Status::SupplementRequested => items,
            _ => Vec::new(),
        };
        if matches!(d.status, Status::ResultReady | Status::Returned) {
            page.results = state.store.files_of(&d.code).await?.into_iter().filter(|f| f.kind == "result").collect();
        }
        let allowed = allowed_actions(&d, &Actor::Applicant);
        page.can_supplement = allowed.contains(&ActionKind::Supplement);
        page.can_rate = allowed.contains(&ActionKind::Rate);
        page.can_withdraw = allowed.contains(&ActionKind::Withdraw);
        if state.payments.is_some() {
            page.pay_online = motcua_domain::dossier::amount_due(&d).unwrap_or(0);
        }
        page.receiving =
            state.store.unit(&d.receiving_unit).await.map(|u| u.name).unwrap_or_else(|_| d.receiving_unit.to_string());
        page.dossier = Some(d);
    }
    let mut res = render(&page);
    // The page carries the secret (in its forms and links): no cache may keep it.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/thu-tuc/{code}", get(procedure)).route("/tra-cuu", get(lookup))
}
