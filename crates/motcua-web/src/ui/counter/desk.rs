//! `GET /quay/ho-so/{code}` and `POST /quay/ho-so/{code}/thao-tac`: one dossier at the counter
//! with the receiver's actions — receive (ticking what was scanned), refuse with reasons, ask for
//! a supplement at reception (the "một lần" rule: every item at once), record a supplement handed
//! in, return the result with the fee payment, withdraw on the applicant's request. Only actions
//! in `allowed_actions` are shown or accepted; the domain decides through [`motcua_app::dossiers::act`].

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::dossier::actions::{
    Action, ActionKind, allowed_actions, decline_withdrawal::DeclineWithdrawal, receive::Receive, refuse::Refuse,
    request_fees::RequestFees, request_supplement::RequestSupplement, return_result::ReturnResult,
    supplement::Supplement, withdraw::Withdraw,
};
use motcua_domain::dossier::event::EventData;
use motcua_domain::dossier::{Actor, Channel, DocumentRecord, Dossier, Status};
use motcua_store::dossiers::StoredEvent;
use serde::Deserialize;
use time::OffsetDateTime;

use super::{Fields, is_form_error, legal_time, load, message, ui};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::ui::dossier_files::{DocRow, FileRow, document_rows, file_rows};
use crate::ui::error::UiError;
use crate::ui::{Chrome, Lang, SignedIn, render, render_status, see_other};
use motcua_app::files::Label;

/// The actions of the counter desk; the others belong to the officer console.
const COUNTER_ACTIONS: [ActionKind; 8] = [
    ActionKind::Receive,
    ActionKind::RequestFees,
    ActionKind::Refuse,
    ActionKind::RequestSupplement,
    ActionKind::Supplement,
    ActionKind::ReturnResult,
    ActionKind::Withdraw,
    ActionKind::DeclineWithdrawal,
];

/// The counter actions `actor` may take now. A supplementation request at the counter is the one
/// at reception; during processing it is the specialist's (console).
fn counter_actions(d: &Dossier, actor: &Actor) -> Vec<ActionKind> {
    allowed_actions(d, actor)
        .into_iter()
        .filter(|k| COUNTER_ACTIONS.contains(k))
        .filter(|k| *k != ActionKind::RequestSupplement || d.status == Status::Submitted)
        .collect()
}

/// Which action forms to show.
#[derive(Default)]
struct Can {
    receive: bool,
    refuse: bool,
    request_supplement: bool,
    supplement: bool,
    return_result: bool,
    withdraw: bool,
    decline_withdrawal: bool,
    request_fees: bool,
}

impl Can {
    fn of(kinds: &[ActionKind]) -> Can {
        Can {
            receive: kinds.contains(&ActionKind::Receive),
            refuse: kinds.contains(&ActionKind::Refuse),
            request_supplement: kinds.contains(&ActionKind::RequestSupplement),
            supplement: kinds.contains(&ActionKind::Supplement),
            return_result: kinds.contains(&ActionKind::ReturnResult),
            withdraw: kinds.contains(&ActionKind::Withdraw),
            decline_withdrawal: kinds.contains(&ActionKind::DeclineWithdrawal),
            request_fees: kinds.contains(&ActionKind::RequestFees),
        }
    }
    fn any(&self) -> bool {
        self.receive
            || self.refuse
            || self.request_supplement
            || self.supplement
            || self.return_result
            || self.withdraw
            || self.decline_withdrawal
            || self.request_fees
    }
}

/// What the officer typed in the form that failed, shown again in that form.
#[derive(Default)]
struct Echo {
    action: String,
    reason: String,
    items: String,
    documents: String,
    note: String,
    /// The fee fields of a reception (`phi_…`).
    fees: Vec<(String, String)>,
}

/// One line of the timeline.
struct Line {
    at: OffsetDateTime,
    action: &'static str,
    actor: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "counter/dossier.html")]
