//! Statutory public holidays of any year, computed from the law (domain.md §10, Decisions 9).
//!
//! Used for years without an official announcement (see [`super::Announcement`]). Each rule is
//! one function naming its legal source. The rules follow the law in force in the year asked:
//! Bộ luật Lao động 2019 (Law 45/2019/QH14, from 2021), Bộ luật Lao động 2012 (Law 10/2012/QH13,
//! from 01/05/2013) and Bộ luật Lao động 1994 (from 1995, amended 2007). Where the law leaves
//! the choice to the Prime Minister (which five Tết days, which day next to 2/9), the rule is
//! the one every Government decision has followed, which is also what PyPI `holidays` (VN)
//! encodes; the test `calendar_pypi` compares both for 2020–2030.

use std::collections::{BTreeMap, BTreeSet};

use time::{Date, Duration, Month, Weekday};

use super::lunar::{LunarDate, lunar_new_year};
use super::{DayKind, HolidayEntry};

/// Name of 1 January.
pub const NEW_YEARS_DAY: &str = "Tết Dương lịch";
/// Name of the lunar new year holiday.
pub const TET: &str = "Tết Nguyên đán";
/// Name of 10/3 lunar.
pub const HUNG_KINGS_DAY: &str = "Giỗ Tổ Hùng Vương";
/// Name of 30 April.
pub const VICTORY_DAY: &str = "Ngày Chiến thắng";
/// Name of 1 May.
pub const LABOUR_DAY: &str = "Ngày Quốc tế Lao động";
/// Name of 2 September.
pub const NATIONAL_DAY: &str = "Ngày Quốc khánh";
/// Name of the day next to 2 September.
pub const NATIONAL_DAY_ADJACENT: &str = "Ngày Quốc khánh (ngày liền kề)";
/// Name of 24 November.
pub const CULTURE_DAY: &str = "Ngày Văn hóa Việt Nam";
/// Prefix of a compensatory day's name: "Nghỉ bù Giỗ Tổ Hùng Vương".
pub const COMPENSATORY_PREFIX: &str = "Nghỉ bù";

/// Names of the Tết days, from lunar new year's eve (index 0) to the fourth day.
const TET_DAY_NAMES: [&str; 5] = [
    "Tết Nguyên đán (giao thừa)",
    "Tết Nguyên đán (mùng 1)",
    "Tết Nguyên đán (mùng 2)",
    "Tết Nguyên đán (mùng 3)",
    "Tết Nguyên đán (mùng 4)",
];

/// All statutory days off of `year`, with the compensatory days, sorted, kind
/// [`DayKind::Holiday`]. Holidays falling on a weekend are listed too (followed by their
/// compensatory day). Two holidays on one date are one entry with both names.
pub fn statutory_holidays(year: i32) -> Vec<HolidayEntry> {
    let mut days = DaysOff { year, names: BTreeMap::new() };
    let tet = lunar_new_year_days(year);
    let mut single: BTreeSet<Date> = BTreeSet::new();
    let fixed = [
        (new_years_day(year), NEW_YEARS_DAY),
        (hung_kings_day(year), HUNG_KINGS_DAY),
        (victory_day(year), VICTORY_DAY),
        (labour_day(year), LABOUR_DAY),
        (vietnamese_culture_day(year), CULTURE_DAY),
    ];
    for (date, name) in fixed.into_iter().filter_map(|(d, n)| Some((d?, n))) {
        days.add(date, name);
        single.insert(date);
    }
    for (date, name) in national_day(year) {
        if name == NATIONAL_DAY {
            single.insert(date);
        }
        days.add(date, name);
    }
    for &(date, name) in &tet {
        days.add(date, name);
    }
    if year >= COMPENSATION_SINCE {
        compensate_tet(&mut days, &tet);
        compensate_weekly_rest(&mut days, &single);
    }
    days.names.into_iter().map(|(date, name)| HolidayEntry { date, name, kind: DayKind::Holiday }).collect()
}

/// Tết Dương lịch, 1 January: Bộ luật Lao động 2019 art. 112.1.a.
pub fn new_years_day(year: i32) -> Option<Date> {
    Date::from_calendar_date(year, Month::January, 1).ok()
}

/// Tết Âm lịch, five days: Bộ luật Lao động 2019 art. 112.1.b (five days since 01/05/2013,
/// Bộ luật Lao động 2012 art. 115; four before). Art. 112.3 lets the Prime Minister fix the
/// days each year; the rule here is lunar new year's eve plus days 1–4 (1–3 before 2013), as in
/// PyPI `holidays`. The eve is the last day of month 12, whether the 29th or the 30th.
pub fn lunar_new_year_days(year: i32) -> Vec<(Date, &'static str)> {
    let Some(first_day) = lunar_new_year(year) else {
        return vec![];
    };
    let count = if year >= 2013 { 5 } else { 4 };
    (0..count)
        .filter_map(|i| {
            let date = first_day.checked_add(Duration::days(i as i64 - 1))?;
            Some((date, TET_DAY_NAMES[i]))
        })
        .collect()
}

