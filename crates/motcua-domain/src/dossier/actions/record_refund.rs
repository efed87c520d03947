//! `record_refund`: the fees paid online were given back because the dossier ended without its
//! result ([`crate::payment::refund_due`]). Only the system records it, with the payment
//! record's `refunded` event.

use serde::{Deserialize, Serialize};

use super::Ctx;
use crate::ErrorCode;
use crate::dossier::{Actor, Dossier};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordRefund {
    pub payment: String,
    pub transaction: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundRecorded {
    pub payment: String,
    pub amount: i64,
    pub transaction: String,
    pub reason: String,
}

pub(crate) fn check(_d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    if !matches!(actor, Actor::System) {
        return Err(DomainError::forbidden(
            "only the payment platform's confirmation records a refund",
            "chỉ xác nhận của cổng thanh toán mới ghi nhận hoàn tiền",
        ));
    }
    Ok(())
}

impl RecordRefund {
    pub(crate) fn decide(&self, d: &Dossier, _ctx: &Ctx) -> Result<RefundRecorded, DomainError> {
        let amount = match &d.payment {
            Some(p) if p.id == self.payment && p.refunded.is_none() => p.amount,
            _ => {
                return Err(DomainError::rule(
                    ErrorCode::PaymentAlreadySettled,
                    format!("payment {} is not this dossier's unrefunded payment", self.payment),
                    format!("giao dịch {} không phải khoản đã nộp chưa hoàn của hồ sơ", self.payment),
                ));
            }
        };
        Ok(RefundRecorded {
            payment: self.payment.clone(),
            amount,
            transaction: self.transaction.clone(),
            reason: self.reason.clone(),
        })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &RefundRecorded) {
    if let Some(p) = d.payment.as_mut() {
        p.refunded = Some(e.transaction.clone());
    }
}