struct DossierPage {
    c: Chrome,
    d: Dossier,
    /// Total fees in đồng.
    fee_total: i64,
    /// The fee schedule's lines for a reception, with what was typed.
    fee_rows: Vec<super::FeeRow>,
    ptime: String,
    lines: Vec<Line>,
    can: Can,
    /// Slips that apply: (number, title).
    slips: Vec<(&'static str, String)>,
    /// The documents with links to their files, and every stored file: the receiver opens
    /// what was uploaded before accepting.
    documents: Vec<DocRow>,
    files: Vec<FileRow>,
    notice: Option<String>,
    error: Option<String>,
    echo: Echo,
}

impl DossierPage {
    fn channel(&self) -> &'static str {
        match self.d.channel {
            Channel::Counter => self.c.t("Trực tiếp tại quầy", "At the counter"),
            Channel::Online => self.c.t("Trực tuyến", "Online"),
            Channel::Postal => self.c.t("Bưu chính công ích", "By public post"),
        }
    }
}

/// The details worth showing on a timeline line.
fn detail(data: &EventData) -> String {
    match data {
        EventData::Refuse(x) => x.reason.clone(),
        EventData::Withdraw(x) => x.reason.clone(),
        EventData::DeclineWithdrawal(x) => x.reason.clone(),
        EventData::Reject(x) => x.reason.clone(),
        EventData::Extend(x) => x.reason.clone(),
        EventData::Transfer(x) => format!("{} → {}: {}", x.from_unit, x.to_unit, x.reason),
        EventData::Rehome(x) => {
            let moves: Vec<String> = x.moves.iter().map(|m| format!("{} → {}", m.from_unit, m.to_unit)).collect();
            format!("{} ({})", moves.join(", "), x.legal_basis)
        }
        EventData::Assign(x) => x.assignee.clone(),
        EventData::RequestSupplement(x) if x.items.is_empty() => x.reason.clone(),
        EventData::RequestSupplement(x) => format!("{} ({})", x.reason, x.items.join("; ")),
        EventData::Supplement(x) => {
            let names: Vec<&str> = x.documents.iter().map(|d| d.name.as_str()).collect();
            [names.join("; "), x.note.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" — ")
        }
        EventData::CompleteStep(x) => x.note.clone(),
        EventData::RequestFees(x) => format!("{} — {}", crate::views::dong(x.amount), x.note),
        EventData::RecordPayment(x) => {
            format!(
                "{}, {} ({}), {}",
                crate::views::dong(x.paid.amount),
                x.paid.receipt,
                x.paid.transaction,
                x.paid.platform.label_vi()
            )
        }
        EventData::RecordRefund(x) => format!("{} ({}): {}", crate::views::dong(x.amount), x.transaction, x.reason),
        _ => String::new(),
    }
}

/// Confirmation shown after a successful action (`?ok=`).
fn notice(action: &str, lang: Lang) -> Option<String> {
    let (vi, en) = match action {
        "receive" => (
            "Đã tiếp nhận hồ sơ. In Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01) để giao cho người nộp.",
            "Dossier received. Print the receipt and appointment slip (form 01) for the applicant.",
        ),
        "supplement" => ("Đã ghi nhận hồ sơ bổ sung.", "The supplement was recorded."),
        "request_fees" => (
            "Đã thông báo người nộp nộp phí, lệ phí (trạng thái 6 trên Cổng). Hồ sơ tiếp tục khi cổng thanh toán xác nhận.",
            "The applicant was asked to pay the fees (portal state 6). The dossier goes on once the payment platform confirms.",
        ),
        "return_result" => ("Đã trả kết quả.", "The result was returned."),
        "withdraw" => ("Đã ghi nhận rút hồ sơ, dừng giải quyết.", "The withdrawal was recorded; processing stopped."),
        "decline_withdrawal" => {
            ("Đã trả lời người nộp: hồ sơ tiếp tục được giải quyết.", "The applicant was told that processing goes on.")
        }
        _ => return None,
    };
    Some(lang.t(vi, en).to_owned())
}

