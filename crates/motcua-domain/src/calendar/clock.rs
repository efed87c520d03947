//! Working-time arithmetic: receipt instant, due instant and elapsed working time
//! (domain.md Decisions 2–3).
//!
//! Instants of any offset are read in Vietnam's time, UTC+7, and results are returned in UTC.
//! Precision is one second: sub-second parts of inputs are dropped. Walks go day by day, and
//! skip whole weeks that hold no holiday or swapped day, so 10,000 working days take about
//! 2,000 steps.

use time::macros::offset;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::days::{DayRule, YearCache};
use super::office_hours::seconds_of_day;
use super::{Calendar, OfficeHours, Period, WorkingTime};

/// Vietnam's legal time.
const VIETNAM: UtcOffset = offset!(+7);
/// Seconds in a calendar day.
const DAY: i64 = 86_400;

impl Calendar {
    /// True when `t` lies inside a working period (start included, end excluded).
    pub fn is_working_instant(&self, t: OffsetDateTime) -> bool {
        let Some(local) = Local::of(t) else {
            return false;
        };
        let mut walk = Walk::new(self);
        walk.periods(local.date).iter().any(|&(s, e)| s <= local.sod && local.sod < e)
    }

    /// When the legal clock starts for a dossier accepted at `t` (Decisions 2): `t` itself
    /// inside a working period, otherwise the start of the next working period (lunch break →
    /// 13:00, evening → next working morning, weekend or holiday → next working day).
    /// A calendar with no office hours at all returns `t`.
    pub fn receipt_instant(&self, t: OffsetDateTime) -> OffsetDateTime {
        let Some(local) = Local::of(t) else { return t };
        let mut walk = Walk::new(self);
        if walk.schedule.week_total == 0 {
            return local.utc();
        }
        walk.next_working(local).map_or(t, Local::utc)
    }

    /// The due instant of a time limit `d` counted from `start` (Decisions 3): the instant at
    /// which `d` of working time has elapsed, walking only through office hours from
    /// [`Calendar::receipt_instant`]`(start)`. An instant that would be the start of a working
    /// period is written as the end of the previous one (Friday 17:00, never Monday 07:00);
    /// this falls out of the walk, which stops inside the period that uses the last second.
    /// `d` of zero (or negative) returns `receipt_instant(start)`.
    pub fn add(&self, start: OffsetDateTime, d: WorkingTime) -> OffsetDateTime {
        if d.0 <= 0 {
            return self.receipt_instant(start);
        }
        let Some(local) = Local::of(start) else {
            return start;
        };
        let mut walk = Walk::new(self);
        let week_total = walk.schedule.week_total;
        if week_total == 0 {
            return local.utc();
        }
        let (mut date, mut sod, mut remaining) = (local.date, local.sod, d.0);
        loop {
            for &(s, e) in walk.periods(date) {
                if e <= sod {
                    continue;
                }
                let from = s.max(sod);
                if remaining <= e - from {
                    return Local { date, sod: from + remaining }.utc();
                }
                remaining -= e - from;
            }
            let Some(next) = date.next_day() else {
                return Local { date, sod: DAY - 1 }.utc();
            };
            (date, sod) = (next, 0);
            while remaining > week_total && walk.plain_week(date) {
                let Some(later) = date.checked_add(Duration::days(7)) else {
                    break;
                };
                remaining -= week_total;
                date = later;
            }
        }
    }

    /// Working time elapsed from `a` to `b` (zero if `b <= a`).
    pub fn between(&self, a: OffsetDateTime, b: OffsetDateTime) -> WorkingTime {
        let (Some(a), Some(b)) = (Local::of(a), Local::of(b)) else {
            return WorkingTime::ZERO;
        };
        if (b.date, b.sod) <= (a.date, a.sod) {
            return WorkingTime::ZERO;
        }
        let mut walk = Walk::new(self);
        let (mut date, mut sod, mut total) = (a.date, a.sod, 0);
        loop {
            let end = if date == b.date { b.sod } else { DAY };
            total += walk.periods(date).iter().map(|&(s, e)| (e.min(end) - s.max(sod)).max(0)).sum::<i64>();
            let Some(next) = date.next_day().filter(|_| date < b.date) else {
                break;
            };
            (date, sod) = (next, 0);
            while let Some(later) = date.checked_add(Duration::days(7)) {
                if later > b.date || !walk.plain_week(date) {
                    break;
                }
                total += walk.schedule.week_total;
                date = later;
            }
        }
        WorkingTime(total)
    }

