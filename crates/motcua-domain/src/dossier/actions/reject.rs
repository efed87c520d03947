//! `reject` (không giải quyết): after appraisal the dossier is not eligible; the applicant gets a
//! refusal-to-resolve notice with reasons, within the processing time (NĐ 61/2018 Art. 19.4).
//! A finish instant for on-time scoring (domain.md Decisions 6).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_reason, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reject {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    pub reason: String,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress, Status::SupplementRequested], ActionKind::Reject)?;
    if d.received_at.is_none() {
        return require_status(d, &[], ActionKind::Reject);
    }
    require_officer(actor, &[Role::Leader], &d.resolving_unit, ActionKind::Reject)
}

impl Reject {
    pub(crate) fn decide(&self, _d: &Dossier, _ctx: &Ctx) -> Result<Rejected, DomainError> {
        Ok(Rejected { reason: require_reason(&self.reason)? })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Rejected, at: OffsetDateTime) {
    d.status = Status::Rejected;
    d.reason = Some(e.reason.clone());
    // 766 formula 2.1: a dossier waiting for supplementation is judged at the request date.
    d.finished_at.get_or_insert(d.paused_since.unwrap_or(at));
}