/// Builds the dossier page.
async fn page_for(
    state: &AppState,
    s: &SignedIn,
    d: Dossier,
    notice: Option<String>,
    error: Option<String>,
    echo: Echo,
) -> Result<DossierPage, UiError> {
    let lang = s.visitor.lang;
    let events: Vec<StoredEvent> = state.store.events(&d.code).await?;
    let people = crate::ui::people::People::of(state, events.iter().map(|e| &e.event.actor)).await;
    let lines = events
        .iter()
        .map(|e| Line {
            at: e.event.at,
            action: e.event.data.action(),
            // The applicant and the system by their role, officers by name.
            actor: people.name(&e.event.actor),
            detail: detail(&e.event.data),
        })
        .collect();
    let slips =
        super::slips::applicable(&d, &events).into_iter().map(|(n, vi, en)| (n, lang.t(vi, en).to_owned())).collect();
    let can = Can::of(&counter_actions(&d, &s.actor()));
    let stored = state.store.files_of(&d.code).await?;
    let (documents, files) = (document_rows(&d, &stored), file_rows(&stored, lang));
    let title = format!("{} {}", lang.t("Hồ sơ", "Dossier"), d.code);
    let c = Chrome::new(&s.visitor, &format!("/quay/ho-so/{}", d.code), &title, &title);
    Ok(DossierPage {
        c,
        ptime: legal_time(&d, lang),
        fee_total: d.fee_total(),
        fee_rows: super::fee_rows(
            &d.fees,
            (!echo.fees.is_empty()).then(|| Fields(echo.fees.clone(), Vec::new())).as_ref(),
            lang,
        ),
        d,
        lines,
        can,
        slips,
        documents,
        files,
        notice,
        error,
        echo,
    })
}

#[derive(Deserialize)]
pub(super) struct OkQuery {
    ok: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<OkQuery>,
) -> Result<Response, UiError> {
    let d = load(&state, &s, &code).await?;
    let notice = q.ok.as_deref().and_then(|a| notice(a, s.visitor.lang));
    let page = page_for(&state, &s, d, notice, None, Echo::default()).await?;
    Ok(render(&page))
}

/// The domain input of a counter action from the form's fields.
fn action_from(kind: ActionKind, f: &Fields, d: &Dossier) -> Option<Action> {
    let reason = f.get("reason").to_owned();
    Some(match kind {
        ActionKind::Receive => Action::Receive(Receive { fees: super::fee_facts(f, &d.fees), ..Default::default() }),
        ActionKind::Refuse => Action::Refuse(Refuse { reason }),
        ActionKind::RequestSupplement => {
            Action::RequestSupplement(RequestSupplement { reason, items: f.lines("items") })
        }
        ActionKind::Supplement => Action::Supplement(Supplement {
            documents: f.lines("documents").into_iter().map(DocumentRecord::named).collect(),
            note: f.get("note").to_owned(),
        }),
        ActionKind::ReturnResult => {
            Action::ReturnResult(ReturnResult { fee_paid: f.on("fee_paid"), paid_online: f.on("paid_online") })
        }
        ActionKind::Withdraw => Action::Withdraw(Withdraw { reason }),
        ActionKind::DeclineWithdrawal => Action::DeclineWithdrawal(DeclineWithdrawal { reason }),
        ActionKind::RequestFees => Action::RequestFees(RequestFees { note: f.get("note").to_owned() }),
        _ => return None,
    })
}

