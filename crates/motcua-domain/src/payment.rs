//! Online payment of a dossier's fees (issue 15 item 5): the payment record, the decisions on a
//! payment platform's answers, electronic receipts and refunds.
//!
//! - Payment online is one of the ways NĐ 118/2025/NĐ-CP Art. 24 gives to pay fees and charges
//!   (domain.md §"Fees"); QĐ 766 row 3.6 counts a dossier as paid online when its sync record
//!   says `DuocThanhToanTrucTuyen` 1 (on the national portal's payment platform) or 2 (through a
//!   ministry's or the province's own gateway) — [`Platform`].
//! - A payment is a record with a history ([`crate::record::Record`]): requested, then paid or
//!   failed, and a paid one may be refunded. Every answer of the platform is decided here
//!   ([`settle`]): the first outcome is recorded; the same outcome again is
//!   [`Settlement::AlreadyRecorded`] (a replayed callback changes nothing); an outcome that
//!   contradicts the recorded one, or an amount other than the one requested, is refused.
//! - A paid payment carries its electronic receipt (biên lai điện tử), numbered in a series per
//!   collecting unit and year ([`Receipt`]; NĐ 123/2020/NĐ-CP Art. 32 and TT 78/2021/TT-BTC
//!   Art. 6: a receipt has a template symbol, a series symbol and a number in that series).
//! - Fees of a dossier that ends without its result (refused, not resolved, withdrawn) are
//!   given back ([`refund_due`]), as is a second payment of a dossier already paid. The
//!   obligation arises only for a service rendered (Luật Phí và lệ phí 97/2015/QH13 Art. 3); the
//!   exact refund article for lệ phí is UNCONFIRMED.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::dossier::{Dossier, Status};
pub use crate::dossier::{Platform, amount_due};
use crate::error::{DomainError, ErrorCode};
use crate::record::{Record, unfit};

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// Requested; the applicant is on (or went away from) the platform's page.
    Pending,
    Paid,
    /// The platform said it did not go through (declined, cancelled, expired).
    Failed,
    /// Paid, then given back.
    Refunded,
}

impl PaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Pending => "pending",
            PaymentState::Paid => "paid",
            PaymentState::Failed => "failed",
            PaymentState::Refunded => "refunded",
        }
    }
    pub fn parse(s: &str) -> Option<PaymentState> {
        [PaymentState::Pending, PaymentState::Paid, PaymentState::Failed, PaymentState::Refunded]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            PaymentState::Pending => "Đang chờ thanh toán",
            PaymentState::Paid => "Đã thanh toán",
            PaymentState::Failed => "Không thành công",
            PaymentState::Refunded => "Đã hoàn tiền",
        }
    }
}

/// An electronic receipt's place in its series: the series symbol names the collecting unit and
/// the year (`BL26-30307`), the number runs from 1 each year in that series (shown on 7 digits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub series: String,
    pub number: u32,
}

/// Template symbol of the receipt (ký hiệu mẫu biên lai), the same for every series.
pub const RECEIPT_TEMPLATE: &str = "01BLP0-001";

impl Receipt {
    /// The series of `unit` in `year`.
    pub fn series_of(unit: &str, year: i32) -> String {
        format!("BL{:02}-{unit}", year.rem_euclid(100))
    }
    /// `BL26-30307 0000012`.
    pub fn text(&self) -> String {
        format!("{} {:07}", self.series, self.number)
    }
}

/// A payment of one dossier's fees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// `TT-` + a random part; the reference the platform sends back.
    pub id: String,
    pub dossier: String,
    /// The collecting unit (the dossier's one-stop), whose receipt series is used.
    pub unit: String,
    /// In đồng; exactly what the dossier owed when the payment was requested.
    pub amount: i64,
    pub platform: Platform,
    /// The provider's name in the configuration (`dvcqg`, …).
    pub provider: String,
    pub state: PaymentState,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// The platform's transaction id, once it answered.
    #[serde(default)]
    pub transaction: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub paid_at: Option<OffsetDateTime>,
    /// How the applicant paid, in the platform's words (card, e-wallet, QR…).
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub receipt: Option<Receipt>,
    /// The platform's code and message of a failure.
    #[serde(default)]
    pub failure: Option<String>,
    #[serde(default)]
    pub refund: Option<Refund>,
    pub version: i64,
}

