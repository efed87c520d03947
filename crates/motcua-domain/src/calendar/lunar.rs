//! The Vietnamese lunar calendar (âm lịch), computed astronomically for UTC+7.
//!
//! Hồ Ngọc Đức's algorithm ("Thuật toán tính âm lịch"): months start on the local day of the
//! astronomical new moon, month 11 is the month holding the winter solstice, and in a year with
//! 13 months the first month without a major solar term (trung khí) is the leap month. New moons
//! and the sun's longitude come from Jean Meeus' approximations. Everything is evaluated at
//! UTC+7, which is why Vietnamese Tết differs from the Chinese (UTC+8) New Year in some years
//! (1985, 2007, 2030, 2053) and why the Chinese-calendar crates cannot be used (DESIGN.md).
//!
//! Internally dates are Julian Day Numbers (`i64`), so the computation never overflows for any
//! [`Date`]; [`LunarDate::to_solar`] returns `None` only when the result is out of range.

use std::f64::consts::PI;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

/// Hours east of UTC used for every astronomical instant: Vietnam's legal time, UTC+7.
const TIME_ZONE: f64 = 7.0;
/// Mean synodic month in days.
const SYNODIC_MONTH: f64 = 29.530588853;
/// Julian day of the new moon of 1900-01-01, the origin of the new-moon index `k`.
const NEW_MOON_EPOCH: f64 = 2_415_021.076_998_695;

/// A date of the Vietnamese lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LunarDate {
    /// Lunar year, numbered like the solar year in which its month 1 starts.
    pub year: i32,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=30.
    pub day: u8,
    /// True for the intercalary month (tháng nhuận) that repeats `month`.
    pub leap: bool,
}

