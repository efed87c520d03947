//! `withdraw` (rút hồ sơ / dừng giải quyết theo yêu cầu): the applicant stops processing before a
//! result exists (NĐ 118/2025 Art. 21; TT 03/2025 Art. 7, form 05). For a received dossier this is
//! a finish instant (766 formula 2.1 counts withdrawal as an end state).
//!
//! Who ends it (domain.md §1.2 "Stopping at the applicant's request"):
//! - a dossier not yet received: the applicant withdraws it at once (nothing is being processed);
//! - a received dossier, asked online by the applicant: the request is recorded (national state 7,
//!   "công dân yêu cầu rút hồ sơ") and processing waits; the one-stop checks that no decision or
//!   result exists and confirms with the stop notice ("Thông báo dừng giải quyết hồ sơ", the
//!   receiver's `withdraw`), or declines when one does (`decline_withdrawal`);
//! - the receiver records a withdrawal asked in person or by post, or confirms a request, at once.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_reason, require_status};
use crate::dossier::{Actor, Dossier, PendingWithdrawal, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withdraw {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Withdrawn {
    pub reason: String,
    /// Only asked (the applicant, on a received dossier): the one-stop confirms or declines.
    /// Events before state 7 existed lack it and ended the dossier.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requested: bool,
}

const OPEN: [Status; 5] =
    [Status::Submitted, Status::Received, Status::InProgress, Status::SupplementRequested, Status::AwaitingFees];

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    match actor {
        Actor::Applicant => require_status(d, &OPEN, ActionKind::Withdraw),
        _ => {
            let mut allowed = OPEN.to_vec();
            allowed.push(Status::WithdrawalRequested);
            require_status(d, &allowed, ActionKind::Withdraw)?;
            require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::Withdraw)
        }
    }
}

impl Withdraw {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<Withdrawn, DomainError> {
        let requested = *ctx.actor == Actor::Applicant && d.received_at.is_some();
        Ok(Withdrawn { reason: require_reason(&self.reason)?, requested })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Withdrawn, at: OffsetDateTime) {
    if e.requested {
        d.pending_withdrawal = Some(PendingWithdrawal { from: d.status, reason: e.reason.clone(), at });
        d.status = Status::WithdrawalRequested;
        return;
    }
    d.status = Status::Withdrawn;
    d.reason = Some(e.reason.clone());
    d.pending_withdrawal = None;
    d.pending_fees = None;
    if d.received_at.is_some() {
        d.finished_at.get_or_insert(d.paused_since.unwrap_or(at));
    }
}
