//! Internal process (quy trình nội bộ): ordered steps with a role, a unit and a time budget,
//! whose budgets must fit in the published legal time (TT 01/2018/TT-VPCP Art. 8; the step
//! table of Hà Nội QĐ 1594/QĐ-TTPVHCC totals exactly the legal time — domain.md §6).

use crate::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingTime;
use crate::error::DomainError;
use crate::role::Role;

/// Which unit performs a step, relative to the dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StepUnit {
    /// The one-stop that received the dossier.
    Center,
    /// The resolving agency.
    Agency,
    /// The commune (for commune-level procedures this is both).
    Commune,
    /// A named agency consulted through liên thông (NĐ 61/2018 Art. 19; domain.md §1.5): the
    /// step's `unit_code` says which one. Chosen over a free `unit_code` on every step so that a
    /// step's unit stays one of four plain kinds and only consultations name an outside agency.
    Consulted,
}

/// One step of an internal process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessStep {
    pub name: String,
    pub role: Role,
    pub unit: StepUnit,
    /// Budget in working days (fractional, e.g. 0.5) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<f64>,
    /// … or in working hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    /// Parallel group label: consecutive steps with the same label run at the same time, as
    /// consultations of several agencies do for electronic dossiers (domain.md §1.5, §6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<String>,
    /// The consulted agency's code; required for [`StepUnit::Consulted`], refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<String>,
    /// The procedure allows the leader's approval while this step still runs (a shortcut the
    /// process must declare, issue 14): the step is then recorded as skipped, never as done in
    /// someone else's name. Only a step before the approval step can be optional.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

impl ProcessStep {
    /// The step's time budget.
    pub fn budget(&self) -> Result<WorkingTime, DomainError> {
        let r = match (self.days, self.hours) {
            (Some(d), None) => WorkingTime::from_days(d),
            (None, Some(h)) => WorkingTime::from_hours(h),
            _ => {
                return Err(DomainError::invalid(
                    ErrorCode::InvalidStep,
                    format!("step '{}': give exactly one of days or hours", self.name),
                    format!("bước '{}': cần đúng một trong days hoặc hours", self.name),
                ));
            }
        };
        r.map_err(|_| {
            DomainError::invalid(
                ErrorCode::InvalidStep,
                format!("step '{}': the time budget must be a non-negative number", self.name),
                format!("bước '{}': thời gian phải là số không âm", self.name),
            )
        })
    }
}

/// The steps split into runs: a lone step, or consecutive steps sharing a parallel label.
pub fn groups<T>(steps: &[T], label: impl Fn(&T) -> Option<&str>) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < steps.len() {
        let mut end = i + 1;
        if let Some(g) = steps.get(i).and_then(&label) {
            while steps.get(end).and_then(&label) == Some(g) {
                end += 1;
            }
        }
        out.push(i..end);
        i = end;
    }
    out
}

/// Index of the one-stop's return step: a receiver step closing a process of more than one
/// step (NĐ 61/2018 Art. 20: the one-stop returns the result), if the process has one.
pub fn return_index<T>(steps: &[T], role: impl Fn(&T) -> Role) -> Option<usize> {
    steps.iter().rposition(|s| role(s) == Role::Receiver).filter(|i| *i + 1 == steps.len() && *i > 0)
}

/// Index of the approval step (phê duyệt, ký kết quả): the last leader step before the return
/// step (NĐ 61/2018 Art. 19.3: the competent person decides the result). `None` when the
/// process names no leader step; the resolving unit's leader then approves once every
/// processing step is done. Steps after it and before the return step (the clerk's issuing
/// step) run after the result is ready.
pub fn approval_index<T>(steps: &[T], role: impl Fn(&T) -> Role) -> Option<usize> {
    let end = return_index(steps, &role).unwrap_or(steps.len());
    steps.get(..end)?.iter().rposition(|s| role(s) == Role::Leader)
}

/// Time the process takes: a parallel group counts as its longest step, others add up
/// (TT 01/2018 Art. 8; domain.md §6 "Rule tying steps to the legal limit").
pub fn total_time(steps: &[ProcessStep]) -> Result<WorkingTime, DomainError> {
    let mut total = WorkingTime::default();
    for g in groups(steps, |s| s.parallel.as_deref()) {
        let mut longest = WorkingTime::default();
        for s in steps.get(g).unwrap_or_default() {
            longest = longest.max(s.budget()?);
        }
        total = total + longest;
    }
    Ok(total)
}

