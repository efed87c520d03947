//! Yearly official announcements: the Government's notices of the actual days off and swapped
//! working days for civil servants (domain.md §10, Decisions 9–10), kept as data in
//! `data/holidays/YYYY.toml`.
//!
//! An announcement for a year replaces the computed statutory days of that year entirely: it
//! lists every day off (holidays, compensatory days, swapped days, and the weekly rest days
//! inside a break the notice declares) and every swapped working Saturday or Sunday.
//!
//! ```toml
//! year = 2025
//! source = "CV 8726/VPCP-KGVX (26/11/2024)"
//!
//! [[days_off]]
//! date = 2025-05-02
//! name = "Nghỉ hoán đổi (làm bù thứ Bảy 26/04/2025)"
//!
//! [[working_days]]
//! date = 2025-04-26
//! name = "Làm bù cho thứ Sáu 02/05/2025"
//! ```

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use time::{Date, Month, Weekday};

use super::{CalendarError, DayKind, HolidayEntry};

/// One year's official notice of days off and swapped working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    /// The year covered; every date lies in it.
    pub year: i32,
    /// The notices it comes from (numbers and dates), shown to users.
    pub source: String,
    /// Days off, kind [`DayKind::Holiday`].
    pub days_off: Vec<HolidayEntry>,
    /// Weekend days that are working days, kind [`DayKind::Workday`].
    pub working_days: Vec<HolidayEntry>,
}

/// The announcements shipped with Motcua (2024–2026), embedded at build time.
static SHIPPED: LazyLock<Vec<Announcement>> = LazyLock::new(|| {
    [
        include_str!("../../../../data/holidays/2024.toml"),
        include_str!("../../../../data/holidays/2025.toml"),
        include_str!("../../../../data/holidays/2026.toml"),
    ]
    .into_iter()
    .filter_map(|text| Announcement::parse_toml(text).ok())
    .collect()
});

/// The announcements shipped in `data/holidays/` (a test checks that every file parses).
pub fn shipped_announcements() -> &'static [Announcement] {
    &SHIPPED
}

impl Announcement {
    /// Reads and validates one `YYYY.toml` announcement (format in the module docs).
    pub fn parse_toml(text: &str) -> Result<Self, CalendarError> {
        let raw: RawAnnouncement = toml::from_str(text).map_err(|e| invalid(e.to_string().trim().to_owned()))?;
        let entries =
            |days: Vec<RawDay>, kind| days.into_iter().map(|d| d.into_entry(kind)).collect::<Result<Vec<_>, _>>();
        let mut announcement = Announcement {
            year: raw.year,
            source: raw.source,
            days_off: entries(raw.days_off, DayKind::Holiday)?,
            working_days: entries(raw.working_days, DayKind::Workday)?,
        };
        announcement.days_off.sort_by_key(|e| e.date);
        announcement.working_days.sort_by_key(|e| e.date);
        announcement.validate()?;
        Ok(announcement)
    }

    /// Checks the rules [`Announcement::parse_toml`] enforces, reporting every problem found:
    /// a source, at least one day off, names, dates inside the year, no date listed twice or
    /// both off and working, and working days only on Saturday or Sunday (swaps).
    pub fn validate(&self) -> Result<(), CalendarError> {
        let mut problems = Vec::new();
        if self.source.trim().is_empty() {
            problems.push("`source` must name the official notice".to_owned());
        }
        if self.days_off.is_empty() {
            problems.push("`days_off` is empty: an announcement replaces the year's statutory holidays".to_owned());
        }
        let mut off = BTreeSet::new();
        for entry in &self.days_off {
            self.check_entry(entry, "days_off", &mut problems);
            if !off.insert(entry.date) {
                problems.push(format!("{} is listed twice in `days_off`", entry.date));
            }
        }
        let mut working = BTreeSet::new();
        for entry in &self.working_days {
            self.check_entry(entry, "working_days", &mut problems);
            if !working.insert(entry.date) {
                problems.push(format!("{} is listed twice in `working_days`", entry.date));
            }
            if off.contains(&entry.date) {
                problems.push(format!("{} is both a day off and a working day", entry.date));
            }
            if !matches!(entry.date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                problems.push(format!(
                    "{} is a {}: `working_days` are swapped Saturdays or Sundays only",
                    entry.date,
                    entry.date.weekday()
                ));
            }
        }
        match problems.is_empty() {
            true => Ok(()),
            false => Err(invalid(format!("{}: {}", self.year, problems.join("; ")))),
        }
    }

    fn check_entry(&self, entry: &HolidayEntry, list: &str, problems: &mut Vec<String>) {
        if entry.date.year() != self.year {
            problems.push(format!(
                "{} in `{list}` is outside {} (put it in that year's announcement)",
                entry.date, self.year
            ));
        }
        if entry.name.trim().is_empty() {
            problems.push(format!("{} in `{list}` has no name", entry.date));
        }
    }
}

fn invalid(message: String) -> CalendarError {
    CalendarError::InvalidAnnouncement(message)
}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnnouncement {
    year: i32,
    source: String,
    #[serde(default)]
    days_off: Vec<RawDay>,
    #[serde(default)]
    working_days: Vec<RawDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    date: toml::value::Datetime,
    name: String,
}

impl RawDay {
    fn into_entry(self, kind: DayKind) -> Result<HolidayEntry, CalendarError> {
        let bad = || invalid(format!("`{}` must be a plain date like 2025-01-01", self.date));
        let d = match (self.date.date, self.date.time, self.date.offset) {
            (Some(d), None, None) => d,
            _ => return Err(bad()),
        };
        let month = Month::try_from(d.month).map_err(|_| bad())?;
        let date = Date::from_calendar_date(i32::from(d.year), month, d.day).map_err(|_| bad())?;
        Ok(HolidayEntry { date, name: self.name, kind })
    }
}
