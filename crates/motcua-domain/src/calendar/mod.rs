//! Working calendar: Vietnamese office hours, statutory holidays (from the lunar calendar,
//! computed in UTC+7), yearly official announcements, and working-time arithmetic.
//!
//! STUB: the public API below is fixed; the implementation is being written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Time, Weekday};

/// Seconds in one working day (domain.md Decisions 1: a working day is 8 working hours).
pub const WORKING_DAY_SECONDS: i64 = 8 * 3600;

/// An amount of working time, in seconds of office hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct WorkingTime(pub i64);

impl WorkingTime {
    /// Working days (fractional allowed, e.g. 0.5 or 0.25), 1 day = 8 hours.
    pub fn from_days(days: f64) -> Result<Self, CalendarError> {
        if !days.is_finite() || days < 0.0 || days > 10_000.0 {
            return Err(CalendarError::InvalidDuration);
        }
        Ok(WorkingTime((days * WORKING_DAY_SECONDS as f64).round() as i64))
    }
    /// Working hours (fractional allowed).
    pub fn from_hours(hours: f64) -> Result<Self, CalendarError> {
        if !hours.is_finite() || hours < 0.0 || hours > 80_000.0 {
            return Err(CalendarError::InvalidDuration);
        }
        Ok(WorkingTime((hours * 3600.0).round() as i64))
    }
    pub fn seconds(self) -> i64 {
        self.0
    }
    pub fn days(self) -> f64 {
        self.0 as f64 / WORKING_DAY_SECONDS as f64
    }
}

impl std::ops::Add for WorkingTime {
    type Output = WorkingTime;
    fn add(self, o: WorkingTime) -> WorkingTime {
        WorkingTime(self.0 + o.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("invalid working duration")]
    InvalidDuration,
    #[error("invalid announcement: {0}")]
    InvalidAnnouncement(String),
    #[error("invalid office hours: {0}")]
    InvalidOfficeHours(String),
}

/// One working period of a day, local time (UTC+7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: Time,
    pub end: Time,
}

/// Office hours per weekday (Monday = index 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours {
    pub days: [Vec<Period>; 7],
}

impl Default for OfficeHours {
    fn default() -> Self {
        let std = vec![
            Period { start: Time::from_hms(7, 0, 0).unwrap_or(Time::MIDNIGHT), end: Time::from_hms(11, 0, 0).unwrap_or(Time::MIDNIGHT) },
            Period { start: Time::from_hms(13, 0, 0).unwrap_or(Time::MIDNIGHT), end: Time::from_hms(17, 0, 0).unwrap_or(Time::MIDNIGHT) },
        ];
        OfficeHours { days: [std.clone(), std.clone(), std.clone(), std.clone(), std.clone(), std, vec![]] }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Holiday,
    Workday,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayEntry {
    pub date: Date,
    pub name: String,
    pub kind: DayKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub year: i32,
    pub source: String,
    pub days_off: Vec<HolidayEntry>,
    pub working_days: Vec<HolidayEntry>,
}

impl Announcement {
    pub fn parse_toml(_text: &str) -> Result<Self, CalendarError> {
        Err(CalendarError::InvalidAnnouncement("stub".into()))
    }
}

#[derive(Debug, Clone)]
pub struct Calendar {
    pub hours: OfficeHours,
    pub announcements: BTreeMap<i32, Announcement>,
}

impl Calendar {
    pub fn new(hours: OfficeHours, announcements: Vec<Announcement>) -> Self {
        Calendar { hours, announcements: announcements.into_iter().map(|a| (a.year, a)).collect() }
    }
    pub fn vietnam_default() -> Self {
        Self::new(OfficeHours::default(), vec![])
    }
    pub fn with_hours(&self, hours: OfficeHours) -> Self {
        Calendar { hours, announcements: self.announcements.clone() }
    }
    pub fn holidays(&self, _year: i32) -> Vec<HolidayEntry> {
        vec![]
    }
    pub fn is_working_day(&self, date: Date) -> bool {
        date.weekday() != Weekday::Saturday && date.weekday() != Weekday::Sunday
    }
    pub fn is_working_instant(&self, _t: OffsetDateTime) -> bool {
        true
    }
    pub fn receipt_instant(&self, t: OffsetDateTime) -> OffsetDateTime {
        t
    }
    pub fn add(&self, start: OffsetDateTime, d: WorkingTime) -> OffsetDateTime {
        start + time::Duration::seconds(d.0 * 3)
    }
    pub fn between(&self, a: OffsetDateTime, b: OffsetDateTime) -> WorkingTime {
        WorkingTime(((b - a).whole_seconds() / 3).max(0))
    }
}
