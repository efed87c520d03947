//! `extend` (xin lỗi và hẹn lại ngày trả kết quả; form 04): at least 1 working day before the due
//! instant, once per dossier, with a reason and a new appointment (NĐ 61/2018 Art. 19.5.c; Lai Châu
//! QĐ 88/2025; domain.md Decisions 5). The citizen's appointment moves; the on-time indicator
//! still judges the dossier against its original due instant.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_reason, require_status};
use crate::calendar::WorkingTime;
use crate::dossier::{Actor, Dossier, Extension, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extend {
    #[serde(with = "time::serde::rfc3339")]
    pub new_due_at: OffsetDateTime,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extended {
    #[serde(with = "time::serde::rfc3339")]
    pub new_due_at: OffsetDateTime,
    pub reason: String,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress], ActionKind::Extend)?;
    if d.extension.is_some() {
        return Err(DomainError::rule(
            ErrorCode::AlreadyExtended,
            "the appointment was already extended once; only one re-appointment is allowed",
            "hồ sơ đã được hẹn lại một lần; chỉ được hẹn lại một lần",
        ));
    }
    require_officer(actor, &[Role::Leader], &d.resolving_unit, ActionKind::Extend)
}

impl Extend {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<Extended, DomainError> {
        let reason = require_reason(&self.reason)?;
        let due = d.due_at.ok_or_else(|| {
            DomainError::rule(ErrorCode::NotReceived, "the dossier has no due date yet", "hồ sơ chưa có ngày hẹn trả")
        })?;
        let one_day = WorkingTime::from_days(1.0).unwrap_or_default();
        if ctx.calendar.between(ctx.at, due) < one_day {
            return Err(DomainError::rule(
                ErrorCode::ExtensionTooLate,
                "an extension must be requested at least 1 working day before the due date",
                "phải xin gia hạn chậm nhất 01 ngày làm việc trước ngày hẹn trả kết quả",
            ));
        }
        if self.new_due_at <= d.appointment_at.unwrap_or(due) {
            return Err(DomainError::invalid(
                ErrorCode::InvalidNewDueAt,
                "the new appointment must be later than the current one",
                "ngày hẹn mới phải sau ngày hẹn hiện tại",
            ));
        }
        Ok(Extended { new_due_at: self.new_due_at.to_offset(time::UtcOffset::UTC), reason })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Extended, at: OffsetDateTime) {
    d.extension = Some(Extension { new_due_at: e.new_due_at, reason: e.reason.clone(), at });
    d.appointment_at = Some(e.new_due_at);
}
