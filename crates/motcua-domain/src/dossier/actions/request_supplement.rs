//! `request_supplement` (yêu cầu bổ sung, hoàn thiện hồ sơ; form 02). The request lists every
//! missing item at once (the "một lần" rule, NĐ 61/2018 Art. 15.2.a). At reception it does not
//! start the clock; during processing it stops the clock until `supplement` (domain.md Decisions 4,
//! the 766 subtraction rule), and each such round is counted (more than one ⇒ late).

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_reason, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSupplement {
    /// What is missing and why, in one notice.
    pub reason: String,
    /// The missing items, listed one by one.
    #[serde(default)]
    pub items: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplementRequested {
    pub reason: String,
    #[serde(default)]
    pub items: Vec<String>,
    /// True when the clock was running (after reception): the pause starts now.
    pub during_processing: bool,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Submitted, Status::Received, Status::InProgress], ActionKind::RequestSupplement)?;
    if d.status == Status::Submitted {
        require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::RequestSupplement)
    } else {
        require_officer(actor, &[Role::Specialist, Role::Leader], &d.resolving_unit, ActionKind::RequestSupplement)
    }
}

impl RequestSupplement {
    pub(crate) fn decide(&self, d: &Dossier, _ctx: &Ctx) -> Result<SupplementRequested, DomainError> {
        let reason = require_reason(&self.reason)?;
        if self.items.len() > 100 || self.items.iter().any(|i| i.trim().is_empty() || i.chars().count() > 500) {
            return Err(DomainError::invalid(
                ErrorCode::InvalidItems,
                "each missing item needs a short description (at most 100 items)",
                "mỗi giấy tờ cần bổ sung phải có mô tả ngắn (tối đa 100 mục)",
            ));
        }
        Ok(SupplementRequested {
            reason,
            items: self.items.iter().map(|i| i.trim().to_owned()).collect(),
            during_processing: d.status != Status::Submitted,
        })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &SupplementRequested, at: OffsetDateTime) {
    d.status = Status::SupplementRequested;
    d.pending_supplement = Some(e.reason.clone());
    if e.during_processing {
        d.supplement_rounds += 1;
        d.paused_since = Some(at);
    } else {
        d.reception_supplements += 1;
    }
}
