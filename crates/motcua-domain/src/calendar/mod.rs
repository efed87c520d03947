//! Working calendar: Vietnamese office hours, statutory holidays (from the lunar calendar,
//! computed in UTC+7), yearly official announcements, and working-time arithmetic.
//!
//! - [`lunar`]: the Vietnamese lunar calendar (Hồ Ngọc Đức's algorithm, UTC+7).
//! - [`statutory`]: the holidays of the Labour Code for any year, with compensatory days.
//! - [`announcement`]: the Government's yearly notices, shipped as `data/holidays/YYYY.toml`.
//! - [`office_hours`]: the working periods of each weekday.
//! - `days`: which dates are off or swapped working days in a year.
//! - `clock`: receipt instant, due instant and elapsed working time on [`Calendar`].

pub mod announcement;
mod clock;
mod days;
pub mod lunar;
pub mod office_hours;
pub mod statutory;
mod working_time;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

pub use announcement::{Announcement, shipped_announcements};
pub use lunar::LunarDate;
pub use office_hours::{OfficeHours, Period};
pub use working_time::WorkingTime;

use days::YearDays;

/// Seconds in one working day (domain.md Decisions 1: a working day is 8 working hours).
pub const WORKING_DAY_SECONDS: i64 = 8 * 3600;

/// Why a calendar input (duration, announcement, office hours) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("invalid working duration")]
    InvalidDuration,
    #[error("invalid announcement: {0}")]
    InvalidAnnouncement(String),
    #[error("invalid office hours: {0}")]
    InvalidOfficeHours(String),
}

/// Whether a listed date is a day off or a (swapped) working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Holiday,
    Workday,
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// One listed date: a day off or a swapped working day, with its Vietnamese name.
/// Serialised as `{"date": "2025-01-01", "name": "Tết Dương lịch", "kind": "holiday"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayEntry {
    #[serde(with = "iso_date")]
    pub date: Date,
    pub name: String,
    pub kind: DayKind,
}

/// A center's working calendar: its office hours and the yearly announcements it knows.
/// Years without an announcement use the computed statutory holidays.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub hours: OfficeHours,
    pub announcements: BTreeMap<i32, Announcement>,
}

impl Calendar {
    /// A calendar from office hours and announcements (one per year; a later one for the same
    /// year replaces an earlier one). Validate announcements with
    /// [`Announcement::parse_toml`] or [`Announcement::validate`] first.
    pub fn new(hours: OfficeHours, announcements: Vec<Announcement>) -> Self {
        Calendar { hours, announcements: announcements.into_iter().map(|a| (a.year, a)).collect() }
    }

    /// Default office hours and the announcements shipped for 2024–2026 (Decisions 1, 9).
    pub fn vietnam_default() -> Self {
        Self::new(OfficeHours::default(), shipped_announcements().to_vec())
    }

    /// The same holidays with other office hours.
    pub fn with_hours(&self, hours: OfficeHours) -> Self {
        Calendar { hours, announcements: self.announcements.clone() }
    }

    /// Every listed date of `year`, sorted: days off ([`DayKind::Holiday`], including those on
    /// weekends) and swapped working days ([`DayKind::Workday`]). From the year's announcement
    /// if there is one, else the statutory holidays with their compensatory days.
    pub fn holidays(&self, year: i32) -> Vec<HolidayEntry> {
        YearDays::of(self, year).into_entries()
    }

    /// True when `date` has office hours: not a day off, and either a weekday with hours or a
    /// swapped working day.
    pub fn is_working_day(&self, date: Date) -> bool {
        !self.office_periods(date).is_empty()
    }
}
