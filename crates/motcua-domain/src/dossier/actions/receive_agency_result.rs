//! `receive_agency_result` (nhận kết quả liên thông): the agency a step was sent to
//! ([`super::send_to_agency`]) answered with its result package (edXML `ResponseFor` the package
//! sent; domain.md §9). The waiting step completes with the result and its attachments, and the
//! process moves on exactly as `complete_step` would (next step due from now); the dossier's legal
//! due instant, appointment and earlier history are untouched. A result delivered twice is
//! recorded once: the second is refused `agency_result_already_received`, which the caller
//! treats as done. System only, like `send_to_agency`.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Ctx, Due, advance_step, more_step_dues, next_step_due};
use crate::dossier::event::{Event, EventData};
use crate::dossier::{Actor, AgencyResult, Dossier, ResultAttachment, Status};
use crate::error::DomainError;

/// The arrival of the agency's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiveAgencyResult {
    /// DocumentId of the package this system sent (the answer's `ResponseFor/DocumentId`).
    pub sent_document_id: String,
    /// DocumentId of the answer.
    pub document_id: String,
    /// Local id of the registered answer package (its attachments are kept with it).
    pub package_id: String,
    /// The answer's subject/content.
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub attachments: Vec<ResultAttachment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgencyResultReceived {
    pub step: usize,
    pub step_name: String,
    pub result: AgencyResult,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_step_due: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_step_dues: Vec<Due>,
    /// Other steps of the running parallel group are still open: the process does not move yet.
    #[serde(default)]
    pub group_open: bool,
}

/// Decides the event; see the module documentation.
pub fn decide(d: &Dossier, input: &ReceiveAgencyResult, ctx: &Ctx) -> Result<Event, DomainError> {
    if !matches!(ctx.actor, Actor::System) {
        return Err(DomainError::forbidden(
            "only the system records an agency's result",
            "chỉ hệ thống ghi nhận kết quả liên thông",
        ));
    }
    let found = d
        .steps
        .iter()
        .enumerate()
        .find(|(_, s)| s.exchange.as_ref().is_some_and(|x| x.document_id == input.sent_document_id.trim()));
    let Some((i, s)) = found else {
        return Err(DomainError::rule(
            ErrorCode::NoStepWaiting,
            "no step of this dossier was sent as that package",
            "không có bước nào của hồ sơ đã gửi liên thông bằng gói tin này",
        ));
    };
    if s.exchange.as_ref().is_some_and(|x| x.result.is_some()) || s.completed_at.is_some() {
        return Err(DomainError::rule(
            ErrorCode::AgencyResultAlreadyReceived,
            "the agency's result for this step is already recorded",
            "kết quả liên thông của bước này đã được ghi nhận",
        ));
    }
    if !matches!(d.status, Status::InProgress | Status::Received | Status::SupplementRequested) {
        return Err(DomainError::rule(
            ErrorCode::InvalidTransition,
            format!("the dossier is '{}'; the agency's result can no longer be recorded", d.status.as_str()),
            format!("hồ sơ ở trạng thái '{}'; không thể ghi nhận kết quả liên thông", d.status.label_vi()),
        ));
    }
    let group = d.current_group();
    let group_open = group.clone().any(|j| j != i && d.steps.get(j).is_some_and(|s| s.completed_at.is_none()));
    let (next_step_due, more_step_dues) =
        if group_open { (None, Vec::new()) } else { (next_step_due(d, ctx, ctx.at), more_step_dues(d, ctx, ctx.at)) };
    let note: String = input.note.trim().chars().take(2000).collect();
    let result = AgencyResult {
        document_id: input.document_id.trim().to_owned(),
        package_id: input.package_id.trim().to_owned(),
        note,
        attachments: input.attachments.clone(),
        received_at: ctx.at,
    };
    let data =
        AgencyResultReceived { step: i, step_name: s.name.clone(), result, next_step_due, more_step_dues, group_open };
    Ok(Event { at: ctx.at, actor: ctx.actor.name().to_owned(), data: EventData::AgencyResultReceived(data) })
}

pub(crate) fn apply(d: &mut Dossier, e: &AgencyResultReceived, at: OffsetDateTime) {
    if let Some(s) = d.steps.get_mut(e.step) {
        s.completed_at.get_or_insert(at);
        if let Some(x) = s.exchange.as_mut() {
            x.result = Some(e.result.clone());
        }
    }
    if !e.group_open && d.current_group().contains(&e.step) {
        advance_step(d, at, e.next_step_due, &e.more_step_dues);
    }
}
