//! `send_to_agency` (gửi liên thông): a step of the internal process that another agency performs
//! (a consulted step, `StepUnit::Consulted`; NĐ 61/2018 Art. 19, domain.md §1.5 and §9 "dossier
//! liên thông … as edXML packages") leaves this system as an edXML package. The step starts
//! waiting for the agency's answer: it is not completed, the dossier stays in processing and its
//! legal due instant keeps running unchanged (Decisions 3: only a supplementation pause moves
//! it). The event carries the package's identity, so the history says exactly what went where.
//!
//! Only the system records it (`Actor::System`), in the same transaction that queues the package
//! for delivery; the web layer checks that the officer asking may do it. It is not among the
//! actions offered to people (`ActionKind::ALL`), like `rehome`.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Ctx;
use crate::dossier::event::{Event, EventData};
use crate::dossier::{Actor, AgencyExchange, Dossier, Status};
use crate::error::DomainError;

/// The request: which step goes out, to which organ, as which package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendToAgency {
    /// Index of the step in the dossier's process.
    pub step: usize,
    /// Electronic identifier of the agency (QĐ 20/2020).
    pub organ_id: String,
    /// edXML DocumentId of the package.
    pub document_id: String,
    /// Local id of the stored package.
    pub package_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentToAgency {
    pub step: usize,
    pub step_name: String,
    pub organ_id: String,
    pub document_id: String,
    pub package_id: String,
}

fn refuse(code: ErrorCode, en: impl Into<String>, vi: impl Into<String>) -> DomainError {
    DomainError::rule(code, en, vi)
}

/// Decides the event. Refused unless the dossier is being processed, the step belongs to the
/// running group, is not finished and has not already gone out.
pub fn decide(d: &Dossier, input: &SendToAgency, ctx: &Ctx) -> Result<Event, DomainError> {
    if !matches!(ctx.actor, Actor::System) {
        return Err(DomainError::forbidden(
            "only the system records a liên thông package",
            "chỉ hệ thống ghi nhận việc gửi liên thông",
        ));
    }
    if !matches!(d.status, Status::Received | Status::InProgress) {
        return Err(refuse(
            ErrorCode::InvalidTransition,
            format!("a dossier in state '{}' cannot be sent to another agency", d.status.as_str()),
            format!("hồ sơ ở trạng thái '{}' không thể gửi liên thông", d.status.label_vi()),
        ));
    }
    let Some(s) = d.steps.get(input.step).filter(|_| d.current_group().contains(&input.step)) else {
        return Err(refuse(
            ErrorCode::StepNotRunning,
            "the step is not one of the steps running now",
            "bước này không phải bước đang thực hiện",
        ));
    };
    if s.completed_at.is_some() || s.exchange.is_some() {
        return Err(refuse(
            ErrorCode::StepAlreadySent,
            "the step is already finished or already sent to the agency",
            "bước này đã hoàn thành hoặc đã gửi liên thông",
        ));
    }
    if input.organ_id.trim().is_empty() || input.package_id.trim().is_empty() || input.document_id.trim().is_empty() {
        return Err(DomainError::invalid(
            ErrorCode::InvalidPackage,
            "organ id, DocumentId and package id are required",
            "cần mã định danh cơ quan, DocumentId và mã gói tin",
        ));
    }
    let data = SentToAgency {
        step: input.step,
        step_name: s.name.clone(),
        organ_id: input.organ_id.trim().to_owned(),
        document_id: input.document_id.trim().to_owned(),
        package_id: input.package_id.trim().to_owned(),
    };
    Ok(Event { at: ctx.at, actor: ctx.actor.name().to_owned(), data: EventData::SentToAgency(data) })
}

pub(crate) fn apply(d: &mut Dossier, e: &SentToAgency, at: OffsetDateTime) {
    d.status = Status::InProgress;
    if let Some(s) = d.steps.get_mut(e.step) {
        s.started_at.get_or_insert(at);
        s.exchange = Some(AgencyExchange {
            organ_id: e.organ_id.clone(),
            document_id: e.document_id.clone(),
            package_id: e.package_id.clone(),
            sent_at: at,
            result: None,
        });
    }
}
