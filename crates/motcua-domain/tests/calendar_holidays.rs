//! Holidays: the shipped 2024–2026 announcements, the statutory rules for other years, and
//! announcement validation (domain.md §10, Decisions 9–10).

use motcua_domain::calendar::statutory::{self, COMPENSATORY_PREFIX, statutory_holidays};
use motcua_domain::calendar::{
    Announcement, Calendar, CalendarError, DayKind, HolidayEntry, OfficeHours, shipped_announcements,
};
use time::macros::date;
use time::{Date, Weekday};

const SHIPPED_FILES: [(i32, &str); 3] = [
    (2024, include_str!("../../../data/holidays/2024.toml")),
    (2025, include_str!("../../../data/holidays/2025.toml")),
    (2026, include_str!("../../../data/holidays/2026.toml")),
];

fn off_days(calendar: &Calendar, year: i32) -> Vec<Date> {
    calendar.holidays(year).into_iter().filter(|e| e.kind == DayKind::Holiday).map(|e| e.date).collect()
}

fn dates(from: Date, to: Date) -> Vec<Date> {
    let mut all = vec![from];
    while let Some(next) = all.last().and_then(|d| d.next_day()).filter(|d| *d <= to) {
        all.push(next);
    }
    all
}

#[test]
fn every_shipped_announcement_parses() {
    for (year, text) in SHIPPED_FILES {
        let parsed = Announcement::parse_toml(text);
        assert_eq!(parsed.as_ref().map(|a| a.year), Ok(year), "data/holidays/{year}.toml: {parsed:?}");
    }
    assert_eq!(shipped_announcements().len(), SHIPPED_FILES.len());
    assert_eq!(Calendar::vietnam_default().announcements.keys().copied().collect::<Vec<_>>(), [2024, 2025, 2026]);
}

#[test]
fn the_2024_announcement_has_the_seven_day_tet_and_the_may_swap() {
    let calendar = Calendar::vietnam_default();
    let off = off_days(&calendar, 2024);
    for day in dates(date!(2024 - 02 - 08), date!(2024 - 02 - 14)) {
        assert!(off.contains(&day), "{day} should be off");
    }
    for day in [date!(2024 - 01 - 01), date!(2024 - 04 - 18), date!(2024 - 04 - 29), date!(2024 - 09 - 03)] {
        assert!(off.contains(&day), "{day} should be off");
    }
    assert!(calendar.is_working_day(date!(2024 - 05 - 04)), "make-up Saturday 04/05/2024 (Decisions 10)");
    assert!(!calendar.is_working_day(date!(2024 - 04 - 29)));
}

#[test]
fn the_2025_announcement_swaps_friday_2_may_with_saturday_26_april() {
    let calendar = Calendar::vietnam_default();
    let holidays = calendar.holidays(2025);
    let workdays: Vec<&HolidayEntry> = holidays.iter().filter(|e| e.kind == DayKind::Workday).collect();
    assert_eq!(workdays.len(), 1);
    assert_eq!(workdays[0].date, date!(2025 - 04 - 26));
    assert!(calendar.is_working_day(date!(2025 - 04 - 26)));
    assert!(!calendar.is_working_day(date!(2025 - 05 - 02)));
    assert!(!calendar.is_working_day(date!(2025 - 04 - 07)), "Giỗ Tổ Hùng Vương");
    for day in dates(date!(2025 - 01 - 25), date!(2025 - 02 - 02)) {
        assert!(!calendar.is_working_day(day), "{day} is in the Tết break");
    }
    assert!(calendar.is_working_day(date!(2025 - 02 - 03)));
}

#[test]
fn the_2026_announcement_has_the_nine_day_tet_the_august_swap_and_culture_day() {
    let calendar = Calendar::vietnam_default();
    let off = off_days(&calendar, 2026);
    for day in dates(date!(2026 - 02 - 14), date!(2026 - 02 - 22)) {
        assert!(off.contains(&day), "{day} is in the Tết break");
    }
    for day in dates(date!(2026 - 08 - 29), date!(2026 - 09 - 02)) {
        assert!(off.contains(&day), "{day} is in the Quốc khánh break");
    }
    for day in [date!(2026 - 04 - 26), date!(2026 - 04 - 27), date!(2026 - 11 - 24)] {
        assert!(off.contains(&day), "{day} should be off");
    }
    assert!(calendar.is_working_day(date!(2026 - 08 - 22)));
    assert!(calendar.is_working_day(date!(2026 - 02 - 23)));
}

