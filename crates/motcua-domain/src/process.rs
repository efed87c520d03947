//! Internal process (quy trình nội bộ): ordered steps with a role, a unit and a time budget,
//! whose budgets must fit in the published legal time (TT 01/2018/TT-VPCP Art. 8; the step
//! table of Hà Nội QĐ 1594/QĐ-TTPVHCC totals exactly the legal time — domain.md §6).

use serde::{Deserialize, Serialize};

use crate::calendar::WorkingTime;
use crate::dossier::Role;
use crate::error::DomainError;

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
}

impl ProcessStep {
    /// The step's time budget.
    pub fn budget(&self) -> Result<WorkingTime, DomainError> {
        let r = match (self.days, self.hours) {
            (Some(d), None) => WorkingTime::from_days(d),
            (None, Some(h)) => WorkingTime::from_hours(h),
            _ => {
                return Err(DomainError::invalid(
                    "invalid_step",
                    format!("step '{}': give exactly one of days or hours", self.name),
                    format!("bước '{}': cần đúng một trong days hoặc hours", self.name),
                ));
            }
        };
        r.map_err(|_| {
            DomainError::invalid(
                "invalid_step",
                format!("step '{}': the time budget must be a non-negative number", self.name),
                format!("bước '{}': thời gian phải là số không âm", self.name),
            )
        })
    }
}

/// Σ step budgets ≤ legal time (TT 01/2018 Art. 8; domain.md §6 "Rule tying steps to the legal
/// limit"). An empty process is allowed (the dossier then has no step deadlines).
pub fn validate_steps(steps: &[ProcessStep], legal: WorkingTime) -> Result<(), DomainError> {
    let mut total = WorkingTime::default();
    for s in steps {
        if s.name.trim().is_empty() {
            return Err(DomainError::invalid("invalid_step", "every step needs a name", "mỗi bước cần có tên"));
        }
        total = total + s.budget()?;
    }
    if total > legal {
        return Err(DomainError::rule(
            "process_exceeds_legal_time",
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
        }
    }

    #[test]
    fn a_process_whose_steps_exceed_the_legal_time_is_refused() {
        let legal = WorkingTime::from_days(3.0).unwrap();
        assert!(validate_steps(&[step(1.0), step(2.0)], legal).is_ok());
        let err = validate_steps(&[step(1.0), step(2.5)], legal).unwrap_err();
        assert_eq!(err.code, "process_exceeds_legal_time");
    }
}
