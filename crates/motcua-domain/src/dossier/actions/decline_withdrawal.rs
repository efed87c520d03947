//! `decline_withdrawal`: the one-stop does not stop a dossier the applicant asked to withdraw,
//! because a decision or result already exists or is being signed (NĐ 118/2025 Art. 21; TT
//! 03/2025 Art. 7: the dossier is stopped only "khi chưa có kết quả"). The dossier goes back to
//! the state it was in, with the reason given to the applicant; its clock never stopped.

use serde::{Deserialize, Serialize};

use super::{ActionKind, Ctx, require_officer, require_reason, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineWithdrawal {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithdrawalDeclined {
    pub reason: String,
    /// The state the dossier goes back to (the one it was in when the request came).
    pub back_to: Status,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::WithdrawalRequested], ActionKind::DeclineWithdrawal)?;
    require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::DeclineWithdrawal)
}

impl DeclineWithdrawal {
    pub(crate) fn decide(&self, d: &Dossier, _ctx: &Ctx) -> Result<WithdrawalDeclined, DomainError> {
        let back_to = d.pending_withdrawal.as_ref().map_or(Status::InProgress, |p| p.from);
        Ok(WithdrawalDeclined { reason: require_reason(&self.reason)?, back_to })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &WithdrawalDeclined) {
    d.status = e.back_to;
    d.pending_withdrawal = None;
}
