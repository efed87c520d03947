//! `assign` (phân công): the head of the resolving body assigns a handler (NĐ 61/2018 Art. 19.1).
//! Assigning is not a step completion (issue 14): the leader's own step is completed with
//! `complete_step`, so the history says when the leader handed the dossier on. Events written
//! before issue 14 may carry `completes_step: true`; they fold as they were decided.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, Due, advance_step, require_officer, require_status};
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
    /// The assignment step was completed by this action (only in events before issue 14).
    #[serde(default)]
    pub completes_step: bool,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_step_due: Option<OffsetDateTime>,
    /// Deadlines of the other steps of a parallel group starting now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_step_dues: Vec<Due>,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress], ActionKind::Assign)?;
    require_officer(actor, &[Role::Leader], &d.resolving_unit, ActionKind::Assign)
}

impl Assign {
    pub(crate) fn decide(&self, _d: &Dossier, _ctx: &Ctx) -> Result<Assigned, DomainError> {
        let a = self.assignee.trim();
        if a.is_empty() || a.len() > 64 {
            return Err(DomainError::invalid(
                ErrorCode::InvalidAssignee,
                "the assignee's username is required",
                "cần chọn cán bộ được phân công",
            ));
        }
        Ok(Assigned { assignee: a.to_owned(), completes_step: false, next_step_due: None, more_step_dues: Vec::new() })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Assigned, at: OffsetDateTime) {
    d.status = Status::InProgress;
    d.assignee = Some(e.assignee.clone());
    if e.completes_step {
        advance_step(d, at, e.next_step_due, &e.more_step_dues);
    }
}
