//! `assign` (phân công): the head of the resolving body assigns a handler (NĐ 61/2018 Art. 19.1).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_status};
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
                "invalid_assignee",
                "the assignee's username is required",
                "cần chọn cán bộ được phân công",
            ));
        }
        Ok(Assigned { assignee: a.to_owned() })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Assigned, _at: OffsetDateTime) {
    d.status = Status::InProgress;
    d.assignee = Some(e.assignee.clone());
}
