//! `withdraw` (rút hồ sơ / dừng giải quyết theo yêu cầu): the applicant stops processing before a
//! result exists (NĐ 118/2025 Art. 21; TT 03/2025 Art. 7, form 05). For a received dossier this is
//! a finish instant (766 formula 2.1 counts withdrawal as an end state).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_reason, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withdraw {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Withdrawn {
    pub reason: String,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(
        d,
        &[Status::Submitted, Status::Received, Status::InProgress, Status::SupplementRequested],
        ActionKind::Withdraw,
    )?;
    match actor {
        Actor::Applicant => Ok(()),
        _ => require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::Withdraw),
    }
}

impl Withdraw {
    pub(crate) fn decide(&self, _d: &Dossier, _ctx: &Ctx) -> Result<Withdrawn, DomainError> {
        Ok(Withdrawn { reason: require_reason(&self.reason)? })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Withdrawn, at: OffsetDateTime) {
    d.status = Status::Withdrawn;
    d.reason = Some(e.reason.clone());
    if d.received_at.is_some() {
        d.finished_at.get_or_insert(d.paused_since.unwrap_or(at));
    }
}