impl LunarDate {
    /// The lunar date of a solar (Gregorian) date.
    pub fn from_solar(date: Date) -> LunarDate {
        let day_number = i64::from(date.to_julian_day());
        // The mean-month estimate can be one off near a new moon (e.g. 2054-05-07, where the
        // original algorithm gives day 0): step to the last new moon on or before the day.
        let mut k = ((day_number as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
        while new_moon_day(k + 1) <= day_number {
            k += 1;
        }
        while new_moon_day(k) > day_number {
            k -= 1;
        }
        let month_start = new_moon_day(k);
        let solar_year = date.year();
        let mut a11 = lunar_month_11(solar_year);
        let b11;
        let mut year = solar_year;
        if a11 >= month_start {
            b11 = a11;
            a11 = lunar_month_11(solar_year - 1);
        } else {
            year = solar_year + 1;
            b11 = lunar_month_11(solar_year + 1);
        }
        let day = day_number - month_start + 1;
        let diff = (month_start - a11).div_euclid(29);
        let mut leap = false;
        let mut month = diff + 11;
        if b11 - a11 > 365 {
            let leap_offset = leap_month_offset(a11);
            if diff >= leap_offset {
                month = diff + 10;
                leap = diff == leap_offset;
            }
        }
        if month > 12 {
            month -= 12;
        }
        if month >= 11 && diff < 4 {
            year -= 1;
        }
        LunarDate { year, month: month as u8, day: day as u8, leap }
    }

    /// The solar date of this lunar date, or `None` if it does not exist (no such leap month,
    /// day 30 of a 29-day month, out-of-range fields) or is outside [`Date`]'s range.
    pub fn to_solar(self) -> Option<Date> {
        if !(1..=12).contains(&self.month) || !(1..=30).contains(&self.day) {
            return None;
        }
        let (month_start, next_start) = self.month_bounds()?;
        let day_number = month_start + i64::from(self.day) - 1;
        if day_number >= next_start {
            return None;
        }
        Date::from_julian_day(i32::try_from(day_number).ok()?).ok()
    }

    /// Number of days (29 or 30) of this date's month, or `None` if the month does not exist.
    pub fn month_length(self) -> Option<u8> {
        if !(1..=12).contains(&self.month) {
            return None;
        }
        let (start, next) = self.month_bounds()?;
        u8::try_from(next - start).ok()
    }

    /// The leap month (tháng nhuận) of a lunar year, if it has one: e.g. 6 for 2025, 11 for 2033.
    pub fn leap_month(year: i32) -> Option<u8> {
        // Months 1..=10 of `year` lie in the solar year from month 11 of `year - 1`;
        // months 11 and 12 lie in the one from month 11 of `year`.
        let early = sui_leap_month(year - 1).filter(|m| *m <= 10);
        early.or_else(|| sui_leap_month(year).filter(|m| *m >= 11))
    }

    /// Julian day numbers of the first day of this month and of the next month.
    fn month_bounds(self) -> Option<(i64, i64)> {
        let (a11, b11) = if self.month < 11 {
            (lunar_month_11(self.year - 1), lunar_month_11(self.year))
        } else {
            (lunar_month_11(self.year), lunar_month_11(self.year + 1))
        };
        let k = ((a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
        let mut offset = (i64::from(self.month) - 11).rem_euclid(12);
        if b11 - a11 > 365 {
            let leap_offset = leap_month_offset(a11);
            if self.leap && i64::from(self.month) != leap_month_number(leap_offset) {
                return None;
            }
            if self.leap || offset >= leap_offset {
                offset += 1;
            }
        } else if self.leap {
            return None;
        }
        Some((new_moon_day(k + offset), new_moon_day(k + offset + 1)))
    }
}

impl fmt::Display for LunarDate {
    /// `10/3/2025`, or `1/11 nhuận/2033` for a day of a leap month.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let leap = if self.leap { " nhuận" } else { "" };
        write!(f, "{}/{}{}/{}", self.day, self.month, leap, self.year)
    }
}

/// The solar date of lunar new year's day (mùng 1 Tết) of `year`.
pub fn lunar_new_year(year: i32) -> Option<Date> {
    LunarDate { year, month: 1, day: 1, leap: false }.to_solar()
}

/// Month number of the leap month whose offset from month 11 is `leap_offset` (1..=12).
fn leap_month_number(leap_offset: i64) -> i64 {
    (10 + leap_offset - 1).rem_euclid(12) + 1
}

/// The leap month of the solar year (tuế) running from month 11 of `year` to month 11 of
/// `year + 1`, if that span has 13 months.
fn sui_leap_month(year: i32) -> Option<u8> {
    let a11 = lunar_month_11(year);
    let b11 = lunar_month_11(year + 1);
    (b11 - a11 > 365).then(|| leap_month_number(leap_month_offset(a11)) as u8)
}

/// Julian day number of 31 December of `year` (proleptic Gregorian, valid for any year > -4800).
fn julian_day_of_december_31(year: i32) -> i64 {
    let y = i64::from(year) + 4800;
    let m = 9; // December counted from March
    31 + (153 * m + 2) / 5 + 365 * y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) - 32045
}

/// Local (UTC+7) Julian day number of the `k`-th new moon after 1900-01-01.
fn new_moon_day(k: i64) -> i64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    let jd_new = jd1 + c1 - delta_t;
    (jd_new + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// Sector 0..=11 (30° each) of the sun's apparent longitude at local midnight starting `jdn`.
fn sun_longitude_sector(jdn: i64) -> i64 {
    let t = (jdn as f64 - 2_451_545.5 - TIME_ZONE / 24.0) / 36525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl = dl + (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let mut l = (l0 + dl) * dr;
    l -= PI * 2.0 * (l / (PI * 2.0)).floor();
    (l / PI * 6.0).floor() as i64
}

/// Julian day number of the first day of lunar month 11 (the month of the winter solstice)
/// that starts in solar `year`.
fn lunar_month_11(year: i32) -> i64 {
    let off = julian_day_of_december_31(year) - 2_415_021;
    let k = (off as f64 / SYNODIC_MONTH).floor() as i64;
    let new_moon = new_moon_day(k);
    if sun_longitude_sector(new_moon) >= 9 { new_moon_day(k - 1) } else { new_moon }
}

/// Offset (1..=13) from month 11 starting at `a11` of the first month without a major term:
/// the leap month of a 13-month span.
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_longitude_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_longitude_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            return i - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn lunar(year: i32, month: u8, day: u8, leap: bool) -> LunarDate {
        LunarDate { year, month, day, leap }
    }

    #[test]
    fn tet_follows_vietnamese_time_where_the_chinese_calendar_differs() {
        assert_eq!(lunar_new_year(1985), Some(date!(1985 - 01 - 21)));
        assert_eq!(lunar_new_year(2007), Some(date!(2007 - 02 - 17)));
        assert_eq!(lunar_new_year(2030), Some(date!(2030 - 02 - 02)));
        assert_eq!(lunar_new_year(2053), Some(date!(2053 - 02 - 18)));
    }

    #[test]
    fn recent_tet_dates_match_the_government_notices() {
        assert_eq!(lunar_new_year(2024), Some(date!(2024 - 02 - 10)));
        assert_eq!(lunar_new_year(2025), Some(date!(2025 - 01 - 29)));
        assert_eq!(lunar_new_year(2026), Some(date!(2026 - 02 - 17)));
    }

    #[test]
    fn the_hung_kings_day_falls_on_the_announced_dates() {
        assert_eq!(lunar(2024, 3, 10, false).to_solar(), Some(date!(2024 - 04 - 18)));
        assert_eq!(lunar(2025, 3, 10, false).to_solar(), Some(date!(2025 - 04 - 07)));
        assert_eq!(lunar(2026, 3, 10, false).to_solar(), Some(date!(2026 - 04 - 26)));
    }

    #[test]
    fn new_years_eve_2026_is_the_29th_of_the_twelfth_month() {
        assert_eq!(LunarDate::from_solar(date!(2026 - 02 - 16)), lunar(2025, 12, 29, false));
        assert_eq!(lunar(2025, 12, 1, false).month_length(), Some(29));
        assert_eq!(lunar(2025, 12, 30, false).to_solar(), None);
    }

    #[test]
    fn leap_months_are_found_including_the_2033_leap_eleventh_month() {
        assert_eq!(LunarDate::leap_month(2020), Some(4));
        assert_eq!(LunarDate::leap_month(2023), Some(2));
        assert_eq!(LunarDate::leap_month(2024), None);
        assert_eq!(LunarDate::leap_month(2025), Some(6));
        assert_eq!(LunarDate::leap_month(2033), Some(11));
        let leap_11 = lunar(2033, 11, 1, true);
        let solar = leap_11.to_solar();
        assert_eq!(solar, Some(date!(2033 - 12 - 22)));
        assert_eq!(solar.map(LunarDate::from_solar), Some(leap_11));
    }

    #[test]
    fn a_leap_day_of_a_month_that_is_not_leap_does_not_exist() {
        assert_eq!(lunar(2025, 5, 1, true).to_solar(), None);
        assert_eq!(lunar(2024, 6, 1, true).to_solar(), None);
        assert!(lunar(2025, 6, 1, true).to_solar().is_some());
        assert_eq!(lunar(2025, 13, 1, false).to_solar(), None);
        assert_eq!(lunar(2025, 1, 0, false).to_solar(), None);
    }

    #[test]
    fn a_day_just_before_a_late_new_moon_stays_in_its_month() {
        assert_eq!(LunarDate::from_solar(date!(2054 - 05 - 07)), lunar(2054, 3, 30, false));
        assert_eq!(LunarDate::from_solar(date!(2054 - 05 - 08)), lunar(2054, 4, 1, false));
    }

    #[test]
    fn lunar_dates_display_with_the_leap_marker() {
        assert_eq!(lunar(2025, 3, 10, false).to_string(), "10/3/2025");
        assert_eq!(lunar(2033, 11, 1, true).to_string(), "1/11 nhuận/2033");
    }

    #[test]
    fn every_day_from_1900_to_2100_follows_the_previous_one() {
        let mut previous = LunarDate::from_solar(date!(1900 - 01 - 01));
        let mut month_length = 0;
        let mut solar = date!(1900 - 01 - 02);
        while solar <= date!(2100 - 12 - 31) {
            let lunar = LunarDate::from_solar(solar);
            month_length += 1;
            if lunar.day == 1 {
                assert!(month_length == 29 || month_length == 30 || solar.year() == 1900, "{solar}");
                month_length = 0;
                let same_number = lunar.month == previous.month && lunar.leap && !previous.leap;
                let next_number = lunar.month == previous.month % 12 + 1 && !lunar.leap;
                assert!(same_number || next_number, "{solar}: {previous} -> {lunar}");
                if lunar.month == 1 && !lunar.leap {
                    assert_eq!(lunar.year, previous.year + 1, "{solar}");
                    assert!(
                        (date!(2000 - 01 - 21).ordinal()..=date!(2000 - 02 - 20).ordinal()).contains(&solar.ordinal())
                    );
                }
            } else {
                let expected = LunarDate { day: previous.day + 1, ..previous };
                assert_eq!(lunar, expected, "{solar}");
            }
            previous = lunar;
            solar = solar.next_day().unwrap_or(Date::MAX);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn solar_to_lunar_to_solar_round_trips_from_1900_to_2100(
            day in date!(1900 - 01 - 01).to_julian_day()..=date!(2100 - 12 - 31).to_julian_day()
        ) {
            let solar = Date::from_julian_day(day).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let lunar = LunarDate::from_solar(solar);
            prop_assert!((1..=12).contains(&lunar.month));
            prop_assert!((1..=30).contains(&lunar.day));
            prop_assert_eq!(lunar.to_solar(), Some(solar), "{} -> {}", solar, lunar);
        }
    }
}
