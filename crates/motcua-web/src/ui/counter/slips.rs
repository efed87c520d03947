//! `GET /quay/ho-so/{code}/phieu/{form}`: the reception slips of TT 03/2025/TT-VPCP Phụ lục I
//! (numbering of TT 01/2018/TT-VPCP Art. 9 for 01–03; domain.md §1.7), print-ready on A4:
//!
//! - 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả — once received; the secret only on the first print;
//! - 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ — the last supplementation request;
//! - 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ — a refused dossier;
//! - 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả — a dossier with its one extension.
//!
//! 01–03 are issued and signed by the receiving officer; 04 by the head of the resolving agency
//! (domain.md §1.7 "Who signs"). A slip that does not apply to the dossier is a 404.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use motcua_domain::dossier::Dossier;
use motcua_domain::dossier::event::{EventData, replay};
use motcua_store::dossiers::StoredEvent;
use time::OffsetDateTime;

use super::{SlipHead, legal_time, load, lookup_url, officer_name, qr_svg};
use crate::AppState;
use crate::ui::error::UiError;
use crate::ui::{Chrome, SignedIn, render};

#[derive(Template)]
#[template(path = "counter/slip01.html")]
struct Receipt {
    c: Chrome,
    form_no: &'static str,
    head: SlipHead,
    date_line: String,
    d: Dossier,
    /// Total fees in đồng.
    fee_total: i64,
    officer: String,
    /// The lookup secret: only right after entry at the counter.
    secret: Option<String>,
    url: String,
    qr: String,
    ptime: String,
}

#[derive(Template)]
#[template(path = "counter/slip02.html")]
struct SupplementSlip {
    c: Chrome,
    form_no: &'static str,
    head: SlipHead,
    date_line: String,
    /// The dossier's code; none for the guidance given at the counter to a dossier not received.
    code: Option<String>,
    applicant: String,
    /// `name (code)` of the procedure.
    procedure: String,
    /// When it was handed in (a dossier's submission; the counter's guidance is dated now).
    submitted: String,
    officer: String,
    reason: String,
    items: Vec<String>,
    /// Requested during processing (signed by the agency) rather than at reception.
    during_processing: bool,
    /// Still waiting for the applicant.
    pending: bool,
}

#[derive(Template)]
#[template(path = "counter/slip03.html")]
struct RefusalSlip {
    c: Chrome,
    form_no: &'static str,
    head: SlipHead,
    date_line: String,
    d: Dossier,
    officer: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "counter/slip04.html")]
struct ApologySlip {
    c: Chrome,
    form_no: &'static str,
    head: SlipHead,
    date_line: String,
    d: Dossier,
    /// The appointment written on the receipt before the extension.
    old_appointment: Option<OffsetDateTime>,
    new_appointment: OffsetDateTime,
    reason: String,
    /// The one-stop that received the dossier.
    receiving: String,
}

fn chrome(s: &SignedIn, code: &str, form: &str, vi: &str, en: &str) -> Chrome {
    Chrome::new(&s.visitor, &format!("/quay/ho-so/{code}/phieu/{form}"), vi, en)
}

/// Who performed the last event of `action` and when.
fn last<'a>(events: &'a [StoredEvent], action: &str) -> Option<&'a StoredEvent> {
    events.iter().rev().find(|e| e.event.data.action() == action)
}

/// Form 01 for a received dossier; `secret` only right after entry (never stored in clear).
/// `officer` is the receiving officer when known (right after entry); otherwise the actor of the
/// `receive` event.
pub(super) async fn receipt(
    state: &AppState,
    s: &SignedIn,
    headers: &HeaderMap,
    d: Dossier,
    secret: Option<String>,
    officer: Option<String>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let officer = match officer {
        Some(name) => name,
        None => {
            let events = state.store.events(&d.code).await?;
            match last(&events, "receive") {
                Some(e) => officer_name(state, &e.event.actor).await,
                None => String::new(),
            }
        }
    };
    let head = SlipHead::of(state, &d.receiving_unit, lang).await;
    let at = d.received_at.unwrap_or(d.submitted_at);
    let url = lookup_url(headers, &d.code, secret.as_deref());
    let c = chrome(s, &d.code, "01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Receipt and appointment slip");
    Ok(render(&Receipt {
        form_no: "01",
        date_line: head.date_line(&at, lang),
        head,
        officer,
        qr: qr_svg(&url),
        url,
        secret,
        ptime: legal_time(&d, lang),
        fee_total: d.fee_total(),
        d,
        c,
    }))
}

