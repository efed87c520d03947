//! Receipt instant, due instant and elapsed working time on the default Vietnamese calendar
//! (domain.md Decisions 1–3 and the pitfalls list).

use std::time::Instant;

use motcua_domain::calendar::{Calendar, OfficeHours, WorkingTime};
use time::macros::datetime;
use time::{Duration, OffsetDateTime, UtcOffset};

fn calendar() -> Calendar {
    Calendar::vietnam_default()
}

fn days(n: f64) -> WorkingTime {
    WorkingTime::from_days(n).unwrap_or_else(|e| panic!("{n} days: {e}"))
}

fn hours(n: f64) -> WorkingTime {
    WorkingTime::from_hours(n).unwrap_or_else(|e| panic!("{n} hours: {e}"))
}

fn due(start: OffsetDateTime, d: WorkingTime) -> OffsetDateTime {
    calendar().add(start, d)
}

#[test]
fn a_dossier_received_monday_at_ten_with_one_working_day_is_due_tuesday_at_ten() {
    assert_eq!(due(datetime!(2025-03-10 10:00 +7), days(1.0)), datetime!(2025-03-11 10:00 +7));
}

#[test]
fn a_dossier_received_after_office_hours_counts_from_the_next_working_day() {
    // Friday 18:30 + 1 working day: Monday 07:00 to 17:00, written as Monday 17:00.
    assert_eq!(due(datetime!(2025-03-14 18:30 +7), days(1.0)), datetime!(2025-03-17 17:00 +7));
}

#[test]
fn a_start_in_the_lunch_break_counts_from_thirteen_hundred() {
    assert_eq!(due(datetime!(2025-03-11 12:00 +7), hours(4.0)), datetime!(2025-03-11 17:00 +7));
}

#[test]
fn a_start_exactly_at_a_period_boundary_earns_no_free_time() {
    assert_eq!(due(datetime!(2025-03-11 11:00 +7), days(1.0)), datetime!(2025-03-12 11:00 +7));
    assert_eq!(due(datetime!(2025-03-11 13:00 +7), hours(4.0)), datetime!(2025-03-11 17:00 +7));
    assert_eq!(due(datetime!(2025-03-11 17:00 +7), days(1.0)), datetime!(2025-03-12 17:00 +7));
}

#[test]
fn a_due_instant_at_the_start_of_a_period_is_written_as_the_end_of_the_previous_one() {
    assert_eq!(due(datetime!(2025-03-11 07:00 +7), days(1.0)), datetime!(2025-03-11 17:00 +7));
    assert_eq!(due(datetime!(2025-03-11 07:00 +7), hours(4.0)), datetime!(2025-03-11 11:00 +7));
    assert_eq!(due(datetime!(2025-03-14 07:00 +7), days(1.0)), datetime!(2025-03-14 17:00 +7));
}

#[test]
fn an_evening_start_counts_from_the_next_morning() {
    assert_eq!(due(datetime!(2025-03-11 21:00 +7), hours(2.0)), datetime!(2025-03-12 09:00 +7));
}

#[test]
fn a_start_on_a_weekday_public_holiday_counts_from_the_next_working_day() {
    // Monday 2025-04-07 is Giỗ Tổ Hùng Vương.
    assert_eq!(due(datetime!(2025-04-07 09:00 +7), days(1.0)), datetime!(2025-04-08 17:00 +7));
    assert_eq!(calendar().receipt_instant(datetime!(2025-04-07 09:00 +7)), datetime!(2025-04-08 07:00 +7));
}

#[test]
fn a_swapped_working_saturday_counts_with_weekday_hours() {
    // Saturday 2025-04-26 works in place of Friday 2025-05-02.
    assert_eq!(due(datetime!(2025-04-25 13:00 +7), days(1.0)), datetime!(2025-04-26 11:00 +7));
    // Saturday 2026-08-22 works in place of Monday 2026-08-31.
    assert_eq!(due(datetime!(2026-08-21 09:00 +7), days(1.0)), datetime!(2026-08-22 09:00 +7));
    // Over the 2025 break: Tue 29/04 13:00 + 1 day skips 30/04 to 04/05.
    assert_eq!(due(datetime!(2025-04-29 13:00 +7), days(1.0)), datetime!(2025-05-05 11:00 +7));
}

