//! `rate` (đánh giá mức độ hài lòng): once per dossier, after the result is returned, by the
//! applicant online or on the counter tablet (NĐ 61/2018 Art. 29; feeds 766 satisfaction).

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_status};
use crate::dossier::{Actor, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// 1 (very unsatisfied) … 5 (very satisfied).
    pub score: i64,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rated {
    pub score: u8,
    #[serde(default)]
    pub comment: String,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Returned], ActionKind::Rate)?;
    if d.rating.is_some() {
        return Err(DomainError::rule(
            ErrorCode::AlreadyRated,
            "this dossier has already been rated",
            "hồ sơ này đã được đánh giá",
        ));
    }
    match actor {
        Actor::Applicant => Ok(()),
        _ => require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::Rate),
    }
}

impl Rate {
    pub(crate) fn decide(&self, _d: &Dossier, _ctx: &Ctx) -> Result<Rated, DomainError> {
        let score = u8::try_from(self.score).ok().filter(|s| (1..=5).contains(s)).ok_or_else(|| {
            DomainError::invalid(
                ErrorCode::InvalidScore,
                "the score must be a whole number from 1 to 5",
                "điểm đánh giá phải là số nguyên từ 1 đến 5",
            )
        })?;
        if self.comment.chars().count() > 2000 {
            return Err(DomainError::invalid(
                ErrorCode::CommentTooLong,
                "the comment is too long (at most 2000 characters)",
                "nhận xét quá dài (tối đa 2000 ký tự)",
            ));
        }
        Ok(Rated { score, comment: self.comment.trim().to_owned() })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Rated, _at: OffsetDateTime) {
    d.rating = Some(e.score);
}
