//! `complete_step`: the handler of the current internal-process step finishes it and the next
//! step starts with its own deadline (per-step budgets of the quy trình nội bộ, TT 01/2018 Art. 8;
//! "every handler must perform the receive/transfer/return actions at each step", Hà Tĩnh 2025).
//! In a parallel group (liên thông consultations, domain.md §1.5) each step is completed on its
//! own and the process moves on once every step of the group is done.
//!
//! Only an officer holding the step's role in the step's unit completes it (issue 14): nobody,
//! a leader included, completes a step on someone else's behalf. The approval step is completed
//! by `approve` (or the dossier closed by `reject`), the return step by `return_result`; the
//! steps after the approval (the clerk's issuing step) are completed here while the result waits.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, Due, advance_step, more_step_dues, next_step_due, require_officer, require_status};
use crate::dossier::{Actor, Dossier, Status};
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
    /// Deadlines of the other steps of a parallel group starting now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_step_dues: Vec<Due>,
    /// Index of the completed step when the current run is a parallel group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

/// The open steps of the current run this action may complete: not the approval step before the
/// result exists, not the return step.
fn completable(d: &Dossier) -> impl Iterator<Item = usize> + '_ {
    let approval = d.approval_step().filter(|_| d.result.is_none());
    let ret = d.return_step();
    d.current_group()
        .filter(move |i| Some(*i) != approval && Some(*i) != ret && d.steps.get(*i).is_some_and(|s| !s.is_done()))
}

/// The step of the current run the actor completes: the first completable one whose role and
/// unit the actor holds.
fn actor_step(d: &Dossier, actor: &Actor) -> Option<usize> {
    completable(d).find(|i| d.steps.get(*i).is_some_and(|s| actor.is(s.role, &s.unit)))
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress, Status::ResultReady], ActionKind::CompleteStep)?;
    let Some(first) = completable(d).next() else {
        return Err(DomainError::rule(
            ErrorCode::NoStepToComplete,
            "no processing step is left to complete; approve, reject or return the dossier",
            "không còn bước xử lý nào; hãy phê duyệt, trả lại hoặc trả kết quả hồ sơ",
        ));
    };
    match (actor_step(d, actor), d.steps.get(first)) {
        (None, Some(s)) => require_officer(actor, &[s.role], &s.unit, ActionKind::CompleteStep),
        _ => Ok(()),
    }
}

impl CompleteStep {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<StepCompleted, DomainError> {
        super::require_note(&self.note)?;
        let group = d.current_group();
        let note = self.note.trim().to_owned();
        if group.len() < 2 {
            let step = d.current_step().map(|s| s.name.clone()).unwrap_or_default();
            let (next_step_due, more_step_dues) = (next_step_due(d, ctx, ctx.at), more_step_dues(d, ctx, ctx.at));
            return Ok(StepCompleted { step, note, next_step_due, more_step_dues, index: None });
        }
        let Some(i) = actor_step(d, ctx.actor) else {
            return Err(DomainError::rule(
                ErrorCode::NoStepToComplete,
                "every step of the current parallel group is already done",
                "các bước song song hiện tại đều đã hoàn thành",
            ));
        };
        let step = d.steps.get(i).map(|s| s.name.clone()).unwrap_or_default();
        let open = group.filter(|j| d.steps.get(*j).is_some_and(|s| s.completed_at.is_none())).count();
        let (next_step_due, more_step_dues) = if open <= 1 {
            (next_step_due(d, ctx, ctx.at), more_step_dues(d, ctx, ctx.at))
        } else {
            (None, Vec::new())
        };
        Ok(StepCompleted { step, note, next_step_due, more_step_dues, index: Some(i) })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &StepCompleted, at: OffsetDateTime) {
    if d.status != Status::ResultReady {
        d.status = Status::InProgress;
    }
    let group = d.current_group();
    if let Some(s) = e.index.filter(|i| group.contains(i)).and_then(|i| d.steps.get_mut(i)) {
        s.completed_at.get_or_insert(at);
    }
    let open = group.clone().any(|j| d.steps.get(j).is_some_and(|s| s.completed_at.is_none()));
    if e.index.is_none() || !open {
        advance_step(d, at, e.next_step_due, &e.more_step_dues);
    }
}
