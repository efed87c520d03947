//! Properties of working-time arithmetic (DESIGN.md "Working calendar"), on the default
//! calendar and on one with Saturday hours, for instants from 2019 to 2031 (announced and
//! computed years) in several offsets.

use motcua_domain::calendar::{Calendar, OfficeHours, WorkingTime};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime, UtcOffset};

/// Up to 60 working days, in seconds.
const MAX_SECONDS: i64 = 60 * 8 * 3600;

fn calendars() -> [Calendar; 2] {
    let default = Calendar::vietnam_default();
    let saturdays = OfficeHours::parse("mon-fri 07:30-11:30,13:30-17:30; sat 07:30-11:30")
        .map(|hours| default.with_hours(hours))
        .unwrap_or_else(|e| panic!("{e}"));
    [default, saturdays]
}

/// An instant from 2019 to 2031, whole seconds, in one of a few offsets.
fn instant() -> impl Strategy<Value = OffsetDateTime> {
    let from = datetime!(2019-01-01 00:00 UTC).unix_timestamp();
    let to = datetime!(2031-12-31 00:00 UTC).unix_timestamp();
    (from..to, prop::sample::select(vec![0i8, 7, -5, 9])).prop_map(|(seconds, hours)| {
        let utc = OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let offset = UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC);
        utc.to_offset(offset)
    })
}

/// A working duration: often whole hours or days, sometimes any second.
fn duration() -> impl Strategy<Value = WorkingTime> {
    prop_oneof![
        (0..=MAX_SECONDS).prop_map(WorkingTime),
        (0..=480i64).prop_map(|h| WorkingTime(h * 3600)),
        (0..=60i64).prop_map(|d| WorkingTime(d * 8 * 3600)),
    ]
}

fn calendar() -> impl Strategy<Value = usize> {
    0..2usize
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_longer_time_limit_never_ends_earlier(c in calendar(), t in instant(), a in duration(), b in duration()) {
        let cal = &calendars()[c];
        let (short, long) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(cal.add(t, short) <= cal.add(t, long));
    }

    #[test]
    fn adding_in_two_steps_equals_adding_at_once(c in calendar(), t in instant(), a in duration(), b in duration()) {
        let cal = &calendars()[c];
        let first = cal.add(t, a);
        let both = cal.add(first, b);
        if b.0 > 0 {
            prop_assert_eq!(both, cal.add(t, a + b));
        } else {
            // A zero limit returns the receipt instant: the same point in working time.
            prop_assert_eq!(cal.between(first, both), WorkingTime::ZERO);
        }
    }

    #[test]
    fn a_due_instant_is_never_outside_office_hours(c in calendar(), t in instant(), d in duration()) {
        let cal = &calendars()[c];
        let due = cal.add(t, d);
        if d.0 > 0 {
            // Inside a period or at its end: the second before it is working time.
            prop_assert_eq!(cal.between(due - Duration::SECOND, due), WorkingTime(1));
        } else {
            prop_assert!(cal.is_working_instant(due));
        }
    }

    #[test]
    fn the_working_time_up_to_a_due_instant_is_the_time_limit(c in calendar(), t in instant(), d in duration()) {
        let cal = &calendars()[c];
        prop_assert_eq!(cal.between(t, cal.add(t, d)), d);
    }

    #[test]
    fn working_time_adds_up_over_a_split_point(c in calendar(), a in instant(), b in instant(), x in instant()) {
        let cal = &calendars()[c];
        let mut points = [a, b, x];
        points.sort();
        let [first, middle, last] = points;
        prop_assert_eq!(cal.between(first, last), cal.between(first, middle) + cal.between(middle, last));
    }

    #[test]
    fn the_receipt_instant_is_the_first_working_instant_from_t(c in calendar(), t in instant()) {
        let cal = &calendars()[c];
        let receipt = cal.receipt_instant(t);
        prop_assert!(receipt >= t);
        prop_assert!(cal.is_working_instant(receipt));
        prop_assert_eq!(cal.between(t, receipt), WorkingTime::ZERO);
        prop_assert_eq!(cal.receipt_instant(receipt), receipt);
    }
}
