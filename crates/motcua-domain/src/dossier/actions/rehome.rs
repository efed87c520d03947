//! `rehome` (chuyển đơn vị sau sắp xếp): an administrative restructure ended the unit that
//! receives or resolves an in-flight dossier, and the dossier moves to the successor unit keeping
//! its code, due date and history (two-level reform from 01/7/2025: NQ 202/2025/QH15,
//! NQ 203/2025/QH15, unit codes of QĐ 19/2025/QĐ-TTg; domain.md §13).
//!
//! The rule that received dossiers continue under the successor with their code and deadline is
//! the best understanding in domain.md §13 and is UNCONFIRMED (no legal text found; NQ 190/2025/QH15
//! is the likely basis). Only the system performs it, never an officer: it is not among the
//! actions offered to people.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, require_reason};
use crate::dossier::{Actor, Dossier, UnitCode};
use crate::error::DomainError;

/// One ended unit and the unit that succeeds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitMove {
    pub from_unit: String,
    pub to_unit: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rehome {
    /// Every (ended unit → successor) pair of the restructure; only those touching the dossier
    /// are recorded.
    pub moves: Vec<UnitMove>,
    /// The decision that ordered the restructure.
    pub legal_basis: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rehomed {
    pub moves: Vec<UnitMove>,
    pub legal_basis: String,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    if !matches!(actor, Actor::System) {
        return Err(DomainError::forbidden(
            "only the system re-homes dossiers after a restructure",
            "chỉ hệ thống mới chuyển hồ sơ sang đơn vị kế thừa sau sắp xếp",
        ));
    }
    if d.status.is_closed() {
        return Err(DomainError::rule(
            ErrorCode::InvalidTransition,
            format!("action '{}' is not possible on a closed dossier", ActionKind::Rehome.as_str()),
            "không chuyển đơn vị cho hồ sơ đã kết thúc",
        ));
    }
    Ok(())
}

/// The units a dossier still depends on: its one-stop, its resolving authority and the units of
/// its remaining steps.
fn touches(d: &Dossier, unit: &str) -> bool {
    d.receiving_unit == unit || d.resolving_unit == unit || d.steps.iter().skip(d.step).any(|s| s.unit == unit)
}

impl Rehome {
    pub(crate) fn decide(&self, d: &Dossier, _ctx: &Ctx) -> Result<Rehomed, DomainError> {
        let moves: Vec<UnitMove> = self
            .moves
            .iter()
            .filter(|m| m.from_unit != m.to_unit && !m.to_unit.trim().is_empty() && touches(d, &m.from_unit))
            .cloned()
            .collect();
        if moves.is_empty() {
            return Err(DomainError::rule(
                ErrorCode::NothingToRehome,
                "the dossier belongs to none of the ended units",
                "hồ sơ không thuộc đơn vị nào bị sắp xếp",
            ));
        }
        Ok(Rehomed { moves, legal_basis: require_reason(&self.legal_basis)? })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Rehomed, _at: OffsetDateTime) {
    for m in &e.moves {
        if d.receiving_unit == m.from_unit {
            d.receiving_unit = UnitCode::trusted(m.to_unit.clone());
        }
        if d.resolving_unit == m.from_unit {
            d.resolving_unit = UnitCode::trusted(m.to_unit.clone());
        }
        for s in d.steps.iter_mut().skip(d.step).filter(|s| s.unit == m.from_unit) {
            s.unit = m.to_unit.clone();
        }
    }
}