/// A refund made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub transaction: String,
    pub amount: i64,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// One entry of a payment's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentEvent {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// `applicant`, an officer's username, or `system` (the platform's callback).
    pub by: String,
    #[serde(flatten)]
    pub what: Change,
}

/// What happened to a payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    Requested {
        id: String,
        dossier: String,
        unit: String,
        amount: i64,
        platform: Platform,
        provider: String,
    },
    Paid {
        transaction: String,
        amount: i64,
        #[serde(with = "time::serde::rfc3339")]
        paid_at: OffsetDateTime,
        channel: String,
        receipt: Receipt,
    },
    Failed {
        transaction: Option<String>,
        reason: String,
    },
    Refunded {
        transaction: String,
        amount: i64,
        reason: String,
    },
}

impl Change {
    pub fn name(&self) -> &'static str {
        match self {
            Change::Requested { .. } => "requested",
            Change::Paid { .. } => "paid",
            Change::Failed { .. } => "failed",
            Change::Refunded { .. } => "refunded",
        }
    }
}

/// What a platform reports of a payment (its callback, or the page the applicant comes back
/// from), once its signature has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub transaction: String,
    pub amount: i64,
    pub success: bool,
    pub paid_at: OffsetDateTime,
    pub channel: String,
    /// The platform's words for a failure.
    pub message: String,
}

/// The decision on an [`Outcome`].
#[derive(Debug, Clone, PartialEq)]
pub enum Settlement {
    /// A new fact to record.
    Record(Change),
    /// The very same outcome was recorded already (a replayed callback, the applicant's return
    /// after the callback): nothing changes.
    AlreadyRecorded,
}

/// Longest time a request stays open: after it a new click makes a new request (the platform's
/// page for the old one has expired too).
pub const REQUEST_TTL: time::Duration = time::Duration::minutes(15);

/// Opens a payment of `d` (see [`amount_due`]).
pub fn request(d: &Dossier, id: String, platform: Platform, provider: &str) -> Result<Change, DomainError> {
    Ok(Change::Requested {
        id,
        dossier: d.code.to_string(),
        unit: d.receiving_unit.to_string(),
        amount: amount_due(d)?,
        platform,
        provider: provider.to_owned(),
    })
}

/// Decides what a platform's outcome does to `p`. `next_receipt` is asked for a receipt only
/// when a payment is recorded as paid.
pub fn settle(p: &Payment, o: &Outcome, next_receipt: impl FnOnce() -> Receipt) -> Result<Settlement, DomainError> {
    let same_txn = p.transaction.as_deref() == Some(o.transaction.as_str());
    match p.state {
        PaymentState::Pending if o.success => {
            if o.amount != p.amount {
                return Err(DomainError::rule(
                    ErrorCode::PaymentAmountMismatch,
                    format!("the platform reports {} đồng paid, the payment asked {} đồng", o.amount, p.amount),
                    format!(
                        "số tiền cổng thanh toán báo ({} đồng) khác số tiền phải nộp ({} đồng)",
                        o.amount, p.amount
                    ),
                ));
            }
            Ok(Settlement::Record(Change::Paid {
                transaction: o.transaction.clone(),
                amount: o.amount,
                paid_at: o.paid_at,
                channel: o.channel.clone(),
                receipt: next_receipt(),
            }))
        }
        PaymentState::Pending => Ok(Settlement::Record(Change::Failed {
            transaction: Some(o.transaction.clone()).filter(|t| !t.is_empty()),
            reason: o.message.clone(),
        })),
        PaymentState::Paid | PaymentState::Refunded if o.success && same_txn && o.amount == p.amount => {
            Ok(Settlement::AlreadyRecorded)
        }
        PaymentState::Failed if !o.success && (same_txn || p.transaction.is_none()) => Ok(Settlement::AlreadyRecorded),
        _ => Err(DomainError::rule(
            ErrorCode::PaymentAlreadySettled,
            format!("payment {} is {} already; this outcome contradicts it", p.id, p.state.as_str()),
            format!("giao dịch {} đã ở trạng thái '{}'; kết quả này mâu thuẫn", p.id, p.state.label_vi()),
        )),
    }
}

