//! Cross-check of the computed statutory holidays with PyPI `holidays` (VN) for 2020–2030.
//!
//! The fixture is made by `scripts/holidays_fixture.py` (pinned `holidays` version inside it).
//! Compared: every statutory holiday and every compensatory day, by date and by whether it is a
//! compensatory day. Left out, explicitly: the Government-decreed day swaps PyPI lists among its
//! holidays (category "special"). They are not statutory rules but one-off decisions, which
//! Motcua keeps in the yearly announcements; the second test checks they are there.

use std::collections::{BTreeMap, BTreeSet};

use motcua_domain::calendar::statutory::{COMPENSATORY_PREFIX, statutory_holidays};
use motcua_domain::calendar::{Calendar, DayKind};
use serde::Deserialize;

const FIXTURE: &str = include_str!("../../../data/holidays/pypi-holidays-vn-2020-2030.json");

/// PyPI's decreed swaps in 2020–2030: the day off, and why it is not a statutory holiday.
const DECREED_SWAPS: [(&str, &str); 3] = [
    ("2024-04-29", "Monday swapped with Saturday 2024-05-04 (TB 1570/TB-BLĐTBXH, CV 2450/VPCP-KGVX)"),
    ("2025-05-02", "Friday swapped with Saturday 2025-04-26 (CV 8726/VPCP-KGVX)"),
    ("2026-08-31", "Monday swapped with Saturday 2026-08-22 (CV 9859/VPCP-KGVX)"),
];

#[derive(Deserialize)]
struct Fixture {
    version: String,
    years: BTreeMap<i32, Vec<FixtureDay>>,
}

#[derive(Deserialize)]
struct FixtureDay {
    date: String,
    name: String,
    category: String,
}

fn fixture() -> Fixture {
    match serde_json::from_str(FIXTURE) {
        Ok(fixture) => fixture,
        Err(e) => panic!("the PyPI fixture does not parse: {e}"),
    }
}

#[test]
fn computed_statutory_holidays_match_pypi_holidays_from_2020_to_2030() {
    let fixture = fixture();
    assert_eq!(fixture.years.keys().copied().collect::<Vec<_>>(), (2020..=2030).collect::<Vec<_>>());
    let mut report = Vec::new();
    for (year, days) in &fixture.years {
        let theirs: BTreeMap<(String, bool), &str> = days
            .iter()
            .filter(|d| d.category != "special")
            .map(|d| ((d.date.clone(), d.category == "observed"), d.name.as_str()))
            .collect();
        let ours: BTreeMap<(String, bool), String> = statutory_holidays(*year)
            .into_iter()
            .map(|e| ((e.date.to_string(), e.name.starts_with(COMPENSATORY_PREFIX)), e.name))
            .collect();
        let label = |compensatory: bool| {
            if compensatory { "compensatory" } else { "holiday" }
        };
        for ((date, compensatory), name) in &theirs {
            if !ours.contains_key(&(date.clone(), *compensatory)) {
                report.push(format!("{year}: missing {date} {} ({name})", label(*compensatory)));
            }
        }
        for ((date, compensatory), name) in &ours {
            if !theirs.contains_key(&(date.clone(), *compensatory)) {
                report.push(format!("{year}: extra {date} {} ({name})", label(*compensatory)));
            }
        }
    }
    assert!(
        report.is_empty(),
        "statutory holidays differ from PyPI holidays {}:\n{}",
        fixture.version,
        report.join("\n")
    );
}

#[test]
fn the_only_pypi_days_left_out_are_decreed_swaps_and_the_announcements_hold_them() {
    let fixture = fixture();
    let special: BTreeSet<&str> =
        fixture.years.values().flatten().filter(|d| d.category == "special").map(|d| d.date.as_str()).collect();
    let documented: BTreeSet<&str> = DECREED_SWAPS.iter().map(|(date, _)| *date).collect();
    assert_eq!(special, documented, "PyPI's decreed swaps changed: document each one in DECREED_SWAPS");
    let calendar = Calendar::vietnam_default();
    for (date, why) in DECREED_SWAPS {
        let year = date[..4].parse().unwrap_or_default();
        let off = calendar.holidays(year).into_iter().any(|e| e.date.to_string() == date && e.kind == DayKind::Holiday);
        assert!(off, "{date} ({why}) is not a day off in the {year} announcement");
    }
}