#[test]
fn holidays_are_sorted_and_named_in_vietnamese() {
    let calendar = Calendar::vietnam_default();
    for year in [2024, 2025, 2026, 2027, 2033] {
        let holidays = calendar.holidays(year);
        assert!(holidays.windows(2).all(|w| w[0].date < w[1].date), "{year} not sorted");
        assert!(holidays.iter().all(|e| e.date.year() == year && !e.name.is_empty()));
    }
    let names: Vec<String> = calendar.holidays(2027).into_iter().map(|e| e.name).collect();
    for expected in ["Tết Dương lịch", "Tết Nguyên đán (mùng 1)", "Giỗ Tổ Hùng Vương", "Ngày Quốc khánh"]
    {
        assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
    }
}

#[test]
fn every_statutory_day_of_2024_to_2026_is_off_in_the_announcements() {
    let calendar = Calendar::vietnam_default();
    for year in 2024..=2026 {
        let off = off_days(&calendar, year);
        for entry in statutory_holidays(year) {
            assert!(off.contains(&entry.date), "{year}: statutory {} {} is not announced", entry.date, entry.name);
        }
    }
}

#[test]
fn each_announced_weekday_off_beyond_the_law_is_made_up_on_a_weekend() {
    let calendar = Calendar::vietnam_default();
    for year in 2024..=2026 {
        let statutory: Vec<Date> = statutory_holidays(year).into_iter().map(|e| e.date).collect();
        let extra = off_days(&calendar, year)
            .into_iter()
            .filter(|d| !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !statutory.contains(d))
            .count();
        let made_up = calendar.holidays(year).iter().filter(|e| e.kind == DayKind::Workday).count();
        assert_eq!(extra, made_up, "{year}");
    }
}

#[test]
fn years_without_an_announcement_use_the_statutory_days() {
    let calendar = Calendar::vietnam_default();
    assert_eq!(calendar.holidays(2027), statutory_holidays(2027));
    // 2030: 24/11 is a Sunday, the day in lieu is Monday 25/11 (Decisions 9).
    let holidays = calendar.holidays(2030);
    let monday = holidays.iter().find(|e| e.date == date!(2030 - 11 - 25));
    assert_eq!(monday.map(|e| e.name.as_str()), Some("Nghỉ bù Ngày Văn hóa Việt Nam"));
    assert!(!calendar.is_working_day(date!(2030 - 11 - 25)));
    // Tết 2030 is Saturday 02/02: eve Friday, Saturday's day before Tết, Sunday's after.
    for day in dates(date!(2030 - 01 - 31), date!(2030 - 02 - 06)) {
        assert!(!calendar.is_working_day(day), "{day}");
    }
    assert!(calendar.is_working_day(date!(2030 - 02 - 07)));
}

#[test]
fn the_statutory_rules_follow_the_labour_code() {
    assert_eq!(statutory::new_years_day(2027), Some(date!(2027 - 01 - 01)));
    let tet: Vec<Date> = statutory::lunar_new_year_days(2027).into_iter().map(|(d, _)| d).collect();
    assert_eq!(tet, dates(date!(2027 - 02 - 05), date!(2027 - 02 - 09)));
    assert_eq!(statutory::hung_kings_day(2027), Some(date!(2027 - 04 - 16)));
    assert_eq!(statutory::hung_kings_day(2006), None, "a holiday since 2007");
    assert_eq!(statutory::victory_day(2027), Some(date!(2027 - 04 - 30)));
    assert_eq!(statutory::labour_day(2027), Some(date!(2027 - 05 - 01)));
    assert_eq!(statutory::vietnamese_culture_day(2025), None, "a holiday from 2026");
    assert_eq!(statutory::vietnamese_culture_day(2027), Some(date!(2027 - 11 - 24)));
    // 2/9 + one adjacent day since 2021: Thursday 2027 → Friday 3/9; Sunday 2029 → Monday 3/9.
    let national = |y| statutory::national_day(y).into_iter().map(|(d, _)| d).collect::<Vec<_>>();
    assert_eq!(national(2027), [date!(2027 - 09 - 02), date!(2027 - 09 - 03)]);
    assert_eq!(national(2029), [date!(2029 - 09 - 02), date!(2029 - 09 - 03)]);
    assert_eq!(national(2020), [date!(2020 - 09 - 02)]);
    // Sunday 2/9/2029 is compensated on Tuesday 4/9, after the adjacent Monday.
    let compensatory: Vec<Date> = statutory_holidays(2029)
        .into_iter()
        .filter(|e| e.name.starts_with(COMPENSATORY_PREFIX))
        .map(|e| e.date)
        .collect();
    assert_eq!(compensatory, [date!(2029 - 09 - 04), date!(2029 - 11 - 26)]);
}

