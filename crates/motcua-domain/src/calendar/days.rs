//! Which dates are days off or swapped working days, per year: the year's announcement if
//! there is one, otherwise the computed statutory holidays (domain.md Decisions 9).

use std::collections::BTreeMap;

use time::Date;

use super::statutory::statutory_holidays;
use super::{Calendar, DayKind, HolidayEntry};

/// How a date departs from the weekly office hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DayRule {
    /// The weekly office hours apply.
    Normal,
    /// Announced or statutory day off: no office hours.
    Off,
    /// Swapped working day (a Saturday or Sunday made a working day).
    Working,
}

/// The exceptions of one year, by date.
#[derive(Debug, Clone)]
pub(crate) struct YearDays {
    pub(crate) year: i32,
    entries: BTreeMap<Date, HolidayEntry>,
}

impl YearDays {
    /// The announcement of `year` if the calendar has one, else the statutory days.
    /// With an unvalidated announcement, a date both off and working is off.
    pub(crate) fn of(calendar: &Calendar, year: i32) -> YearDays {
        let mut entries = BTreeMap::new();
        match calendar.announcements.get(&year) {
            Some(announcement) => {
                let working = announcement.working_days.iter().map(|e| (e, DayKind::Workday));
                let off = announcement.days_off.iter().map(|e| (e, DayKind::Holiday));
                for (entry, kind) in working.chain(off).filter(|(e, _)| e.date.year() == year) {
                    entries.insert(entry.date, HolidayEntry { kind, ..entry.clone() });
                }
            }
            None => {
                for entry in statutory_holidays(year) {
                    entries.insert(entry.date, entry);
                }
            }
        }
        YearDays { year, entries }
    }

    pub(crate) fn rule(&self, date: Date) -> DayRule {
        match self.entries.get(&date).map(|e| e.kind) {
            None => DayRule::Normal,
            Some(DayKind::Holiday) => DayRule::Off,
            Some(DayKind::Workday) => DayRule::Working,
        }
    }

    /// True when no date in `from..=to` is an exception.
    pub(crate) fn plain_between(&self, from: Date, to: Date) -> bool {
        self.entries.range(from..=to).next().is_none()
    }

    pub(crate) fn into_entries(self) -> Vec<HolidayEntry> {
        self.entries.into_values().collect()
    }
}

/// Caches the [`YearDays`] of the year last asked, for walks through consecutive dates.
#[derive(Debug, Default)]
pub(crate) struct YearCache {
    current: Option<YearDays>,
}

impl YearCache {
    pub(crate) fn get(&mut self, calendar: &Calendar, year: i32) -> &YearDays {
        if self.current.as_ref().is_some_and(|y| y.year != year) {
            self.current = None;
        }
        self.current.get_or_insert_with(|| YearDays::of(calendar, year))
    }
}
