//! `assign` (phân công): the head of the resolving body assigns a handler (NĐ 61/2018 Art. 19.1).
//! When the current internal-process step is the leader's assignment step (a leader step with
//! processing still to follow), assigning completes it and starts the next step.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, Due, advance_step, more_step_dues, next_step_due, require_officer, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    /// Username of the handling officer (the store checks the account and its unit).
    pub assignee: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assigned {
    pub assignee: String,
    /// The assignment step was completed by this action.
    #[serde(default)]
    pub completes_step: bool,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_step_due: Option<OffsetDateTime>,
    /// Deadlines of the other steps of a parallel group starting now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_step_dues: Vec<Due>,
}

/// The current step is an assignment: a lone leader step that is not the last processing step.
fn is_assignment_step(d: &Dossier) -> bool {
    d.current_group().len() == 1
        && d.current_step().is_some_and(|s| s.role == Role::Leader)
        && d.step + 2 < d.steps.len()
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress], ActionKind::Assign)?;
    require_officer(actor, &[Role::Leader], &d.resolving_unit, ActionKind::Assign)
}

impl Assign {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<Assigned, DomainError> {
        let a = self.assignee.trim();
        if a.is_empty() || a.len() > 64 {
            return Err(DomainError::invalid(
                ErrorCode::InvalidAssignee,
                "the assignee's username is required",
                "cần chọn cán bộ được phân công",
            ));
        }
        let completes_step = is_assignment_step(d);
        let next_step_due = if completes_step { next_step_due(d, ctx, ctx.at) } else { None };
        let more_step_dues = if completes_step { more_step_dues(d, ctx, ctx.at) } else { Vec::new() };
        Ok(Assigned { assignee: a.to_owned(), completes_step, next_step_due, more_step_dues })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Assigned, at: OffsetDateTime) {
    d.status = Status::InProgress;
    d.assignee = Some(e.assignee.clone());
    if e.completes_step {
        advance_step(d, at, e.next_step_due, &e.more_step_dues);
    }
}
