//! `transfer` (chuyển xử lý / liên thông): the dossier moves to another resolving authority,
//! keeping its code, deadline, documents and history (NĐ 61/2018 Art. 18–19; domain.md §1.5).

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_reason, require_status};
use crate::dossier::{Actor, Dossier, Role, Status, UnitCode};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// Code of the unit that takes over (the store checks it exists).
    pub to_unit: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transferred {
    pub from_unit: String,
    pub to_unit: String,
    pub reason: String,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress], ActionKind::Transfer)?;
    require_officer(actor, &[Role::Leader], &d.resolving_unit, ActionKind::Transfer)
}

impl Transfer {
    pub(crate) fn decide(&self, d: &Dossier, _ctx: &Ctx) -> Result<Transferred, DomainError> {
        let to = self.to_unit.trim();
        if to.is_empty() || to == d.resolving_unit {
            return Err(DomainError::invalid(
                ErrorCode::InvalidTransferUnit,
                "name another unit to transfer the dossier to",
                "cần chọn một đơn vị khác để chuyển hồ sơ",
            ));
        }
        Ok(Transferred {
            from_unit: d.resolving_unit.to_string(),
            to_unit: to.to_owned(),
            reason: require_reason(&self.reason)?,
        })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Transferred, _at: OffsetDateTime) {
    d.resolving_unit = UnitCode::trusted(e.to_unit.clone());
    d.assignee = None;
    // The one-stop's own steps (its receivers return the result) stay with the receiving unit,
    // also when that unit was the resolving one (commune-level procedures).
    let center = d.receiving_unit.clone();
    for s in d.steps.iter_mut().skip(d.step).filter(|s| s.unit == e.from_unit) {
        if !(s.role == Role::Receiver && s.unit == center) {
            s.unit = e.to_unit.clone();
        }
    }
}