/// Giỗ Tổ Hùng Vương, 10/3 lunar: Bộ luật Lao động 2019 art. 112.1.e (a holiday since 2007,
/// Law 84/2007/QH11 amending art. 73 of the 1994 code).
pub fn hung_kings_day(year: i32) -> Option<Date> {
    (year >= 2007).then(|| LunarDate { year, month: 3, day: 10, leap: false }.to_solar())?
}

/// Ngày Chiến thắng, 30 April: Bộ luật Lao động 2019 art. 112.1.c.
pub fn victory_day(year: i32) -> Option<Date> {
    Date::from_calendar_date(year, Month::April, 30).ok()
}

/// Ngày Quốc tế Lao động, 1 May: Bộ luật Lao động 2019 art. 112.1.d.
pub fn labour_day(year: i32) -> Option<Date> {
    Date::from_calendar_date(year, Month::May, 1).ok()
}

/// Quốc khánh: 2 September and, since 2021, one adjacent day before or after (Bộ luật Lao
/// động 2019 art. 112.1.đ; the Prime Minister picks the day, art. 112.3). The pick, as every
/// decision since 2021 and PyPI `holidays`: 2/9 on Monday → Tuesday 3/9; Tuesday or Wednesday
/// → 1/9; Thursday → Friday 3/9; Friday or Saturday → 1/9; Sunday → Monday 3/9. So the
/// adjacent day is always a weekday; 2/9 itself on a weekend gets a compensatory day.
pub fn national_day(year: i32) -> Vec<(Date, &'static str)> {
    let Ok(day) = Date::from_calendar_date(year, Month::September, 2) else {
        return vec![];
    };
    let mut days = vec![(day, NATIONAL_DAY)];
    if year >= 2021 {
        let adjacent = match day.weekday() {
            Weekday::Monday | Weekday::Thursday | Weekday::Sunday => day.next_day(),
            _ => day.previous_day(),
        };
        days.extend(adjacent.map(|d| (d, NATIONAL_DAY_ADJACENT)));
    }
    days
}

/// Ngày Văn hóa Việt Nam, 24 November, a paid day off from 2026: Politburo Resolution
/// 80-NQ/TW (January 2026), listed by PyPI `holidays` 0.108+; domain.md Decisions 9. A day
/// off in lieu is given when it falls on a weekend, like the other holidays.
pub fn vietnamese_culture_day(year: i32) -> Option<Date> {
    (year >= 2026).then(|| Date::from_calendar_date(year, Month::November, 24).ok())?
}

/// First year with compensatory days: Bộ luật Lao động 1994 art. 73, in force 01/01/1995.
const COMPENSATION_SINCE: i32 = 1995;

/// Tết days falling on the weekly rest day: Bộ luật Lao động 2019 art. 111.3 gives the next
/// working day off. For Tết the Prime Minister fixes the break (art. 112.3), and since 2014
/// every decision has placed a lost Saturday on the working day *before* Tết and a lost Sunday
/// after it (e.g. 2024: Thu 08/02 and Wed 14/02, CV 8662/VPCP-KGVX); PyPI `holidays` encodes
/// the same. Before 2014 both went to the next working day.
fn compensate_tet(days: &mut DaysOff, tet: &[(Date, &'static str)]) {
    let name = format!("{COMPENSATORY_PREFIX} {TET}");
    for &(date, _) in tet {
        let backwards = days.year >= 2014 && date.weekday() == Weekday::Saturday;
        if is_weekly_rest(date)
            && let Some(free) = days.next_free(date, !backwards)
        {
            days.add(free, &name);
        }
    }
}

/// A holiday falling on the weekly rest day (Saturday or Sunday for civil servants) gives the
/// next working day off: Bộ luật Lao động 2019 art. 111.3 ("được nghỉ bù ... vào ngày làm việc
/// kế tiếp"). Processed in date order, so consecutive weekend holidays take consecutive days.
fn compensate_weekly_rest(days: &mut DaysOff, holidays: &BTreeSet<Date>) {
    for &date in holidays {
        if is_weekly_rest(date)
            && let Some(free) = days.next_free(date, true)
        {
            let name = format!("{COMPENSATORY_PREFIX} {}", days.names.get(&date).map_or("", String::as_str));
            days.add(free, &name);
        }
    }
}

/// Saturday and Sunday, the civil servants' weekly rest days.
fn is_weekly_rest(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The days off of one year being built, by date.
struct DaysOff {
    year: i32,
    names: BTreeMap<Date, String>,
}

impl DaysOff {
    fn add(&mut self, date: Date, name: &str) {
        self.names
            .entry(date)
            .and_modify(|n| {
                n.push_str(", ");
                n.push_str(name);
            })
            .or_insert_with(|| name.to_owned());
    }

    /// The nearest weekday after (or before) `from` that is not already a day off, within the
    /// same year.
    fn next_free(&self, from: Date, forward: bool) -> Option<Date> {
        let mut date = from;
        loop {
            date = if forward { date.next_day()? } else { date.previous_day()? };
            if date.year() != self.year {
                return None;
            }
            if !is_weekly_rest(date) && !self.names.contains_key(&date) {
                return Some(date);
            }
        }
    }
}
