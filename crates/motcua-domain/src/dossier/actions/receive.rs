//! `receive` (tiếp nhận): the one-stop accepts the complete dossier and the legal clock starts
//! (domain.md Decisions 2: at acceptance, not submission; an instant outside office hours counts
//! from the start of the next working period). The due instant is the legal time walked through
//! office hours (Decisions 3). NĐ 61/2018 Art. 15–17, NĐ 118/2025 Art. 17.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, Due, advance_step, more_step_dues, next_step_due, require_officer, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

/// Input: which documents were digitized at the counter (names), if any.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receive {
    /// Names of documents scanned at reception; they become `digitized`.
    #[serde(default)]
    pub digitized: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    #[serde(with = "time::serde::rfc3339")]
    pub clock_started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_step_due: Option<OffsetDateTime>,
    /// Deadlines of the other steps of a parallel group starting now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_step_dues: Vec<Due>,
    #[serde(default)]
    pub digitized: Vec<String>,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Submitted], ActionKind::Receive)?;
    require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::Receive)
}

impl Receive {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<Received, DomainError> {
        for name in &self.digitized {
            if !d.documents.iter().any(|doc| &doc.name == name) {
                return Err(DomainError::invalid(
                    ErrorCode::UnknownDocument,
                    format!("the dossier has no document named '{name}'"),
                    format!("hồ sơ không có giấy tờ tên '{name}'"),
                ));
            }
        }
        let start = ctx.calendar.receipt_instant(ctx.at);
        Ok(Received {
            clock_started_at: start,
            due_at: ctx.calendar.add(start, d.legal_time),
            next_step_due: next_step_due(d, ctx, start),
            more_step_dues: more_step_dues(d, ctx, start),
            digitized: self.digitized.clone(),
        })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Received, at: OffsetDateTime) {
    d.status = Status::Received;
    d.received_at = Some(at);
    d.clock_started_at = Some(e.clock_started_at);
    d.due_at = Some(e.due_at);
    d.appointment_at = Some(e.due_at);
    for doc in d.documents.iter_mut().filter(|doc| e.digitized.contains(&doc.name)) {
        doc.digitized = true;
    }
    advance_step(d, e.clock_started_at, e.next_step_due, &e.more_step_dues);
}
