//! Recall, update and replacement between agencies (domain.md §9 status 13/15/16, business
//! types 1–3; NĐ 30/2020/NĐ-CP Art. 18 khoản 4; docs/EXCHANGE.md): the two things a clerk does,
//! shared by the JSON API (`api::edxml_recall`) and the office pages (`ui::office::exchange`).
//!
//! - [`request`]: the sender asks every recipient of an outgoing package to give it back — a
//!   status message 13 with the reason to each, once; the office document's trace shows it.
//! - [`answer`]: the receiver answers the open question on an incoming package with 15 or 16
//!   (a reason is required to refuse), once; an accepted recall cancels the register entry.

use motcua_domain::ErrorCode;
use motcua_domain::office::{EdxmlStatus, TraceStatus};
use motcua_edxml::{Package, StatusCode as Code};
use motcua_store::edxml::StoredPackage;
use motcua_store::users::User;

use crate::Application;
use crate::error::{AppResult, Error, Kind};
use crate::exchange::{local_organ, status_reply, status_to};

fn conflict(code: ErrorCode, en: &str, vi: &str) -> Error {
    Error::new(Kind::Conflict, code, en, vi)
}

fn stored_package(xml: &str) -> AppResult<Package> {
    Package::from_xml(xml.as_bytes()).map_err(|e| {
        tracing::error!(code = %e.code, path = %e.path, "a stored package no longer decodes");
        Error::internal()
    })
}

fn edxml_invalid(e: motcua_edxml::EdxmlError) -> Error {
    Error::unprocessable(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi)
}

/// Asks the recipients of outgoing package `p` to give it back, for `reason`.
#[tracing::instrument(skip_all, fields(package = %p.id))]
pub async fn request(state: &Application, p: &StoredPackage, reason: &str) -> AppResult<()> {
    if p.direction != "out" {
        return Err(Error::unprocessable(
            ErrorCode::NotOutgoing,
            "only a package this unit sent can be recalled",
            "chỉ thu hồi được văn bản đơn vị đã gửi",
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::unprocessable(
            ErrorCode::ReasonRequired,
            "a recall needs a reason",
            "thu hồi phải nêu lý do",
        ));
    }
    let package = stored_package(&p.xml)?;
    let unit = state.store.unit(&p.unit).await?;
    let organ = local_organ(&unit).ok_or_else(Error::internal)?;
    let t = state.now();
    let mut messages = Vec::new();
    for to in package.header.to.iter().map(|o| o.id.as_str().to_owned()) {
        let key = format!("edxml-status:{}:13:{to}", p.id);
        let m = status_to(key, to, &package, &organ, Code::RecallRequested, Some(reason.to_owned()), t)
            .map_err(edxml_invalid)?;
        messages.push(m);
    }
    if !state.store.request_recall(&p.id, reason, &messages, t).await? {
        return Err(conflict(
            ErrorCode::RecallAlreadyRequested,
            "a recall of this package was already requested",
            "đã yêu cầu thu hồi văn bản này",
        ));
    }
    for m in &messages {
        let status = TraceStatus::Edxml(EdxmlStatus::RecallRequested);
        crate::exchange::mirror_trace(&state.store, &p.document_id, &m.recipient, status, Some(reason), state.now())
            .await;
    }
    tracing::info!(package = %p.id, "edXML recall requested");
    Ok(())
}

/// `clerk` answers the open recall/update question on incoming package `p`.
#[tracing::instrument(skip_all)]
pub async fn answer(
    state: &Application,
    clerk: &User,
    p: &StoredPackage,
    accept: bool,
    reason: Option<&str>,
) -> AppResult<()> {
    if p.direction != "in" || p.recall.as_deref() != Some(motcua_store::edxml::REQUESTED) {
        return Err(conflict(
            ErrorCode::NoOpenRecall,
            "this package has no recall or update waiting for an answer",
            "văn bản không có yêu cầu thu hồi hoặc cập nhật đang chờ trả lời",
        ));
    }
    let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if !accept && reason.is_none() {
        return Err(Error::unprocessable(
            ErrorCode::ReasonRequired,
            "a refusal needs a reason",
            "từ chối phải nêu lý do",
        ));
    }
    let package = stored_package(&p.xml)?;
    let unit = state.store.unit(&p.unit).await?;
    let organ = local_organ(&unit).ok_or_else(Error::internal)?;
    let t = state.now();
    let code = if accept { Code::RecallAccepted } else { Code::RecallRefused };
    let reply = status_reply(&p.id, &package, &organ, code, reason.clone(), t).map_err(edxml_invalid)?;
    if !state.store.answer_recall(&p.id, accept, reason.as_deref(), &reply, t).await? {
        return Err(conflict(
            ErrorCode::NoOpenRecall,
            "the question was answered meanwhile",
            "yêu cầu đã được trả lời",
        ));
    }
    tracing::info!(package = %p.id, accept, "edXML recall answered");
    if accept {
        cancel_register_entry(state, clerk, p).await;
    }
    Ok(())
}

/// The sender's notice of the recall open on incoming package `id` (the 13's description).
pub async fn notice(state: &Application, id: &str) -> Option<String> {
    let trace = state.store.edxml_trace(id).await.ok()?;
    trace
        .into_iter()
        .rev()
        .find(|t| t.event == "status:13")
        .and_then(|t| t.description)
        .filter(|d| !d.trim().is_empty())
}

/// An accepted recall cancels the document in the unit's incoming register ("bên nhận hủy bỏ
/// văn bản điện tử bị thu hồi trên Hệ thống", NĐ 30/2020/NĐ-CP Art. 18 khoản 4 điểm b): the
/// recalled package itself for a 13 or a revoke package, the earlier one it names for an
/// update/replacement is left to the clerk. Failures are logged: the answer stands.
async fn cancel_register_entry(state: &Application, clerk: &User, p: &StoredPackage) {
    if matches!(p.business_type, 2 | 3) {
        return;
    }
    let notice = notice(state, &p.id).await;
    let reason =
        format!("Nơi gửi {} thu hồi văn bản{}", p.from_organ, notice.map(|n| format!(": {n}")).unwrap_or_default());
    let actor = clerk.actor();
    match state.store.document_by_package(&p.unit, &p.idem).await {
        Ok(Some(doc)) => {
            let cmd = motcua_domain::office::Command::Recall { reason };
            if let Err(e) = crate::documents::apply(state, &actor, &doc, cmd).await {
                tracing::warn!(document = %doc.id, code = %e.code, "recalled document not cancelled in the register");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::error!(error = %e, "reading the register entry of a recalled package"),
    }
}
