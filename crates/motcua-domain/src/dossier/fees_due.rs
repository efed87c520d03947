//! What a dossier owes and who collects it online (issue 15 item 5). Here, under the dossier,
//! because the dossier's own actions (`request_fees`, `record_payment`) decide on it;
//! [`crate::payment`] re-exports both for the payment record.

use serde::{Deserialize, Serialize};

use super::{Dossier, Status};
use crate::error::{DomainError, ErrorCode};

/// Who collects the money online: the value of `DuocThanhToanTrucTuyen` in the sync record
/// (QĐ 766 row 3.6 formula document: 1 = the national portal's payment platform, 2 = a
/// ministry's or province's payment gateway).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Portal,
    Province,
}

impl Platform {
    /// `DuocThanhToanTrucTuyen`.
    pub fn code(self) -> u8 {
        match self {
            Platform::Portal => 1,
            Platform::Province => 2,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Portal => "portal",
            Platform::Province => "province",
        }
    }
    pub fn parse(s: &str) -> Option<Platform> {
        [Platform::Portal, Platform::Province].into_iter().find(|p| p.as_str() == s)
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            Platform::Portal => "Nền tảng thanh toán trên Cổng Dịch vụ công quốc gia",
            Platform::Province => "Cổng thanh toán của tỉnh",
        }
    }
}

/// Whether `d` can be paid online now, and how much: its fees are known (assessed at
/// reception), not yet paid, and the dossier is received and not closed.
pub fn amount_due(d: &Dossier) -> Result<i64, DomainError> {
    let open = matches!(
        d.status,
        Status::Received
            | Status::InProgress
            | Status::SupplementRequested
            | Status::ResultReady
            | Status::AwaitingFees
            | Status::WithdrawalRequested
    );
    if !open || d.received_at.is_none() {
        return Err(DomainError::rule(
            ErrorCode::NothingToPay,
            "fees are paid once the dossier is received, and until it is closed",
            "chỉ thanh toán phí, lệ phí khi hồ sơ đã được tiếp nhận và chưa kết thúc",
        ));
    }
    if d.fee_paid {
        return Err(DomainError::rule(
            ErrorCode::AlreadyPaid,
            "the fees of this dossier are paid already",
            "phí, lệ phí của hồ sơ này đã được thanh toán",
        ));
    }
    match d.fee_total() {
        0 => Err(DomainError::rule(
            ErrorCode::NothingToPay,
            "this dossier owes no fee",
            "hồ sơ này không phải nộp phí, lệ phí",
        )),
        n => Ok(n),
    }
}