/// Whether `p` must be given back: it is paid and its dossier ended without its result, or the
/// dossier's fees were paid by another payment.
pub fn refund_due(p: &Payment, d: &Dossier) -> Option<&'static str> {
    if p.state != PaymentState::Paid {
        return None;
    }
    match &d.payment {
        Some(paid) if paid.id != p.id => return Some("Hồ sơ đã được thanh toán bằng giao dịch khác / paid twice"),
        None if d.fee_paid => return Some("Hồ sơ đã nộp phí theo cách khác / paid otherwise"),
        _ => {}
    }
    match d.status {
        Status::Refused => Some("Hồ sơ bị từ chối tiếp nhận / dossier refused"),
        Status::Rejected => Some("Hồ sơ không được giải quyết / dossier not resolved"),
        Status::Withdrawn => Some("Hồ sơ đã rút / dossier withdrawn"),
        _ => None,
    }
}

/// Records a refund of a paid payment.
pub fn refund(p: &Payment, transaction: &str, reason: &str) -> Result<Change, DomainError> {
    if p.state != PaymentState::Paid {
        return Err(DomainError::rule(
            ErrorCode::PaymentAlreadySettled,
            format!("only a paid payment is refunded; {} is {}", p.id, p.state.as_str()),
            format!("chỉ hoàn tiền giao dịch đã thanh toán; {} đang '{}'", p.id, p.state.label_vi()),
        ));
    }
    Ok(Change::Refunded { transaction: transaction.to_owned(), amount: p.amount, reason: reason.to_owned() })
}

impl Payment {
    fn fold_change(mut self, e: &PaymentEvent) -> Result<Payment, DomainError> {
        match &e.what {
            Change::Requested { .. } => return Err(unfit("payment", "requested twice")),
            Change::Paid { transaction, amount, paid_at, channel, receipt } => {
                if self.state != PaymentState::Pending || *amount != self.amount {
                    return Err(unfit("payment", "paid out of turn"));
                }
                self.state = PaymentState::Paid;
                self.transaction = Some(transaction.clone());
                self.paid_at = Some(*paid_at);
                self.channel = Some(channel.clone());
                self.receipt = Some(receipt.clone());
            }
            Change::Failed { transaction, reason } => {
                if self.state != PaymentState::Pending {
                    return Err(unfit("payment", "failed out of turn"));
                }
                self.state = PaymentState::Failed;
                self.transaction = transaction.clone();
                self.failure = Some(reason.clone());
            }
            Change::Refunded { transaction, amount, reason } => {
                if self.state != PaymentState::Paid {
                    return Err(unfit("payment", "refunded out of turn"));
                }
                self.state = PaymentState::Refunded;
                self.refund = Some(Refund {
                    transaction: transaction.clone(),
                    amount: *amount,
                    reason: reason.clone(),
                    at: e.at,
                });
            }
        }
        self.version += 1;
        Ok(self)
    }
}

impl Record for Payment {
    const KIND: &'static str = "payment";
    type Event = PaymentEvent;

    fn id(&self) -> &str {
        &self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn fold(state: Option<Payment>, e: &PaymentEvent) -> Result<Payment, DomainError> {
        match (state, &e.what) {
            (None, Change::Requested { id, dossier, unit, amount, platform, provider }) => Ok(Payment {
                id: id.clone(),
                dossier: dossier.clone(),
                unit: unit.clone(),
                amount: *amount,
                platform: *platform,
                provider: provider.clone(),
                state: PaymentState::Pending,
                requested_at: e.at,
                transaction: None,
                paid_at: None,
                channel: None,
                receipt: None,
                failure: None,
                refund: None,
                version: 1,
            }),
            (None, _) => Err(unfit("payment", "the history must start with a request")),
            (Some(p), _) => p.fold_change(e),
        }
    }
    fn event_at(e: &PaymentEvent) -> OffsetDateTime {
        e.at
    }
    fn event_actor(e: &PaymentEvent) -> &str {
        &e.by
    }
    fn event_action(e: &PaymentEvent) -> &'static str {
        e.what.name()
    }
    /// Instants in UTC, as the projection keeps them.
    fn audited(&self) -> Payment {
        let utc = |t: OffsetDateTime| t.to_offset(time::UtcOffset::UTC);
        let mut p = self.clone();
        p.requested_at = utc(p.requested_at);
        p.paid_at = p.paid_at.map(utc);
        if let Some(r) = p.refund.as_mut() {
            r.at = utc(r.at);
        }
        p
    }
}

#[cfg(test)]
mod tests;