    /// The office periods of a date, after holidays and swapped working days.
    pub fn office_periods(&self, date: Date) -> Vec<Period> {
        let mut walk = Walk::new(self);
        let to_time = |s: i64| Time::MIDNIGHT + Duration::seconds(s);
        walk.periods(date).iter().map(|&(s, e)| Period { start: to_time(s), end: to_time(e) }).collect()
    }
}

/// A local (UTC+7) instant: date and second of the day.
#[derive(Debug, Clone, Copy)]
struct Local {
    date: Date,
    sod: i64,
}

impl Local {
    fn of(t: OffsetDateTime) -> Option<Local> {
        let local = t.checked_to_offset(VIETNAM)?;
        Some(Local { date: local.date(), sod: seconds_of_day(local.time()) })
    }

    fn utc(self) -> OffsetDateTime {
        let time = Time::MIDNIGHT + Duration::seconds(self.sod);
        let local = PrimitiveDateTime::new(self.date, time).assume_offset(VIETNAM);
        local.checked_to_offset(UtcOffset::UTC).unwrap_or(local)
    }
}

/// Office hours as sorted, merged `(start, end)` seconds of the day.
#[derive(Debug)]
struct Schedule {
    weekly: [Vec<(i64, i64)>; 7],
    /// Periods of a swapped working day whose weekday has no hours of its own: the first
    /// Monday–Friday day's periods (Decisions 1: a swapped Saturday works like a weekday).
    swapped: Vec<(i64, i64)>,
    /// Working seconds of a week without exceptions.
    week_total: i64,
}

impl Schedule {
    fn new(hours: &OfficeHours) -> Schedule {
        let weekly = hours.days.each_ref().map(|periods| normalise(periods));
        let swapped = weekly[..5].iter().find(|p| !p.is_empty()).cloned().unwrap_or_default();
        let week_total = weekly.iter().flatten().map(|(s, e)| e - s).sum();
        Schedule { weekly, swapped, week_total }
    }

    fn periods(&self, date: Date, rule: DayRule) -> &[(i64, i64)] {
        let own = &self.weekly[usize::from(date.weekday().number_days_from_monday())];
        match rule {
            DayRule::Off => &[],
            DayRule::Normal => own,
            DayRule::Working if own.is_empty() => &self.swapped,
            DayRule::Working => own,
        }
    }
}

/// Sorted periods with overlapping or touching ones merged and empty ones dropped, so values
/// built without [`OfficeHours::new`] still give sound arithmetic.
fn normalise(periods: &[Period]) -> Vec<(i64, i64)> {
    let mut spans: Vec<(i64, i64)> =
        periods.iter().map(|p| (seconds_of_day(p.start), seconds_of_day(p.end))).filter(|(s, e)| s < e).collect();
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// A walk through consecutive dates of one calendar.
struct Walk<'a> {
    calendar: &'a Calendar,
    schedule: Schedule,
    years: YearCache,
}

impl<'a> Walk<'a> {
    fn new(calendar: &'a Calendar) -> Self {
        Walk { calendar, schedule: Schedule::new(&calendar.hours), years: YearCache::default() }
    }

    fn periods(&mut self, date: Date) -> &[(i64, i64)] {
        let rule = self.years.get(self.calendar, date.year()).rule(date);
        self.schedule.periods(date, rule)
    }

    /// True when the seven dates from `date` are in one year and none is an exception.
    fn plain_week(&mut self, date: Date) -> bool {
        let Some(last) = date.checked_add(Duration::days(6)) else {
            return false;
        };
        last.year() == date.year() && self.years.get(self.calendar, date.year()).plain_between(date, last)
    }

    /// `from` if it is inside a working period, else the start of the next one (`None` past
    /// the last representable date).
    fn next_working(&mut self, from: Local) -> Option<Local> {
        let (mut date, mut sod) = (from.date, from.sod);
        loop {
            if let Some(&(s, _)) = self.periods(date).iter().find(|&&(_, e)| e > sod) {
                return Some(Local { date, sod: s.max(sod) });
            }
            (date, sod) = (date.next_day()?, 0);
        }
    }
}
