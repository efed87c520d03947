//! `revoke_result` (thu hồi kết quả): the issuing unit's leader withdraws an electronic result
//! it issued — issued in error, or annulled by a later decision — with the reason. The result's
//! file and signature stay as they were (they are the record of what was issued); the
//! verification page then answers "revoked" with the date and the reason, so nobody can rely on
//! the file any more (issue 16 item 4: revocation is an event with a reason; the electronic
//! results of NĐ 45/2020 Art. 16 as amended by NĐ 118/2025). The dossier's state does not change.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_officer, require_reason, require_status};
use crate::dossier::{Actor, Dossier, Revocation, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeResult {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRevoked {
    pub reason: String,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::ResultReady, Status::Returned], ActionKind::RevokeResult)?;
    let Some(r) = d.result.as_ref().filter(|r| r.file.is_some()) else {
        return Err(DomainError::rule(
            ErrorCode::NoElectronicResult,
            "the dossier has no electronic result to revoke",
            "hồ sơ không có kết quả điện tử để thu hồi",
        ));
    };
    if r.revoked.is_some() {
        return Err(DomainError::rule(
            ErrorCode::AlreadyRevoked,
            "this result has already been revoked",
            "kết quả này đã bị thu hồi",
        ));
    }
    let unit = r.signature.as_ref().map_or(d.resolving_unit.as_str(), |s| s.unit.as_str());
    require_officer(actor, &[Role::Leader], unit, ActionKind::RevokeResult)
}

impl RevokeResult {
    pub(crate) fn decide(&self, _d: &Dossier, _ctx: &Ctx) -> Result<ResultRevoked, DomainError> {
        Ok(ResultRevoked { reason: require_reason(&self.reason)? })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &ResultRevoked, by: &str, at: OffsetDateTime) {
    if let Some(r) = d.result.as_mut() {
        r.revoked = Some(Revocation { reason: e.reason.clone(), by: by.to_owned(), at });
    }
}
