//! Restructures of organisational units taking effect on a date: merges, renames and moves under a
//! new parent, as the two-level local government reform did on 01/7/2025 (provinces merged under
//! NQ 202/2025/QH15, district level abolished by NQ 203/2025/QH15, new unit codes in
//! QĐ 19/2025/QĐ-TTg; domain.md §13).
//!
//! Units are never deleted: a merged unit gets `valid_to` = the day before the effective date and
//! a `successor`, and the successor lists its `predecessors`, so past figures still report under
//! the unit as it was and can be rolled up under the successor ([`successor_of`]).

use crate::ErrorCode;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::Date;

use super::Unit;
use crate::error::DomainError;
use crate::ids::UnitCode;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// A restructure decision: what changes, from which day, on which legal basis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestructurePlan {
    /// First day the new structure is in force (`YYYY-MM-DD`).
    #[serde(with = "iso_date")]
    pub effective_on: Date,
    /// The resolution or decision that orders it, e.g. `NQ 1654/NQ-UBTVQH15`.
    pub legal_basis: String,
    pub operations: Vec<Operation>,
}

/// One change of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Operation {
    /// Several units end and `into` (a new unit, or an existing one that absorbs them) succeeds.
    Merge { from: Vec<UnitCode>, into: Box<Unit> },
    /// A unit keeps its code and gets a new name.
    Rename { code: UnitCode, new_name: String },
    /// A unit moves under another parent.
    Move { code: UnitCode, new_parent: UnitCode },
}

