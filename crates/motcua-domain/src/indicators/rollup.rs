//! Monthly rollups of the 766 counters (domain.md §3): what one dossier contributes to each
//! month, and how an event changes that. The store keeps `Σ contributions(d, open)` over all
//! dossiers; adding [`delta`] of every change in the change's own transaction keeps it equal to a
//! full recompute from the event log.
//!
//! `open` is the first month that has not ended (the store's horizon). A dossier running in an
//! open month is not yet judged late or not for that month (its end is in the future); the
//! running dossiers of the open month are judged at query time against "now". When a month ends
//! the store moves the horizon and adds the delta of every dossier still running at the end of
//! the old one ([`contributions`] is a function of the dossier and `open` only).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DossierFacts, MonthRow, Period, YearMonth};
use crate::dossier::Dossier;

/// The rollup's key: one row per month, resolving unit, procedure, field and level.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RowKey {
    pub month: YearMonth,
    /// The resolving unit: QĐ 766 scores the authority whose service it is (domain.md §3).
    pub unit: String,
    pub procedure_code: String,
    /// Sector (lĩnh vực) frozen on the dossier.
    pub field: String,
    /// `province` / `district` / `commune`, or empty for dossiers created before levels were
    /// frozen on dossiers.
    pub level: String,
}

/// What `d` contributes to each month from its reception to its finish (or to `open`, or its
/// reception month, whichever is later, while it runs). Empty for a dossier never received.
pub fn contributions(d: &Dossier, open: YearMonth) -> Vec<(RowKey, MonthRow)> {
    let Some(received) = d.received_at else { return Vec::new() };
    let first = YearMonth::of(received);
    let last = d.finished_at.map_or(open, YearMonth::of).max(first);
    let mut out = Vec::new();
    for month in first.through(last) {
        let Some(period) = Period::month(month) else { continue };
        let mut row = MonthRow::default();
        row.add(&DossierFacts::of(d, &period), month >= open);
        if !row.is_empty() {
            out.push((key(d, month), row));
        }
    }
    out
}

/// The row a received dossier counts in by its reception month: where QĐ 766 row 1.4 (dossiers
/// synced with a reception date in the period ÷ received in the period; domain.md §3) counts it
/// once the portal acknowledges it. `None` before reception.
pub fn reception_key(d: &Dossier) -> Option<RowKey> {
    d.received_at.map(|t| key(d, YearMonth::of(t)))
}

fn key(d: &Dossier, month: YearMonth) -> RowKey {
    RowKey {
        month,
        unit: d.resolving_unit.to_string(),
        procedure_code: d.procedure_code.to_string(),
        field: d.field.clone(),
        level: d.level.map(|l| l.as_str().to_owned()).unwrap_or_default(),
    }
}

/// `after − before`, column by column ([`MonthRow::COLUMNS`] order), per key; keys whose
/// difference is all zero are left out. Sorted by key.
pub fn delta(before: &[(RowKey, MonthRow)], after: &[(RowKey, MonthRow)]) -> Vec<(RowKey, Vec<i64>)> {
    let mut sum: BTreeMap<RowKey, Vec<i64>> = BTreeMap::new();
    let width = MonthRow::COLUMNS.len();
    for (sign, rows) in [(-1i64, before), (1, after)] {
        for (k, row) in rows {
            let acc = sum.entry(k.clone()).or_insert_with(|| vec![0; width]);
            for (a, v) in acc.iter_mut().zip(row.values()) {
                *a += sign * i64::try_from(v).unwrap_or(i64::MAX);
            }
        }
    }
    sum.into_iter().filter(|(_, v)| v.iter().any(|x| *x != 0)).collect()
}
