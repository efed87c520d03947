//! `complete_step`: the handler of the current internal-process step finishes it and the next
//! step starts with its own deadline (per-step budgets of the quy trình nội bộ, TT 01/2018 Art. 8;
//! "every handler must perform the receive/transfer/return actions at each step", Hà Tĩnh 2025).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, advance_step, approve, next_step_due, require_officer, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteStep {
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepCompleted {
    pub step: String,
    #[serde(default)]
    pub note: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_step_due: Option<OffsetDateTime>,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress], ActionKind::CompleteStep)?;
    // The last processing step (the one before the return step, if any) is finished by
    // `approve` or `reject`: completing it would hand the dossier to the one-stop's return step
    // before a result exists.
    let last = approve::return_step(d).unwrap_or(d.steps.len());
    let Some(step) = d.current_step().filter(|s| s.role != Role::Receiver && d.step + 1 < last) else {
        return Err(DomainError::rule(
            "no_step_to_complete",
            "no processing step is left to complete; approve or reject the dossier",
            "không còn bước xử lý nào; hãy phê duyệt hoặc trả lại hồ sơ",
        ));
    };
    if actor.is(step.role, &step.unit) {
        return Ok(());
    }
    require_officer(actor, &[Role::Leader], &d.resolving_unit, ActionKind::CompleteStep)
}

impl CompleteStep {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<StepCompleted, DomainError> {
        if self.note.chars().count() > 2000 {
            return Err(DomainError::invalid(
                "note_too_long",
                "the note is too long (at most 2000 characters)",
                "ghi chú quá dài (tối đa 2000 ký tự)",
            ));
        }
        let step = d.current_step().map(|s| s.name.clone()).unwrap_or_default();
        Ok(StepCompleted { step, note: self.note.trim().to_owned(), next_step_due: next_step_due(d, ctx, ctx.at) })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &StepCompleted, at: OffsetDateTime) {
    d.status = Status::InProgress;
    advance_step(d, at, e.next_step_due);
}