/// The first day as `YYYY-MM-DD`, the form units store their validity in.
pub fn format_day(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parses a stored `YYYY-MM-DD` validity date.
pub fn parse_day(s: &str) -> Option<Date> {
    Date::parse(s.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn refuse(code: ErrorCode, en: String, vi: String) -> DomainError {
    DomainError::rule(code, en, vi)
}

impl RestructurePlan {
    /// (merged unit, successor) pairs of the plan.
    pub fn moves(&self) -> Vec<(String, String)> {
        self.operations
            .iter()
            .filter_map(|op| match op {
                Operation::Merge { from, into } => {
                    Some(from.iter().map(|f| (f.to_string(), into.code.to_string())).collect())
                }
                _ => None,
            })
            .flat_map(|v: Vec<(String, String)>| v)
            .collect()
    }

    /// Codes of the units the plan creates (merge targets that do not exist yet).
    pub fn created(&self, current: &[Unit]) -> Vec<String> {
        let known: HashSet<&str> = current.iter().map(|u| u.code.as_str()).collect();
        self.operations
            .iter()
            .filter_map(|op| match op {
                Operation::Merge { into, .. } if !known.contains(into.code.as_str()) => Some(into.code.to_string()),
                _ => None,
            })
            .collect()
    }

    /// Checks the plan against the units as they are: a legal basis, known and current codes,
    /// no unit merged twice or into itself, a start date after every merged unit's own, and no
    /// cycle among parents afterwards.
    pub fn validate(&self, current: &[Unit]) -> Result<(), DomainError> {
        if self.legal_basis.trim().is_empty() || self.operations.is_empty() {
            return Err(DomainError::invalid(
                ErrorCode::RestructureIncomplete,
                "a restructure needs its legal basis and at least one operation",
                "phương án sắp xếp cần căn cứ pháp lý và ít nhất một nội dung",
            ));
        }
        let by_code: HashMap<&str, &Unit> = current.iter().map(|u| (u.code.as_str(), u)).collect();
        let created = self.created(current);
        let live = |code: &str| -> Result<&Unit, DomainError> {
            match by_code.get(code) {
                Some(u) if u.is_current() => Ok(u),
                Some(_) => Err(refuse(
                    ErrorCode::UnitAlreadyEnded,
                    format!("unit {code} has already ended"),
                    format!("đơn vị {code} đã hết hiệu lực"),
                )),
                None => Err(refuse(
                    ErrorCode::UnknownUnit,
                    format!("unknown unit {code}"),
                    format!("không có đơn vị mã {code}"),
                )),
            }
        };
        let mut merged: HashSet<&str> = HashSet::new();
        for op in &self.operations {
            if let Operation::Merge { from, into } = op {
                if from.is_empty() || into.code.trim().is_empty() || into.name.trim().is_empty() {
                    return Err(DomainError::invalid(
                        ErrorCode::MergeIncomplete,
                        "a merge needs the units it merges and the code and name of the result",
                        "sáp nhập cần các đơn vị bị sáp nhập, mã và tên đơn vị mới",
                    ));
                }
                // The new unit's code travels in URLs and dossier codes: the register's shape.
                let code = into.code.as_str();
                if UnitCode::parse(code).map_or(true, |c| c != *code) {
                    return Err(DomainError::invalid(
                        ErrorCode::InvalidUnitCode,
                        format!("'{code}' is not a unit code: at most 64 letters, digits, '-', '.', '_'"),
                        format!("'{code}' không phải mã đơn vị: tối đa 64 chữ cái, chữ số, '-', '.', '_'"),
                    ));
                }
                if by_code.contains_key(into.code.as_str()) {
                    live(&into.code)?;
                }
                for f in from {
                    let u = live(f)?;
                    if *f == into.code {
                        return Err(refuse(
                            ErrorCode::MergeIntoItself,
                            format!("unit {f} cannot be merged into itself"),
                            format!("không thể sáp nhập đơn vị {f} vào chính nó"),
                        ));
                    }
                    if !merged.insert(f.as_str()) {
                        return Err(refuse(
                            ErrorCode::MergedTwice,
                            format!("unit {f} is merged more than once"),
                            format!("đơn vị {f} bị sáp nhập nhiều lần"),
                        ));
                    }
                    if u.valid_from.as_deref().and_then(parse_day).is_some_and(|start| start >= self.effective_on) {
                        return Err(refuse(
                            ErrorCode::EffectiveDateTooEarly,
                            format!("unit {f} starts on or after the effective date"),
                            format!("đơn vị {f} bắt đầu hiệu lực từ hoặc sau ngày có hiệu lực của phương án"),
                        ));
                    }
                }
            }
        }
        for op in &self.operations {
            let (code, parent) = match op {
                Operation::Merge { into, .. } => {
                    if merged.contains(into.code.as_str()) {
                        return Err(refuse(
                            ErrorCode::MergeTargetMerged,
                            format!("unit {} is both merged and a merge target", into.code),
                            format!("đơn vị {} vừa bị sáp nhập vừa là đơn vị nhận sáp nhập", into.code),
                        ));
                    }
                    (None, into.parent.as_deref())
                }
                Operation::Rename { code, new_name } => {
                    if new_name.trim().is_empty() {
                        return Err(DomainError::invalid(
                            ErrorCode::NameRequired,
                            "a rename needs the new name",
                            "đổi tên cần tên mới",
                        ));
                    }
                    (Some(code.as_str()), None)
                }
                Operation::Move { code, new_parent } => (Some(code.as_str()), Some(new_parent.as_str())),
            };
            if let Some(code) = code {
                live(code)?;
                if merged.contains(code) {
                    return Err(refuse(
                        ErrorCode::UnitEndedByPlan,
                        format!("unit {code} is merged by the same plan"),
                        format!("đơn vị {code} đã bị sáp nhập trong cùng phương án"),
                    ));
                }
            }
            if let Some(p) = parent.filter(|p| !created.iter().any(|c| c == p)) {
                live(p)?;
                if merged.contains(p) {
                    return Err(refuse(
                        ErrorCode::UnitEndedByPlan,
                        format!("parent {p} is merged by the same plan"),
                        format!("đơn vị cấp trên {p} đã bị sáp nhập trong cùng phương án"),
                    ));
                }
            }
        }
        no_new_parent_cycle(current, &self.apply_to_units(current))
    }

    /// The units after the plan: merged units ended the day before the effective date with their
    /// successor, successors listing their predecessors, renames and moves applied, and children
    /// of merged units moved under the successor. Assumes [`RestructurePlan::validate`] passed.
    pub fn apply_to_units(&self, units: &[Unit]) -> Vec<Unit> {
        let start = format_day(self.effective_on);
        let end = self.effective_on.previous_day().map(format_day).unwrap_or_else(|| start.clone());
        let successor: HashMap<String, String> = self.moves().into_iter().collect();
        let mut out: Vec<Unit> = units.to_vec();
        for op in &self.operations {
            match op {
                Operation::Merge { from, into } => {
                    let preds = from.iter().map(UnitCode::to_string);
                    match out.iter_mut().find(|u| u.code == into.code) {
                        Some(u) => u.predecessors.extend(preds),
                        None => out.push(Unit {
                            valid_from: Some(start.clone()),
                            valid_to: None,
                            successor: None,
                            predecessors: into.predecessors.iter().cloned().chain(preds).collect(),
                            ..(**into).clone()
                        }),
                    }
                }
                Operation::Rename { code, new_name } => {
                    out.iter_mut().filter(|u| u.code == *code).for_each(|u| u.name = new_name.trim().to_owned());
                }
                Operation::Move { code, new_parent } => {
                    out.iter_mut().filter(|u| u.code == *code).for_each(|u| u.parent = Some(new_parent.to_string()));
                }
            }
        }
        for u in &mut out {
            if let Some(next) = successor.get(u.code.as_str()) {
                u.valid_to = Some(end.clone());
                u.successor = Some(next.clone());
            } else if let Some(next) = u.parent.as_ref().and_then(|p| successor.get(p)) {
                u.parent = Some(next.clone());
            }
        }
        out
    }
}

/// Units lying on a loop of parents (a unit that is its own ancestor).
fn on_parent_cycle(units: &[Unit]) -> HashSet<&str> {
    let parent: HashMap<&str, &str> =
        units.iter().filter_map(|u| Some((u.code.as_str(), u.parent.as_deref()?))).collect();
    let loops = |start: &str| {
        let mut at = start;
        for _ in 0..units.len() {
            match parent.get(at) {
                Some(p) if *p == start => return true,
                Some(p) => at = p,
                None => return false,
            }
        }
        false
    };
    units.iter().map(|u| u.code.as_str()).filter(|c| loops(c)).collect()
}

/// Refuses a plan that puts a unit on a loop of parents it was not on before (existing data
/// with a self-parented root is left as it is).
fn no_new_parent_cycle(before: &[Unit], after: &[Unit]) -> Result<(), DomainError> {
    let old = on_parent_cycle(before);
    match on_parent_cycle(after).into_iter().find(|c| !old.contains(c)) {
        Some(code) => Err(refuse(
            ErrorCode::ParentCycle,
            format!("unit {code} would be its own ancestor"),
            format!("đơn vị {code} sẽ trở thành cấp trên của chính nó"),
        )),
        None => Ok(()),
    }
}

/// Every unit that was merged into `code`, directly or through a chain of restructures, so figures
/// of the units as they were can be rolled up under their successor (domain.md §13, "statistics
/// able to report by old and new boundaries").
pub fn predecessors_of(units: &[Unit], code: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut frontier = vec![code.to_owned()];
    while let Some(c) = frontier.pop() {
        for u in units.iter().filter(|u| u.successor.as_deref() == Some(c.as_str())) {
            if u.code != code && !out.iter().any(|o| u.code == *o) {
                out.push(u.code.to_string());
                frontier.push(u.code.to_string());
            }
        }
    }
    out.sort();
    out
}

/// A plan takes effect on its date: it may be previewed any time, applied only from that day.
pub fn check_effective(plan: &RestructurePlan, today: Date) -> Result<(), DomainError> {
    if plan.effective_on > today {
        return Err(DomainError::rule(
            ErrorCode::RestructureNotYetEffective,
            format!(
                "this plan takes effect on {}; preview it with a dry run and apply it from that day",
                plan.effective_on
            ),
            format!(
                "phương án có hiệu lực từ ngày {}; có thể xem trước (dry run) và áp dụng từ ngày đó",
                plan.effective_on
            ),
        ));
    }
    Ok(())
}

/// The unit that holds `code`'s competence on day `on`: `code` itself while it is valid, else its
/// successor's, following the chain (commune → merged commune → …). `None` for an unknown code or
/// a chain that loops or ends without a successor.
pub fn successor_of<'a>(units: &'a [Unit], code: &str, on: Date) -> Option<&'a Unit> {
    let by_code: HashMap<&str, &Unit> = units.iter().map(|u| (u.code.as_str(), u)).collect();
    let mut u = *by_code.get(code)?;
    for _ in 0..=units.len() {
        match u.valid_to.as_deref().and_then(parse_day) {
            Some(end) if end < on => u = by_code.get(u.successor.as_deref()?).copied()?,
            _ => return Some(u),
        }
    }
    None
}

#[cfg(test)]
mod rollup_tests {
    use super::*;

    fn unit(code: &str, successor: Option<&str>) -> Unit {
        serde_json::from_value(serde_json::json!({
            "code": code, "name": code, "kind": "commune", "level": "commune", "successor": successor,
            "valid_to": successor.map(|_| "2025-06-30")
        }))
        .unwrap()
    }

    #[test]
    fn predecessors_are_found_through_chains_of_merges() {
        let units =
            vec![unit("A", Some("B")), unit("B", Some("C")), unit("X", Some("C")), unit("C", None), unit("Y", None)];
        assert_eq!(predecessors_of(&units, "C"), vec!["A".to_owned(), "B".to_owned(), "X".to_owned()]);
        assert!(predecessors_of(&units, "Y").is_empty());
    }
}
