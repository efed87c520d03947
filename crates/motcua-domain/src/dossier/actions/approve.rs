//! `approve` (phê duyệt; có kết quả): the competent leader signs the result; the dossier goes to
//! the one-stop to be returned. This instant is the finish instant for on-time scoring
//! (domain.md Decisions 6; 766 formula 2.1 "Đã xử lý xong").

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_status};
use crate::dossier::{Actor, Dossier, ResultRecord, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    /// An electronic result exists (signed file attached).
    #[serde(default)]
    pub result_digitized: bool,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approved {
    pub result: ResultRecord,
    /// Due instant of the return step, if the process has one.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub return_step_due: Option<OffsetDateTime>,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress], ActionKind::Approve)?;
    require_officer(actor, &[Role::Leader], &d.resolving_unit, ActionKind::Approve)
}

/// Index of the final return step (a receiver step at the end), if any.
pub(crate) fn return_step(d: &Dossier) -> Option<usize> {
    d.steps.iter().rposition(|s| s.role == Role::Receiver).filter(|i| *i + 1 == d.steps.len() && *i > 0)
}

impl Approve {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<Approved, DomainError> {
        if self.note.chars().count() > 2000 {
            return Err(DomainError::invalid(
                ErrorCode::NoteTooLong,
                "the note is too long (at most 2000 characters)",
                "ghi chú quá dài (tối đa 2000 ký tự)",
            ));
        }
        let return_step_due = return_step(d).and_then(|i| d.steps.get(i)).map(|s| ctx.calendar.add(ctx.at, s.budget));
        Ok(Approved {
            result: ResultRecord { digitized: self.result_digitized, note: self.note.trim().to_owned() },
            return_step_due,
        })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Approved, at: OffsetDateTime) {
    d.status = Status::ResultReady;
    d.result = Some(e.result.clone());
    d.finished_at.get_or_insert(at);
    let last = return_step(d).unwrap_or(d.steps.len());
    for s in d.steps.iter_mut().take(last).skip(d.step) {
        s.started_at.get_or_insert(at);
        s.completed_at = Some(at);
    }
    d.step = d.step.max(last);
    if let Some(s) = d.steps.get_mut(last) {
        s.started_at = Some(at);
        s.due_at = e.return_step_due;
    }
}
