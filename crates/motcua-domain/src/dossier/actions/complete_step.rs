//! `complete_step`: the handler of the current internal-process step finishes it and the next
//! step starts with its own deadline (per-step budgets of the quy trình nội bộ, TT 01/2018 Art. 8;
//! "every handler must perform the receive/transfer/return actions at each step", Hà Tĩnh 2025).
//! In a parallel group (liên thông consultations, domain.md §1.5) each step is completed on its
//! own and the process moves on once every step of the group is done.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{
    ActionKind, Ctx, Due, advance_step, approve, more_step_dues, next_step_due, require_officer, require_status,
};
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
    /// Deadlines of the other steps of a parallel group starting now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_step_dues: Vec<Due>,
    /// Index of the completed step when the current run is a parallel group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

/// The step of the current run the actor completes: the first unfinished one whose role and
/// unit the actor holds, or, for the leader of the resolving unit, the first unfinished one.
fn actor_step(d: &Dossier, actor: &Actor) -> Option<usize> {
    let open = || d.current_group().filter(|i| d.steps.get(*i).is_some_and(|s| s.completed_at.is_none()));
    open()
        .find(|i| d.steps.get(*i).is_some_and(|s| actor.is(s.role, &s.unit)))
        .or_else(|| open().find(|_| actor.is(Role::Leader, &d.resolving_unit)))
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress], ActionKind::CompleteStep)?;
    // The last processing step (the one before the return step, if any) is finished by
    // `approve` or `reject`: completing it would hand the dossier to the one-stop's return step
    // before a result exists.
    let last = approve::return_step(d).unwrap_or(d.steps.len());
    let group = d.current_group();
    if d.current_step().filter(|s| s.role != Role::Receiver && group.end < last).is_none() {
        return Err(DomainError::rule(
            ErrorCode::NoStepToComplete,
            "no processing step is left to complete; approve or reject the dossier",
            "không còn bước xử lý nào; hãy phê duyệt hoặc trả lại hồ sơ",
        ));
    }
    if actor_step(d, actor).is_some() {
        return Ok(());
    }
    require_officer(actor, &[Role::Leader], &d.resolving_unit, ActionKind::CompleteStep)
}

impl CompleteStep {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<StepCompleted, DomainError> {
        if self.note.chars().count() > 2000 {
            return Err(DomainError::invalid(
                ErrorCode::NoteTooLong,
                "the note is too long (at most 2000 characters)",
                "ghi chú quá dài (tối đa 2000 ký tự)",
            ));
        }
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
    d.status = Status::InProgress;
    let group = d.current_group();
    if let Some(s) = e.index.filter(|i| group.contains(i)).and_then(|i| d.steps.get_mut(i)) {
        s.completed_at.get_or_insert(at);
    }
    let open = group.clone().any(|j| d.steps.get(j).is_some_and(|s| s.completed_at.is_none()));
    if e.index.is_none() || !open {
        advance_step(d, at, e.next_step_due, &e.more_step_dues);
    }
}
