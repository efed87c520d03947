//! `return_result` (trả kết quả): the one-stop returns the result and records fee payment
//! (NĐ 61/2018 Art. 20; fees NĐ 118/2025 Art. 24; online payment feeds 766 indicator 3.6).

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnResult {
    /// The fees were paid (required when the procedure has fees).
    #[serde(default)]
    pub fee_paid: bool,
    /// Paid through an online payment channel.
    #[serde(default)]
    pub paid_online: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Returned {
    pub fee_paid: bool,
    pub paid_online: bool,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::ResultReady], ActionKind::ReturnResult)?;
    // The steps after the approval (the clerk issues and stamps the result) come first.
    if let Some(s) = d.current_step().filter(|_| Some(d.step) != d.return_step()) {
        return Err(DomainError::rule(
            ErrorCode::StepsStillOpen,
            format!("the result is not ready to return: step '{}' is still running", s.name),
            format!("chưa thể trả kết quả: bước '{}' chưa hoàn thành", s.name),
        ));
    }
    require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::ReturnResult)
}

impl ReturnResult {
    pub(crate) fn decide(&self, d: &Dossier, _ctx: &Ctx) -> Result<Returned, DomainError> {
        if d.fee_total() > 0 && !self.fee_paid && !d.fee_paid {
            return Err(DomainError::rule(
                ErrorCode::FeeUnpaid,
                format!("the fees ({} đồng) must be paid before the result is returned", d.fee_total()),
                format!("cần thu phí, lệ phí ({} đồng) trước khi trả kết quả", d.fee_total()),
            ));
        }
        Ok(Returned { fee_paid: self.fee_paid || d.fee_paid, paid_online: self.paid_online })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Returned, at: OffsetDateTime) {
    d.status = Status::Returned;
    d.returned_at = Some(at);
    d.finished_at.get_or_insert(at);
    d.fee_paid = e.fee_paid;
    d.paid_online = e.paid_online;
    for s in d.steps.iter_mut().skip(d.step) {
        s.started_at.get_or_insert(at);
        s.completed_at = Some(at);
    }
    d.step = d.steps.len();
}
