//! [`WorkingTime`]: an amount of office-hours time, the unit of every legal time limit.

use serde::{Deserialize, Serialize};

use super::{CalendarError, WORKING_DAY_SECONDS};

/// An amount of working time, in seconds of office hours.
///
/// Time limits are published in working days (possibly fractional: "1/2 ngày", "0,25 ngày")
/// or working hours; one working day is 8 working hours (domain.md Decisions 1, §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct WorkingTime(pub i64);

impl WorkingTime {
    /// No working time.
    pub const ZERO: WorkingTime = WorkingTime(0);

    /// Working days (fractional allowed, e.g. 0.5 or 0.25), 1 day = 8 hours.
    pub fn from_days(days: f64) -> Result<Self, CalendarError> {
        if !days.is_finite() || !(0.0..=10_000.0).contains(&days) {
            return Err(CalendarError::InvalidDuration);
        }
        Ok(WorkingTime((days * WORKING_DAY_SECONDS as f64).round() as i64))
    }

    /// Working hours (fractional allowed).
    pub fn from_hours(hours: f64) -> Result<Self, CalendarError> {
        if !hours.is_finite() || !(0.0..=80_000.0).contains(&hours) {
            return Err(CalendarError::InvalidDuration);
        }
        Ok(WorkingTime((hours * 3600.0).round() as i64))
    }

    /// Whole seconds of working time.
    pub fn seconds(self) -> i64 {
        self.0
    }

    /// Working days, 1 day = 8 hours.
    pub fn days(self) -> f64 {
        self.0 as f64 / WORKING_DAY_SECONDS as f64
    }
}

impl std::ops::Add for WorkingTime {
    type Output = WorkingTime;
    fn add(self, o: WorkingTime) -> WorkingTime {
        WorkingTime(self.0.saturating_add(o.0))
    }
}
