//! Office hours: the working periods of each weekday (domain.md Decisions 1, §2.1).
//!
//! Default: Monday–Friday 07:00–11:00 and 13:00–17:00 (UTC+7), no Saturday or Sunday hours.
//! Exact daily hours are set locally, so each center configures its own, in a short text form
//! that [`OfficeHours::parse`] reads and [`fmt::Display`] writes back:
//! `mon-fri 07:00-11:00,13:00-17:00; sat 07:30-11:30`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::macros::time;
use time::{Time, Weekday};

use super::CalendarError;

/// Short weekday names used by the text form, Monday first.
const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One working period of a day, local time (UTC+7), from `start` (included) to `end` (excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: Time,
    pub end: Time,
}

impl Period {
    /// A period with `start < end`, both in whole seconds.
    pub fn new(start: Time, end: Time) -> Result<Period, CalendarError> {
        let period = Period { start, end };
        period.validate()?;
        Ok(period)
    }

    /// Length in seconds (0 for an invalid period that ends before it starts).
    pub fn seconds(&self) -> i64 {
        (seconds_of_day(self.end) - seconds_of_day(self.start)).max(0)
    }

    fn validate(&self) -> Result<(), CalendarError> {
        if self.start.nanosecond() != 0 || self.end.nanosecond() != 0 {
            return Err(invalid(format!("{self}: office hours are in whole seconds")));
        }
        if self.start >= self.end {
            return Err(invalid(format!("{self}: a period must end after it starts")));
        }
        Ok(())
    }
}

impl fmt::Display for Period {
    /// `07:00-11:00` (seconds shown only when not zero).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", HhMm(self.start), HhMm(self.end))
    }
}

/// Office hours per weekday (Monday = index 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours {
    pub days: [Vec<Period>; 7],
}

impl Default for OfficeHours {
    /// Monday–Friday 07:00–11:00 and 13:00–17:00; Saturday and Sunday closed (Decisions 1).
    fn default() -> Self {
        let weekday =
            vec![Period { start: time!(07:00), end: time!(11:00) }, Period { start: time!(13:00), end: time!(17:00) }];
        let w = || weekday.clone();
        OfficeHours { days: [w(), w(), w(), w(), w(), vec![], vec![]] }
    }
}

impl OfficeHours {
    /// Validated office hours: each day's periods are sorted here, and must not overlap;
    /// at least one day must have a period.
    pub fn new(mut days: [Vec<Period>; 7]) -> Result<Self, CalendarError> {
        for periods in &mut days {
            periods.sort_by_key(|p| (p.start, p.end));
        }
        let hours = OfficeHours { days };
        hours.validate()?;
        Ok(hours)
    }

    /// Reads the text form: `;`-separated clauses, each a day list (`mon`, `mon-fri`,
    /// `mon,wed`) and a `,`-separated list of `HH:MM-HH:MM` periods (seconds optional).
    /// Days not named are closed. Example: `mon-fri 07:00-11:00,13:00-17:00; sat 07:30-11:30`.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        let mut days: [Option<Vec<Period>>; 7] = Default::default();
        for clause in text.split(';').map(str::trim).filter(|c| !c.is_empty()) {
            let (day_spec, period_spec) = clause.split_once(char::is_whitespace).ok_or_else(|| {
                invalid(format!("`{clause}`: expected days then periods, e.g. `mon-fri 07:00-11:00`"))
            })?;
            let periods = parse_periods(period_spec)?;
            for day in parse_days(day_spec)? {
                if days[day].is_some() {
                    return Err(invalid(format!("`{}` is given more than once", DAY_NAMES[day])));
                }
                days[day] = Some(periods.clone());
            }
        }
        OfficeHours::new(days.map(Option::unwrap_or_default))
    }

    /// The periods of one weekday.
    pub fn periods(&self, weekday: Weekday) -> &[Period] {
        &self.days[usize::from(weekday.number_days_from_monday())]
    }

    /// Checks what [`OfficeHours::new`] guarantees (for values built field by field).
    pub fn validate(&self) -> Result<(), CalendarError> {
        for (name, periods) in DAY_NAMES.iter().zip(&self.days) {
            for period in periods {
                period.validate()?;
            }
            for pair in periods.windows(2) {
                if pair[1].start < pair[0].end {
                    return Err(invalid(format!("{name}: {} overlaps or precedes {}", pair[1], pair[0])));
                }
            }
        }
        if self.days.iter().all(Vec::is_empty) {
            return Err(invalid("no working period on any day".into()));
        }
        Ok(())
    }
}

impl FromStr for OfficeHours {
    type Err = CalendarError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        OfficeHours::parse(text)
    }
}

impl fmt::Display for OfficeHours {
    /// The text form read by [`OfficeHours::parse`]; consecutive days with equal periods are
    /// grouped (`mon-fri ...`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut i = 0;
        while i < 7 {
            let mut j = i;
            while j + 1 < 7 && self.days[j + 1] == self.days[i] {
                j += 1;
            }
            if !self.days[i].is_empty() {
                f.write_str(if first { "" } else { "; " })?;
                first = false;
                match i == j {
                    true => f.write_str(DAY_NAMES[i])?,
                    false => write!(f, "{}-{}", DAY_NAMES[i], DAY_NAMES[j])?,
                }
                for (k, period) in self.days[i].iter().enumerate() {
                    write!(f, "{}{period}", if k == 0 { " " } else { "," })?;
                }
            }
            i = j + 1;
        }
        Ok(())
    }
}