/// The files a counter action carries, checked: the scans attached at reception (`so_N`, the
/// N-th document), or the files of a supplement handed in at the counter (`files`, each listed
/// under its name). Stored with the action.
fn counter_files(
    f: &mut Fields,
    d: &Dossier,
    action: &Action,
) -> motcua_app::error::AppResult<Vec<motcua_app::files::Accepted>> {
    let mut accepted = Vec::new();
    match action {
        Action::Receive(_) => {
            for (i, doc) in d.documents.iter().enumerate() {
                if let Some(u) = f.take_file(&format!("so_{i}")) {
                    accepted.push(u.accept(Label::same(&doc.name))?.scanning(&doc.name));
                }
            }
        }
        Action::Supplement(_) => {
            while let Some(u) = f.take_file("files") {
                accepted.push(u.accept(Label::same("Tệp bổ sung"))?);
            }
        }
        _ => {}
    }
    Ok(accepted)
}

/// Where to go after a successful action: the slip to hand over, or back to the dossier.
fn after(kind: ActionKind, code: &str) -> String {
    match kind {
        ActionKind::Refuse => format!("/quay/ho-so/{code}/phieu/03"),
        ActionKind::RequestSupplement => format!("/quay/ho-so/{code}/phieu/02"),
        other => format!("/quay/ho-so/{code}?ok={}", other.as_str()),
    }
}

pub(super) async fn act(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    req: Request,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let mut f = Fields::read(&state, req, lang).await?;
    s.visitor.check_csrf(f.get("csrf"))?;
    let d = load(&state, &s, &code).await?;
    let echo = Echo {
        action: f.get("action").to_owned(),
        reason: f.get("reason").to_owned(),
        items: f.get("items").to_owned(),
        documents: f.get("documents").to_owned(),
        note: f.get("note").to_owned(),
        fees: f.0.iter().filter(|(k, _)| k.starts_with("phi_")).cloned().collect(),
    };
    let Ok(version) = f.get("version").trim().parse::<i64>() else {
        return Err(UiError::new(
            StatusCode::BAD_REQUEST,
            lang,
            "Biểu mẫu thiếu phiên bản hồ sơ. Vui lòng tải lại trang.",
            "The form lacks the dossier version. Reload the page.",
        ));
    };
    // Someone acted since the page was shown: show the dossier as it is now, with 409.
    if version != d.version {
        let e = ApiError::from(motcua_store::StoreError::Conflict { current: d.version });
        let page = page_for(&state, &s, d, None, Some(message(&e, lang)), echo).await?;
        return Ok(render_status(StatusCode::CONFLICT, &page));
    }
    let kind = COUNTER_ACTIONS.into_iter().find(|k| k.as_str() == f.get("action"));
    let action = kind.filter(|k| counter_actions(&d, &s.actor()).contains(k)).and_then(|k| action_from(k, &f, &d));
    let (Some(kind), Some(mut action)) = (kind, action) else {
        let why = lang
            .t(
                "Thao tác này không thực hiện được tại quầy với hồ sơ ở trạng thái hiện tại.",
                "This action is not possible at the counter in the dossier's current state.",
            )
            .to_owned();
        let page = page_for(&state, &s, d, None, Some(why), echo).await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let by = motcua_app::files::handed_in(&s.actor(), state.now());
    let files = counter_files(&mut f, &d, &action).and_then(|a| motcua_app::files::attach(&mut action, a, &by));
    let files = match files {
        Ok(files) => files,
        Err(e) => {
            let e = ApiError::from(e);
            let page = page_for(&state, &s, d, None, Some(message(&e, lang)), echo).await?;
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    match motcua_app::dossiers::act_with_files(&state, s.actor(), &code, version, action, files)
        .await
        .map_err(crate::error::ApiError::from)
    {
        Ok(_) => Ok(see_other(&after(kind, &code))),
        Err(e) if e.status == StatusCode::CONFLICT || is_form_error(&e) => {
            let status = if e.status == StatusCode::CONFLICT { e.status } else { StatusCode::UNPROCESSABLE_ENTITY };
            let d = load(&state, &s, &code).await?;
            let page = page_for(&state, &s, d, None, Some(message(&e, lang)), echo).await?;
            Ok(render_status(status, &page))
        }
        Err(e) => Err(ui(e, lang)),
    }
}