/// Form 02 for a dossier handed in incomplete at the counter and so not received (NĐ 61/2018
/// Art. 15.2.b): the components to add, signed by the receiving officer.
pub(super) async fn guidance(
    state: &AppState,
    s: &SignedIn,
    unit: &str,
    p: &motcua_domain::catalog::Procedure,
    applicant: &str,
    missing: Vec<String>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let now = state.now();
    let head = SlipHead::of(state, unit, lang).await;
    let c = Chrome::new(&s.visitor, "/quay/tiep-nhan", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Supplement request");
    Ok(render(&SupplementSlip {
        c,
        form_no: "02",
        date_line: head.date_line(&now, lang),
        head,
        code: None,
        applicant: applicant.to_owned(),
        procedure: format!("{} ({})", p.name, p.code),
        submitted: crate::views::local_display(now),
        officer: s.user.full_name.clone(),
        reason: lang
            .t(
                "Hồ sơ chưa có đủ thành phần theo quy định của thủ tục, chưa thể tiếp nhận.",
                "The dossier lacks components the procedure requires and cannot be received yet.",
            )
            .to_owned(),
        items: missing,
        during_processing: false,
        pending: true,
    }))
}

pub(super) async fn slip(
    State(state): State<AppState>,
    s: SignedIn,
    headers: HeaderMap,
    Path((code, form)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let d = load(&state, &s, &code).await?;
    let not_found = || UiError::not_found(lang);
    match form.as_str() {
        "01" if d.received_at.is_some() => {
            // Right after entry (the reception form redirects here) the secret is shown once.
            let secret = state.receipts.take(&s.user.username, &d.code);
            let officer = secret.as_ref().map(|_| s.user.full_name.clone());
            receipt(&state, &s, &headers, d, secret, officer).await
        }
        "02" => {
            let events = state.store.events(&d.code).await?;
            let e = last(&events, "request_supplement").ok_or_else(not_found)?;
            let EventData::RequestSupplement(r) = &e.event.data else { return Err(not_found()) };
            // Asked at reception: the one-stop's slip; during processing: the resolving agency's.
            let issuer = if r.during_processing { &d.resolving_unit } else { &d.receiving_unit };
            let head = SlipHead::of(&state, issuer, lang).await;
            let c = chrome(&s, &code, "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Supplement request");
            Ok(render(&SupplementSlip {
                c,
                form_no: "02",
                date_line: head.date_line(&e.event.at, lang),
                head,
                officer: officer_name(&state, &e.event.actor).await,
                reason: r.reason.clone(),
                items: r.items.clone(),
                during_processing: r.during_processing,
                pending: d.pending_supplement.is_some(),
                code: Some(d.code.to_string()),
                applicant: d.applicant.name.clone(),
                procedure: format!("{} ({})", d.procedure_name, d.procedure_code),
                submitted: crate::views::local_display(d.submitted_at),
            }))
        }
        "03" => {
            let reason = d.reason.clone().filter(|_| d.status == motcua_domain::dossier::Status::Refused);
            let reason = reason.ok_or_else(not_found)?;
            let events = state.store.events(&d.code).await?;
            let e = last(&events, "refuse").ok_or_else(not_found)?;
            let head = SlipHead::of(&state, &d.receiving_unit, lang).await;
            let c = chrome(&s, &code, "03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Refusal slip");
            Ok(render(&RefusalSlip {
                c,
                form_no: "03",
                date_line: head.date_line(&e.event.at, lang),
                head,
                officer: officer_name(&state, &e.event.actor).await,
                reason,
                d,
            }))
        }
        "04" => {
            let x = d.extension.clone().ok_or_else(not_found)?;
            let events = state.store.events(&d.code).await?;
            // The appointment before the extension: the dossier as it was just before `extend`.
            let before: Vec<_> =
                events.iter().take_while(|e| e.event.data.action() != "extend").map(|e| &e.event).collect();
            let old_appointment = replay(before).ok().flatten().and_then(|b| b.appointment_at);
            let head = SlipHead::of(&state, &d.resolving_unit, lang).await;
            let receiving = SlipHead::of(&state, &d.receiving_unit, lang).await.unit;
            let c = chrome(&s, &code, "04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Apology and new appointment");
            Ok(render(&ApologySlip {
                c,
                form_no: "04",
                date_line: head.date_line(&x.at, lang),
                head,
                old_appointment,
                new_appointment: x.new_due_at,
                reason: x.reason,
                receiving,
                d,
            }))
        }
        _ => Err(not_found()),
    }
}

/// The slips that apply to a dossier now: (form number, Vietnamese title, English title).
pub(super) fn applicable(d: &Dossier, events: &[StoredEvent]) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    if d.received_at.is_some() {
        out.push(("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Receipt and appointment slip"));
    }
    if last(events, "request_supplement").is_some() {
        out.push(("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Supplement request"));
    }
    if d.status == motcua_domain::dossier::Status::Refused {
        out.push(("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Refusal slip"));
    }
    if d.extension.is_some() {
        out.push(("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Apology and new appointment"));
    }
    out
}