/// Seconds since local midnight, sub-second part dropped.
pub(crate) fn seconds_of_day(t: Time) -> i64 {
    i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second())
}

fn invalid(message: String) -> CalendarError {
    CalendarError::InvalidOfficeHours(message)
}

/// `HH:MM`, or `HH:MM:SS` when the seconds are not zero.
struct HhMm(Time);

impl fmt::Display for HhMm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())?;
        match self.0.second() {
            0 => Ok(()),
            s => write!(f, ":{s:02}"),
        }
    }
}

fn parse_days(spec: &str) -> Result<Vec<usize>, CalendarError> {
    let day = |name: &str| {
        let name = name.trim().to_ascii_lowercase();
        DAY_NAMES
            .iter()
            .position(|d| *d == name)
            .ok_or_else(|| invalid(format!("unknown day `{name}` (use mon, tue, wed, thu, fri, sat, sun)")))
    };
    let mut days = Vec::new();
    for part in spec.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                if from > to {
                    return Err(invalid(format!("day range `{part}` must run from Monday towards Sunday")));
                }
                days.extend(from..=to);
            }
            None => days.push(day(part)?),
        }
    }
    Ok(days)
}

fn parse_periods(spec: &str) -> Result<Vec<Period>, CalendarError> {
    let compact: String = spec.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .split(',')
        .map(|period| {
            let (start, end) = period
                .split_once('-')
                .ok_or_else(|| invalid(format!("`{period}`: expected a period like `07:00-11:00`")))?;
            Period::new(parse_time(start)?, parse_time(end)?)
        })
        .collect()
}

fn parse_time(text: &str) -> Result<Time, CalendarError> {
    let bad = || invalid(format!("`{text}`: expected a time like `07:30` or `07:30:00`"));
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let mut numbers = [0u8; 3];
    for (slot, part) in numbers.iter_mut().zip(&parts) {
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        *slot = part.parse().map_err(|_| bad())?;
    }
    Time::from_hms(numbers[0], numbers[1], numbers[2]).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_valid_office_hours_round_trip_through_the_text_form(
            boundaries in prop::array::uniform7(prop::collection::btree_set(0i64..86_400, 0..7))
        ) {
            let days = boundaries.map(|set| {
                let at = |s: i64| Time::MIDNIGHT + time::Duration::seconds(s);
                let sorted: Vec<i64> = set.into_iter().collect();
                sorted.chunks_exact(2).map(|c| Period { start: at(c[0]), end: at(c[1]) }).collect::<Vec<_>>()
            });
            prop_assume!(days.iter().any(|d| !d.is_empty()));
            let hours = OfficeHours::new(days).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(OfficeHours::parse(&hours.to_string()), Ok(hours));
        }
    }

    #[test]
    fn the_default_is_monday_to_friday_with_a_lunch_break() {
        let hours = OfficeHours::default();
        assert_eq!(hours.to_string(), "mon-fri 07:00-11:00,13:00-17:00");
        assert!(hours.periods(Weekday::Saturday).is_empty());
        assert_eq!(hours.validate(), Ok(()));
    }

    #[test]
    fn the_text_form_round_trips() {
        for text in [
            "mon-fri 07:00-11:00,13:00-17:00; sat 07:30-11:30",
            "mon 08:00-12:00; wed 08:00-12:00; fri-sun 07:30:30-11:30",
            "sun 00:00-23:59:59",
        ] {
            let hours = OfficeHours::parse(text).map_err(|e| e.to_string());
            assert_eq!(hours.map(|h| h.to_string()).as_deref(), Ok(text));
        }
    }

    #[test]
    fn parse_sorts_periods_and_accepts_lists_and_spaces() {
        let hours = OfficeHours::parse(" MON,tue  13:00-17:00, 07:00-11:00 ;").map_err(|e| e.to_string());
        assert_eq!(hours.map(|h| h.to_string()).as_deref(), Ok("mon-tue 07:00-11:00,13:00-17:00"));
    }

    #[test]
    fn parse_rejects_bad_input_with_a_reason() {
        for (text, needle) in [
            ("", "no working period"),
            ("mon-fri 07:00-11:00,10:00-12:00", "overlaps"),
            ("mon 11:00-07:00", "must end after"),
            ("fri-mon 07:00-11:00", "from Monday towards Sunday"),
            ("funday 07:00-11:00", "unknown day"),
            ("mon 7h-11h", "expected a time"),
            ("mon 25:00-26:00", "expected a time"),
            ("mon", "expected days then periods"),
            ("mon 07:00-11:00; mon-fri 13:00-17:00", "more than once"),
        ] {
            let err = OfficeHours::parse(text).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains(needle), "{text:?}: got {err:?}, expected {needle:?}");
        }
    }
}
