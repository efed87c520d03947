//! The QĐ 766/QĐ-TTg (23/6/2022) service-quality indicators computed from dossiers
//! (domain.md §3, with §2.4 for on time / early / late and Decisions 4–6).
//!
//! The pipeline is pure and has three stages, so the web layer can tally per unit, procedure,
//! field, level and month and sum the tallies into rollups:
//! - [`facts`]: [`DossierFacts::of`] reads one [`Dossier`](crate::dossier::Dossier) as of the end
//!   of a reporting [`Period`] and answers the questions the formulas ask.
//! - [`tally`]: [`Tally`] counts facts; `merge` is associative and commutative.
//! - [`rates`]: [`Indicators`] turns a tally into the percentages and the 766 points.
//!
//! [`GroupKey`] is the grouping key (unit, procedure, field, level, month of reception).
//! The portal's own score stays authoritative (domain.md §3); this is the local mirror.

pub mod facts;
pub mod rates;
pub mod tally;

pub use facts::{DossierFacts, Period};
pub use rates::{Indicators, Points};
pub use tally::Tally;

use serde::{Deserialize, Serialize};

use crate::catalog::{Level, Procedure};
use crate::dossier::Dossier;
use crate::dossier::timeliness::VN_OFFSET;

/// A calendar month in Vietnam's civil time (UTC+7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct YearMonth {
    /// Calendar year.
    pub year: i32,
    /// 1..=12.
    pub month: u8,
}

/// What a caller tallies by: a dossier belongs to exactly one group per key. Every dimension is
/// optional so that a coarser rollup (e.g. per unit and month only) is the same key with the
/// other dimensions set to `None`; the tallies of the finer groups then [`Tally::merge`] into it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupKey {
    /// The resolving unit (the authority whose service is scored, domain.md §1.1, §3).
    pub unit: Option<String>,
    /// National procedure code (domain.md §5.4).
    pub procedure_code: Option<String>,
    /// Sector (lĩnh vực) of the procedure.
    pub field: Option<String>,
    /// Level of the resolving authority (province / commune; district for history).
    pub level: Option<Level>,
    /// Month of reception (UTC+7); `None` for dossiers never received.
    pub month: Option<YearMonth>,
}

impl GroupKey {
    /// The finest key of a dossier: its resolving unit, its procedure (field and level taken from
    /// the catalog entry `procedure`) and its month of reception.
    pub fn of(d: &Dossier, procedure: &Procedure) -> GroupKey {
        GroupKey {
            unit: Some(d.resolving_unit.clone()),
            procedure_code: Some(d.procedure_code.clone()),
            field: Some(procedure.field.clone()),
            level: Some(procedure.level),
            month: d.received_at.map(|r| {
                let local = r.to_offset(VN_OFFSET);
                YearMonth { year: local.year(), month: u8::from(local.month()) }
            }),
        }
    }
}
