//! `record_payment`: the payment platform confirmed the dossier's fees paid online
//! ([`crate::payment::settle`]). Only the system records it, in the same transaction as the
//! payment record's own `paid` event; a dossier waiting for its fees (state 6) goes back to the
//! state it was in.

use serde::{Deserialize, Serialize};

use super::Ctx;
use crate::dossier::{Actor, Dossier, PaidFees, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordPayment {
    pub paid: PaidFees,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRecorded {
    pub paid: PaidFees,
    /// Where a dossier waiting for its fees goes back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_to: Option<Status>,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    if !matches!(actor, Actor::System) {
        return Err(DomainError::forbidden(
            "only the payment platform's confirmation records an online payment",
            "chỉ xác nhận của cổng thanh toán mới ghi nhận thanh toán trực tuyến",
        ));
    }
    crate::dossier::amount_due(d).map(|_| ())
}

impl RecordPayment {
    pub(crate) fn decide(&self, d: &Dossier, _ctx: &Ctx) -> Result<PaymentRecorded, DomainError> {
        let back_to = if d.status == Status::AwaitingFees { d.pending_fees.or(Some(Status::Received)) } else { None };
        Ok(PaymentRecorded { paid: self.paid.clone(), back_to })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &PaymentRecorded) {
    d.fee_paid = true;
    d.paid_online = true;
    d.payment = Some(e.paid.clone());
    if let Some(s) = e.back_to {
        d.status = s;
    }
    // Paid while a withdrawal request waits: declining it no longer goes back to state 6.
    if let (Some(w), Some(before)) = (d.pending_withdrawal.as_mut(), d.pending_fees)
        && w.from == Status::AwaitingFees
    {
        w.from = before;
    }
    d.pending_fees = None;
}
