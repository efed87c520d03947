//! `refuse` (từ chối tiếp nhận): the dossier is outside competence or not acceptable; the
//! receiver issues the refusal slip with reasons (NĐ 61/2018 Art. 15–16; form 03). The clock
//! never started, so a refused dossier does not count in the on-time indicator.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_reason, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refuse {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub reason: String,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Submitted], ActionKind::Refuse)?;
    require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::Refuse)
}

impl Refuse {
    pub(crate) fn decide(&self, _d: &Dossier, _ctx: &Ctx) -> Result<Refused, DomainError> {
        Ok(Refused { reason: require_reason(&self.reason)? })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Refused, _at: OffsetDateTime) {
    d.status = Status::Refused;
    d.reason = Some(e.reason.clone());
}