/// Every step is well formed: a name, a budget, an agency code exactly for consultations, and
/// no reception step inside a parallel group (the one-stop receives and returns alone).
fn check_step(s: &ProcessStep) -> Result<(), DomainError> {
    if s.name.trim().is_empty() {
        return Err(DomainError::invalid(ErrorCode::InvalidStep, "every step needs a name", "mỗi bước cần có tên"));
    }
    s.budget()?;
    let has_code = s.unit_code.as_deref().is_some_and(|c| !c.trim().is_empty());
    if (s.unit == StepUnit::Consulted) != has_code {
        return Err(DomainError::invalid(
            ErrorCode::InvalidStepUnit,
            format!("step '{}': a consulted agency code is given exactly for CONSULTED steps", s.name),
            format!("bước '{}': chỉ bước lấy ý kiến cơ quan khác (CONSULTED) mới ghi mã cơ quan, và phải ghi", s.name),
        ));
    }
    if s.parallel.is_some() && s.role == Role::Receiver {
        return Err(DomainError::invalid(
            ErrorCode::ReceiverStepInParallelGroup,
            format!("step '{}': a reception or return step cannot run in parallel", s.name),
            format!("bước '{}': bước tiếp nhận, trả kết quả không được chạy song song", s.name),
        ));
    }
    Ok(())
}

/// An optional step lies between the reception and the approval step and is not a reception
/// step: only work before the decision can be passed over (issue 14), never the decision, the
/// issuing after it, or the one-stop's reception and return.
fn check_optional(steps: &[ProcessStep]) -> Result<(), DomainError> {
    let approval = approval_index(steps, |s| s.role);
    for (i, s) in steps.iter().enumerate().filter(|(_, s)| s.optional) {
        if s.role == Role::Receiver || approval.is_none_or(|a| i >= a) {
            return Err(DomainError::invalid(
                ErrorCode::InvalidOptionalStep,
                format!("step '{}': only a processing step before the approval step can be optional", s.name),
                format!("bước '{}': chỉ bước xử lý trước bước phê duyệt mới được đánh dấu có thể bỏ qua", s.name),
            ));
        }
    }
    Ok(())
}

/// Σ step budgets ≤ legal time, a parallel group counting as its longest step (TT 01/2018
/// Art. 8; domain.md §6). An empty process is allowed (the dossier then has no step deadlines).
pub fn validate_steps(steps: &[ProcessStep], legal: WorkingTime) -> Result<(), DomainError> {
    for s in steps {
        check_step(s)?;
    }
    check_optional(steps)?;
    let total = total_time(steps)?;
    if total > legal {
        return Err(DomainError::rule(
            ErrorCode::ProcessExceedsLegalTime,
            format!(
                "the internal process takes {:.2} working days, more than the legal {:.2}",
                total.days(),
                legal.days()
            ),
            format!(
                "quy trình nội bộ cần {:.2} ngày làm việc, vượt thời hạn luật định {:.2} ngày",
                total.days(),
                legal.days()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(days: f64) -> ProcessStep {
        ProcessStep {
            name: "Thẩm định".into(),
            role: Role::Specialist,
            unit: StepUnit::Agency,
            days: Some(days),
            hours: None,
            parallel: None,
            unit_code: None,
            optional: false,
        }
    }

    #[test]
    fn a_process_whose_steps_exceed_the_legal_time_is_refused() {
        let legal = WorkingTime::from_days(3.0).unwrap();
        assert!(validate_steps(&[step(1.0), step(2.0)], legal).is_ok());
        let err = validate_steps(&[step(1.0), step(2.5)], legal).unwrap_err();
        assert_eq!(err.code, "process_exceeds_legal_time");
    }

    fn with_role(role: Role, optional: bool) -> ProcessStep {
        ProcessStep { role, optional, ..step(0.5) }
    }

    #[test]
    fn the_approval_step_is_the_last_leader_step_before_the_return() {
        let roles = [Role::Receiver, Role::Leader, Role::Specialist, Role::Leader, Role::Clerk, Role::Receiver];
        assert_eq!(return_index(&roles, |r| *r), Some(5));
        assert_eq!(approval_index(&roles, |r| *r), Some(3));
        assert_eq!(approval_index(&[Role::Receiver, Role::Specialist], |r| *r), None);
        assert_eq!(return_index(&[Role::Receiver], |r| *r), None);
    }

    #[test]
    fn only_a_processing_step_before_the_approval_can_be_optional() {
        let legal = WorkingTime::from_days(5.0).unwrap();
        let ok = [
            with_role(Role::Receiver, false),
            with_role(Role::Specialist, true),
            with_role(Role::Leader, false),
            with_role(Role::Receiver, false),
        ];
        assert!(validate_steps(&ok, legal).is_ok());
        for bad in [0, 2, 3] {
            let mut steps = ok.clone();
            steps[bad].optional = true;
            let err = validate_steps(&steps, legal).unwrap_err();
            assert_eq!(err.code, "invalid_optional_step", "step {bad}");
        }
    }
}