#[test]
fn a_center_with_saturday_hours_uses_them_on_every_saturday_including_swapped_ones() {
    let hours = OfficeHours::parse("mon-fri 07:00-11:00,13:00-17:00; sat 07:30-11:30");
    let calendar = calendar().with_hours(hours.unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(calendar.add(datetime!(2025-04-25 13:00 +7), days(1.0)), datetime!(2025-04-26 11:30 +7));
    assert_eq!(calendar.add(datetime!(2025-03-14 13:00 +7), days(1.0)), datetime!(2025-03-15 11:30 +7));
    // A holiday on a Saturday stays closed: Tết 2025 mùng 4 is Saturday 01/02.
    assert!(!calendar.is_working_day(time::macros::date!(2025 - 02 - 01)));
}

#[test]
fn the_2026_tet_break_is_skipped_whole() {
    // Friday 13/02 13:00 + 1 day: 4 h on Friday, nothing from 14/02 to 22/02, 4 h on Monday 23/02.
    assert_eq!(due(datetime!(2026-02-13 13:00 +7), days(1.0)), datetime!(2026-02-23 11:00 +7));
    // Thursday 12/02 09:00 + 5 days: 6 h + 8 h before Tết, then 26 h from Monday 23/02.
    assert_eq!(due(datetime!(2026-02-12 09:00 +7), days(5.0)), datetime!(2026-02-26 09:00 +7));
}

#[test]
fn a_zero_time_limit_returns_the_receipt_instant() {
    let saturday = datetime!(2025-03-15 10:00 +7);
    assert_eq!(due(saturday, WorkingTime::ZERO), datetime!(2025-03-17 07:00 +7));
    assert_eq!(due(datetime!(2025-03-17 09:15 +7), WorkingTime::ZERO), datetime!(2025-03-17 09:15 +7));
}

#[test]
fn instants_in_any_offset_are_read_in_vietnam_time_and_returned_in_utc() {
    // 03:00 UTC is 10:00 in Hà Nội.
    let result = due(datetime!(2025-03-10 03:00 UTC), days(1.0));
    assert_eq!(result, datetime!(2025-03-11 10:00 +7));
    assert_eq!(result.offset(), UtcOffset::UTC);
    // 20:00 in New York on Sunday is Monday 08:00 in Hà Nội.
    assert_eq!(due(datetime!(2025-03-09 20:00 -5), hours(1.0)), datetime!(2025-03-10 09:00 +7));
}

#[test]
fn the_receipt_instant_moves_to_the_next_working_period() {
    let receipt = |t| calendar().receipt_instant(t);
    assert_eq!(receipt(datetime!(2025-03-11 09:30 +7)), datetime!(2025-03-11 09:30 +7));
    assert_eq!(receipt(datetime!(2025-03-11 07:00 +7)), datetime!(2025-03-11 07:00 +7));
    assert_eq!(receipt(datetime!(2025-03-11 11:00 +7)), datetime!(2025-03-11 13:00 +7));
    assert_eq!(receipt(datetime!(2025-03-11 12:10 +7)), datetime!(2025-03-11 13:00 +7));
    assert_eq!(receipt(datetime!(2025-03-11 17:00 +7)), datetime!(2025-03-12 07:00 +7));
    assert_eq!(receipt(datetime!(2025-03-11 06:59 +7)), datetime!(2025-03-11 07:00 +7));
    assert_eq!(receipt(datetime!(2025-03-15 10:00 +7)), datetime!(2025-03-17 07:00 +7));
    assert_eq!(receipt(datetime!(2026-02-13 18:00 +7)), datetime!(2026-02-23 07:00 +7));
    assert_eq!(receipt(datetime!(2025-04-26 08:00 +7)), datetime!(2025-04-26 08:00 +7));
}

#[test]
fn working_instants_include_the_start_and_exclude_the_end_of_a_period() {
    let calendar = calendar();
    assert!(calendar.is_working_instant(datetime!(2025-03-11 07:00 +7)));
    assert!(calendar.is_working_instant(datetime!(2025-03-11 10:59:59 +7)));
    assert!(!calendar.is_working_instant(datetime!(2025-03-11 11:00 +7)));
    assert!(!calendar.is_working_instant(datetime!(2025-03-15 09:00 +7)));
    assert!(!calendar.is_working_instant(datetime!(2025-04-07 09:00 +7)));
    assert!(calendar.is_working_instant(datetime!(2025-04-26 09:00 +7)));
}

#[test]
fn between_counts_only_office_hours() {
    let calendar = calendar();
    let between = |a, b| calendar.between(a, b);
    assert_eq!(between(datetime!(2025-03-10 10:00 +7), datetime!(2025-03-11 10:00 +7)), hours(8.0));
    assert_eq!(between(datetime!(2025-03-11 10:00 +7), datetime!(2025-03-10 10:00 +7)), WorkingTime::ZERO);
    assert_eq!(between(datetime!(2025-03-14 16:00 +7), datetime!(2025-03-17 08:00 +7)), hours(2.0));
    assert_eq!(between(datetime!(2025-03-11 11:30 +7), datetime!(2025-03-11 12:30 +7)), WorkingTime::ZERO);
    assert_eq!(between(datetime!(2026-02-13 00:00 +7), datetime!(2026-02-24 00:00 +7)), hours(16.0));
    // 2025: 261 weekdays, 12 of them off (1/1, five for Tết, 7/4, 30/4, 1/5, 2/5, 1/9, 2/9),
    // plus the swapped Saturday 26/04.
    assert_eq!(between(datetime!(2025-01-01 00:00 +7), datetime!(2026-01-01 00:00 +7)), days(250.0));
}

#[test]
fn ten_thousand_working_days_are_computed_quickly_and_exactly() {
    let calendar = calendar();
    let start = datetime!(2025-01-02 10:00 +7);
    let clock = Instant::now();
    let mut last = start;
    for i in 0..100 {
        let d = days(10_000.0 - f64::from(i));
        last = calendar.add(start + Duration::hours(i64::from(i)), d);
        assert_eq!(calendar.between(start + Duration::hours(i64::from(i)), last), d);
    }
    let elapsed = clock.elapsed();
    assert!(last.year() > 2060 && last.year() < 2070, "10,000 working days end in {}", last.year());
    assert!(elapsed.as_secs_f64() < 5.0, "100 deadlines of 10,000 working days took {elapsed:?}");
}
