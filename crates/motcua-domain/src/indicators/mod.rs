//! The QĐ 766/QĐ-TTg (23/6/2022) service-quality indicators computed from dossiers
//! (domain.md §3, with §2.4 for on time / early / late and Decisions 4–6).
//!
//! The pipeline is pure and has four stages:
//! - [`facts`]: [`DossierFacts::of`] reads one [`Dossier`](crate::dossier::Dossier) at the end
//!   of a reporting [`Period`] and answers the questions the formulas ask.
//! - [`tally`]: [`Tally`] counts facts over a period; `merge` is associative and commutative.
//!   [`MonthRow`] is the additive monthly decomposition from which the tally of any run of months
//!   is rebuilt exactly ([`Tally::over`]).
//! - [`rollup`]: a dossier's [`MonthRow`] contributions per [`RowKey`] (month, resolving unit,
//!   procedure, field, level), and the difference an event makes to them — what the store adds
//!   to its rollups in the event's own transaction.
//! - [`rates`]: [`Indicators`] turns a tally into the percentages and the 766 points.
//!
//! The portal's own score stays authoritative (domain.md §3); this is the local mirror.

pub mod facts;
pub mod rates;
pub mod rollup;
pub mod tally;

pub use facts::{DossierFacts, Period};
pub use rates::{Indicators, Points};
pub use rollup::{RowKey, contributions, delta};
pub use tally::{MonthRow, Tally};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::dossier::timeliness::VN_OFFSET;

/// A calendar month in Vietnam's civil time (UTC+7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct YearMonth {
    /// Calendar year.
    pub year: i32,
    /// 1..=12.
    pub month: u8,
}

impl YearMonth {
    /// The month (UTC+7) of an instant.
    pub fn of(t: OffsetDateTime) -> YearMonth {
        let local = t.to_offset(VN_OFFSET);
        YearMonth { year: local.year(), month: u8::from(local.month()) }
    }

    /// The following month.
    pub fn next(self) -> YearMonth {
        if self.month >= 12 {
            YearMonth { year: self.year + 1, month: 1 }
        } else {
            YearMonth { month: self.month + 1, ..self }
        }
    }

    /// The preceding month.
    pub fn prev(self) -> YearMonth {
        if self.month <= 1 {
            YearMonth { year: self.year - 1, month: 12 }
        } else {
            YearMonth { month: self.month - 1, ..self }
        }
    }

    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Option<YearMonth> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        (1..=12).contains(&month).then_some(YearMonth { year, month })
    }

    /// The months `self..=last`, in order (empty when `last` is earlier).
    pub fn through(self, last: YearMonth) -> impl Iterator<Item = YearMonth> {
        std::iter::successors(Some(self).filter(|m| *m <= last), move |m| Some(m.next()).filter(|n| *n <= last))
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