#[test]
fn an_announcement_replaces_the_statutory_days_of_its_year() {
    let text = r#"
year = 2027
source = "CV 1234/VPCP-KGVX (test)"

[[days_off]]
date = 2027-01-01
name = "Tết Dương lịch"

[[days_off]]
date = 2027-01-04
name = "Nghỉ hoán đổi"

[[working_days]]
date = 2027-01-09
name = "Làm bù cho thứ Hai 04/01/2027"
"#;
    let announcement = Announcement::parse_toml(text).unwrap_or_else(|e| panic!("{e}"));
    let calendar = Calendar::new(OfficeHours::default(), vec![announcement]);
    let holidays = calendar.holidays(2027);
    assert_eq!(holidays.len(), 3);
    assert!(!calendar.is_working_day(date!(2027 - 01 - 04)));
    assert!(calendar.is_working_day(date!(2027 - 01 - 09)));
    assert!(calendar.is_working_day(date!(2027 - 02 - 08)), "Tết is not in this announcement");
    assert!(!calendar.is_working_day(date!(2028 - 01 - 26)), "other years stay statutory (Tết 2028)");
}

fn parse_error(text: &str) -> String {
    match Announcement::parse_toml(text) {
        Err(CalendarError::InvalidAnnouncement(message)) => message,
        other => panic!("expected an invalid announcement, got {other:?}"),
    }
}

#[test]
fn invalid_announcements_are_refused_with_every_reason() {
    let message = parse_error(
        r#"
year = 2027
source = " "

[[days_off]]
date = 2026-12-31
name = "Giao thừa dương lịch"

[[days_off]]
date = 2027-01-01
name = ""

[[days_off]]
date = 2027-01-01
name = "Tết Dương lịch"

[[working_days]]
date = 2027-01-01
name = "Làm bù"

[[working_days]]
date = 2027-01-06
name = "Làm bù thứ Tư"
"#,
    );
    for needle in [
        "`source` must name",
        "2026-12-31 in `days_off` is outside 2027",
        "2027-01-01 in `days_off` has no name",
        "2027-01-01 is listed twice in `days_off`",
        "2027-01-01 is both a day off and a working day",
        "2027-01-06 is a Wednesday",
    ] {
        assert!(message.contains(needle), "{needle:?} not in {message:?}");
    }
}

#[test]
fn malformed_announcement_files_are_refused_clearly() {
    for (text, needle) in [
        ("year = 2027\nsource = \"x\"\n", "`days_off` is empty"),
        ("year = 2027\nsource = \"x\"\nholiday = 1\n", "unknown field `holiday`"),
        ("year = 2027\n[[days_off]]\ndate = 2027-01-01\nname = \"a\"\n", "missing field `source`"),
        ("year = 2027\nsource = \"x\"\n[[days_off]]\ndate = \"2027-01-01\"\nname = \"a\"\n", "invalid type"),
        ("year = 2027\nsource = \"x\"\n[[days_off]]\ndate = 2027-01-01T08:00:00\nname = \"a\"\n", "plain date"),
    ] {
        let message = parse_error(text);
        assert!(message.contains(needle), "{needle:?} not in {message:?}");
    }
}

#[test]
fn holiday_entries_serialise_with_iso_dates() {
    let entry =
        HolidayEntry { date: date!(2025 - 01 - 01), name: "Tết Dương lịch".into(), kind: DayKind::Holiday };
    let json = serde_json::to_string(&entry).unwrap_or_default();
    assert_eq!(json, r#"{"date":"2025-01-01","name":"Tết Dương lịch","kind":"holiday"}"#);
    let back: Result<HolidayEntry, _> = serde_json::from_str(&json);
    assert_eq!(back.ok(), Some(entry));
}
