//! `request_fees` (yêu cầu nộp phí, lệ phí): the one-stop asks the applicant to pay the fees
//! assessed at reception before processing goes on (national state 6, "chờ thanh toán";
//! domain.md §1.2: the often-forgotten "awaiting payment" state). The applicant pays online
//! ([`crate::payment`]) or at the counter; the paid fees bring the dossier back to the state it
//! was in. The dossier's clock is not stopped: the deadline keeps counting, so the one-stop asks
//! only when the law makes payment come first.

use serde::{Deserialize, Serialize};

use super::{ActionKind, Ctx, require_officer, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFees {
    /// What the applicant is told (how and where to pay), at most 2000 characters.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeesRequested {
    /// What the applicant owes, as assessed at reception.
    pub amount: i64,
    /// The state the dossier goes back to once paid.
    pub back_to: Status,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress], ActionKind::RequestFees)?;
    require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::RequestFees)?;
    crate::dossier::amount_due(d).map(|_| ())
}

impl RequestFees {
    pub(crate) fn decide(&self, d: &Dossier, _ctx: &Ctx) -> Result<FeesRequested, DomainError> {
        super::require_note(&self.note)?;
        Ok(FeesRequested {
            amount: crate::dossier::amount_due(d)?,
            back_to: d.status,
            note: self.note.trim().to_owned(),
        })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &FeesRequested) {
    d.pending_fees = Some(e.back_to);
    d.status = Status::AwaitingFees;
}
